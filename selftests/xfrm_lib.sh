# SPDX-License-Identifier: GPL-2.0-or-later
#
# A tunnel between espif and the kernel's own IPsec (xfrm), shared by
# xfrm.sh, rekey.sh and teardown.sh (sourced after lib.sh).
#
#   ns "a" (espif)                          ns "b" (xfrm, the reference)
#   +-----------------------------+         +-------------------------------+
#   | esp0 192.168.1.1/32 fd01::1 |         | dummy0 192.168.2.1/32 fd02::1 |
#   |  peer 1: 192.168.2.0/24,    |         | xfrm policies 192.168.1.0/24, |
#   |          fd02::/64          |         |  fd01::/64 <-> the tunnel     |
#   | va 10.99.0.1/24 fd00:99::1  |         | vb 10.99.0.2/24 fd00:99::2    |
#   +-------------|---------------+         +--------------|----------------+
#                 |         ns "w" (the wire)              |
#                 |   +--------------------------------+   |
#                 +---+ wa --- br0 --- wb              +---+
#                     +--------------------------------+
#                       tcpdump -i wa: what a sends and receives
#
#   ESP (protocol 50) or ESP in UDP 4500 <-> 4500 (RFC 3948), outer IPv4
#   or IPv6; inner IPv4 and IPv6 through the same SA pair.
#
# One SA pair carries both inner families (the xfrm states are af-unspec):
#   a -> b  SPI 0x2000 (a's outbound SA, b's inbound state)
#   b -> a  SPI 0x1000 (b's outbound state, a's inbound SA)
#
# A case calls tunnel_up ALG KEYLEN TRANSPORT OUTER [esn], runs traffic
# with ping_ok / tcp_xfer, and checks with the capture and the counters.
# Background processes are started with lib.sh's bg_start and killed when
# the case exits, so that no process keeps a namespace alive.

A4=10.99.0.1 B4=10.99.0.2 A6=fd00:99::1 B6=fd00:99::2
IN_A4=192.168.1.1 IN_B4=192.168.2.1 IN_A6=fd01::1 IN_B6=fd02::1
NET_A4=192.168.1.0/24 NET_B4=192.168.2.0/24 NET_A6=fd01::/64 NET_B6=fd02::/64
SPI_A=0x1000	# b -> a
SPI_B=0x2000	# a -> b
NATT_PORT=4500
ESPIF_SOCK="$ESPIF_TOP/selftests/espif_sock.py"

NS_A="" NS_B="" NS_W="" IDX=""
T_ALG="" T_KEYLEN="" T_TRANSPORT="" T_OUTER="" T_ESN=""

# --- waiting --------------------------------------------------------------
# Background processes: lib.sh's bg_start/bg_stop/bg_wait, with the command
# run through `ip netns exec` (which execs it: ${BG_PIDS[-1]} is its pid,
# to signal and wait for); bg_stop runs when the case exits.

# wait_until SECONDS CMD...: poll CMD every 0.1 s; fail when time runs out.
wait_until() {
	local n=$(($1 * 10))
	shift
	while ! "$@" 2>/dev/null; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || fail "timed out waiting for: $*"
		sleep 0.1
	done
}

# --- addresses, keys, netlink --------------------------------------------

