#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-debug-kernel.sh CACHEDIR
#
# Build the debug kernel of `make check-debug` from Debian's
# linux-source-6.12: tinyconfig + selftests/vm/debug.config (KASAN, UBSAN,
# kmemleak, lockdep, debug objects, SLUB debug; only what the VM and the
# selftests need, all built in).  Lay it out as fetch-kernel.sh lays out
# Debian's kernels, so that run-vm.sh boots it the same way:
#
#   CACHEDIR/<kver>/root/boot/vmlinuz-<kver>
#   CACHEDIR/<kver>/root/lib/modules/<kver>/     (modules.dep; all built in)
#   CACHEDIR/<kver>/root/usr/src/linux-headers-<kver> -> the build tree
#
# and print <kver>.  The build is cached: a second run with the same
# debug.config and source only checks that it is there.
set -euo pipefail

cache=$(realpath -m "${1:?usage: build-debug-kernel.sh CACHEDIR}")
top=$(cd "$(dirname "$0")/../.." && pwd)
frag="$top/selftests/vm/debug.config"
log() { echo "build-debug-kernel: $*" >&2; }
die() { log "$*"; exit 1; }

src=$(ESPIF_PREPARE=no "$top/selftests/vm/prepare-source.sh" 6.12 "$cache")
obj="$cache/debug-6.12/build"
stamp="$cache/debug-6.12/.espif-built"
want=$(cat "$frag" "$src/Makefile" | sha256sum | cut -d' ' -f1)

if [ ! -e "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
	rm -f "$stamp"
	mkdir -p "$obj"
	log "configuring in $obj"
	make -s -C "$src" O="$obj" tinyconfig >&2
	"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$frag" >&2
	make -s -C "$src" O="$obj" olddefconfig >&2
	# Kconfig drops what it cannot satisfy without a word: check it all.
	missing=0
	while read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qx "$line" "$obj/.config" ||
				{ log "not in .config: $line"; missing=1; } ;;
		"# CONFIG_"*" is not set")
			! grep -q "^${line:2:-11}=" "$obj/.config" ||
				{ log "set in .config: ${line:2:-11}"; missing=1; } ;;
		esac
	done < "$frag"
	[ "$missing" = 0 ] || die "debug.config does not apply to $src"
	log "building (about 20-30 minutes on 2 cores)"
	start=$SECONDS
	make -s -C "$src" O="$obj" -j"$(nproc)" bzImage modules >&2 ||
		die "the debug kernel does not build"
	log "built in $((SECONDS - start)) s"
	echo "$want" > "$stamp"
fi

kver=$(cat "$obj/include/config/kernel.release")
root="$cache/$kver/root"
mkdir -p "$root/boot" "$root/usr/src"
cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
rm -rf "$root/lib/modules/$kver"
make -s -C "$src" O="$obj" INSTALL_MOD_PATH="$root" modules_install >&2
ln -sfn "$obj" "$root/usr/src/linux-headers-$kver"
echo "$kver"
