#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Peers and SAs of an espif interface: the genl requests that make them
# (every bad one refused with an extack message, keys never given back),
# and the data path against the kernel's own IPsec (xfrm) with the same
# keys: traffic flows both ways, and what must be dropped is dropped and
# counted where the spec says: replayed, forged, unknown-SPI and spoofed
# packets, traffic without a peer or an SA; NAT keepalives are swallowed,
# IKE (non-ESP marker) reaches the socket; lifetimes expire on time with
# notifications, as do NAT mapping changes.
#
#   netlink cases: esp0 (+ esp1) in the init netns; esp0 in ns "a" too for
#   the per-namespace SPI case
#
#   data-path cases:
#   ns "a"                                  ns "b"
#   +----------------------------+          +-----------------------------+
#   | 192.168.1.1/32 on esp0     |          | 192.168.2.1/32 on lo        |
#   |  (espif; peer 1: remote    |          |  (192.168.3.1: spoof case)  |
#   |   10.99.0.2, selector      |          | xfrm tunnel mode, policies  |
#   |   192.168.2.0/24)          |          |  192.168.2.0/24 <-> .1.0/24 |
#   | 192.168.2.0/24 -> esp0     |          | 192.168.1.0/24 -> vb        |
#   | [espif_sock.py attach 4500]|          | [espif_sock.py xfrm 4500]   |
#   |  va 10.99.0.1/24 ==========+== veth ==+== vb 10.99.0.2/24           |
#   +----------------------------+          +-----------------------------+
#   ESP AES-GCM-128 (rfc4106): SPI 0x1001 a -> b, SPI 0x2001 b -> a; raw ESP,
#   or ESP in UDP 4500 <-> 4500 ([...]: the UDP cases only).

source "$(dirname "$0")/lib.sh"

KEY_AB=0102030405060708090a0b0c0d0e0f1011121314
KEY_BA=2122232425262728292a2b2c2d2e2f3031323334
KEY32=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
SPI_AB=4097	# 0x1001, a's outbound
SPI_BA=8193	# 0x2001, a's inbound
SOCK_PY="$ESPIF_TOP/selftests/espif_sock.py"
# The start of the kernel's extack message as the YNL CLI prints it (a
# Python dict: the string in "" when it has a ').  The "espif: " prefix is
# optional: NL_SET_ERR_MSG_ATTR messages (those naming the bad attribute)
# carry none.
MSG="'msg': (\"espif: [^\"]*|'espif: [^']*)"

# hexbytes N: N bytes, as hex.
hexbytes() { head -c "$1" /dev/zero | tr '\0' '\252' | od -An -v -tx1 | tr -d ' \n'; }

# --- netlink: requests in the init namespace ------------------------------

IDX='' NS=''

# yn ARGS...: ynl in the case's namespace (NS), through its ynl_server.
yn() { ynl_ns "$NS" "$@"; }

# The init namespace's ynl_server serves every netlink case: one per case
# would cost seconds each.  Started before the cases, stopped after.
INIT_YNL_PID='' INIT_YNL_DIR=''
init_ynl_server() {
	local dir i

	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] || return 0
	espif_load 2>/dev/null || return 0
	dir=$(mktemp -d)
	mkfifo "$dir/in" "$dir/out"
	ynl_server_py "" "$dir" > "$dir/log" 2>&1 &
	INIT_YNL_PID=$! INIT_YNL_DIR=$dir
	for ((i = 0; i < 600; i++)); do
		if grep -q '^ready' "$dir/log"; then
			YNL_SERVER[.]=$dir
			return 0
		fi
		sleep 0.1
	done
}

esp0_setup() {
	espif_load
	ip link add esp0 type espif
	IDX=$(ifindex_of esp0)
	NS=
}

# peer_new ID SELECTOR_ADDR PREFIX_LEN [EXTRA JSON]
peer_new() {
	yn --do peer-new --json "{\"ifindex\": $IDX, \"id\": $1,
		\"remote\": \"0a630002\",
		\"selector\": [{\"addr\": \"$2\", \"prefix-len\": $3}]${4:+, $4}}"
}

# sa_new JSON-ATTRS: sa-new on esp0's peer 1 with these attributes added.
sa_new() {
	yn --do sa-new --json "{\"ifindex\": $IDX, \"peer-id\": 1, $1}"
}

gcm_in() { echo "\"spi\": $1, \"dir\": \"in\", \"alg\": \"aes-gcm\", \"key\": \"$KEY_AB\""; }

sa_dump_spis() {
	yn --dump sa-get --json "{\"ifindex\": $IDX}" |
		jq -c '[.[] | [.dir, .spi]] | sort'
}

