#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check.sh [STAGE...]: every check espif has, as one KTAP report.  `make
# check` runs it; CI runs `make check`.  Stages (default: all, in order):
#
#   regen        uapi/espif.yaml regenerates to exactly the committed files
#   style        checkpatch.pl --strict over kmod/ (generated code excepted)
#   ikehelper    ikehelper builds warning-free (-Werror) with gcc and clang,
#                and its unit tests pass under ASan and UBSan
#   fuzz         ikehelper's libFuzzer harnesses, FUZZ_TIME (60) s each
#   kunit        the KUnit suites (kmod/tests) with kunit.py on UML, espif
#                linked into linux-source-6.12 (selftests/kunit.sh)
#   vm-6.1       the selftests in a VM on Debian's newest 6.1 kernel, but
#                for the traffic-heavy interop suites (xfrm, rekey,
#                teardown), which run on 6.12 only to keep make check
#                under an hour on 2 cores (ESPIF_CHECK_FULL=1: all)
#   vm-6.12      every selftest in a VM on Debian's newest 6.12 kernel
#   vm-debug     (not in the default set: `make check-debug`) every selftest
#                on a debug kernel built from linux-source-6.12 with KASAN,
#                UBSAN, kmemleak, lockdep, debug objects; any report fails
#   compile-7.2  espif.o builds with -Werror against linux-source-7.2
#   dkms-6.1     `dkms build` against Debian's 6.1 headers package
#   dkms-6.12    `dkms build` against Debian's 6.12 headers package
#
# The VM stages run at the same time (each guest is one host thread, see
# run-vm.sh), started together when the first of them is reached; each
# one's report is printed at its turn (ESPIF_CHECK_SERIAL=1: one by one).
#
# The last line is "check: N passed, N failed": each selftest case counts
# once, every other stage once.  Kernels and sources are cached in
# ESPIF_CACHE (default ~/.cache/espif).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
export ESPIF_CACHE=${ESPIF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/espif}
mkdir -p "$ESPIF_CACHE"
ALL=(regen style ikehelper fuzz kunit vm-6.1 vm-6.12 compile-7.2 dkms-6.1 dkms-6.12)
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=("${ALL[@]}")

log() { echo "# $*"; }

tools_src() {
	ESPIF_PREPARE=no selftests/vm/prepare-source.sh 6.12 "$ESPIF_CACHE"
}

stage_regen() {
	local src out
	src=$(tools_src) || return 1
	out=$(mktemp -d)
	mkdir -p "$out/uapi/linux" "$out/kmod/generated"
	uapi/regen.sh "$src/tools/net/ynl" "$out" || return 1
	if ! diff -ru uapi/linux/espif.h "$out/uapi/linux/espif.h" ||
	   ! diff -ru kmod/generated "$out/kmod/generated"; then
		log "generated files differ from uapi/espif.yaml: run 'make regen' and commit"
		rm -rf "$out"
		return 1
	fi
	rm -rf "$out"
}

stage_style() {
	local src files
	src=$(tools_src) || return 1
	local cp=("$src/scripts/checkpatch.pl" --strict --no-tree --terse
		  --show-types --codespell --codespellfile
		  /usr/lib/python3/dist-packages/codespell_lib/data/dictionary.txt)
	# The committed sources only: no build products, no generated code.
	files=$(git ls-files 'kmod/*.c' 'kmod/*.h' | grep -v -e '^kmod/generated/' -e '^kmod/compat/')
	# shellcheck disable=SC2086
	"${cp[@]}" --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG -f $files || return 1
	# compat.h exists to hold the version checks the rest must not have.
	"${cp[@]}" --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG,LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f kmod/compat/compat.h
}

stage_ikehelper() {
	local cc out rc=0
	for cc in gcc clang; do
		out=$(mktemp -d)
		echo "$cc:"
		make -s -C ikehelper CC="$cc" OUT="$out" || rc=1
		# The parser unit tests, with ASan and UBSan.
		make -s -C ikehelper CC="$cc" OUT="$out" test | tail -n 1 || rc=1
		rm -rf "$out"
	done
	return $rc
}

# KUnit cases count one each, from kunit.py's "Ran N tests: passed: P[, failed:
# F]" line.
# libFuzzer harnesses of ikehelper, FUZZ_TIME seconds each (60).
stage_fuzz() {
	ikehelper/tests/fuzz/run.sh "${FUZZ_TIME:-60}"
}

stage_kunit() {
	local out rc line pass fail
	out=$(mktemp)
	selftests/kunit.sh 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E 'Ran [0-9]+ tests: passed: [0-9]+' "$out" | tail -n 1)
	rm -f "$out"
	if [ -n "$line" ]; then
		pass=$(echo "$line" | sed -E 's/.*passed: ([0-9]+).*/\1/')
		fail=$(echo "$line" | sed -nE 's/.*failed: ([0-9]+).*/\1/p')
		echo "$pass ${fail:-0}" > "$counts"
	fi
	return "$rc"
}

# Selftest cases are counted from run-vm.sh's "selftests: N passed, ..." line.