# addr_hex ADDR: an IPv4 or IPv6 address in network byte order, as hex
# (a YNL binary attribute).
addr_hex() {
	local a=$1 h t g out=""
	local -a hg=() tg=()

	if [[ $a != *:* ]]; then
		# shellcheck disable=SC2086
		printf '%02x' ${a//./ }
		echo
		return
	fi
	h=$a
	[[ $a == *::* ]] && h=${a%%::*} t=${a#*::}
	IFS=: read -r -a hg <<< "$h"
	IFS=: read -r -a tg <<< "${t:-}"
	for g in "${hg[@]}"; do out+=$(printf '%04x' "0x$g"); done
	for ((g = ${#hg[@]} + ${#tg[@]}; g < 8; g++)); do out+=0000; done
	for g in "${tg[@]}"; do out+=$(printf '%04x' "0x$g"); done
	echo "$out"
}

# key_hex BYTES SEED: BYTES of deterministic key material, as hex.
key_hex() {
	local n=$(($1 * 2)) seed=$2 h="" i=0
	while [ ${#h} -lt "$n" ]; do
		h+=$(echo "$seed-$i" | sha256sum | cut -c1-64)
		i=$((i + 1))
	done
	echo "${h:0:$n}"
}

# ynl_a ARGS...: lib.sh's ynl in a.  Without the JSON-schema check of the
# spec (genl.sh and `make check-regen` cover the spec): under TCG it costs
# seconds per call.
ynl_a() { ynl_ns "$NS_A" --no-schema "$@"; }

# ynl_a_ok ARGS...: ynl_a for a request without a reply: silent, but what
# it printed is the failure message.
ynl_a_ok() {
	local out
	out=$(ynl_a "$@" 2>&1) || fail "ynl $*:"$'\n'"$out"
}

sa_json() {	# DIR SPI: the key of an SA of peer 1
	echo "{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": $(($2)), \"dir\": \"$1\"}"
}

# sa_get DIR SPI: espif's SA of peer 1 in a, as JSON.
sa_get() { ynl_a --do sa-get --json "$(sa_json "$1" "$2")"; }

# sa_field DIR SPI FIELD: one value of that SA (0 when absent).
sa_field() { sa_get "$1" "$2" | jq -r ".[\"$3\"] // 0"; }

# dev_stats: a's esp0 drop counters, as JSON.
dev_stats() {
	ynl_a --do dev-get --json "{\"ifindex\": $IDX}" | jq -c '.stats // {}'
}

# --- the topology --------------------------------------------------------

# topo_up: namespaces, veth, inner addresses and routes; no SA yet.
topo_up() {
	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] ||
		skip "ESPIF_YNL does not point at the kernel's tools/net/ynl"
	trap bg_stop EXIT
	espif_load
	modprobe -q dummy 2>/dev/null || true
	NS_A=$(ns_add a)
	NS_B=$(ns_add b)
	NS_W=$(ns_add w)
	ip link add va netns "$NS_A" type veth peer name wa netns "$NS_W"
	ip link add vb netns "$NS_B" type veth peer name wb netns "$NS_W"
	ip -n "$NS_W" link add br0 type bridge
	ip -n "$NS_W" link set wa master br0
	ip -n "$NS_W" link set wb master br0
	ip -n "$NS_W" link set wa up
	ip -n "$NS_W" link set wb up
	ip -n "$NS_W" link set br0 up
	ip -n "$NS_A" addr add "$A4/24" dev va
	ip -n "$NS_A" addr add "$A6/64" dev va nodad
	ip -n "$NS_B" addr add "$B4/24" dev vb
	ip -n "$NS_B" addr add "$B6/64" dev vb nodad
	ip -n "$NS_A" link set va up
	ip -n "$NS_B" link set vb up

	ip -n "$NS_A" link add esp0 type espif
	ip -n "$NS_A" link set esp0 up
	ip -n "$NS_A" addr add "$IN_A4/32" dev esp0
	ip -n "$NS_A" addr add "$IN_A6/128" dev esp0 nodad
	ip -n "$NS_A" route add "$NET_B4" dev esp0 src "$IN_A4"
	ip -n "$NS_A" -6 route add "$NET_B6" dev esp0 src "$IN_A6"
	IDX=$(ip netns exec "$NS_A" cat /sys/class/net/esp0/ifindex)

	ip -n "$NS_B" link add dummy0 type dummy
	ip -n "$NS_B" link set dummy0 up
	ip -n "$NS_B" addr add "$IN_B4/32" dev dummy0
	ip -n "$NS_B" addr add "$IN_B6/128" dev dummy0 nodad
	# Any route will do: b's xfrm policies capture the inner traffic.
	ip -n "$NS_B" route add "$NET_A4" via "$A4" src "$IN_B4"
	ip -n "$NS_B" -6 route add "$NET_A6" via "$A6" src "$IN_B6"
}

# tunnel_keys ALG KEYLEN: K_AB/AK_AB (a -> b) and K_BA/AK_BA (b -> a).
tunnel_keys() {
	local n
	case "$1" in
	aes-gcm) n=$(($2 + 4)) ;;
	chacha20-poly1305) n=36 ;;
	aes-cbc-hmac-sha256) n=$2 ;;
	*) fail "unknown algorithm $1" ;;
	esac
	K_AB=$(key_hex "$n" "$1-ab") K_BA=$(key_hex "$n" "$1-ba")
	AK_AB=$(key_hex 32 "auth-ab") AK_BA=$(key_hex 32 "auth-ba")
}

# xfrm_alg ALG KEY AUTHKEY: the ALGO-LIST of `ip xfrm state`.
xfrm_alg() {
	case "$1" in
	aes-gcm) echo "aead rfc4106(gcm(aes)) 0x$2 128" ;;
	chacha20-poly1305) echo "aead rfc7539esp(chacha20,poly1305) 0x$2 128" ;;
	aes-cbc-hmac-sha256) echo "enc cbc(aes) 0x$2 auth-trunc hmac(sha256) 0x$3 128" ;;
	esac
}