case_peer_roundtrip() {
	local want

	esp0_setup
	yn --do peer-new --json "{\"ifindex\": $IDX, \"id\": 1,
		\"remote\": \"0a630002\", \"local\": \"0a630001\", \"port\": 4500,
		\"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24},
			       {\"addr\": \"20010db8000000000000000000000000\",
				\"prefix-len\": 64}]}" >/dev/null
	peer_new 2 c0a80300 24 >/dev/null
	want="{\"id\":1,\"ifindex\":$IDX,\"local\":\"10.99.0.1\",\"port\":4500,"
	want+='"remote":"10.99.0.2","selector":[{"addr":"192.168.2.0","prefix-len":24},'
	want+='{"addr":"2001:db8::","prefix-len":64}]}'
	check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" |
		jq -S -c '.selector |= sort_by(."prefix-len")')" "$want" "peer-get 1"
	check_eq "$(yn --dump peer-get --json "{\"ifindex\": $IDX}" |
		jq -c '[.[] | [.id, .remote, (.port // "raw"), ([.selector[].addr] | sort)]] | sort')" \
		'[[1,"10.99.0.2",4500,["192.168.2.0","2001:db8::"]],[2,"10.99.0.2","raw",["192.168.3.0"]]]' \
		"peer dump"

	# peer-set without selectors moves the endpoint and keeps them...
	yn --do peer-set --json "{\"ifindex\": $IDX, \"id\": 1,
		\"remote\": \"0a630003\", \"local\": \"0a630001\", \"port\": 4501}" >/dev/null
	check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" |
		jq -c '[.remote, .port, ([.selector[].addr] | sort)]')" \
		'["10.99.0.3",4501,["192.168.2.0","2001:db8::"]]' "peer 1 after peer-set"
	# ... with selectors replaces the whole list.
	yn --do peer-set --json "{\"ifindex\": $IDX, \"id\": 1,
		\"remote\": \"0a630003\", \"local\": \"0a630001\", \"port\": 4501,
		\"selector\": [{\"addr\": \"c0a80400\", \"prefix-len\": 23}]}" >/dev/null
	check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" |
		jq -c '.selector')" '[{"addr":"192.168.4.0","prefix-len":23}]' \
		"selectors after peer-set"

	yn --do peer-del --json "{\"ifindex\": $IDX, \"id\": 1}" >/dev/null
	expect_error "$MSG(peer|Peer)" \
		yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}"
	check_eq "$(yn --dump peer-get --json "{\"ifindex\": $IDX}" | jq -c '[.[].id]')" \
		'[2]' "peers after peer-del"
	dmesg_clean
}

case_sa_roundtrip() {
	local out

	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	sa_new "$(gcm_in 8193)" >/dev/null
	sa_new "\"spi\": 8194, \"dir\": \"in\", \"alg\": \"chacha20-poly1305\",
		\"key\": \"$(hexbytes 36)\", \"replay-window\": 1024" >/dev/null
	sa_new "\"spi\": 8195, \"dir\": \"in\", \"alg\": \"aes-cbc-hmac-sha256\",
		\"key\": \"$(hexbytes 32)\", \"auth-key\": \"$KEY32\", \"esn\": true" >/dev/null
	sa_new "\"spi\": 4097, \"dir\": \"out\", \"alg\": \"aes-gcm\",
		\"key\": \"$(hexbytes 36)\", \"soft-packets\": 5, \"hard-packets\": 10,
		\"soft-bytes\": 1000, \"hard-bytes\": 2000" >/dev/null
	sa_new "\"spi\": 4098, \"dir\": \"out\", \"alg\": \"aes-cbc-hmac-sha256\",
		\"key\": \"$(hexbytes 16)\", \"auth-key\": \"$KEY32\"" >/dev/null

	check_eq "$(yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": 8193, \"dir\": \"in\"}" |
		jq -S -c '{ifindex, "peer-id", spi, dir, alg, esn: (.esn // false),
			   "replay-window", packets: (.packets // 0), bytes: (.bytes // 0),
			   "replay-drops": (."replay-drops" // 0), "auth-fails": (."auth-fails" // 0)}')" \
		"{\"alg\":\"aes-gcm\",\"auth-fails\":0,\"bytes\":0,\"dir\":\"in\",\"esn\":false,\"ifindex\":$IDX,\"packets\":0,\"peer-id\":1,\"replay-drops\":0,\"replay-window\":128,\"spi\":\"0x2001\"}" \
		"sa-get in 0x2001"
	check_eq "$(yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": 8194, \"dir\": \"in\"}" |
		jq -c '[.alg, ."replay-window"]')" '["chacha20-poly1305",1024]' "sa-get in 0x2002"
	check_eq "$(yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": 8195, \"dir\": \"in\"}" |
		jq -c '[.alg, .esn]')" '["aes-cbc-hmac-sha256",true]' "sa-get in 0x2003"
	check_eq "$(yn --do sa-get --json "{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": 4097, \"dir\": \"out\"}" |
		jq -S -c '{spi, dir, "soft-packets", "hard-packets", "soft-bytes", "hard-bytes",
			   active: (.active // false)}')" \
		'{"active":false,"dir":"out","hard-bytes":2000,"hard-packets":10,"soft-bytes":1000,"soft-packets":5,"spi":"0x1001"}' \
		"sa-get out 0x1001 (superseded)"
	check_eq "$(yn --do sa-get --json "{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": 4098, \"dir\": \"out\"}" |
		jq -c '[.alg, (.active // false)]')" '["aes-cbc-hmac-sha256",true]' \
		"sa-get out 0x1002 (the newest: active)"
	check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" | jq -r '."tx-spi"')" \
		0x1002 "peer's tx-spi"

	# sa-set changes the lifetimes.
	yn --do sa-set --json "{\"ifindex\": $IDX, \"spi\": 8193, \"dir\": \"in\",
		\"soft-packets\": 100, \"hard-packets\": 200}" >/dev/null
	check_eq "$(yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": 8193, \"dir\": \"in\"}" |
		jq -c '[."soft-packets", ."hard-packets"]')" '[100,200]' "lifetimes after sa-set"

	# Keys never come back, in a dump or a do.
	out=$(yn --dump sa-get --json "{\"ifindex\": $IDX}")
	check_eq "$(echo "$out" | jq -c '[.[] | [.dir, .spi]] | sort')" \
		'[["in","0x2001"],["in","0x2002"],["in","0x2003"],["out","0x1001"],["out","0x1002"]]' \
		"sa dump"
	check_eq "$(echo "$out" | jq '[.[] | has("key") or has("auth-key")] | any')" false \
		"key material in the dump"
	out+=$(yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": 8195, \"dir\": \"in\"}")
	if echo "$out" | grep -Eiq "\"(auth-)?key\"|$KEY_AB|$KEY32|aaaaaaaaaaaaaaaa"; then
		fail "key material returned: $out"
	fi

	yn --do sa-del --json "{\"ifindex\": $IDX, \"spi\": 8193, \"dir\": \"in\"}" >/dev/null
	yn --do sa-del --json "{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": 4097, \"dir\": \"out\"}" >/dev/null
	expect_error "$MSG" \
		yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": 8193, \"dir\": \"in\"}"
	check_eq "$(sa_dump_spis)" '[["in","0x2002"],["in","0x2003"],["out","0x1002"]]' \
		"sa dump after sa-del"
	# peer-del takes the peer's SAs with it.
	yn --do peer-del --json "{\"ifindex\": $IDX, \"id\": 1}" >/dev/null
	check_eq "$(sa_dump_spis)" '[]' "sa dump after peer-del"
	dmesg_clean
}

case_bad_key_length() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	# aes-gcm: 16 or 32 bytes of key + 4 of salt.
	expect_error "$MSG(key|Key)" sa_new "$(gcm_in 8193 | sed "s/$KEY_AB/$(hexbytes 16)/")"
	expect_error "$MSG(key|Key)" sa_new "$(gcm_in 8193 | sed "s/$KEY_AB/$(hexbytes 28)/")"
	expect_error "$MSG(key|Key)" sa_new "$(gcm_in 8193 | sed "s/$KEY_AB/$(hexbytes 37)/")"
	# chacha20-poly1305: 32 + 4.
	expect_error "$MSG(key|Key)" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": \"chacha20-poly1305\", \"key\": \"$(hexbytes 32)\""
	expect_error "$MSG(key|Key)" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": \"chacha20-poly1305\", \"key\": \"$(hexbytes 20)\""
	# aes-cbc-hmac-sha256: 16 or 32, no salt.
	expect_error "$MSG(key|Key)" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": \"aes-cbc-hmac-sha256\", \"key\": \"$(hexbytes 20)\",
		\"auth-key\": \"$KEY32\""
	# Shorter than any key: the policy says so, naming the attribute.
	expect_error "bad-attr': '\\.key'" sa_new "$(gcm_in 8193 | sed "s/$KEY_AB/$(hexbytes 8)/")"
	# auth-key is exactly 32 bytes, by policy.
	expect_error "bad-attr': '\\.auth-key'" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": \"aes-cbc-hmac-sha256\", \"key\": \"$(hexbytes 16)\",
		\"auth-key\": \"$(hexbytes 20)\""
	check_eq "$(sa_dump_spis)" '[]' "SAs left by refused requests"
}

