#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ikehelper against a real, unmodified strongSwan (charon, configured with
# swanctl, keying the kernel's xfrm): the tunnel comes up with a
# pre-shared key or with certificates (RSA PKCS#1 v1.5 and PSS, ECDSA,
# Ed25519, RFC 7427 and the older methods) whichever side starts, traffic
# flows both ways through espif on one side and xfrm on the other, also
# through a NAT; either side rekeys the Child SA and the IKE SA under
# traffic without losing a packet; a delete takes the Child SA down; an
# untrusted certificate is refused; a cookie ikehelper demands (RFC 7296
# 2.6) comes back.
#
#   The topology (ns a: esp0 + ikehelper; ns b: charon + swanctl in a
#   private mount namespace with its own vici socket; initiator_nat: a
#   masquerading router between them) is drawn in ike_lib.sh.
#   initiator_nat: NAT detection moves IKE to 4500 and ESP into UDP
#   through espif's socket.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ike_lib.sh"

CHARON=/usr/lib/ipsec/charon
SS=''

# The strongSwan side: config, a charon in its own mount namespace (a
# private /run for its pid file), then the connection loaded over vici.
# SS_CERT=rsa|ecdsa|ed25519: b.example's certificate of that key type
# (make_pki) instead of the PSK, SS_AUTH its local auth (pubkey, or e.g.
# rsa/pss-sha256); SS_CHARON lines go into strongswan.conf's charon { }.
charon_up() {
	local start=$1 esp=$2 laddr=10.99.0.2 raddr=10.99.0.1
	local lauth=psk rauth=psk certs='' cacerts=''

	if [ "${3:-}" = nat ]; then
		laddr=10.98.0.2
		raddr=%any
	fi

	# A fresh directory: a socket left by the last case would look alive.
	SS=$(mktemp -d "$ESPIF_TMP/ss.XXXXXX")
	if [ -n "${SS_CERT:-}" ]; then
		# swanctl loads credentials from beside --file.
		make_pki
		mkdir -p "$SS/x509" "$SS/x509ca" "$SS/private"
		cp "$PKI/b-$SS_CERT.pem" "$SS/x509/b.pem"
		cp "$PKI/ca.pem" "$SS/x509ca/ca.pem"
		install -m 600 "$PKI/b-$SS_CERT.key" "$SS/private/b.key"
		lauth=${SS_AUTH:-pubkey} rauth=pubkey
		certs='certs = b.pem' cacerts='cacerts = ca.pem'
	fi
	cat > "$SS/strongswan.conf" <<EOF
charon {
	${SS_CHARON:-}
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
		local_addrs = $laddr
		remote_addrs = $raddr
		proposals = aes256gcm16-prfsha256-x25519
		local {
			auth = $lauth
			id = b.example
			$certs
		}
		remote {
			auth = $rauth
			id = a.example
			$cacerts
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
	wait_until 90 test -S "$SS/charon.vici" ||
		fail "charon did not start:"$'\n'"$(cat "$(bg_out charon)")"
	ip netns exec "$B" swanctl --load-all --file "$SS/swanctl.conf" \
		--uri "unix://$SS/charon.vici" >/dev/null ||
		fail "swanctl --load-all failed"
}

swanctl_b() {
	ip netns exec "$B" swanctl "$@" --uri "unix://$SS/charon.vici"
}

# ike_lib.sh's hooks.
peer_child_up() { swanctl_b --list-sas | grep -q 'INSTALLED'; }
peer_log() { cat "$(bg_out charon)"; }
peer_rekey_child() { swanctl_b --rekey --child net; }
peer_rekey_ike() { swanctl_b --rekey --ike a; }

# With ESPIF_ARTIFACTS (run-vm.sh ESPIF_VM_ARTIFACTS=DIR), every IKE
# message of the case is saved, one file each, for the fuzzers' seeds.
cap_ike_start() {
	[ -n "${ESPIF_ARTIFACTS:-}" ] || return 0
	bg_start cap ip netns exec "$A" tcpdump --immediate-mode -U -n -Z root \
		-i va -w "$ESPIF_TMP/ike.pcap" udp port 500 or udp port 4500
	bg_wait cap 'listening on'
}

cap_ike_save() {
	local dir=/run/espif-out/artifacts/ike-$1

	[ -n "${ESPIF_ARTIFACTS:-}" ] || return 0
	sleep 1
	mkdir -p "$dir"
	/usr/bin/python3 - "$ESPIF_TMP/ike.pcap" "$dir" <<'PY'
import struct, sys
raw = open(sys.argv[1], 'rb').read()
off, n = 24, 0
while off + 16 <= len(raw):
    incl, = struct.unpack('<I', raw[off + 8:off + 12])
    frame = raw[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = frame[14:]
    ihl = (ip[0] & 15) * 4
    sport, dport = struct.unpack('!HH', ip[ihl:ihl + 4])
    data = ip[ihl + 8:]
    if 4500 in (sport, dport):
        if data[:4] != b'\0\0\0\0':
            continue            # ESP, not IKE
        data = data[4:]
    if len(data) < 28:
        continue
    n += 1
    with open('%s/%02d-%d-%d' % (sys.argv[2], n, sport, dport), 'wb') as f:
        f.write(data)
PY
}

case_initiator_psk() {
	setup start
	charon_up none aes128gcm16
	cap_ike_start
	daemon_a
	check_tunnel
	cap_ike_save initiator
}

case_responder_psk() {
	setup none
	charon_up none aes256gcm16
	cap_ike_start
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(ike_log)"
	check_tunnel
	cap_ike_save responder
}

case_initiator_nat() {
	setup start nat
	nat_router
	charon_up none aes128gcm16 nat
	daemon_a
	check_tunnel
	ike_nat_check
	swanctl_b --list-sas | grep -q 'TUNNEL-in-UDP' ||
		fail "strongSwan does not see the NAT:"$'\n'"$(swanctl_b --list-sas)"
}

# strongSwan rekeys the Child SA while pings run: make-before-break on
# both sides, nothing lost, the old SAs gone from espif.
case_rekey_by_strongswan() {
	setup start
	charon_up none aes128gcm16
	daemon_a
	check_tunnel
	peer_rekeys_child 'Child SA rekeyed by the peer'
	check_eq "$(esp0_sa_packets | jq length)" 2 "SAs on esp0 after the rekey"
}

# The same with PFS (RFC 7296 1.3.1): a fresh X25519 exchange per rekey.
case_rekey_pfs_by_strongswan() {
	IKE_EXTRA="EspProposals = aes128gcm16-x25519" setup start
	charon_up none aes128gcm16-x25519
	daemon_a
	check_tunnel
	peer_rekeys_child 'Child SA rekeyed by the peer.*with PFS'
}

# ikehelper rekeys (ChildLifetime 30 s: at 27 s) while pings run.
case_rekey_by_ikehelper() {
	IKE_EXTRA="ChildLifetime = 30s" setup start
	charon_up none aes128gcm16
	daemon_a
	check_tunnel
	ping_run pings 250
	ike_wait 40 'old Child SA deleted' "no rekey"
	ping_lossless pings
	tcp_both
	check_eq "$(esp0_sa_packets | jq length)" 2 "SAs on esp0 after the rekey"
	swanctl_b --list-sas | grep -q 'INSTALLED' || fail "strongSwan lost the Child SA"
}

# strongSwan rekeys the IKE SA (RFC 7296 2.18): the Child SA moves to the
# new IKE SA, whose keys then carry a Child SA rekey; traffic throughout.
case_ike_rekey_by_strongswan() {
	setup start
	charon_up none aes128gcm16
	daemon_a
	check_tunnel
	peer_rekeys_ike
}

# ikehelper rekeys the IKE SA, strongSwan then the Child SA over it.
case_ike_rekey_by_ikehelper() {
	IKE_EXTRA="IkeLifetime = 30s" setup start
	charon_up none aes128gcm16
	daemon_a
	check_tunnel
	ike_rekey_check
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
		fail "strongSwan could not initiate:"$'\n'"$(ike_log)"
	check_tunnel
}

# strongSwan deletes the IKE SA: ikehelper removes the Child SA from espif.
case_delete_by_peer() {
	# strongSwan starts, so that nothing brings the tunnel back.
	setup none
	charon_up none aes128gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(ike_log)"
	check_tunnel
	swanctl_b --terminate --ike a --timeout 10 >/dev/null || true
	ike_wait 15 'peer deletes the IKE SA' "ikehelper did not see the delete"
	ping_ok && fail "traffic still flows after the delete"
	check_eq "$(esp0_sa_packets)" '[]' "SAs left on esp0"
}

# ikehelper demands a cookie from every initiator (CookieThreshold = 0,
# RFC 7296 2.6): strongSwan returns it and the tunnel comes up.
case_responder_cookie() {
	IKE_IFACE_EXTRA="CookieThreshold = 0" setup none
	charon_up none aes128gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(ike_log)"
	check_tunnel
	grep -q 'COOKIE' "$(bg_out charon)" ||
		fail "strongSwan saw no cookie:"$'\n'"$(peer_log | tail -n 20)"
}

# --- Certificates (RFC 7427 signatures; RFC 7296 3.6, 3.7) ---------------
#
# Both sides hold a certificate from the test CA (make_pki); each checks
# the other's chain and that its ID is in it.  charon logs the scheme it
# verified: "authentication of 'a.example' with SCHEME successful".

# peer_verified SCHEME: strongSwan accepted ikehelper's signature so.
peer_verified() {
	grep -q "authentication of 'a.example' with $1 successful" \
		"$(bg_out charon)" ||
		fail "strongSwan did not verify a $1 signature:"$'\n'"$(peer_log | grep -i 'auth\|cert' | tail -n 20)"
}

# ikehelper starts with RSA: PKCS#1 v1.5 with SHA-256 in method 14.
case_cert_rsa_initiator() {
	IKE_CERT=rsa setup start
	SS_CERT=rsa charon_up none aes128gcm16
	daemon_a
	check_tunnel
	peer_verified RSA_EMSA_PKCS1_SHA2_256
	ike_wait 5 'authenticated by certificate, RSA PKCS#1 v1.5 SHA-256' \
		"ikehelper did not verify strongSwan's RSA signature"
}

# strongSwan starts and signs with RSA-PSS: ikehelper answers with PSS.
case_cert_rsa_pss_responder() {
	IKE_CERT=rsa setup none
	SS_CERT=rsa SS_AUTH=rsa/pss-sha256 charon_up none aes128gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(ike_log)"
	check_tunnel
	ike_wait 5 'authenticated by certificate, RSA-PSS SHA-256' \
		"ikehelper did not verify strongSwan's PSS signature"
	peer_verified RSA_EMSA_PSS_SHA2_256_SALT_32
}

# ECDSA P-256 whoever starts; strongSwan starts here.
case_cert_ecdsa_responder() {
	IKE_CERT=ecdsa setup none
	SS_CERT=ecdsa charon_up none aes256gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 30 >/dev/null ||
		fail "strongSwan could not initiate:"$'\n'"$(ike_log)"
	check_tunnel
	peer_verified ECDSA_WITH_SHA256_DER
}

# Ed25519 (RFC 8420): only in method 14, with the Identity "hash".
case_cert_ed25519_initiator() {
	IKE_CERT=ed25519 setup start
	SS_CERT=ed25519 charon_up none aes128gcm16
	daemon_a
	check_tunnel
	peer_verified ED25519
}

# A peer without RFC 7427 (as Windows and Apple clients): strongSwan
# with signature_authentication = no ignores our announcement and signs
# ECDSA with method 9 (RFC 4754); ikehelper falls back to it too.
case_cert_classic_ecdsa() {
	IKE_CERT=ecdsa setup start
	SS_CERT=ecdsa SS_CHARON='signature_authentication = no' \
		charon_up none aes128gcm16
	daemon_a
	check_tunnel
	peer_verified 'ECDSA-256 signature'
}

# Through the NAT: IKE_AUTH with a certificate is larger than the path
# MTU, so IP fragments cross the masquerading router.
case_cert_initiator_nat() {
	IKE_CERT=rsa setup start nat
	nat_router
	SS_CERT=rsa charon_up none aes128gcm16 nat
	daemon_a
	check_tunnel
	ike_nat_check
}

# strongSwan's certificate is from a CA ikehelper does not trust: no
# tunnel, ikehelper says why, strongSwan hears AUTHENTICATION_FAILED.
case_cert_untrusted_ca() {
	IKE_CERT=ecdsa IKE_CA=ca2 setup none
	SS_CERT=ecdsa charon_up none aes128gcm16
	daemon_a
	swanctl_b --initiate --child net --timeout 20 >/dev/null &&
		fail "strongSwan got a tunnel with an untrusted certificate"
	ike_wait 5 'certificate refused: .*unable to get local issuer' \
		"ikehelper did not refuse the chain"
	grep -q 'AUTHENTICATION_FAILED' "$(bg_out charon)" ||
		fail "strongSwan was not told:"$'\n'"$(peer_log | tail -n 20)"
	check_eq "$(esp0_sa_packets)" '[]' "SAs on esp0"
}

# strongSwan vanishes: ikehelper's DPD clears the SAs, then restarts.
case_dpd_peer_gone() { dpd_check charon_up none aes128gcm16; }

CASES=(
	"initiator_psk		case_initiator_psk"
	"responder_psk		case_responder_psk"
	"initiator_nat		case_initiator_nat"
	"initiator_chacha	case_initiator_chacha"
	"responder_cbc		case_responder_cbc"
	"delete_by_peer		case_delete_by_peer"
	"dpd_peer_gone		case_dpd_peer_gone"
	"rekey_by_strongswan	case_rekey_by_strongswan"
	"rekey_by_ikehelper	case_rekey_by_ikehelper"
	"rekey_pfs_by_strongswan	case_rekey_pfs_by_strongswan"
	"ike_rekey_by_strongswan	case_ike_rekey_by_strongswan"
	"ike_rekey_by_ikehelper	case_ike_rekey_by_ikehelper"
	"responder_cookie	case_responder_cookie"
	"cert_rsa_initiator	case_cert_rsa_initiator"
	"cert_rsa_pss_responder	case_cert_rsa_pss_responder"
	"cert_ecdsa_responder	case_cert_ecdsa_responder"
	"cert_ed25519_initiator	case_cert_ed25519_initiator"
	"cert_classic_ecdsa	case_cert_classic_ecdsa"
	"cert_initiator_nat	case_cert_initiator_nat"
	"cert_untrusted_ca	case_cert_untrusted_ca"
)
[ -x "$CHARON" ] || skip "strongSwan's charon is not installed (apt-get install strongswan-charon strongswan-swanctl)"
ktap_run_cases
