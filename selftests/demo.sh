#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The demo (`make demo`): what espif does today, narrated, in a VM.
#
#   init netns                         ns "site-b"
#   +-----------------------------+    +-----------------+
#   | esp0 10.99.0.1 -> 10.99.0.2 |    | esp0            |
#   +-----------------------------+    +-----------------+
#
# Each step is also a check, so the demo fails loudly if espif misbehaves.

source "$(dirname "$0")/lib.sh"

say() { echo "==> $*"; }
run() { echo "\$ $*"; "$@"; }

case_demo() {
	local ns

	espif_unload
	say "load espif.ko"
	run insmod "$ESPIF_KO"
	say "create interfaces with stock iproute2, one in another namespace"
	run ip link add esp0 type espif
	ns=$(ns_add site-b)
	run ip -n "$ns" link add esp0 type espif
	run ip -d link show esp0
	say "the generic netlink family answers: ikehelper show"
	run ikehelper show
	run ikehelper show --json
	say "bad requests get a reason, not a crash"
	ikehelper show lo || true
	say "no SA yet: traffic into esp0 is dropped and counted, never sent in clear"
	sysctl -qw net.ipv6.conf.esp0.disable_ipv6=1
	run ip addr add 10.99.0.1 peer 10.99.0.2 dev esp0
	run ip link set esp0 up
	run ping -c 2 -W 1 10.99.0.2 || true
	run ip -s link show esp0
	check_eq "$(ip -j -s link show esp0 | jq '.[0].stats64.tx.dropped')" 2 "tx dropped"
	say "rmmod removes every espif interface, in every namespace"
	run rmmod espif
	check_eq "$(ip -n "$ns" -j link show | jq length)" 1 "links left in $ns"
	dmesg_clean
}

# Unlike the tests, the demo shows its output whether it passes or not.
CASES=("demo	case_demo")
KTAP_SHOW_OUTPUT=1 ktap_run_cases