case_unknown_alg() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "bad-attr': '\\.alg'" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": 3, \"key\": \"$KEY_AB\""
	expect_error "bad-attr': '\\.alg'" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": 4294967295, \"key\": \"$KEY_AB\""
	expect_error "$MSG(alg|transform)" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"key\": \"$KEY_AB\""
	check_eq "$(sa_dump_spis)" '[]' "SAs left by refused requests"
}

case_auth_key() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "$MSG(auth|integrity)" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": \"aes-cbc-hmac-sha256\", \"key\": \"$(hexbytes 16)\""
	expect_error "$MSG(auth|integrity)" sa_new "$(gcm_in 8193), \"auth-key\": \"$KEY32\""
	expect_error "$MSG(auth|integrity)" sa_new "\"spi\": 8193, \"dir\": \"in\",
		\"alg\": \"chacha20-poly1305\", \"key\": \"$(hexbytes 36)\",
		\"auth-key\": \"$KEY32\""
	check_eq "$(sa_dump_spis)" '[]' "SAs left by refused requests"
}

# Inbound SPIs are unique per namespace: not twice on a peer, nor on two
# interfaces; another namespace may reuse one.
case_dup_spi() {
	local ns idx1

	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	sa_new "$(gcm_in 8193)" >/dev/null
	expect_error "$MSG(already|exist|in use|SPI)" sa_new "$(gcm_in 8193)"
	ip link add esp1 type espif
	idx1=$(ifindex_of esp1)
	yn --do peer-new --json "{\"ifindex\": $idx1, \"id\": 1, \"remote\": \"0a630003\",
		\"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24}]}" >/dev/null
	expect_error "$MSG(already|exist|in use|SPI)" yn --do sa-new --json \
		"{\"ifindex\": $idx1, \"peer-id\": 1, $(gcm_in 8193)}"
	# An outbound SA may share the number: it is per peer.
	sa_new "\"spi\": 8193, \"dir\": \"out\", \"alg\": \"aes-gcm\", \"key\": \"$KEY_AB\"" >/dev/null
	expect_error "$MSG(already|exist|in use|SPI)" \
		sa_new "\"spi\": 8193, \"dir\": \"out\", \"alg\": \"aes-gcm\", \"key\": \"$KEY_AB\""
	check_eq "$(sa_dump_spis)" '[["in","0x2001"],["out","0x2001"]]' "esp0's SAs"

	ns=$(ns_add a)
	ip -n "$ns" link add esp0 type espif
	idx1=$(ip -n "$ns" -j link show esp0 | jq '.[0].ifindex')
	ynl_ns "$ns" --do peer-new --json "{\"ifindex\": $idx1, \"id\": 1, \"remote\": \"0a630002\",
		\"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24}]}" >/dev/null
	ynl_ns "$ns" --do sa-new --json "{\"ifindex\": $idx1, \"peer-id\": 1, $(gcm_in 8193)}" >/dev/null
}

