#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Interoperability with the kernel's own IPsec (xfrm, `ip xfrm state` and
# `ip xfrm policy`, tunnel mode) given the same keys: for every algorithm,
# raw ESP and ESP in UDP (RFC 3948), outer IPv4 and IPv6, inner IPv4 and
# IPv6 both cross the tunnel both ways (pings, 256 KiB of TCP checked byte
# for byte).  The wire, captured between the two, carries ESP of the
# expected kind only, as many packets as espif's SA counters say, and not
# one inner packet in the clear; nothing is counted as a drop or an error
# by espif or by xfrm.  ESN (RFC 4303 2.2.1) with an AEAD and with
# AES-CBC/HMAC-SHA-256 (the high sequence bits in the ICV).
#
#   ns "a" (espif)                          ns "b" (xfrm, the reference)
#   +-----------------------------+         +-------------------------------+
#   | esp0 192.168.1.1/32 fd01::1 |         | dummy0 192.168.2.1/32 fd02::1 |
#   |  peer 1: 192.168.2.0/24,    |         | xfrm policies 192.168.1.0/24, |
#   |          fd02::/64          |         |  fd01::/64 <-> the tunnel     |
#   | [espif_sock.py attach 4500] |         | [espif_sock.py xfrm 4500]     |
#   | va 10.99.0.1/24 fd00:99::1  |         | vb 10.99.0.2/24 fd00:99::2    |
#   +-------------|---------------+         +--------------|----------------+
#                 |         ns "w" (the wire)              |
#                 |   +--------------------------------+   |
#                 +---+ wa --- br0 --- wb              +---+
#                     +--------------------------------+
#                       tcpdump -i wa: what a sends and receives
#
#   SPI 0x2000 a -> b, SPI 0x1000 b -> a; [...]: ESP in UDP only.

source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/xfrm_lib.sh"

# interop ALG KEYLEN TRANSPORT OUTER [esn]
interop() {
	local wire

	tunnel_up "$@"
	cap_start
	traffic_both_ways 4
	traffic_both_ways 6
	cap_stop
	wire=$(wire_check)
	# Each way, per inner family: 3 echo requests and 3 replies at least.
	counters_check "$wire" 12
}

case_gcm128_esp_4() { interop aes-gcm 16 esp 4; }
case_gcm128_esp_6() { interop aes-gcm 16 esp 6; }
case_gcm128_udp_4() { interop aes-gcm 16 udp 4; }
case_gcm128_udp_6() { interop aes-gcm 16 udp 6; }
case_gcm256_esp_4() { interop aes-gcm 32 esp 4; }
case_chacha_esp_4() { interop chacha20-poly1305 32 esp 4; }
case_chacha_esp_6() { interop chacha20-poly1305 32 esp 6; }
case_chacha_udp_4() { interop chacha20-poly1305 32 udp 4; }
case_chacha_udp_6() { interop chacha20-poly1305 32 udp 6; }
case_cbc128_esp_4() { interop aes-cbc-hmac-sha256 16 esp 4; }
case_cbc128_esp_6() { interop aes-cbc-hmac-sha256 16 esp 6; }
case_cbc128_udp_4() { interop aes-cbc-hmac-sha256 16 udp 4; }
case_cbc128_udp_6() { interop aes-cbc-hmac-sha256 16 udp 6; }

# esn_check: both of espif's SAs say ESN.
esn_check() {
	check_eq "$(sa_get out "$SPI_B" | jq -r '.esn // false')" true "ESN on the outbound SA"
	check_eq "$(sa_get in "$SPI_A" | jq -r '.esn // false')" true "ESN on the inbound SA"
}

case_esn_gcm_udp_4() {
	interop aes-gcm 16 udp 4 esn
	esn_check
}

case_esn_cbc256_esp_6() {
	interop aes-cbc-hmac-sha256 32 esp 6 esn
	esn_check
}

CASES=(
	"gcm128_esp_4		case_gcm128_esp_4"
	"gcm128_esp_6		case_gcm128_esp_6"
	"gcm128_udp_4		case_gcm128_udp_4"
	"gcm128_udp_6		case_gcm128_udp_6"
	"gcm256_esp_4		case_gcm256_esp_4"
	"chacha_esp_4		case_chacha_esp_4"
	"chacha_esp_6		case_chacha_esp_6"
	"chacha_udp_4		case_chacha_udp_4"
	"chacha_udp_6		case_chacha_udp_6"
	"cbc128_esp_4		case_cbc128_esp_4"
	"cbc128_esp_6		case_cbc128_esp_6"
	"cbc128_udp_4		case_cbc128_udp_4"
	"cbc128_udp_6		case_cbc128_udp_6"
	"esn_gcm_udp_4		case_esn_gcm_udp_4"
	"esn_cbc256_esp_6	case_esn_cbc256_esp_6"
)
ktap_run_cases
