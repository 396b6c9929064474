#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench: espif against the kernel's own IPsec (xfrm) and WireGuard, over the
# same veth between two namespaces, three times:
#
#   espif:  esp0 (espif) in "a"  <-- raw ESP, tunnel mode -->  xfrm in "b"
#   xfrm:   xfrm in "a"          <-- raw ESP, tunnel mode -->  xfrm in "b"
#   wg:     wg0 in "a"           <-- WireGuard (UDP 51820) -->  wg0 in "b"
#
#   ns "a"                                   ns "b"
#   +-----------------------------+          +-----------------------------+
#   | 192.168.1.1 (esp0|lo|wg0)   |          | 192.168.2.1 (lo|wg0)        |
#   |  va 10.99.0.1/24 ===========+== veth ==+== vb 10.99.0.2/24           |
#   +-----------------------------+          +-----------------------------+
#
# ESP is AES-GCM-128 (rfc4106) with the same keys on both sides; every
# tunnel's inner MTU is espif's default, 1395, so that each carries the same
# TCP segments.  Measured: single-flow TCP throughput (iperf3 -t 10, the
# receiver's figure) with "a" sending and with "a" receiving, and ping
# latency a -> b (50 pings, 20 ms apart, the average).  The numbers are
# printed as KTAP diagnostics with the ratios espif/xfrm and espif/wg; the
# one case fails only when a tunnel cannot be set up or carries nothing,
# never on the numbers.
#
# Run in the test VM: `make vm-test TEST=bench` (not part of `make check`),
# or as a plain script where espif.ko (ESPIF_KO) and ESPIF_YNL are at hand.
# BENCH_SECONDS (10) sets the iperf3 duration.

source "$(dirname "$0")/lib.sh"

# Keys: 16-byte AES key + 4-byte salt; a -> b and b -> a.
KEY_AB=0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=2122232425262728292a2b2c2d2e2f3031323334
SPI_AB=4097	# 0x1001
SPI_BA=8193	# 0x2001
MTU=1395
SECS=${BENCH_SECONDS:-10}
A_IN=192.168.1.1
B_IN=192.168.2.1

# topo: the two namespaces and the veth; sets A and B.
topo() {
	A=$(ns_add a)
	B=$(ns_add b)
	veth_link "$A" 10.99.0.1/24 "$B" 10.99.0.2/24
}

# b is always the kernel's xfrm (espif and xfrm runs) or WireGuard.
b_xfrm() {
	ip -n "$B" addr add "$B_IN/32" dev lo
	ip -n "$B" route add 192.168.1.0/24 dev vb src "$B_IN" mtu "$MTU"
	xfrm_tunnel "$B" 10.99.0.2 10.99.0.1 192.168.2.0/24 192.168.1.0/24 \
		"$SPI_BA" "$KEY_BA" "$SPI_AB" "$KEY_AB"
}

setup_espif() {
	local idx

	espif_load
	topo
	ip -n "$A" link add esp0 type espif
	ip -n "$A" addr add "$A_IN/32" dev esp0
	ip -n "$A" link set esp0 mtu "$MTU" up
	ip -n "$A" route add 192.168.2.0/24 dev esp0 src "$A_IN"
	idx=$(ip -n "$A" -j link show esp0 | jq '.[0].ifindex')
	ynl_ns "$A" --do peer-new --json "{\"ifindex\": $idx, \"id\": 1,
		\"remote\": \"0a630002\", \"local\": \"0a630001\",
		\"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24}]}" >/dev/null
	ynl_ns "$A" --do sa-new --json "{\"ifindex\": $idx, \"peer-id\": 1,
		\"spi\": $SPI_BA, \"dir\": \"in\", \"alg\": \"aes-gcm\",
		\"key\": \"$KEY_BA\"}" >/dev/null
	ynl_ns "$A" --do sa-new --json "{\"ifindex\": $idx, \"peer-id\": 1,
		\"spi\": $SPI_AB, \"dir\": \"out\", \"alg\": \"aes-gcm\",
		\"key\": \"$KEY_AB\"}" >/dev/null
	b_xfrm
}

setup_xfrm() {
	topo
	ip -n "$A" addr add "$A_IN/32" dev lo
	ip -n "$A" route add 192.168.2.0/24 dev va src "$A_IN" mtu "$MTU"
	xfrm_tunnel "$A" 10.99.0.1 10.99.0.2 192.168.1.0/24 192.168.2.0/24 \
		"$SPI_AB" "$KEY_AB" "$SPI_BA" "$KEY_BA"
	b_xfrm
}

