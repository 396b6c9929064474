#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Module lifetime: espif.ko loads, registers its link type and its generic
# netlink family, and unloads cleanly, also while interfaces exist in
# several network namespaces (rmmod must delete them all, leak nothing and
# leave no warning in the kernel log).
#
#   init netns                    ns "a"
#   +------------------------+    +----------------+
#   | esp0 .. esp15 (espif)  |    | esp0 .. esp3   |
#   +------------------------+    +----------------+
#            \______ rmmod espif removes all ______/

source "$(dirname "$0")/lib.sh"

genl_has_espif() { genl ctrl get name espif >/dev/null 2>&1; }

case_load() {
	espif_unload
	espif_load
	espif_loaded || fail "/sys/module/espif missing after insmod"
	genl_has_espif || fail "generic netlink family espif not registered"
	genl ctrl get name espif | grep -q 'Version: 0x1' ||
		fail "family version is not 1"
	dmesg_clean
}

case_link_kind() {
	espif_load
	ip link add esp0 type espif
	ip -d link show esp0 | grep -qw espif || fail "esp0 does not report kind espif"
	ip link del esp0
}

case_unload_idle() {
	espif_load
	espif_unload
	espif_loaded && fail "module still loaded"
	genl_has_espif && fail "family espif still registered after rmmod"
	expect_error 'Unknown device type|not supported|Error' \
		ip link add esp0 type espif
	dmesg_clean
}

case_unload_with_links() {
	local ns i

	espif_load
	ns=$(ns_add a)
	for i in $(seq 0 15); do
		ip link add "esp$i" type espif
	done
	ip link set esp0 up
	for i in $(seq 0 3); do
		ip -n "$ns" link add "esp$i" type espif
	done
	ip -n "$ns" link set esp1 up
	check_eq "$(espif_count)" 16 "espif interfaces in init netns"
	check_eq "$(espif_count "$ns")" 4 "espif interfaces in $ns"

	espif_unload
	espif_loaded && fail "module still loaded"
	check_eq "$(ip -j link show | jq '[.[] | select(.ifname | test("^esp[0-9]+$"))] | length')" 0 \
		"esp interfaces left in init netns"
	check_eq "$(ip -n "$ns" -j link show | jq 'length')" 1 \
		"links left in $ns (only lo)"
	dmesg_clean
}

case_reload_cycles() {
	local i

	for i in 1 2 3 4 5; do
		espif_load
		ip link add "esp$i" type espif
		ip link set "esp$i" up
		espif_unload
	done
	espif_load
	genl_has_espif || fail "family missing after reload"
	dmesg_clean
}

CASES=(
	"load			case_load"
	"link_kind		case_link_kind"
	"unload_idle		case_unload_idle"
	"unload_with_links	case_unload_with_links"
	"reload_cycles		case_reload_cycles"
)
ktap_run_cases