case_reserved_spi() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "$MSG(SPI|spi)" sa_new "$(gcm_in 255)"
	expect_error "$MSG(SPI|spi)" sa_new "$(gcm_in 0)"
	expect_error "$MSG(SPI|spi)" sa_new "\"spi\": 1, \"dir\": \"out\",
		\"alg\": \"aes-gcm\", \"key\": \"$KEY_AB\""
	sa_new "$(gcm_in 256)" >/dev/null
	check_eq "$(sa_dump_spis)" '[["in","0x100"]]' "SAs"
}

case_sa_no_interface() {
	esp0_setup
	expect_error "$MSG(no interface|interface)" yn --do sa-new --json \
		"{\"ifindex\": 999999, \"peer-id\": 1, $(gcm_in 8193)}"
	expect_error "$MSG(not an espif)" yn --do sa-new --json \
		"{\"ifindex\": 1, \"peer-id\": 1, $(gcm_in 8193)}"
	expect_error "$MSG(no interface|interface)" yn --do peer-new --json \
		"{\"ifindex\": 999999, \"id\": 1, \"remote\": \"0a630002\"}"
}

case_sa_no_peer() {
	esp0_setup
	expect_error "$MSG(peer|Peer)" sa_new "$(gcm_in 8193)"
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "$MSG(peer|Peer)" yn --do sa-new --json \
		"{\"ifindex\": $IDX, \"peer-id\": 7, $(gcm_in 8193)}"
	check_eq "$(sa_dump_spis)" '[]' "SAs left by refused requests"
}

case_peer_bad_address() {
	esp0_setup
	expect_error "$MSG(address|length|remote)" yn --do peer-new --json \
		"{\"ifindex\": $IDX, \"id\": 1, \"remote\": \"0a63000201\"}"
	expect_error "$MSG(address|length|local)" yn --do peer-new --json \
		"{\"ifindex\": $IDX, \"id\": 1, \"remote\": \"0a630002\", \"local\": \"0a63000101\"}"
	expect_error "bad-attr': '\\.remote'" yn --do peer-new --json \
		"{\"ifindex\": $IDX, \"id\": 1, \"remote\": \"0a63\"}"
	# local and remote of different families.
	expect_error "$MSG(family|local)" yn --do peer-new --json \
		"{\"ifindex\": $IDX, \"id\": 1, \"remote\": \"0a630002\",
		  \"local\": \"20010db8000000000000000000000001\"}"
	expect_error "$MSG(remote|address)" yn --do peer-new --json \
		"{\"ifindex\": $IDX, \"id\": 1}"
	check_eq "$(yn --dump peer-get --json "{\"ifindex\": $IDX}" | jq -c .)" '[]' \
		"peers left by refused requests"
}

case_selector_prefix() {
	esp0_setup
	expect_error "$MSG(prefix)" peer_new 1 c0a80200 33
	expect_error "$MSG(prefix|address|length)" peer_new 1 c0a8020000 24
	# Shorter than IPv4, or a prefix beyond 128: the policy refuses.
	expect_error "bad-attr': '\\.selector" peer_new 1 c0a802 24
	expect_error "bad-attr': '\\.selector" peer_new 1 20010db8000000000000000000000000 129
	# Host bits set beyond the prefix: refused, or masked off.
	if peer_new 1 c0a80201 24 >/dev/null 2>&1; then
		check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" |
			jq -r '.selector[0].addr')" 192.168.2.0 "selector with host bits"
	fi
	peer_new 2 20010db8000000000000000000000000 128 >/dev/null
}

case_selector_overlap() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "$MSG(selector|already|exist)" peer_new 2 c0a80200 24
	# A longer prefix inside another peer's is fine: longest match wins.
	peer_new 3 c0a80280 25 >/dev/null
	# peer-set onto another peer's selector is refused too.
	expect_error "$MSG(selector|already|exist)" yn --do peer-set --json \
		"{\"ifindex\": $IDX, \"id\": 3, \"remote\": \"0a630002\",
		  \"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24}]}"
	check_eq "$(yn --dump peer-get --json "{\"ifindex\": $IDX}" |
		jq -c '[.[] | [.id, .selector[0].addr, .selector[0]."prefix-len"]] | sort')" \
		'[[1,"192.168.2.0",24],[3,"192.168.2.128",25]]' "peers"
}

case_dup_peer() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "$MSG(already|exist)" peer_new 1 c0a80300 24
}

# sock-attach refuses every socket it cannot use, each with its reason,
# and takes one UDP socket per family.
case_sock_attach() {
	local other out

	esp0_setup
	other=$(ns_add other)
	out=$(/usr/bin/python3 "$SOCK_PY" refusals esp0 \
		"/run/netns/$other")
	echo "$out"
	expect_line() {
		echo "$out" | grep -qE "^$1 $2 $3" ||
			fail "sock-attach $1: expected errno $2 and /$3/"
	}
	expect_line tcp_socket 93 "espif: not a UDP socket"
	expect_line not_a_socket 88 "espif: not a socket"
	expect_line closed_fd 9 "espif: not a socket"
	expect_line unbound 22 "espif: the socket is not bound"
	expect_line xfrm_encap 16 "espif: the socket is already encapsulated"
	expect_line other_netns 22 "espif: the socket is in another network namespace"
	expect_line udp4 0 -
	expect_line udp4_again 16 "espif: the socket is already encapsulated"
	expect_line second_udp4 17 "espif: the interface already has a UDP socket"
	expect_line udp6 0 -
}