# outer addresses of the current tunnel
outer_a() { if [ "$T_OUTER" = 6 ]; then echo "$A6"; else echo "$A4"; fi; }
outer_b() { if [ "$T_OUTER" = 6 ]; then echo "$B6"; else echo "$B4"; fi; }

# peer_json: a's peer 1 (b) with both inner prefixes of b.
peer_json() {
	local port=""
	[ "$T_TRANSPORT" = udp ] && port=", \"port\": $NATT_PORT"
	echo "{\"ifindex\": $IDX, \"id\": 1,
		\"remote\": \"$(addr_hex "$(outer_b)")\",
		\"local\": \"$(addr_hex "$(outer_a)")\"$port,
		\"selector\": [
			{\"addr\": \"$(addr_hex "${NET_B4%/*}")\", \"prefix-len\": ${NET_B4#*/}},
			{\"addr\": \"$(addr_hex "${NET_B6%/*}")\", \"prefix-len\": ${NET_B6#*/}}]}"
}

# sa_new_json DIR SPI KEY AUTHKEY: an SA of peer 1 with the tunnel's alg.
sa_new_json() {
	local extra=""
	[ "$T_ALG" = aes-cbc-hmac-sha256 ] && extra+=", \"auth-key\": \"$4\""
	[ -n "$T_ESN" ] && extra+=", \"esn\": true, \"replay-window\": 128"
	echo "{\"ifindex\": $IDX, \"peer-id\": 1,
		\"spi\": $(($2)), \"dir\": \"$1\", \"alg\": \"$T_ALG\",
		\"key\": \"$3\"$extra}"
}

# espif_sa DIR SPI KEY AUTHKEY: add an SA of peer 1 in a.
espif_sa() { ynl_a_ok --do sa-new --json "$(sa_new_json "$@")"; }

# espif_sa_del DIR SPI: delete an SA of peer 1 in a.
espif_sa_del() { ynl_a_ok --do sa-del --json "$(sa_json "$1" "$2")"; }

