# SPDX-License-Identifier: GPL-2.0-or-later
#
# ikehelper's side of the interop suites (ike.sh: strongSwan, libreswan.sh:
# Libreswan), sourced after lib.sh.  The suite brings the peer up in ns
# "b" and defines these hooks:
#   peer_child_up     succeeds when the peer has its Child SA in xfrm
#   peer_log          prints the peer daemon's log (for failure messages)
#   peer_rekey_child  makes the peer rekey the Child SA
#   peer_rekey_ike    makes the peer rekey the IKE SA
#
#   ns "a"                                   ns "b"
#   +--------------------------------+       +-------------------------------+
#   | esp0 (espif) 192.168.1.1/32    |       | 192.168.2.1/32 on lo          |
#   | ikehelper daemon -c a.conf     |       | the peer (xfrm)               |
#   |   a.example, PSK               |       |   b.example, PSK              |
#   | 192.168.2.0/24 -> esp0         |       |   (private /run)              |
#   |  va 10.99.0.1/24 ==============+ veth =+== vb 10.99.0.2/24             |
#   +--------------------------------+       +-------------------------------+
#
#   nat_router: a router namespace "r" between them masquerades a
#   (10.99.0.1 behind 10.99.0.254 -> 10.98.0.254 in front of b 10.98.0.2).
#
#   a: va 10.99.0.1 == ra 10.99.0.254 [r: SNAT] rb 10.98.0.254 == vb 10.98.0.2 :b

PSK=0sVGhpcyBpcyBhIGxvbmcgZW5vdWdoIGtleQ==
A='' B=''
PKI=''