case_esn_no_window() {
	esp0_setup
	peer_new 1 c0a80200 24 >/dev/null
	expect_error "$MSG(esn|ESN|window|replay)" sa_new "$(gcm_in 8193), \"esn\": true,
		\"replay-window\": 0"
	expect_error "bad-attr': '\\.replay-window'" sa_new "$(gcm_in 8193),
		\"replay-window\": 65537"
	sa_new "$(gcm_in 8193), \"replay-window\": 0" >/dev/null
	sa_new "$(gcm_in 8194), \"esn\": true, \"replay-window\": 65536" >/dev/null
	check_eq "$(yn --dump sa-get --json "{\"ifindex\": $IDX}" |
		jq -c '[.[] | [.spi, ."replay-window", (.esn // false)]] | sort')" \
		'[["0x2001",0,false],["0x2002",65536,true]]' "SAs"
}

case_del_unknown() {
	esp0_setup
	expect_error "$MSG(peer|Peer)" yn --do peer-del --json "{\"ifindex\": $IDX, \"id\": 5}"
	peer_new 1 c0a80200 24 >/dev/null
	sa_new "$(gcm_in 8193)" >/dev/null
	expect_error "$MSG(SA|SPI|spi|association)" yn --do sa-del --json \
		"{\"ifindex\": $IDX, \"spi\": 8194, \"dir\": \"in\"}"
	expect_error "$MSG(SA|SPI|spi|association)" yn --do sa-del --json \
		"{\"ifindex\": $IDX, \"peer-id\": 1, \"spi\": 8193, \"dir\": \"out\"}"
	expect_error "$MSG" yn --do sa-del --json \
		"{\"ifindex\": $IDX, \"peer-id\": 9, \"spi\": 8193, \"dir\": \"out\"}"
	check_eq "$(sa_dump_spis)" '[["in","0x2001"]]' "SAs after refused deletes"
}

# --- the data path: ns a (espif) <-> ns b (xfrm) --------------------------

A='' B=''

# dp_setup [udp]: the namespaces, esp0 with peer 1, b's xfrm (no SA in a
# yet: dp_sas).  udp: ESP in UDP 4500, with both sockets open.
dp_setup() {
	local port=

	esp_pair
	ip -n "$A" route add 192.168.2.0/24 dev esp0 src 192.168.1.1
	NS=$A
	ynl_server "$A"
	[ "${1:-}" = udp ] && port=', "port": 4500'
	yn --do peer-new --json "{\"ifindex\": $IDX, \"id\": 1,
		\"remote\": \"0a630002\"$port,
		\"selector\": [{\"addr\": \"c0a80200\", \"prefix-len\": 24}]}" >/dev/null

	ip -n "$B" addr add 192.168.2.1/32 dev lo
	ip -n "$B" route add 192.168.1.0/24 dev vb src 192.168.2.1
	if [ -n "$port" ]; then
		bg_start sock_a ip netns exec "$A" /usr/bin/python3 "$SOCK_PY" attach esp0 4500
		bg_start sock_b ip netns exec "$B" /usr/bin/python3 "$SOCK_PY" xfrm 4500
		bg_wait sock_a '^attached'
		bg_wait sock_b '^ready'
		xfrm_tunnel "$B" 10.99.0.2 10.99.0.1 192.168.2.0/24 192.168.1.0/24 \
			"$SPI_BA" "$KEY_BA" "$SPI_AB" "$KEY_AB" 4500 4500
	else
		xfrm_tunnel "$B" 10.99.0.2 10.99.0.1 192.168.2.0/24 192.168.1.0/24 \
			"$SPI_BA" "$KEY_BA" "$SPI_AB" "$KEY_AB"
	fi
}

# dp_sas [JSON]: a's SA pair; JSON (attributes) is added to the outbound SA.
dp_sas() {
	yn --do sa-new --json "{\"ifindex\": $IDX, \"peer-id\": 1,
		\"spi\": $SPI_BA, \"dir\": \"in\", \"alg\": \"aes-gcm\",
		\"key\": \"$KEY_BA\"}" >/dev/null
	yn --do sa-new --json "{\"ifindex\": $IDX, \"peer-id\": 1,
		\"spi\": $SPI_AB, \"dir\": \"out\", \"alg\": \"aes-gcm\",
		\"key\": \"$KEY_AB\"${1:+, $1}}" >/dev/null
}

# sa_in FIELD / sa_out FIELD: a counter of a's SA (0 when absent).
sa_in() {
	yn --do sa-get --json "{\"ifindex\": $IDX, \"spi\": $SPI_BA, \"dir\": \"in\"}" |
		jq -r --arg f "$1" '.[$f] // 0'
}
sa_out() {
	yn --do sa-get --json "{\"ifindex\": $IDX, \"peer-id\": 1,
		\"spi\": $SPI_AB, \"dir\": \"out\"}" | jq -r --arg f "$1" '.[$f] // 0'
}