# xfrm_state SRC DST SPI KEY AUTHKEY: a state in b (tunnel mode, reqid 1).
xfrm_state() {
	local encap=() flags=(flag af-unspec) oaddr=0.0.0.0
	[ "$T_OUTER" = 6 ] && oaddr=::
	[ "$T_TRANSPORT" = udp ] &&
		encap=(encap espinudp "$NATT_PORT" "$NATT_PORT" "$oaddr")
	[ -n "$T_ESN" ] && flags+=(esn)
	# shellcheck disable=SC2046
	ip -n "$NS_B" xfrm state add src "$1" dst "$2" proto esp spi "$3" \
		reqid 1 mode tunnel $(xfrm_alg "$T_ALG" "$4" "$5") \
		replay-window 128 "${flags[@]}" "${encap[@]}"
}

# xfrm_policies: b's policies, both inner families, dir out and in.
xfrm_policies() {
	local a b
	a=$(outer_a) b=$(outer_b)
	ip -n "$NS_B" xfrm policy add src "$NET_B4" dst "$NET_A4" dir out \
		tmpl src "$b" dst "$a" proto esp reqid 1 mode tunnel
	ip -n "$NS_B" xfrm policy add src "$NET_A4" dst "$NET_B4" dir in \
		tmpl src "$a" dst "$b" proto esp reqid 1 mode tunnel
	ip -n "$NS_B" xfrm policy add src "$NET_B6" dst "$NET_A6" dir out \
		tmpl src "$b" dst "$a" proto esp reqid 1 mode tunnel
	ip -n "$NS_B" xfrm policy add src "$NET_A6" dst "$NET_B6" dir in \
		tmpl src "$a" dst "$b" proto esp reqid 1 mode tunnel
}

# tunnel_up ALG KEYLEN TRANSPORT(esp|udp) OUTER(4|6) [esn]: the whole
# tunnel: SA pair SPI_A/SPI_B; for udp, espif_sock.py in both namespaces.
tunnel_up() {
	T_ALG=$1 T_KEYLEN=$2 T_TRANSPORT=$3 T_OUTER=$4 T_ESN=${5:-}
	topo_up
	tunnel_keys "$T_ALG" "$T_KEYLEN"
	if [ "$T_TRANSPORT" = udp ]; then
		bg_start sock_a ip netns exec "$NS_A" /usr/bin/python3 "$ESPIF_SOCK" \
			attach esp0 "$NATT_PORT" --family "$T_OUTER"
		SOCK_A_PID=${BG_PIDS[-1]}
		bg_start sock_b ip netns exec "$NS_B" /usr/bin/python3 "$ESPIF_SOCK" \
			xfrm "$NATT_PORT" --family "$T_OUTER"
		bg_wait sock_a '^attached$' 30
		bg_wait sock_b '^ready$' 30
	fi
	# One YNL run for the three requests: each costs a second under TCG.
	ynl_a_ok --multi peer-new "$(peer_json)" \
		--multi sa-new "$(sa_new_json in "$SPI_A" "$K_BA" "$AK_BA")" \
		--multi sa-new "$(sa_new_json out "$SPI_B" "$K_AB" "$AK_AB")"
	xfrm_state "$(outer_b)" "$(outer_a)" "$SPI_A" "$K_BA" "$AK_BA"
	xfrm_state "$(outer_a)" "$(outer_b)" "$SPI_B" "$K_AB" "$AK_AB"
	xfrm_policies
}

# --- traffic -------------------------------------------------------------

# ping_ok NETNS FAM SRC DST [COUNT [INTERVAL]]: every echo is answered.
ping_ok() {
	local ns=$1 fam=$2 src=$3 dst=$4 c=${5:-3} i=${6:-0.1} out
	out=$(ip netns exec "$ns" ping "-$fam" -n -c "$c" -i "$i" -W 2 -I "$src" "$dst" 2>&1) ||
		fail "ping $src -> $dst:"$'\n'"$out"
	echo "$out" | grep -q " $c received, 0% packet loss" ||
		fail "ping $src -> $dst lost packets:"$'\n'"$out"
}

