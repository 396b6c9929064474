#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# initramfs.sh KVER MODROOT OUT
#
# Build a tiny initramfs for run-vm.sh: a static busybox, the modules that
# mounting the host's root over virtio-9p needs (taken, decompressed, from
# MODROOT/lib/modules/KVER in dependency order) and an /init that mounts the
# host root read-only with a tmpfs overlay and hands over to guest-init.sh.
set -euo pipefail

kver=${1:?usage: initramfs.sh KVER MODROOT OUT}
modroot=${2:?usage: initramfs.sh KVER MODROOT OUT}
out=${3:?usage: initramfs.sh KVER MODROOT OUT}
moddir="$modroot/lib/modules/$kver"
busybox=$(command -v busybox) || { echo "initramfs: busybox-static is not installed" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	{ echo "initramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,mnt/lower,mnt/rw,newroot,modules}
cp "$busybox" "$work/bin/busybox"
ln -s busybox "$work/bin/sh"

# Modules in load order: each one's dependencies (modules.dep) first.
# Names absent from this kernel (built in) are skipped.
declare -A seen=()
order=()
add_module() {
	local name=$1 line path dep
	line=$(grep -E "(^|/)${name}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" || true)
	[ -n "$line" ] || return 0
	path=${line%%:*}
	[ -z "${seen[$path]:-}" ] || return 0
	seen[$path]=1
	for dep in ${line#*:}; do
		dep=$(basename "$dep")
		add_module "${dep%%.ko*}"
	done
	order+=("$path")
}
for m in virtio_pci 9pnet_virtio 9p overlay; do
	add_module "$m"
done
for path in "${order[@]}"; do
	name=$(basename "$path")
	case "$name" in
	*.xz)	xz -dc "$moddir/$path" > "$work/modules/${name%.xz}" ;;
	*.zst)	zstd -qdc "$moddir/$path" > "$work/modules/${name%.zst}" ;;
	*)	cp "$moddir/$path" "$work/modules/$name" ;;
	esac
	basename "${name%.xz}" >> "$work/modules/order"
done
: >> "$work/modules/order"

cat > "$work/init" <<'INIT'
#!/bin/sh
# PID 1 of the espif test VM (see selftests/vm/run-vm.sh).
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /modules/order); do
	insmod "/modules/$m" || echo "init: insmod $m failed"
done
fail() { echo "init: $*"; echo o > /proc/sysrq-trigger; sleep 5; poweroff -f; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /mnt/lower ||
	fail "cannot mount the host root over 9p"
mount -t tmpfs -o size=75% rw /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work overlay /newroot ||
	fail "cannot mount the overlay"
# A fresh /run: the host's pid files and sockets would show through 9p.
# /tmp stays as the overlay gives it (writes go to the tmpfs): the sources
# or the cache may live there.
mount -t tmpfs -o mode=755 run /newroot/run
mkdir -p /newroot/run/espif-out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 espifout /newroot/run/espif-out ||
	fail "cannot mount the result directory"
umount /proc /sys /dev 2>/dev/null
exec switch_root /newroot "$ESPIF_TOP/selftests/vm/guest-init.sh"
INIT
chmod +x "$work/init"

(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
