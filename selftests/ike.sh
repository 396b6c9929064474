#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ikehelper against a real, unmodified strongSwan (charon, configured with
# swanctl, keying the kernel's xfrm): the tunnel comes up with a
# pre-shared key whichever side starts, traffic flows both ways through
# espif on one side and xfrm on the other, and a delete from either side
# takes the Child SA down.
#
#   ns "a"                                   ns "b"
#   +--------------------------------+       +-------------------------------+
#   | esp0 (espif) 192.168.1.1/32    |       | 192.168.2.1/32 on lo          |
#   | ikehelper daemon -c a.conf     |       | charon + swanctl (xfrm)       |
#   |   a.example, PSK               |       |   b.example, PSK              |
#   | 192.168.2.0/24 -> esp0         |       |   (private /run, own vici)    |
#   |  va 10.99.0.1/24 ==============+ veth =+== vb 10.99.0.2/24             |
#   +--------------------------------+       +-------------------------------+

source "$(dirname "$0")/lib.sh"

PSK=0sVGhpcyBpcyBhIGxvbmcgZW5vdWdoIGtleQ==
CHARON=/usr/lib/ipsec/charon
A='' B='' SS=''

# The strongSwan side: config, a charon in its own mount namespace (a
# private /run for its pid file), then the connection loaded over vici.
charon_up() {
	local start=$1 esp=$2

	# A fresh directory: a socket left by the last case would look alive.
	SS=$(mktemp -d "$ESPIF_TMP/ss.XXXXXX")
	cat > "$SS/strongswan.conf" <<EOF
charon {
	port = 500
	port_nat_t = 4500
	retransmit_tries = 3
	plugins {
		vici {
			socket = unix://$SS/charon.vici
		}
	}
	filelog {
		stderr {
			default = 1
			ike = 2
		}
	}
}
EOF
	cat > "$SS/swanctl.conf" <<EOF
connections {
	a {
		version = 2
		local_addrs = 10.99.0.2
		remote_addrs = 10.99.0.1
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = psk
			id = b.example
		}
		remote {
			auth = psk
			id = a.example
		}
		children {
			net {
				local_ts = 192.168.2.0/24
				remote_ts = 192.168.1.0/24
				esp_proposals = $esp
				start_action = $start
			}
		}
	}
}
secrets {
	ike-a {
		id-a = a.example
		id-b = b.example
		secret = $PSK
	}
}
EOF
	bg_start charon ip netns exec "$B" unshare -m sh -c \
		"mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$SS/strongswan.conf exec $CHARON"
	wait_until 30 test -S "$SS/charon.vici"
	ip netns exec "$B" swanctl --load-all --file "$SS/swanctl.conf" \
		--uri "unix://$SS/charon.vici" >/dev/null ||
		fail "swanctl --load-all failed"
}

swanctl_b() {
	ip netns exec "$B" swanctl "$@" --uri "unix://$SS/charon.vici"
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

setup() {
	local start_a=$1

	espif_load
	A=$(ns_add a)
	B=$(ns_add b)
	veth_link "$A" 10.99.0.1/24 "$B" 10.99.0.2/24
	ip -n "$A" link add esp0 type espif
	ip netns exec "$A" sysctl -qw net.ipv6.conf.esp0.disable_ipv6=1
	ip -n "$A" addr add 192.168.1.1/32 dev esp0
	ip -n "$A" link set esp0 up
	ip -n "$A" route add 192.168.2.0/24 dev esp0 src 192.168.1.1
	ip -n "$B" addr add 192.168.2.1/32 dev lo

	cat > "$ESPIF_TMP/a.conf" <<EOF
[Interface]
LocalId = a.example

[Peer]
Name = b
Endpoint = 10.99.0.2
RemoteId = b.example
PresharedKey = $PSK
AllowedIPs = 192.168.2.0/24
LocalIPs = 192.168.1.0/24
Start = $start_a
EOF
	chmod 600 "$ESPIF_TMP/a.conf"
}

daemon_a() {
	bg_start ike_a ip netns exec "$A" "$ESPIF_IKEHELPER" daemon -c \
		"$ESPIF_TMP/a.conf" esp0
	bg_wait ike_a 'IKE on UDP' 20
}

ping_ok() {
	ip netns exec "$A" ping -q -c 3 -i 0.3 -W 2 -I 192.168.1.1 192.168.2.1 >/dev/null
}

# The SA counters espif keeps for the Child SA: both directions used.
esp0_sa_packets() {
	ynl_ns "$A" --dump sa-get --json "{\"ifindex\": $(ip -n "$A" -j link show esp0 | jq '.[0].ifindex')}" |
		jq -c '[.[] | {dir, packets}] | sort_by(.dir)'
}

check_tunnel() {
	wait_until 30 grep -q 'Child SA up' "$(bg_out ike_a)" ||
		fail "no Child SA:"$'\n'"$(cat "$(bg_out ike_a)")"$'\n'"$(tail -n 30 "$(bg_out charon)")"
	ping_ok || fail "no ping through the tunnel"
	# xfrm on b saw the same traffic: ESP in both directions.
	swanctl_b --list-sas | grep -q 'INSTALLED' || fail "strongSwan has no installed Child SA"
	check_eq "$(esp0_sa_packets | jq -c '[.[] | .packets > 0]')" '[true,true]' \
		"both SAs carried packets"
	dmesg_clean
}

case_initiator_psk() {
	setup start
	charon_up none aes128gcm16
	daemon_a
	check_tunnel
}

case_responder_psk() {
	setup none
	charon_up none aes256gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(cat "$(bg_out ike_a)")"
	check_tunnel
}

case_initiator_chacha() {
	setup start
	charon_up none chacha20poly1305
	daemon_a
	check_tunnel
}

case_responder_cbc() {
	setup none
	charon_up none aes128-sha256
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(cat "$(bg_out ike_a)")"
	check_tunnel
}

# strongSwan deletes the IKE SA: ikehelper removes the Child SA from espif.
case_delete_by_peer() {
	# strongSwan starts, so that nothing brings the tunnel back.
	setup none
	charon_up none aes128gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(cat "$(bg_out ike_a)")"
	check_tunnel
	swanctl_b --terminate --ike a --timeout 10 >/dev/null || true
	wait_until 15 grep -q 'peer deletes the IKE SA' "$(bg_out ike_a)" ||
		fail "ikehelper did not see the delete"
	ping_ok && fail "traffic still flows after the delete"
	check_eq "$(esp0_sa_packets)" '[]' "SAs left on esp0"
}

CASES=(
	"initiator_psk		case_initiator_psk"
	"responder_psk		case_responder_psk"
	"initiator_chacha	case_initiator_chacha"
	"responder_cbc		case_responder_cbc"
	"delete_by_peer		case_delete_by_peer"
)
[ -x "$CHARON" ] || skip "strongSwan's charon is not installed (apt-get install strongswan-charon strongswan-swanctl)"
ktap_run_cases