setup_wg() {
	local ns pub_a pub_b

	command -v wg >/dev/null || fail "wg is missing (apt-get install wireguard-tools)"
	modprobe wireguard
	topo
	for ns in a b; do
		(umask 077; wg genkey > "$ESPIF_TMP/wg-$ns.key")
	done
	pub_a=$(wg pubkey < "$ESPIF_TMP/wg-a.key")
	pub_b=$(wg pubkey < "$ESPIF_TMP/wg-b.key")
	ip -n "$A" link add wg0 type wireguard
	ip -n "$B" link add wg0 type wireguard
	ip netns exec "$A" wg set wg0 listen-port 51820 \
		private-key "$ESPIF_TMP/wg-a.key" peer "$pub_b" \
		allowed-ips 192.168.2.0/24 endpoint 10.99.0.2:51820
	ip netns exec "$B" wg set wg0 listen-port 51820 \
		private-key "$ESPIF_TMP/wg-b.key" peer "$pub_a" \
		allowed-ips 192.168.1.0/24 endpoint 10.99.0.1:51820
	ip -n "$A" addr add "$A_IN/32" dev wg0
	ip -n "$B" addr add "$B_IN/32" dev wg0
	ip -n "$A" link set wg0 mtu "$MTU" up
	ip -n "$B" link set wg0 mtu "$MTU" up
	ip -n "$A" route add 192.168.2.0/24 dev wg0 src "$A_IN"
	ip -n "$B" route add 192.168.1.0/24 dev wg0 src "$B_IN"
}

# iperf_mbps [-R]: one TCP flow a -> b (a <- b with -R) for SECS seconds;
# prints the receiver's Mbit/s.
iperf_mbps() {
	local json

	json=$(timeout $((SECS + 30)) ip netns exec "$A" \
		iperf3 -c "$B_IN" -t "$SECS" -J "$@") ||
		fail "iperf3 $*: $(echo "$json" | jq -r '.error // empty' 2>/dev/null)"
	echo "$json" | jq -r '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10'
}

# measure NAME: throughput both ways and latency; appends to results.
measure() {
	local name=$1 tx rx rtt i

	ip netns exec "$A" ping -q -c 3 -W 5 "$B_IN" >/dev/null ||
		fail "$name: no connectivity a -> b through the tunnel"
	bg_start iperf3 ip netns exec "$B" iperf3 -s
	for i in $(seq 50); do
		[ -n "$(ip netns exec "$B" ss -Hltn 'sport = :5201')" ] && break
		sleep 0.1
	done
	tx=$(iperf_mbps)
	rx=$(iperf_mbps -R)
	bg_stop
	rtt=$(ip netns exec "$A" ping -q -c 50 -i 0.02 "$B_IN" |
	      sed -n 's|^rtt [^=]*= [^/]*/\([^/]*\)/.*|\1|p')
	[ -n "$rtt" ] || fail "$name: ping gave no average"
	echo "$name $tx $rx $rtt" >> "$ESPIF_TMP/bench.results"
	printf '%-6s a->b %8s Mbit/s   b->a %8s Mbit/s   rtt %s ms\n' \
		"$name" "$tx" "$rx" "$rtt"
}

# run NAME: set up and measure one tunnel in a subshell; clean up after.
# (Never called as a condition: that would turn set -e off inside.)
run() {
	local rc

	set +e
	(set -e; "setup_$1"; measure "$1")
	rc=$?
	set -e
	(cleanup_all) >/dev/null 2>&1
	if [ "$rc" -ne 0 ]; then
		echo "$1: FAILED (see above)"
		echo "$1" >> "$ESPIF_TMP/bench.failed"
	fi
	return 0
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-";
				  else printf "%.2f", a / b }'
}

case_bench() {
	local failed=0 t e x w

	modprobe aesni_intel 2>/dev/null || true
	echo "kernel $(uname -r), $(nproc) CPUs, AES-NI: $(grep -q aesni /proc/crypto && echo yes || echo no)"
	echo "inner MTU $MTU, iperf3 -t $SECS, ping -c 50 -i 0.02"
	: > "$ESPIF_TMP/bench.results"
	: > "$ESPIF_TMP/bench.failed"
	for t in espif xfrm wg; do
		run "$t"
	done
	failed=$(wc -l < "$ESPIF_TMP/bench.failed")
	get() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$ESPIF_TMP/bench.results"; }
	echo
	printf '%-22s %10s %10s %10s %12s %12s\n' "" espif xfrm wg espif/xfrm espif/wg
	for t in "2 a->b Mbit/s" "3 b->a Mbit/s" "4 rtt ms"; do
		read -r f label <<< "$t"
		e=$(get espif "$f") x=$(get xfrm "$f") w=$(get wg "$f")
		printf '%-22s %10s %10s %10s %12s %12s\n' "$label" "${e:--}" \
			"${x:--}" "${w:--}" "$(ratio "$e" "$x")" "$(ratio "$e" "$w")"
	done
	echo "(throughput: higher is better; rtt: lower is better)"
	[ "$failed" -eq 0 ] || fail "$failed tunnel(s) could not be measured"
}

KTAP_SHOW_OUTPUT=1
CASES=(
	"bench	case_bench"
)
ktap_run_cases
