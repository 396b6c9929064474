#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ikehelper show` against the real family: lists what exists, as text and
# as JSON, and turns every refusal into one clear line (the kernel's extack
# text when there is one) and a non-zero exit.  Built with ASan and UBSan.
#
#   init netns
#   +--------------------------------------+
#   | esp0, esp1 (espif)   lo (not espif)  |
#   +--------------------------------------+

source "$(dirname "$0")/lib.sh"

case_not_loaded() {
	espif_unload
	expect_error 'espif module is not loaded' ikehelper show
}

case_show_empty() {
	espif_load
	check_eq "$(ikehelper show --json)" '[]' "JSON with no interface"
	check_eq "$(ikehelper show)" '' "text with no interface"
}

case_show_json() {
	espif_load
	ip link add esp0 type espif
	ip link add esp1 type espif
	check_eq "$(ikehelper show --json | jq -c 'map(.ifname) | sort')" \
		'["esp0","esp1"]' "interfaces"
	check_eq "$(ikehelper show --json | jq '.[] | select(.ifname == "esp1") | .ifindex')" \
		"$(ifindex_of esp1)" "ifindex of esp1"
}

case_show_one() {
	espif_load
	ip link add esp0 type espif
	check_eq "$(ikehelper show esp0 | head -n 1)" 'interface: esp0' "text header"
	check_eq "$(ikehelper show esp0 --json)" \
		"[{\"ifname\":\"esp0\",\"ifindex\":$(ifindex_of esp0)}]" "JSON of esp0"
}

case_show_not_espif() {
	espif_load
	expect_error '^ikehelper: lo: espif: interface is not an espif interface \(Operation not supported\)$' \
		ikehelper show lo
}

case_show_no_such() {
	espif_load
	expect_error '^ikehelper: nosuch0: no such interface$' ikehelper show nosuch0
}

case_usage() {
	local rc=0

	ikehelper bogus >/dev/null 2>&1 || rc=$?
	check_eq "$rc" 2 "exit status of an unknown subcommand"
	rc=0
	ikehelper show a b >/dev/null 2>&1 || rc=$?
	check_eq "$rc" 2 "exit status of extra arguments"
	ikehelper --help | grep -q '^  show ' || fail "--help does not list show"
}

# The daemon refuses a bad file with its line, a file others can read, an
# interface that is not there.
case_daemon_config() {
	local conf="$ESPIF_TMP/esp0.conf" out rc

	printf '[Interface]\nLocalId = a\nColour = blue\n' > "$conf"
	chmod 600 "$conf"
	rc=0
	out=$(ikehelper daemon -c "$conf" lo 2>&1) || rc=$?
	check_eq "$rc" 1 "exit status for a bad line"
	[[ $out == *"$conf:3: Colour: unknown key in [Interface]"* ]] ||
		fail "no line number in: $out"
	printf '[Interface]\nLocalId = a\n' > "$conf"
	chmod 644 "$conf"
	rc=0
	out=$(ikehelper daemon -c "$conf" lo 2>&1) || rc=$?
	check_eq "$rc" 1 "exit status for a readable file"
	[[ $out == *"readable by others"* ]] || fail "readable file taken: $out"
	chmod 600 "$conf"
	rc=0
	out=$(ikehelper daemon -c "$conf" nosuch0 2>&1) || rc=$?
	check_eq "$rc" 1 "exit status for a missing interface"
	[[ $out == *"nosuch0: no such interface"* ]] || fail "wrong message: $out"
}

CASES=(
	"not_loaded		case_not_loaded"
	"show_empty		case_show_empty"
	"show_json		case_show_json"
	"show_one		case_show_one"
	"show_not_espif		case_show_not_espif"
	"show_no_such		case_show_no_such"
	"usage			case_usage"
	"daemon_config		case_daemon_config"
)
ktap_run_cases