# dev_stats: esp0's drop counters, as one JSON object; dev_stat NAME: one.
dev_stats() {
	yn --do dev-get --json "{\"ifindex\": $IDX}" | jq -S -c '.stats // {} |
		{"tx-no-peer", "tx-no-sa", "tx-errors", "tx-too-big", "rx-no-sa",
		 "rx-malformed", "rx-spoofed"} | map_values(. // 0)'
}
dev_stat() { dev_stats | jq -r --arg f "$1" '.[$f] // 0'; }

# snmp NETNS GROUP FIELD: a counter of /proc/net/snmp (Icmp InEchos...).
snmp() {
	ip netns exec "$1" awk -v g="$2:" -v f="$3" \
		'$1 == g { if (!n++) { for (i = 2; i <= NF; i++) col[$i] = i } else print $col[f] }' \
		/proc/net/snmp
}
echos_a() { snmp "$A" Icmp InEchos; }

# xfrm_stat NETNS NAME: a counter of /proc/net/xfrm_stat.
xfrm_stat() { ip netns exec "$1" awk -v f="$2" '$1 == f { print $2 }' /proc/net/xfrm_stat; }

# wait_eq EXPECTED WHAT CMD...: poll CMD until it prints EXPECTED (10 s).
wait_eq() {
	local want=$1 what=$2 got end=$((SECONDS + 10))
	shift 2
	while :; do
		got=$("$@")
		[ "$got" = "$want" ] && return 0
		[ "$SECONDS" -lt "$end" ] || fail "$what: got '$got', expected '$want'"
		sleep 0.2
	done
}

ping_ab() { ip netns exec "$A" ping -q -c "${1:-1}" -i 0.2 -W 2 192.168.2.1 >/dev/null; }
ping_ba() { ip netns exec "$B" ping -q -c "${1:-1}" -i 0.2 -W 2 -I 192.168.2.1 192.168.1.1 >/dev/null; }

# cap_start NETNS IFACE TCPDUMP-ARGS...: capture to $CAP.
CAP=
cap_start() {
	CAP="$ESPIF_TMP/cap.pcap"
	rm -f "$CAP"
	bg_start cap ip netns exec "$1" tcpdump --immediate-mode -U -n -Z root \
		-i "$2" -w "$CAP" "${@:3}"
	bg_wait cap 'listening on'
}
cap_count() { tcpdump -n -r "$CAP" 2>/dev/null | wc -l; }

# cap_one_ba: capture one ESP packet b -> a (a ping from b) into $CAP.
cap_one_ba() {
	cap_start "$A" va -c 1 src 10.99.0.2 and ip proto 50
	ping_ba || true
	wait_eq 1 "ESP packets captured" cap_count
}

# esp_inject NETNS PCAP [flip|spi=N]: send the first packet of PCAP (an IPv4
# packet on Ethernet) from NETNS through a raw socket, as it is, with one
# bit of the ciphertext flipped, or with another SPI.
esp_inject() {
	ip netns exec "$1" /usr/bin/python3 - "$2" "${3:-}" <<'PY'
import socket, struct, sys
raw = open(sys.argv[1], 'rb').read()
magic, = struct.unpack('<I', raw[:4])
assert magic == 0xa1b2c3d4, 'not a microsecond pcap in host order'
link, = struct.unpack('<I', raw[20:24])
incl, = struct.unpack('<I', raw[32:36])
frame = raw[40:40 + incl]
pkt = bytearray(frame[14:] if link == 1 else frame)
ihl = (pkt[0] & 15) * 4
assert pkt[9] == 50, 'not ESP'
mode = sys.argv[2]
if mode == 'flip':
    pkt[ihl + 8 + 8 + 4] ^= 0x01       # ESP header, IV, into the ciphertext
elif mode.startswith('spi='):
    pkt[ihl:ihl + 4] = struct.pack('!I', int(mode[4:], 0))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(bytes(pkt), (socket.inet_ntoa(bytes(pkt[16:20])), 0))
PY
}

# udp_send NETNS SPORT HEX: one UDP datagram to 10.99.0.1:4500.
udp_send() {
	ip netns exec "$1" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.sendto(bytes.fromhex(sys.argv[2]), ("10.99.0.1", 4500))' "$2" "$3"
}

# ntf NAME: the notifications NAME (expire-ntf...) seen so far, as a list.
ntf() { grep '^{' "$(bg_out ntf)" | jq -s -c --arg n "$1" '[.[] | select(.name == $n) | .msg]'; }

case_dp_ping() {
	dp_setup
	dp_sas
	ping_ab 3
	ping_ba 3
	# Each way 3 requests and 3 replies of 84 bytes (IPv4 + ICMP + 56).
	check_eq "$(sa_out packets) $(sa_out bytes)" "6 504" "outbound SA packets, bytes"
	check_eq "$(sa_in packets) $(sa_in bytes)" "6 504" "inbound SA packets, bytes"
	check_eq "$(sa_out seq)" 6 "outbound SA sequence number"
	check_eq "$(dev_stats)" \
		'{"rx-malformed":0,"rx-no-sa":0,"rx-spoofed":0,"tx-errors":0,"tx-no-peer":0,"tx-no-sa":0,"tx-too-big":0}' \
		"esp0's drop counters"
	check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" |
		jq -r '."tx-spi"')" 0x1001 "peer's tx-spi"
	dmesg_clean
}

case_dp_replay() {
	local echos rx

	dp_setup
	dp_sas
	cap_one_ba
	wait_eq 1 "the captured packet, delivered" echos_a
	echos=$(echos_a)
	rx=$(ip -n "$A" -j -s link show esp0 | jq '.[0].stats64.rx.packets')
	esp_inject "$B" "$CAP"
	wait_eq 1 "inbound SA replay-drops" sa_in replay-drops
	esp_inject "$B" "$CAP"
	wait_eq 2 "inbound SA replay-drops" sa_in replay-drops
	check_eq "$(echos_a)" "$echos" "ICMP echo requests delivered in a"
	check_eq "$(ip -n "$A" -j -s link show esp0 | jq '.[0].stats64.rx.packets')" "$rx" \
		"esp0 rx_packets"
	check_eq "$(sa_in auth-fails)" 0 "inbound SA auth-fails"
	check_eq "$(sa_in packets)" 1 "inbound SA packets"
	dmesg_clean
}