# traffic_both_ways FAM: pings and a TCP transfer a -> b and b -> a.
traffic_both_ways() {
	local fam=$1 ia=$IN_A4 ib=$IN_B4
	[ "$fam" = 6 ] && ia=$IN_A6 ib=$IN_B6
	ping_ok "$NS_A" "$fam" "$ia" "$ib"
	ping_ok "$NS_B" "$fam" "$ib" "$ia"
	tcp_xfer "$NS_A" "$NS_B" "$fam" "$ia" "$ib"
	tcp_xfer "$NS_B" "$NS_A" "$fam" "$ib" "$ia"
}

# --- proof: the wire and the counters ------------------------------------

# cap_start: capture everything a sends and receives, on the wire: w's
# bridge port to a.  Not on va or vb: xfrm delivers what it decapsulates
# through the device it came in on, so a capture there sees the inner
# packets too.
# Headers are enough (-s 128); a large buffer (-B, KiB) keeps up with TCG;
# --immediate-mode hands tcpdump each packet at once (not a block a second,
# which SIGINT would lose).
cap_start() {
	bg_start cap ip netns exec "$NS_W" tcpdump -i wa -n -s 128 -B 65536 \
		--immediate-mode -U -Z root -w "$ESPIF_TMP/cap.pcap"
	CAP_PID=${BG_PIDS[-1]}
	bg_wait cap 'listening on' 30
}

# cap_stats: tcpdump's counts so far, "CAPTURED RECEIVED DROPPED" (SIGUSR1
# makes it print them).
cap_stats() {
	kill -USR1 "$CAP_PID"
	sleep 0.5
	sed -n 's/.* \([0-9]*\) packets\{0,1\} captured, \([0-9]*\) packets\{0,1\} received by filter, \([0-9]*\) packets\{0,1\} dropped by kernel$/\1 \2 \3/p' \
		"$(bg_out cap)" | tail -n 1
}

# cap_stop: stop the capture once it has written all it received (under
# TCG tcpdump lags behind); it must have missed nothing.
cap_stop() {
	local n=120 prev="" stats c r d
	while [ "$n" -gt 0 ]; do
		stats=$(cap_stats)
		read -r c r d <<< "$stats"
		[ -n "$stats" ] && [ "$stats" = "$prev" ] && [ "$c" = "$r" ] && break
		prev=$stats
		n=$((n - 1))
	done
	kill -INT "$CAP_PID" 2>/dev/null || true
	wait "$CAP_PID" 2>/dev/null || true
	echo "capture: ${c:-?} packets captured, ${r:-?} received, ${d:-?} dropped" >&2
	check_eq "${d:-none}" 0 "packets the capture missed (tcpdump: dropped by kernel)"
	check_eq "${c:-none}" "${r:-none}" "packets captured vs received by filter (tcpdump)"
}

# cap_count FILTER: packets of the capture matching a pcap FILTER.
cap_count() {
	tcpdump -n -r "$ESPIF_TMP/cap.pcap" "$1" 2>/dev/null | wc -l
}

ESP_FILTER='(ip proto 50 or ip6 proto 50)'
UDP_FILTER="(udp port $NATT_PORT)"
CLEAR_FILTER="(host $IN_A4 or host $IN_B4 or host $IN_A6 or host $IN_B6)"

