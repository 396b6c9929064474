#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# PID 1 of the espif test VM after switch_root (see run-vm.sh): the root is
# the host's, read-only over 9p under a tmpfs overlay.  Set up what a booted
# system has, run selftests/run.sh with the tests named on the kernel command
# line, leave its exit status in /run/espif-out/rc and power off.
#
# Environment (from the kernel command line): ESPIF_TOP (the repository),
# ESPIF_KO (espif.ko built for this kernel), ESPIF_MODROOT (where this
# kernel's /lib/modules is unpacked), ESPIF_TESTS (comma-separated), and
# whatever ESPIF_* the tests need (ESPIF_YNL).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
# busybox's initramfs has no /dev/fd; bash process substitution needs it.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mkdir -p /var/run/netns /run/netns /var/tmp
hostname espif-vm
ip link set lo up

kver=$(uname -r)
if [ -d "$ESPIF_MODROOT/lib/modules/$kver" ]; then
	mkdir -p "/lib/modules/$kver"
	mount --bind "$ESPIF_MODROOT/lib/modules/$kver" "/lib/modules/$kver"
fi
# Without aesni_intel loaded the crypto API uses aes-generic (slow).
modprobe -q aesni_intel 2>/dev/null || true
echo 0 > /proc/sys/kernel/printk_ratelimit 2>/dev/null
# Everything printed from here on is KTAP; keep kernel chatter off it.
dmesg -n 1

# A debug kernel (make check-debug) has kmemleak: forget what boot left
# behind, so that what is reported at the end happened during the tests.
kmemleak=/sys/kernel/debug/kmemleak
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -e "$kmemleak" ] && echo clear > "$kmemleak"
mark=$(dmesg | wc -l)

rc=1
if cd "$ESPIF_TOP"; then
	IFS=, read -r -a tests <<< "${ESPIF_TESTS:-}"
	selftests/run.sh "${tests[@]}"
	rc=$?
fi

# Reports that came after the last case's own check (deferred frees, RCU
# callbacks, module unload): the whole log once more, then kmemleak.
sleep 2
bad=$(dmesg | tail -n +"$((mark + 1))" | grep -E 'WARNING:|BUG:|Oops|general protection|refcount_t|UBSAN|KASAN|ODEBUG|list_(add|del) corruption|possible (circular|recursive) locking' || true)
if [ -n "$bad" ]; then
	echo "# kernel reports during the run:"
	echo "$bad" | head -n 40 | sed 's/^/# /'
	rc=1
fi
if [ -e "$kmemleak" ]; then
	# Two scans: an object is reported once it stayed unreferenced.
	echo scan > "$kmemleak"
	sleep 6
	echo scan > "$kmemleak"
	leaks=$(cat "$kmemleak")
	if [ -n "$leaks" ]; then
		echo "# kmemleak: $(echo "$leaks" | grep -c unreferenced) unreferenced objects"
		echo "$leaks" | head -n 60 | sed 's/^/# /'
		rc=1
	else
		echo "# kmemleak: no leaks"
	fi
fi
echo "$rc" > /run/espif-out/rc
dmesg > /run/espif-out/dmesg 2>/dev/null
sync
echo o > /proc/sysrq-trigger
sleep 10