# make_pki: a test CA (P-256) and, for a.example and b.example, an RSA-2048,
# a P-256 and an Ed25519 key with certificates (SAN DNS:NAME, KU
# digitalSignature, EKU serverAuth+clientAuth, as Windows and Apple want
# of a server), plus a second CA with c.example.  Made once per suite:
# key generation is slow under TCG.
make_pki() {
	local who t ca

	PKI=$ESPIF_TMP/pki
	[ -f "$PKI/done" ] && return 0
	mkdir -p "$PKI"
	(
		cd "$PKI"
		for ca in ca ca2; do
			printf '%s\n' '[req]' 'distinguished_name = dn' 'prompt = no' \
				'x509_extensions = v3_ca' '[dn]' "CN = ikehelper test $ca" \
				'[v3_ca]' 'basicConstraints = critical, CA:TRUE' \
				'keyUsage = critical, keyCertSign, cRLSign' \
				'subjectKeyIdentifier = hash' > $ca.cnf
			openssl genpkey -quiet -algorithm EC \
				-pkeyopt ec_paramgen_curve:P-256 -out $ca.key
			openssl req -x509 -new -config $ca.cnf -key $ca.key -sha256 \
				-days 3650 -out $ca.pem
		done
		for who in a b c; do
			ca=ca
			[ $who = c ] && ca=ca2
			printf '%s\n' 'basicConstraints = critical, CA:FALSE' \
				'keyUsage = critical, digitalSignature' \
				'extendedKeyUsage = serverAuth, clientAuth' \
				"subjectAltName = DNS:$who.example" \
				'subjectKeyIdentifier = hash' \
				'authorityKeyIdentifier = keyid' > $who.ext
			openssl genpkey -quiet -algorithm RSA \
				-pkeyopt rsa_keygen_bits:2048 -out $who-rsa.key
			openssl genpkey -quiet -algorithm EC \
				-pkeyopt ec_paramgen_curve:P-256 -out $who-ecdsa.key
			openssl genpkey -quiet -algorithm ED25519 -out $who-ed25519.key
			for t in rsa ecdsa ed25519; do
				openssl req -new -key $who-$t.key \
					-subj "/CN=$who.example" -out $who-$t.csr
				openssl x509 -req -in $who-$t.csr -CA $ca.pem \
					-CAkey $ca.key -CAcreateserial -sha256 \
					-days 825 -extfile $who.ext -out $who-$t.pem \
					2>/dev/null
			done
		done
		chmod 600 ./*.key
	) || fail "cannot make the test PKI"
	touch "$PKI/done"
}

# wait_until SECONDS CMD...: poll CMD until it succeeds.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# setup START [nat]: the namespaces, esp0, and a.conf for ikehelper
# (Start = START; IKE_IFACE_EXTRA and IKE_EXTRA add lines to the
# [Interface] and the [Peer] section).  IKE_CERT=rsa|ecdsa|ed25519:
# certificates of that key type (make_pki) instead of the PSK;
# IKE_CA=ca2 trusts the other CA.
setup() {
	local start_a=$1 endpoint=10.99.0.2 auth="PresharedKey = $PSK"

	esp_pair
	ip -n "$A" route add 192.168.2.0/24 dev esp0 src 192.168.1.1
	ip -n "$B" addr add 192.168.2.1/32 dev lo
	[ "${2:-}" = nat ] && endpoint=10.98.0.2
	if [ -n "${IKE_CERT:-}" ]; then
		make_pki
		auth="Auth = pubkey
Certificate = $PKI/a-$IKE_CERT.pem
PrivateKey = $PKI/a-$IKE_CERT.key
CACertificate = $PKI/${IKE_CA:-ca}.pem"
	fi

	cat > "$ESPIF_TMP/a.conf" <<EOF
[Interface]
LocalId = a.example
${IKE_IFACE_EXTRA:-}

[Peer]
Name = b
Endpoint = $endpoint
RemoteId = b.example
$auth
AllowedIPs = 192.168.2.0/24
LocalIPs = 192.168.1.0/24
Start = $start_a
${IKE_EXTRA:-}
EOF
	chmod 600 "$ESPIF_TMP/a.conf"
}

# nat_router: replace the veth between a and b by a masquerading router.
nat_router() {
	local R

	R=$(ns_add r)
	ip -n "$A" link del va
	ip -n "$A" link add va type veth peer name ra netns "$R"
	ip -n "$B" link add vb type veth peer name rb netns "$R"
	ip -n "$A" addr add 10.99.0.1/24 dev va
	ip -n "$R" addr add 10.99.0.254/24 dev ra
	ip -n "$R" addr add 10.98.0.254/24 dev rb
	ip -n "$B" addr add 10.98.0.2/24 dev vb
	for l in "$A va" "$R ra" "$R rb" "$B vb"; do
		set -- $l
		ip -n "$1" link set "$2" up
	done
	ip -n "$A" route add default via 10.99.0.254
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$R" nft -f - <<'NFT' || fail "nft refused the NAT rules"
table ip nat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "rb" masquerade
	}
}
NFT
}

daemon_a() {
	bg_start ike_a ip netns exec "$A" "$ESPIF_IKEHELPER" daemon -c \
		"$ESPIF_TMP/a.conf" esp0
	bg_wait ike_a 'IKE on UDP' 20
}

ike_log() { cat "$(bg_out ike_a)"; }

ping_ok() {
	ip netns exec "$A" ping -q -c 3 -i 0.3 -W 2 -I 192.168.1.1 192.168.2.1 >/dev/null
}

# tcp_both: 64 KiB over TCP each way through the tunnel, byte for byte.
tcp_both() {
	tcp_xfer "$A" "$B" 4 192.168.1.1 192.168.2.1 64
	tcp_xfer "$B" "$A" 4 192.168.2.1 192.168.1.1 64
}

# The SA counters espif keeps for the Child SA: both directions used.
esp0_sa_packets() {
	ynl_ns "$A" --dump sa-get --json "{\"ifindex\": $(ip -n "$A" -j link show esp0 | jq '.[0].ifindex')}" |
		jq -c '[.[] | {dir, packets}] | sort_by(.dir)'
}

# check_tunnel: ikehelper has its Child SA, a ping and TCP both ways
# pass, the peer has its Child SA and espif counted packets both ways.
check_tunnel() {
	ike_wait 30 'Child SA up' \
		"no Child SA (the peer's log ends:"$'\n'"$(peer_log | tail -n 30))"
	ping_ok || fail "no ping through the tunnel"
	tcp_both
	wait_until 10 peer_child_up ||
		fail "the peer has no Child SA:"$'\n'"$(peer_log | tail -n 30)"
	check_eq "$(esp0_sa_packets | jq -c '[.[] | .packets > 0]')" '[true,true]' \
		"both SAs carried packets"
	dmesg_clean
}

# ike_wait SECONDS ERE WHAT: wait for ERE in ikehelper's log.
ike_wait() {
	wait_until "$1" grep -Eq -- "$2" "$(bg_out ike_a)" ||
		fail "$3:"$'\n'"$(ike_log)"
}

# ping_run NAME COUNT: pings from a in the background (0.1 s apart).
ping_run() {
	bg_start "$1" ip netns exec "$A" ping -n -c "$2" -i 0.1 -W 2 \
		-I 192.168.1.1 192.168.2.1
}

ping_lossless() { ping_loss_at_most "$1" 0; }

# ping_loss_at_most NAME N: ping_run NAME ended with at most N lost.
ping_loss_at_most() {
	local sent got

	wait_until 60 grep -q 'packet loss' "$(bg_out "$1")" ||
		fail "ping $1 did not finish"
	read -r sent got < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' \
		"$(bg_out "$1")")
	[ -n "$sent" ] && [ $((sent - got)) -le "$2" ] ||
		fail "packets lost across the rekey: $(grep 'packet loss' "$(bg_out "$1")")"
}

# child_ups N: ikehelper has brought a Child SA up at least N times.
child_ups() { [ "$(grep -c 'Child SA up' "$(bg_out ike_a)")" -ge "$1" ]; }

# dpd_check PEER_UP...: the tunnel comes up (PEER_UP starts the peer) with
# DPD = 3s and Retransmits = 2.  The peer vanishes (ns b drops everything it
# receives, its daemon keeps running): ikehelper's liveness check (RFC 7296
# 2.4) gets no answer after 1 + 2 + 4 s, the peer is declared dead and the
# SAs leave espif; with Start = start it then keeps trying, and once the
# peer is back a new IKE SA (INITIAL_CONTACT replaces the old one there)
# carries traffic again.
dpd_check() {
	IKE_IFACE_EXTRA="Retransmits = 2" IKE_EXTRA="DPD = 3s" setup start
	"$@"
	daemon_a
	check_tunnel

	ip netns exec "$B" nft -f - <<'NFT' || fail "nft refused the drop rule"
table inet vanish {
	chain input {
		type filter hook input priority -10; policy drop;
	}
}
NFT
	ike_wait 30 'peer dead' "no dead peer detected"
	check_eq "$(esp0_sa_packets)" '[]' "SAs on esp0 once the peer is dead"
	ping_ok && fail "a ping passed with the peer gone"
	ip netns exec "$B" nft delete table inet vanish
	wait_until 40 child_ups 2 ||
		fail "no new Child SA once the peer was back:"$'\n'"$(ike_log)"
	ping_ok || fail "no ping through the new Child SA"
	tcp_both
	wait_until 10 peer_child_up || fail "the peer has no Child SA"
}

# ike_nat_check: ikehelper saw the NAT and put the Child SA into UDP.
ike_nat_check() {
	grep -q 'we are behind a NAT' "$(bg_out ike_a)" ||
		fail "ikehelper did not detect the NAT"
	grep -q 'ESP in UDP' "$(bg_out ike_a)" ||
		fail "the Child SA is not ESP in UDP"
}

# peer_rekeys_child ERE: with the tunnel up and pings running the peer
# rekeys the Child SA; ikehelper logs ERE for it and the peer's delete of
# the old pair; no ping lost, TCP both ways after.
peer_rekeys_child() {
	ping_run pings 100
	sleep 2
	peer_rekey_child >/dev/null || fail "the peer could not rekey the Child SA"
	ike_wait 20 "$1" "no rekey seen"
	ike_wait 20 'peer deletes Child SA' "the old Child SA was not deleted"
	ping_lossless pings
	tcp_both
}

# child_rekey_over_new_ike: after an IKE SA rekey, the new IKE SA works:
# the peer rekeys the Child SA through it; then no ping of the running
# "pings" lost, TCP both ways, the Child SA's pair alone on esp0.
child_rekey_over_new_ike() {
	peer_rekey_child >/dev/null || fail "the peer could not rekey the Child SA"
	ike_wait 20 'Child SA rekeyed by the peer' \
		"no Child SA rekey over the new IKE SA"
	ping_lossless pings
	tcp_both
	check_eq "$(esp0_sa_packets | jq length)" 2 "SAs on esp0"
}

# peer_rekeys_ike: with the tunnel up and pings running the peer rekeys
# the IKE SA (2.18), then the Child SA over the new IKE SA; nothing lost,
# TCP both ways, the Child SA's pair alone on esp0.
peer_rekeys_ike() {
	ping_run pings 150
	peer_rekey_ike >/dev/null || fail "the peer could not rekey the IKE SA"
	ike_wait 20 'IKE SA rekeyed by the peer' "no IKE rekey"
	ike_wait 20 'peer deletes the IKE SA' "the old IKE SA was not deleted"
	child_rekey_over_new_ike
}

# ike_rekey_check: with the tunnel up and IkeLifetime = 30s, ikehelper
# rekeys the IKE SA at 27 s (2.18) while pings run; the old IKE SA is
# deleted, then the peer rekeys the Child SA over the new IKE SA; nothing
# lost, TCP both ways after.
ike_rekey_check() {
	ping_run pings 350
	ike_wait 40 'IKE SA rekeyed \(was' "no IKE SA rekey"
	ike_wait 20 'old IKE SA deleted' "the old IKE SA was not deleted"
	child_rekey_over_new_ike
}