# wire_check: the capture holds only protected traffic, of the right kind
# (transport, outer family), and no inner packet in the clear.  Prints the
# number of ESP packets a sent and received: "SENT RECEIVED".
wire_check() {
	local want other outer=ip sent rcvd bad clear wrong
	if [ "$T_TRANSPORT" = udp ]; then
		want=$UDP_FILTER other=$ESP_FILTER
	else
		want=$ESP_FILTER other=$UDP_FILTER
	fi
	[ "$T_OUTER" = 6 ] && outer=ip6
	sent=$(cap_count "$outer src $(outer_a) and $want")
	rcvd=$(cap_count "$outer dst $(outer_a) and $want")
	bad=$(cap_count "not $outer and $want")
	wrong=$(cap_count "$other")
	clear=$(cap_count "$CLEAR_FILTER")
	echo "on the wire: $sent sent by a, $rcvd received, $bad wrong family," \
		"$wrong other transport, $clear in the clear" >&2
	[ "$sent" -gt 0 ] && [ "$rcvd" -gt 0 ] ||
		fail "no $T_TRANSPORT traffic on the wire one way"
	check_eq "$bad" 0 "$T_TRANSPORT packets of the wrong outer family"
	check_eq "$wrong" 0 "packets of the other transport ($other)"
	check_eq "$clear" 0 "inner packets in the clear on the wire"
	echo "$sent $rcvd"
}

# cap_summary: what else the capture holds (to explain a mismatch).
cap_summary() {
	echo "capture: $(cap_count '') packets; IPv4 fragments:" \
		"$(cap_count 'ip and ip[6:2] & 0x3fff != 0'), IPv6 fragments:" \
		"$(cap_count 'ip6 and ip6[6] == 44'), ICMP: $(cap_count icmp)," \
		"ICMPv6: $(cap_count icmp6)"
	tcpdump -n -r "$ESPIF_TMP/cap.pcap" \
		"not $ESP_FILTER and not $UDP_FILTER and not arp" 2>/dev/null | head -n 5
}

# counters_check "SENT RECEIVED" MIN: espif's SA pair counted exactly the
# ESP packets on the wire each way, at least MIN; no failure counted by
# espif or by xfrm.
counters_check() {
	local sent=${1% *} rcvd=${1#* } min=$2 all out in f stats v
	all=$(ynl_a --multi sa-get "$(sa_json out "$SPI_B")" \
		--multi sa-get "$(sa_json in "$SPI_A")" \
		--multi dev-get "{\"ifindex\": $IDX}")
	out=$(jq -c '.[0]' <<< "$all")
	in=$(jq -c '.[1]' <<< "$all")
	stats=$(jq -c '.[2].stats // {}' <<< "$all")
	echo "out SA: $out"
	echo "in SA: $in"
	echo "esp0 stats: $stats"
	for f in out in; do
		v=$(jq -r '.packets // 0' <<< "${!f}")
		[ "$v" -ge "$min" ] || fail "$f SA: $v packets, expected at least $min"
		v=$(jq -r '.bytes // 0' <<< "${!f}")
		[ "$v" -gt 0 ] || fail "$f SA: no bytes counted"
	done
	check_eq "$(jq -r '(.["auth-fails"] // 0) + (.["replay-drops"] // 0)' <<< "$in")" 0 \
		"inbound SA auth-fails + replay-drops"
	if [ "$(jq -r '.packets // 0' <<< "$out")" != "$sent" ] ||
	   [ "$(jq -r '.packets // 0' <<< "$in")" != "$rcvd" ]; then
		cap_summary
		fail "SA packets out/in: $(jq -r '.packets // 0' <<< "$out")/$(jq -r '.packets // 0' <<< "$in")," \
			"ESP packets on the wire from/to a: $sent/$rcvd"
	fi
	# tx-no-peer is left out: esp0 sends its own IPv6 multicast (MLD).
	for f in tx-no-sa tx-errors tx-too-big rx-no-sa rx-malformed rx-spoofed; do
		check_eq "$(jq -r ".[\"$f\"] // 0" <<< "$stats")" 0 "esp0 $f"
	done
	xfrm_errors_check
}

# xfrm_errors_check: b's xfrm counted no error (/proc/net/xfrm_stat).
xfrm_errors_check() {
	local errs
	[ -r /proc/net/xfrm_stat ] || return 0
	errs=$(ip netns exec "$NS_B" awk '$2 != 0 { print }' /proc/net/xfrm_stat)
	[ -z "$errs" ] || fail "xfrm errors in b: $errs"
}
