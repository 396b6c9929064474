#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The espif generic netlink family, driven by the kernel's own YNL CLI with
# uapi/espif.yaml: it answers with what exists, sees only the requester's
# namespace, and refuses bad input with an extack message, never a crash.
#
#   init netns                          ns "a"
#   +--------------------------------+  +-----------------+
#   | esp0, esp1 (espif), dummy0, lo |  | esp9 (espif)    |
#   +--------------------------------+  +-----------------+

source "$(dirname "$0")/lib.sh"

dev_get() { ynl --do dev-get --json "$1"; }

case_dump() {
	espif_load
	modprobe dummy 2>/dev/null || true
	ip link add esp0 type espif
	ip link add esp1 type espif
	ip link add dummy0 type dummy 2>/dev/null || true
	check_eq "$(ynl --dump dev-get | jq -c '[.[] | .ifname] | sort')" \
		'["esp0","esp1"]' "dumped interfaces"
	check_eq "$(ynl --dump dev-get | jq -c '[.[] | .ifindex] | sort')" \
		"$(printf '[%s,%s]' "$(ifindex_of esp0)" "$(ifindex_of esp1)")" \
		"dumped ifindexes"
	ip link del dummy0 2>/dev/null || true
}

case_dump_empty() {
	espif_load
	check_eq "$(ynl --dump dev-get | jq -c .)" '[]' "dump with no interface"
}

case_do() {
	local idx

	espif_load
	ip link add esp0 type espif
	idx=$(ifindex_of esp0)
	check_eq "$(dev_get "{\"ifindex\": $idx}" | jq -c '{ifindex, ifname}')" \
		"{\"ifindex\":$idx,\"ifname\":\"esp0\"}" "dev-get reply"
	# A fresh interface has dropped nothing, for any reason.
	check_eq "$(dev_get "{\"ifindex\": $idx}" | jq -c '[.stats[]] | unique')" \
		'[0]' "drop counters of a new interface"
}

case_missing_ifindex() {
	espif_load
	expect_error 'missing interface index' dev_get '{}'
}

case_unknown_ifindex() {
	espif_load
	expect_error 'no interface with this index' dev_get '{"ifindex": 999999}'
}

case_zero_ifindex() {
	espif_load
	expect_error "bad-attr|out of range|Invalid argument" dev_get '{"ifindex": 0}'
}

# ifname is reply-only: the do policy stops at ifindex, and strict
# validation refuses anything beyond it.
case_reply_only_attr() {
	local idx

	espif_load
	ip link add esp0 type espif
	idx=$(ifindex_of esp0)
	expect_error 'Unknown attribute|unknown attribute|Invalid argument' \
		dev_get "{\"ifindex\": $idx, \"ifname\": \"esp0\"}"
}

case_wrong_type() {
	espif_load
	expect_error 'not an espif interface' dev_get '{"ifindex": 1}'
}

case_netns_isolation() {
	local ns idx

	espif_load
	ns=$(ns_add a)
	ip link add esp0 type espif
	ip -n "$ns" link add esp9 type espif
	check_eq "$(ip netns exec "$ns" bash -c "$(declare -f ynl skip); ynl --dump dev-get" |
		jq -c '[.[] | .ifname]')" '["esp9"]' "dump inside $ns"
	idx=$(ifindex_of esp0)
	# esp0's index means nothing in ns a, unless esp9 happens to share it.
	[ "$(ip netns exec "$ns" cat /sys/class/net/esp9/ifindex)" = "$idx" ] && skip "index clash"
	expect_error 'no interface with this index' \
		ip netns exec "$ns" bash -c "$(declare -f ynl skip); ynl --do dev-get --json '{\"ifindex\": $idx}'"
}

case_needs_net_admin() {
	espif_load
	ip link add esp0 type espif
	expect_error 'Operation not permitted' \
		setpriv --bounding-set=-net_admin --inh-caps=-net_admin \
		bash -c "$(declare -f ynl skip); ynl --dump dev-get"
}

CASES=(
	"dump			case_dump"
	"dump_empty		case_dump_empty"
	"do			case_do"
	"missing_ifindex	case_missing_ifindex"
	"unknown_ifindex	case_unknown_ifindex"
	"zero_ifindex		case_zero_ifindex"
	"reply_only_attr	case_reply_only_attr"
	"wrong_type		case_wrong_type"
	"netns_isolation	case_netns_isolation"
	"needs_net_admin	case_needs_net_admin"
)
ktap_run_cases
