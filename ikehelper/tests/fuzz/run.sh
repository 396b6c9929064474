#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run.sh [SECONDS]: build ikehelper's libFuzzer harnesses (clang, ASan +
# UBSan) and run each for SECONDS (default 60, or FUZZ_TIME) from its seed
# corpus (tests/fuzz/corpus/<harness>/) and dictionary (<harness>.dict, if
# any); `make fuzz`.
# KTAP out: one line per harness with its executions; a crash, leak or
# sanitizer report fails it and leaves the input in FUZZ_OUT (default a
# temporary directory, printed).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
ike=$(cd "$here/../.." && pwd)
secs=${1:-${FUZZ_TIME:-60}}
out=${FUZZ_OUT:-$(mktemp -d)}
harnesses=(pld config cert)

make -s -C "$ike" OUT="$out/build" fuzz-build || exit 1
echo "KTAP version 1"
echo "1..${#harnesses[@]}"
rc=0 i=0
for h in "${harnesses[@]}"; do
	i=$((i + 1))
	corpus="$out/corpus-$h"
	mkdir -p "$corpus"
	cp "$here/corpus/$h/"* "$corpus/" 2>/dev/null
	log="$out/$h.log"
	dict=()
	[ -f "$here/$h.dict" ] && dict=(-dict="$here/$h.dict")
	(cd "$out" && "$out/build/fuzz/${h}_fuzz" -max_total_time="$secs" "${dict[@]}" \
		-timeout=10 -rss_limit_mb=2048 -max_len=4096 \
		-print_final_stats=1 "$corpus") > "$log" 2>&1
	r=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$r" -eq 0 ]; then
		echo "ok $i ${h}_fuzz # ${execs:-?} executions in $secs s, corpus $(ls "$corpus" | wc -l)"
	else
		grep -E 'ERROR|SUMMARY|crash-|leak-|timeout-' "$log" | head -n 20 | sed 's/^/# /'
		echo "not ok $i ${h}_fuzz # exit $r; inputs and log in $out"
		rc=1
	fi
done
[ -n "${FUZZ_OUT:-}" ] || [ "$rc" -ne 0 ] || rm -rf "$out"
exit "$rc"