case_dp_bitflip() {
	dp_setup
	dp_sas
	# Capture b's packet while a's veth drops it, so that it is fresh.
	ip netns exec "$A" tc qdisc add dev va clsact
	ip netns exec "$A" tc filter add dev va ingress protocol ip matchall action drop
	cap_one_ba
	ip netns exec "$A" tc qdisc del dev va clsact
	check_eq "$(echos_a)" 0 "echo requests delivered (the filter dropped it)"
	esp_inject "$B" "$CAP" flip
	wait_eq 1 "inbound SA auth-fails" sa_in auth-fails
	check_eq "$(echos_a)" 0 "echo requests delivered after the forged packet"
	check_eq "$(sa_in packets) $(sa_in replay-drops)" "0 0" "inbound SA packets, replay-drops"
	# The same packet unharmed is accepted: only the flipped bit was wrong.
	esp_inject "$B" "$CAP"
	wait_eq 1 "echo requests delivered after the original" echos_a
	check_eq "$(sa_in auth-fails)" 1 "inbound SA auth-fails"
	dmesg_clean
}

# Raw ESP with an SPI espif does not know goes on to the kernel's xfrm
# (espif and xfrm coexist), which has no state for it either.
case_dp_unknown_spi_raw() {
	local stats nostates=

	dp_setup
	dp_sas
	cap_one_ba
	wait_eq 1 "the captured packet, delivered" echos_a
	stats=$(dev_stats)
	[ -r /proc/net/xfrm_stat ] && nostates=$(xfrm_stat "$A" XfrmInNoStates)
	esp_inject "$B" "$CAP" spi=0xdead
	if [ -n "$nostates" ]; then
		wait_eq $((nostates + 1)) "a's XfrmInNoStates" xfrm_stat "$A" XfrmInNoStates
	else
		sleep 1
	fi
	check_eq "$(dev_stats)" "$stats" "esp0's drop counters"
	check_eq "$(sa_in packets) $(sa_in auth-fails) $(sa_in replay-drops)" "1 0 0" \
		"inbound SA packets, auth-fails, replay-drops"
	check_eq "$(echos_a)" 1 "echo requests delivered"
	dmesg_clean
}

# ESP in UDP is espif's alone: an unknown SPI there is counted (rx-no-sa).
case_dp_unknown_spi_udp() {
	dp_setup udp
	dp_sas
	ping_ab 2
	ping_ba 1
	check_eq "$(sa_in packets)" 3 "inbound SA packets over UDP"
	udp_send "$B" 4600 "0000dead00000001$(hexbytes 48)"
	wait_eq 1 "rx-no-sa" dev_stat rx-no-sa
	check_eq "$(echos_a)" 1 "echo requests delivered"
	check_eq "$(sa_in auth-fails)" 0 "inbound SA auth-fails"
	check_eq "$(grep -c '^rx ' "$(bg_out sock_a)")" 0 "datagrams passed to the socket"
	dmesg_clean
}

# A packet that authenticates but whose inner source is outside the peer's
# selectors is dropped: a peer speaks only for its own prefixes.
case_dp_spoofed() {
	dp_setup
	dp_sas
	ip -n "$B" addr add 192.168.3.1/32 dev lo
	ip -n "$B" xfrm policy add src 192.168.3.0/24 dst 192.168.1.0/24 dir out \
		tmpl src 10.99.0.2 dst 10.99.0.1 proto esp mode tunnel
	ip netns exec "$B" ping -q -c 1 -W 1 -I 192.168.3.1 192.168.1.1 >/dev/null || true
	wait_eq 1 "rx-spoofed" dev_stat rx-spoofed
	check_eq "$(echos_a)" 0 "echo requests delivered"
	ping_ba
	check_eq "$(echos_a)" 1 "echo requests delivered from 192.168.2.1"
	check_eq "$(dev_stat rx-spoofed)" 1 "rx-spoofed"
	dmesg_clean
}

# On the UDP socket: a NAT keepalive (one 0xff byte) is swallowed; a
# datagram with the non-ESP marker (IKE) reaches the socket.
case_dp_nat_keepalive() {
	local stats

	dp_setup udp
	dp_sas
	stats=$(dev_stats)
	udp_send "$B" 4600 ff
	udp_send "$B" 4600 0000000068656c6c6f
	bg_wait sock_a '^rx '
	check_eq "$(grep '^rx ' "$(bg_out sock_a)")" "rx 10.99.0.2 4600 0000000068656c6c6f" \
		"datagrams the socket got"
	check_eq "$(dev_stats)" "$stats" "esp0's drop counters"
	dmesg_clean
}

case_dp_no_sa() {
	dp_setup
	bg_start ntf ynl_ntf "$A" 60
	bg_wait ntf '^ready'
	cap_start "$A" va ip
	ip netns exec "$A" ping -q -c 3 -i 0.1 -W 1 192.168.2.1 >/dev/null && fail "ping went through"
	check_eq "$(dev_stat tx-no-sa)" 3 "tx-no-sa"
	wait_eq "[{\"id\":1,\"ifindex\":$IDX}]" "acquire notifications" \
		eval "ntf acquire-ntf | jq -S -c ."
	check_eq "$(cap_count)" 0 "IPv4 packets on the wire"
	# With an SA one ping is two ESP packets on the same capture, and
	# nothing else was (not even late).
	dp_sas
	ping_ab
	wait_eq 2 "IPv4 packets on the wire" cap_count
	check_eq "$(tcpdump -n -r "$CAP" 'ip proto 50' 2>/dev/null | wc -l)" 2 "ESP packets"
	check_eq "$(dev_stat tx-no-sa)" 3 "tx-no-sa"
	dmesg_clean
}

