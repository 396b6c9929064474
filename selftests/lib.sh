# SPDX-License-Identifier: GPL-2.0-or-later
#
# Shared helpers for espif's selftests, sourced by every selftests/*.sh.
#
# A test script defines one shell function per case and a table of named
# cases, then calls `ktap_run_cases`:
#
#	CASES=(
#		"create_one	case_create_one"
#		"create_many	case_create_many"
#	)
#	ktap_run_cases
#
# Each case runs in a subshell with `set -e`: any failing command, or a
# failed `check`, fails the case; its output is then printed as KTAP
# diagnostics (always, when KTAP_SHOW_OUTPUT=1: the demo narrates).  A case
# that calls `skip REASON` is reported as skipped.
# Output is KTAP version 1; the exit status is 0 when nothing failed.

set -u
export LC_ALL=C

ESPIF_TOP=${ESPIF_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ESPIF_KO=${ESPIF_KO:-$ESPIF_TOP/kmod/espif.ko}
ESPIF_IKEHELPER=${ESPIF_IKEHELPER:-$ESPIF_TOP/ikehelper/ikehelper}
# Sanitizer reports fail the case: abort on the first, leaks included.
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
readonly KSFT_SKIP=4

# --- assertions ----------------------------------------------------------

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit "$KSFT_SKIP"; }

# check_eq ACTUAL EXPECTED WHAT
check_eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
}

# expect_error PATTERN CMD...: CMD must fail and print PATTERN (ERE).
expect_error() {
	local pattern=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "'$*' succeeded; expected an error matching /$pattern/:"$'\n'"$out"
	fi
	echo "$out" | grep -Eq -- "$pattern" ||
		fail "'$*' failed without /$pattern/:"$'\n'"$out"
}

# dmesg_clean: no kernel warning, oops, or leaked reference since the mark.
dmesg_mark() { dmesg | wc -l > "$ESPIF_TMP/dmesg.mark"; }
dmesg_clean() {
	local from=0 bad
	[ -f "$ESPIF_TMP/dmesg.mark" ] && from=$(cat "$ESPIF_TMP/dmesg.mark")
	bad=$(dmesg | tail -n +"$((from + 1))" |
	      grep -E 'WARNING:|BUG:|Oops|general protection|refcount_t|unregister_netdevice: waiting|kmemleak|UBSAN|KASAN|list_(add|del) corruption' || true)
	[ -z "$bad" ] || fail "kernel log: $bad"
}

# --- the module and its interfaces ---------------------------------------

espif_loaded() { [ -d /sys/module/espif ]; }

espif_load() {
	espif_loaded && return 0
	insmod "$ESPIF_KO"
}

espif_unload() {
	espif_loaded || return 0
	# rmmod must finish even with interfaces alive: bound it so that a
	# leaked reference (unregister_netdevice waiting) fails the case.
	timeout 60 rmmod espif
}

# espif_links [NETNS]: names of the espif interfaces, one per line.
espif_links() {
	ip ${1:+-n "$1"} -j -d link show type espif |
		jq -r '.[] | .ifname'
}

espif_count() { espif_links "$@" | grep -c . || true; }

ifindex_of() { cat "/sys/class/net/$1/ifindex"; }

# --- network namespaces --------------------------------------------------

# ns_add NAME: create namespace espif-<pid>-NAME with lo up; print its name.
# cleanup_all removes every namespace of this script by that prefix.
ns_add() {
	local ns="espif-$$-$1"
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	echo "$ns"
}

# --- the generic netlink family, through the kernel's YNL CLI ------------

# ynl ARGS...: tools/net/ynl/cli.py with our spec; JSON output.
ynl() {
	[ -n "${ESPIF_YNL:-}" ] && [ -f "$ESPIF_YNL/cli.py" ] ||
		skip "ESPIF_YNL does not point at the kernel's tools/net/ynl"
	/usr/bin/python3 "$ESPIF_YNL/cli.py" \
		--spec "$ESPIF_TOP/uapi/espif.yaml" \
		--schema "$ESPIF_YNL/../../../Documentation/netlink/genetlink-legacy.yaml" \
		--output-json "$@"
}

ikehelper() { "$ESPIF_IKEHELPER" "$@"; }

# --- KTAP ----------------------------------------------------------------

cleanup_all() {
	local ns
	for ns in $(ip netns list | awk -v p="espif-$$-" 'index($1, p) == 1 { print $1 }'); do
		ip netns del "$ns"
	done
	ip -j link show type espif 2>/dev/null | jq -r '.[].ifname' |
		while read -r l; do ip link del "$l"; done
}

ktap_run_cases() {
	local n=${#CASES[@]} i=0 entry name fn rc log
	local pass=0 failed=0 skipped=0

	ESPIF_TMP=$(mktemp -d)
	echo "KTAP version 1"
	echo "1..$n"
	for entry in "${CASES[@]}"; do
		i=$((i + 1))
		read -r name fn <<< "$entry"
		log="$ESPIF_TMP/$name.log"
		dmesg_mark
		(set -e; "$fn") > "$log" 2>&1
		rc=$?
		# Each case starts from a clean slate whatever it left.
		(cleanup_all) >/dev/null 2>&1
		if [ "${KTAP_SHOW_OUTPUT:-0}" = 1 ] ||
		   { [ "$rc" -ne 0 ] && [ "$rc" -ne "$KSFT_SKIP" ]; }; then
			sed 's/^/# /' "$log"
		fi
		if [ "$rc" -eq 0 ]; then
			echo "ok $i $name"
			pass=$((pass + 1))
		elif [ "$rc" -eq "$KSFT_SKIP" ]; then
			echo "ok $i $name # SKIP $(sed -n 's/^SKIP: //p' "$log" | tail -n 1)"
			skipped=$((skipped + 1))
		else
			echo "not ok $i $name"
			failed=$((failed + 1))
		fi
	done
	echo "# Totals: pass:$pass fail:$failed skip:$skipped"
	rm -rf "$ESPIF_TMP"
	[ "$failed" -eq 0 ]
}
