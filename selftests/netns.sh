#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# espif and network namespaces: interfaces live in, move between and die
# with namespaces.
#
#   init netns              ns "a"                 ns "b"
#   +-------------+  move   +----------------+     +------------------+
#   | esp1  ------+-------->| esp0, esp1     |     | esp0..esp7       |
#   +-------------+         +----------------+     +------------------+
#                             same names as           ip netns del b:
#                             ns "b": no clash        all eight go

source "$(dirname "$0")/lib.sh"

case_create_in_netns() {
	local ns

	espif_load
	ns=$(ns_add a)
	ip -n "$ns" link add esp0 type espif
	check_eq "$(espif_links "$ns")" esp0 "espif interfaces in $ns"
	check_eq "$(espif_count)" 0 "espif interfaces in init netns"
}

case_same_name_two_netns() {
	local a b

	espif_load
	a=$(ns_add a)
	b=$(ns_add b)
	ip -n "$a" link add esp0 type espif
	ip -n "$b" link add esp0 type espif
	ip link add esp0 type espif
	check_eq "$(espif_count "$a")$(espif_count "$b")$(espif_count)" 111 \
		"one esp0 per namespace"
}

case_move_netns() {
	local ns

	espif_load
	ns=$(ns_add a)
	ip link add esp1 type espif
	ip link set esp1 netns "$ns"
	check_eq "$(espif_count)" 0 "espif interfaces left in init netns"
	check_eq "$(espif_links "$ns")" esp1 "espif interfaces in $ns"
	ip -n "$ns" link set esp1 up
	ip -n "$ns" link del esp1
	check_eq "$(espif_count "$ns")" 0 "espif interfaces in $ns after delete"
}

case_netns_delete() {
	local ns i

	espif_load
	ns=$(ns_add b)
	for i in $(seq 0 7); do
		ip -n "$ns" link add "esp$i" type espif
		ip -n "$ns" link set "esp$i" up
	done
	check_eq "$(espif_count "$ns")" 8 "espif interfaces in $ns"
	ip netns del "$ns"
	# Namespace teardown is asynchronous (cleanup_net workqueue); the
	# module can only go once it has finished with our interfaces.
	espif_unload
	espif_load
	dmesg_clean
}

CASES=(
	"create_in_netns	case_create_in_netns"
	"same_name_two_netns	case_same_name_two_netns"
	"move_netns		case_move_netns"
	"netns_delete		case_netns_delete"
)
ktap_run_cases
