#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# espif interfaces as rtnetlink objects: created and deleted with stock
# iproute2, in numbers, with a sane MTU range, and never a path for
# cleartext: with no security association everything routed into the
# interface is dropped and counted.
#
#   init netns
#   +-------------------------------------------+
#   | esp0 10.99.0.1 peer 10.99.0.2  (no SA)    |
#   |   ping 10.99.0.2 -> dropped, tx_dropped++ |
#   +-------------------------------------------+

source "$(dirname "$0")/lib.sh"

case_create_delete() {
	espif_load
	ip link add esp0 type espif
	check_eq "$(espif_links)" esp0 "espif interfaces"
	ip -j -d link show esp0 | jq -e '.[0].linkinfo.info_kind == "espif"' >/dev/null ||
		fail "kind is not espif"
	ip -j link show esp0 | jq -e '.[0].flags | index("POINTOPOINT") and index("NOARP")' >/dev/null ||
		fail "esp0 is not a point-to-point, ARP-less link"
	check_eq "$(ip -j link show esp0 | jq '.[0].mtu')" 1395 "default MTU"
	ip link del esp0
	check_eq "$(espif_count)" 0 "espif interfaces after delete"
	dmesg_clean
}

case_default_name() {
	espif_load
	ip link add type espif
	check_eq "$(espif_links)" espif0 "kernel-chosen name"
	ip link del espif0
}

case_create_many() {
	local n=512 i

	espif_load
	for i in $(seq 1 $n); do echo "link add esp$i type espif"; done > "$ESPIF_TMP/add"
	for i in $(seq 1 $n); do echo "link del esp$i"; done > "$ESPIF_TMP/del"
	ip -batch "$ESPIF_TMP/add"
	check_eq "$(espif_count)" $n "espif interfaces after batch add"
	ip -batch "$ESPIF_TMP/del"
	check_eq "$(espif_count)" 0 "espif interfaces after batch delete"
	dmesg_clean
}

case_mtu_range() {
	espif_load
	ip link add esp0 type espif
	ip link set esp0 mtu 576
	ip link set esp0 mtu 1500
	ip link set esp0 mtu $((65535 - 105))
	expect_error 'mtu less than device minimum|Invalid argument' ip link set esp0 mtu 575
	expect_error 'mtu greater than device maximum|Invalid argument' \
		ip link set esp0 mtu $((65535 - 104))
	ip link del esp0
}

case_no_cleartext() {
	local dropped

	espif_load
	ip link add esp0 type espif
	# Only our pings may be counted: no IPv6 (MLD, router solicitations).
	sysctl -qw net.ipv6.conf.esp0.disable_ipv6=1
	ip addr add 10.99.0.1 peer 10.99.0.2 dev esp0
	ip link set esp0 up
	command -v ping >/dev/null || fail "ping (iputils-ping) is not installed"
	ping -c 3 -i 0.2 -W 1 10.99.0.2 >/dev/null 2>&1 &&
		fail "ping through an espif without SA got an answer"
	dropped=$(ip -j -s link show esp0 | jq '.[0].stats64.tx.dropped')
	check_eq "$dropped" 3 "tx dropped"
	check_eq "$(ip -j -s link show esp0 | jq '.[0].stats64.tx.packets')" 0 "tx packets"
	ip link del esp0
}

CASES=(
	"create_delete		case_create_delete"
	"default_name		case_default_name"
	"create_many		case_create_many"
	"mtu_range		case_mtu_range"
	"no_cleartext		case_no_cleartext"
)
ktap_run_cases
