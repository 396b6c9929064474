#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-vm.sh [-k SERIES] [-c CACHEDIR] [TEST...]
#
# Run espif's selftests in a QEMU guest booted on a Debian kernel:
#  1. fetch the newest Debian kernel of SERIES (6.1, 6.12) and its headers
#     into CACHEDIR (fetch-kernel.sh; nothing is installed on the host);
#  2. build espif.ko against those headers, in a copy of the sources so that
#     builds for several kernels do not clobber each other;
#  3. boot the kernel under software emulation (TCG, -cpu max, no KVM) with
#     a busybox initramfs that mounts the host's root read-only over
#     virtio-9p with a tmpfs overlay (initramfs.sh, guest-init.sh);
#  4. run selftests/run.sh TEST... inside and exit with its status.
# The guest's console (KTAP) is copied to stdout.  Without TESTs, all run.
#
# Environment: ESPIF_CACHE (default CACHEDIR), ESPIF_VM_MEM (MiB, 2048),
# ESPIF_VM_ARTIFACTS (a directory for what tests save, see below),
# ESPIF_VM_CPUS (2), ESPIF_VM_TCG_THREAD (single; multi is faster but see
# boot() below), ESPIF_VM_LOGLEVEL (the guest's "quiet loglevel=3"),
# ESPIF_VM_TIMEOUT (seconds, 1800), ESPIF_YNL (the
# kernel's tools/net/ynl, for the netlink tests).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
series=6.12
cache=${ESPIF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/espif}
while getopts k:c:h opt; do
	case "$opt" in
	k) series=$OPTARG ;;
	c) cache=$OPTARG ;;
	*) sed -n '3,17s/^# \?//p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
mkdir -p "$cache"
cache=$(realpath "$cache")

log() { echo "# run-vm: $*"; }
die() { echo "# run-vm: $*" >&2; exit 1; }

command -v qemu-system-x86_64 >/dev/null ||
	die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"

kver=$("$top/selftests/vm/fetch-kernel.sh" "$series" "$cache") ||
	die "cannot fetch the $series kernel"
kroot="$cache/$kver/root"
kdir="$kroot/usr/src/linux-headers-$kver"
log "kernel $kver"

# Build espif.ko for this kernel in a private copy of the sources, one per
# run, so that runs in parallel (several worktrees, several kernels) never
# build over each other.
mkdir -p "$cache/build"
build=$(mktemp -d "$cache/build/$kver.XXXXXX")
ikh="$build/ikehelper"
out=$(mktemp -d)
trap 'rm -rf "$out" "$build"' EXIT
rsync -a --delete --exclude='*.o' --exclude='*.ko' --exclude='*.cmd' \
	"$top/Kbuild" "$top/kmod" "$top/uapi" "$build/"
if ! make -s -C "$kdir" M="$build" ESPIF_WERROR=1 modules > "$build/build.log" 2>&1; then
	sed 's/^/# /' "$build/build.log"
	die "espif.ko does not build against $kver"
fi
grep -v -e 'Skipping BTF generation' -e '^ *BTF' "$build/build.log" | sed 's/^/# /' || true
ko="$build/kmod/espif.ko"

# ikehelper, with ASan and UBSan, for the tests that drive it.
if ! make -s -C "$top/ikehelper" SANITIZE=1 OUT="$ikh" > "$build/ikehelper.log" 2>&1; then
	sed 's/^/# /' "$build/ikehelper.log"
	die "ikehelper does not build"
fi

# Libreswan, unpacked, is libreswan.sh's peer.
lsw=$("$top/selftests/vm/fetch-libreswan.sh" "$cache") ||
	die "cannot fetch libreswan"

initrd="$cache/$kver/initramfs.gz"
if [ ! -e "$initrd" ] || [ "$top/selftests/vm/initramfs.sh" -nt "$initrd" ]; then
	"$top/selftests/vm/initramfs.sh" "$kver" "$kroot" "$initrd"
fi

tcg_thread=${ESPIF_VM_TCG_THREAD:-single}
tests=$(IFS=,; echo "$*")
cmdline="console=ttyS0 panic=-1 ${ESPIF_VM_LOGLEVEL:-quiet loglevel=3} mitigations=off"
cmdline+=" ESPIF_TOP=$top ESPIF_KO=$ko ESPIF_MODROOT=$kroot"
cmdline+=" ESPIF_IKEHELPER=$ikh/ikehelper ESPIF_LIBRESWAN=$lsw"
cmdline+=" ESPIF_YNL=${ESPIF_YNL:-} ESPIF_TESTS=$tests"
# ESPIF_VM_ARTIFACTS=DIR: what the tests leave in /run/espif-out/artifacts
# (ike.sh: IKE messages captured for the fuzzers' seed corpus) lands there.
[ -n "${ESPIF_VM_ARTIFACTS:-}" ] && cmdline+=" ESPIF_ARTIFACTS=1"

# boot: one run of the guest; its console goes to stdout and to
# $out/console.
boot() {
	timeout --foreground "${ESPIF_VM_TIMEOUT:-1800}" qemu-system-x86_64 \
		-machine q35 -accel "tcg,thread=$tcg_thread" -cpu max \
		-m "${ESPIF_VM_MEM:-2048}" -smp "${ESPIF_VM_CPUS:-2}" \
		-nodefaults -display none -no-reboot -serial stdio -monitor none \
		-kernel "$kroot/boot/vmlinuz-$kver" -initrd "$initrd" \
		-append "$cmdline" \
		-object rng-random,id=rng0,filename=/dev/urandom \
		-device virtio-rng-pci,rng=rng0 \
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
		-fsdev local,id=espifout,path="$out",security_model=none,multidevs=remap \
		-device virtio-9p-pci,fsdev=espifout,mount_tag=espifout \
		< /dev/null | sed -u 's/\r//g' | tee "$out/console"
	return "${PIPESTATUS[0]}"
}

# Under multi-threaded TCG (one host thread per vCPU) the guest kernel now
# and then died while it patched its own code: an int3 oops where a static
# key was being flipped, at boot (once in some hundred boots) and once in
# CI in netif_rx_internal 17 minutes into vm-6.12.  Hence one host thread
# for all vCPUs by default (ESPIF_VM_TCG_THREAD=single; about 1.3 times
# slower; check.sh runs the VM stages side by side instead).  A guest that
# dies before any test ran is booted once more; one that died after the
# tests started is a failure.
for attempt in 1 2; do
	log "booting (TCG thread=$tcg_thread, -cpu max)"
	start=$SECONDS
	set +e
	boot
	qemu_rc=$?
	set -e
	log "VM ran $((SECONDS - start)) s"
	if [ -s "$out/rc" ] || grep -q '^KTAP version' "$out/console" ||
	   [ "$attempt" = 2 ]; then
		break
	fi
	log "the guest died before any test started; booting it again"
done

if [ ! -s "$out/rc" ]; then
	[ "$qemu_rc" -eq 124 ] && log "timed out"
	die "the VM left no result (qemu exit $qemu_rc)"
fi
rc=$(cat "$out/rc")
if [ -n "${ESPIF_VM_ARTIFACTS:-}" ] && [ -d "$out/artifacts" ]; then
	mkdir -p "$ESPIF_VM_ARTIFACTS"
	cp -r "$out/artifacts/." "$ESPIF_VM_ARTIFACTS/"
fi
if [ -n "${ESPIF_VM_DMESG:-}" ]; then
	cp "$out/dmesg" "$ESPIF_VM_DMESG"
fi
exit "$rc"
