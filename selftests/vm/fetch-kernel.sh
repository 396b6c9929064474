#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-kernel.sh SERIES CACHEDIR
#
# Fetch the newest Debian amd64 kernel of SERIES (6.1, 6.12) and its headers
# (SERIES debug: build the debug kernel instead, build-debug-kernel.sh)
# from the Debian archive with `apt-get download`, unpack them with `dpkg -x`
# into CACHEDIR/<kernelrelease>/ and print that kernel release on stdout.
# Nothing is installed on the host.  A second call with a warm cache only asks
# apt-cache which version is newest.
#
# Layout of CACHEDIR/<kver>/root after unpacking:
#   boot/vmlinuz-<kver>                   the kernel booted by run-vm.sh
#   lib/modules/<kver>/                   its modules (bind-mounted in the guest)
#   usr/src/linux-headers-<kver>/         KERNELDIR for building espif.ko
set -euo pipefail

series=${1:?usage: fetch-kernel.sh SERIES CACHEDIR}
cache=$(realpath -m "${2:?usage: fetch-kernel.sh SERIES CACHEDIR}")

die() { echo "fetch-kernel: $*" >&2; exit 1; }

case "$series" in
debug)	# Not Debian's: built from linux-source-6.12 with KASAN & co.
	exec "$(dirname "$0")/build-debug-kernel.sh" "$cache" ;;
6.1)	pattern='^linux-image-6\.1\.0-[0-9]+-amd64$' ;;
6.12)	pattern='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
*)	die "unknown kernel series '$series' (known: 6.1 6.12)" ;;
esac

# Newest package of the series, by Debian version ordering of its name's ABI.
image=$(apt-cache search --names-only "$pattern" | cut -d' ' -f1 |
	sort -V | tail -n 1)
[ -n "$image" ] || die "no package matches $pattern; run 'apt-get update' first"

kver=${image#linux-image-}
kver=${kver%-unsigned}
dest="$cache/$kver"

if [ -e "$dest/.complete" ]; then
	echo "$kver"
	exit 0
fi

# The headers package for <kver> depends on its -common part and on the
# linux-kbuild package that carries the host tools (fixdep, modpost).
headers="linux-headers-$kver"
pkgs=("$image" "$headers")
while read -r dep; do
	case "$dep" in
	linux-headers-*-common | linux-kbuild-*) pkgs+=("$dep") ;;
	esac
done < <(apt-cache depends "$headers" | sed -n 's/^ *|\?Depends: //p')

rm -rf "$dest"
mkdir -p "$dest/debs" "$dest/root"
(cd "$dest/debs" && apt-get download -q "${pkgs[@]}" >&2) ||
	die "apt-get download ${pkgs[*]} failed"
for deb in "$dest"/debs/*.deb; do
	dpkg -x "$deb" "$dest/root"
done
rm -rf "$dest/debs"

hdr="$dest/root/usr/src/linux-headers-$kver"
[ -f "$dest/root/boot/vmlinuz-$kver" ] || die "no vmlinuz in $image"
[ -f "$hdr/Makefile" ] || die "no headers in $headers"

# Debian's per-flavour headers link to the -common tree and to the kbuild
# tools with absolute paths; point them into the cache instead.
find "$dest/root/usr/src" "$dest/root/usr/lib" -maxdepth 3 -type l 2>/dev/null |
while read -r link; do
	target=$(readlink "$link")
	case "$target" in
	/*) ln -sfn "$dest/root$target" "$link" ;;
	esac
done

# The flavour Makefile includes the -common one by absolute path, too.
sed -i "s|^include /usr/src/|include $dest/root/usr/src/|" "$hdr/Makefile"

# The image package leaves modules.dep to its postinst; the guest's modprobe
# and run-vm.sh's initramfs builder need it.
depmod -b "$dest/root" "$kver"

touch "$dest/.complete"
echo "$kver"
