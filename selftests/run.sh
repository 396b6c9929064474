#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh [TEST...]: run selftests/TEST.sh (default: every test below) as one
# KTAP report, each test a subtest, and end with "N passed, N failed" over
# all cases.  Needs root and espif.ko (ESPIF_KO); run-vm.sh runs it in a VM.

cd "$(dirname "$0")" || exit 1

ALL_TESTS=(module links netns genl ikehelper xfrm esp rekey teardown sa fuzz ike libreswan)
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("${ALL_TESTS[@]}")

echo "KTAP version 1"
echo "1..${#tests[@]}"
n=0 failed_tests=0 cases_pass=0 cases_fail=0 cases_skip=0
for t in "${tests[@]}"; do
	n=$((n + 1))
	out=$(mktemp)
	if [ ! -x "./$t.sh" ]; then
		echo "# no such test: $t"
		echo "not ok $n $t"
		failed_tests=$((failed_tests + 1))
		continue
	fi
	echo "# selftest: $t"
	"./$t.sh" 2>&1 | tee "$out" | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	cases_pass=$((cases_pass + $(grep -Ec '^ok [0-9]+ [^#]*$' "$out")))
	cases_skip=$((cases_skip + $(grep -Ec '^ok [0-9]+ .*# SKIP' "$out")))
	cases_fail=$((cases_fail + $(grep -Ec '^not ok [0-9]+ ' "$out")))
	rm -f "$out"
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $t"
	else
		echo "not ok $n $t"
		failed_tests=$((failed_tests + 1))
		# A script that died before its plan finished still fails.
		[ "$cases_fail" -gt 0 ] || cases_fail=$((cases_fail + 1))
	fi
done
echo "# Totals: pass:$((n - failed_tests)) fail:$failed_tests skip:0"
echo "selftests: $cases_pass passed, $cases_fail failed, $cases_skip skipped"
[ "$failed_tests" -eq 0 ]