stage_vm() {
	local series=$1 out rc line
	local src
	src=$(tools_src) || return 1
	local tests=()
	out=$(mktemp)
	if [ "$series" = 6.1 ] && [ "${ESPIF_CHECK_FULL:-0}" != 1 ]; then
		tests=(module links netns genl ikehelper esp sa fuzz)
	fi
	ESPIF_YNL="$src/tools/net/ynl" ESPIF_VM_TIMEOUT=${ESPIF_VM_TIMEOUT:-3000} \
		selftests/vm/run-vm.sh -k "$series" "${tests[@]}" 2>&1 |
		tee "$out"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^selftests: [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	rm -f "$out"
	# The stage runs in a pipeline (a subshell): pass counts via a file.
	[ -n "$line" ] && echo "$line" |
		sed -E 's/^selftests: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/' > "$counts"
	return "$rc"
}

stage_compile() {
	local series=$1 src build
	src=$(selftests/vm/prepare-source.sh "$series" "$ESPIF_CACHE") || return 1
	build=$(mktemp -d)
	cp -r Kbuild kmod uapi "$build/"
	find "$build" -name '*.o' -delete
	# modules_prepare leaves no Module.symvers, so modpost cannot run:
	# build the linked object, which is every compiler diagnostic.
	make -s -C "$src" M="$build" ESPIF_WERROR=1 kmod/espif.o
	local rc=$?
	rm -rf "$build"
	return $rc
}

stage_dkms() {
	local series=$1 kver hdr tmp rc ver
	command -v dkms >/dev/null || { log "dkms is not installed"; return 1; }
	kver=$(selftests/vm/fetch-kernel.sh "$series" "$ESPIF_CACHE") || return 1
	hdr="$ESPIF_CACHE/$kver/root/usr/src/linux-headers-$kver"
	ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
	tmp=$(mktemp -d)
	mkdir -p "$tmp/dkms"
	# A private source and DKMS tree: the host's /usr/src and
	# /var/lib/dkms are left alone.
	make -s dkms-install DESTDIR="$tmp" >/dev/null &&
	dkms --sourcetree "$tmp/usr/src" --dkmstree "$tmp/dkms" add -m espif -v "$ver" >/dev/null &&
	dkms --sourcetree "$tmp/usr/src" --dkmstree "$tmp/dkms" build -m espif -v "$ver" \
		-k "$kver" --kernelsourcedir "$hdr" &&
	ls "$tmp/dkms/espif/$ver/$kver"/*/module/espif.ko*
	rc=$?
	[ $rc -eq 0 ] || cat "$tmp/dkms/espif/$ver/build/make.log" 2>/dev/null
	rm -rf "$tmp"
	return $rc
}

# vm_start: start every VM stage of the run in the background, after what
# they share (the kernel source for YNL, the kernels, Libreswan) is in the
# cache, so that no two of them unpack the same thing at once.
vm_dir=''
vm_start() {
	local st series

	vm_dir=$(mktemp -d)
	tools_src > /dev/null || return 0
	selftests/vm/fetch-libreswan.sh "$ESPIF_CACHE" > /dev/null || return 0
	for st in "${stages[@]}"; do
		[ "${st#vm-}" != "$st" ] || continue
		series=${st#vm-}
		selftests/vm/fetch-kernel.sh "$series" "$ESPIF_CACHE" > /dev/null ||
			continue
		: > "$vm_dir/$st.log"
		(counts=$vm_dir/$st.counts
		 stage_vm "$series" > "$vm_dir/$st.log" 2>&1
		 echo $? > "$vm_dir/$st.rc.new"
		 mv "$vm_dir/$st.rc.new" "$vm_dir/$st.rc") &
	done
}

# stage_vm_wait SERIES: the report of a VM stage that vm_start started
# (or, if it could not, of the stage run now).
stage_vm_wait() {
	local st=vm-$1 rc

	if [ -z "$vm_dir" ] || [ ! -e "$vm_dir/$st.log" ]; then
		stage_vm "$1"
		return
	fi
	while [ ! -e "$vm_dir/$st.rc" ]; do
		sleep 5
	done
	cat "$vm_dir/$st.log"
	[ -s "$vm_dir/$st.counts" ] && cp "$vm_dir/$st.counts" "$counts"
	rc=$(cat "$vm_dir/$st.rc")
	return "$rc"
}

echo "KTAP version 1"
echo "1..${#stages[@]}"
n=0 pass=0 fail=0 start=$SECONDS
counts=$(mktemp)
trap 'rm -rf "$counts" "$counts.start" "$vm_dir"' EXIT
for s in "${stages[@]}"; do
	n=$((n + 1))
	vm_pass='' vm_fail=''
	: > "$counts"
	t0=$SECONDS
	log "stage $s"
	# Not in the pipeline below: the jobs must be this shell's.
	if [ "${s#vm-}" != "$s" ] && [ -z "$vm_dir" ] &&
	   [ "${ESPIF_CHECK_SERIAL:-0}" != 1 ]; then
		vm_start > "$counts.start" 2>&1
		sed -e 's/^/    /' "$counts.start"
	fi
	case "$s" in
	regen)		stage_regen ;;
	style)		stage_style ;;
	ikehelper)	stage_ikehelper ;;
	kunit)		stage_kunit ;;
	fuzz)		stage_fuzz ;;
	vm-*)		stage_vm_wait "${s#vm-}" ;;
	compile-*)	stage_compile "${s#compile-}" ;;
	dkms-*)		stage_dkms "${s#dkms-}" ;;
	*)		log "unknown stage $s"; false ;;
	esac 2>&1 | sed -e 's/^/    /'
	rc=${PIPESTATUS[0]}
	[ -s "$counts" ] && read -r vm_pass vm_fail < "$counts"
	if [ -n "$vm_pass" ]; then
		pass=$((pass + vm_pass))
		fail=$((fail + vm_fail))
		# A VM that failed without a failed case (crash, timeout) counts.
		[ "$rc" -ne 0 ] && [ "$vm_fail" -eq 0 ] && fail=$((fail + 1))
	elif [ "$rc" -eq 0 ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
	if [ "$rc" -eq 0 ]; then
		echo "ok $n $s # time $((SECONDS - t0)) s"
	else
		echo "not ok $n $s # time $((SECONDS - t0)) s"
	fi
done
log "check took $((SECONDS - start)) s"
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