case_dp_no_peer() {
	dp_setup
	dp_sas
	ip -n "$A" route add 192.168.9.0/24 dev esp0 src 192.168.1.1
	ip netns exec "$A" ping -q -c 2 -i 0.2 -W 1 192.168.9.9 >/dev/null && fail "ping went through"
	check_eq "$(dev_stat tx-no-peer) $(dev_stat tx-no-sa)" "2 0" "tx-no-peer, tx-no-sa"
	check_eq "$(sa_out packets)" 0 "outbound SA packets"
	dmesg_clean
}

# lifetime_case LIMITS: 20 pings a -> b; the outbound SA carries 10.
lifetime_case() {
	dp_setup
	dp_sas "$1"
	bg_start ntf ynl_ntf "$A" 60
	bg_wait ntf '^ready'
	ip netns exec "$A" ping -q -c 20 -i 0.05 -W 1 192.168.2.1 >/dev/null || true
	wait_eq '["soft","hard"]' "expire notifications" \
		eval "ntf expire-ntf | jq -c '[.[] | .expire]'"
	check_eq "$(ntf expire-ntf | jq -S -c '[.[] | {ifindex, "peer-id", spi, dir}] | unique')" \
		"[{\"dir\":\"out\",\"ifindex\":$IDX,\"peer-id\":1,\"spi\":\"0x1001\"}]" \
		"expire notifications' SA"
	check_eq "$(sa_out packets) $(sa_out bytes)" "10 840" "outbound SA packets, bytes"
	check_eq "$(sa_out expire)" hard "outbound SA state"
	check_eq "$(dev_stat tx-no-sa)" 10 "tx-no-sa"
	check_eq "$(snmp "$B" Icmp InEchos)" 10 "echo requests that reached b"
	dmesg_clean
}

case_lifetime_packets() { lifetime_case '"soft-packets": 5, "hard-packets": 10'; }
# 84 bytes a ping: 420 is 5 packets, 840 is 10.
case_lifetime_bytes() { lifetime_case '"soft-bytes": 420, "hard-bytes": 840'; }

# b's packets suddenly come from UDP port 4501 (a NAT rebinding): a tells
# userspace, keeps the packet, and goes on sending to 4500.
case_mapping_ntf() {
	dp_setup udp
	dp_sas
	ping_ba
	bg_start ntf ynl_ntf "$A" 60
	bg_wait ntf '^ready'
	ip -n "$B" xfrm state update src 10.99.0.2 dst 10.99.0.1 proto esp \
		spi "$SPI_BA" mode tunnel aead 'rfc4106(gcm(aes))' "0x$KEY_BA" 128 \
		replay-window 128 encap espinudp 4501 4500 0.0.0.0
	ping_ba
	check_eq "$(echos_a)" 2 "echo requests delivered"
	wait_eq "{\"ifindex\":$IDX,\"peer-id\":1,\"port\":4501,\"remote\":\"10.99.0.2\",\"spi\":\"0x2001\"}" \
		"mapping notification" eval "ntf mapping-ntf | jq -S -c '.[0]'"
	check_eq "$(yn --do peer-get --json "{\"ifindex\": $IDX, \"id\": 1}" |
		jq -r .port)" 4500 "peer's port (userspace decides)"
	dmesg_clean
}

CASES=(
	"peer_roundtrip		case_peer_roundtrip"
	"sa_roundtrip		case_sa_roundtrip"
	"bad_key_length		case_bad_key_length"
	"unknown_alg		case_unknown_alg"
	"auth_key		case_auth_key"
	"dup_spi		case_dup_spi"
	"reserved_spi		case_reserved_spi"
	"sa_no_interface	case_sa_no_interface"
	"sa_no_peer		case_sa_no_peer"
	"peer_bad_address	case_peer_bad_address"
	"selector_prefix	case_selector_prefix"
	"selector_overlap	case_selector_overlap"
	"dup_peer		case_dup_peer"
	"sock_attach		case_sock_attach"
	"esn_no_window		case_esn_no_window"
	"del_unknown		case_del_unknown"
	"dp_ping		case_dp_ping"
	"dp_replay		case_dp_replay"
	"dp_bitflip		case_dp_bitflip"
	"dp_unknown_spi_raw	case_dp_unknown_spi_raw"
	"dp_unknown_spi_udp	case_dp_unknown_spi_udp"
	"dp_spoofed		case_dp_spoofed"
	"dp_nat_keepalive	case_dp_nat_keepalive"
	"dp_no_sa		case_dp_no_sa"
	"dp_no_peer		case_dp_no_peer"
	"lifetime_packets	case_lifetime_packets"
	"lifetime_bytes		case_lifetime_bytes"
	"mapping_ntf		case_mapping_ntf"
)
init_ynl_server
ktap_run_cases
rc=$?
[ -z "$INIT_YNL_PID" ] || bg_kill_tree "$INIT_YNL_PID"
[ -z "$INIT_YNL_DIR" ] || rm -rf "$INIT_YNL_DIR"
exit "$rc"
