#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kunit.sh [kunit.py run options...]: run espif's KUnit suites (kmod/tests)
# with the kernel's own tool, `make kunit` in short.
#
# espif is linked into Debian's linux-source-6.12 as an in-tree driver, so
# that the one kmod/Kbuild serves both builds:
#
#   drivers/net/espif/Makefile    obj-$(CONFIG_ESPIF) += kmod/
#   drivers/net/espif/kmod  ->    this checkout's kmod/ (symlink)
#   drivers/net/espif/uapi  ->    this checkout's uapi/ (symlink)
#   drivers/net/Kconfig           + source "drivers/net/espif/kmod/Kconfig"
#   drivers/net/Makefile          + obj-$(CONFIG_ESPIF) += espif/
#
# then `kunit.py run --kunitconfig=kmod/tests/.kunitconfig` builds a UML
# kernel in ESPIF_CACHE/kunit-6.12 (incremental on later runs), boots it,
# and prints KTAP.  Exit status: kunit.py's (non-zero on any failure).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export ESPIF_CACHE=${ESPIF_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/espif}
mkdir -p "$ESPIF_CACHE"

src=$(ESPIF_PREPARE=no "$top/selftests/vm/prepare-source.sh" 6.12 "$ESPIF_CACHE")

# Link this checkout in; idempotent, and re-pointed if the checkout moved.
mkdir -p "$src/drivers/net/espif"
ln -sfn "$top/kmod" "$src/drivers/net/espif/kmod"
ln -sfn "$top/uapi" "$src/drivers/net/espif/uapi"
printf '# SPDX-License-Identifier: GPL-2.0-only\nobj-$(CONFIG_ESPIF) += kmod/\n' \
	> "$src/drivers/net/espif/Makefile"
grep -q 'drivers/net/espif/kmod/Kconfig' "$src/drivers/net/Kconfig" ||
	sed -i 's|^endif # NET_CORE|source "drivers/net/espif/kmod/Kconfig"\n\n&|' \
		"$src/drivers/net/Kconfig"
grep -q '^obj-$(CONFIG_ESPIF) += espif/' "$src/drivers/net/Makefile" ||
	echo 'obj-$(CONFIG_ESPIF) += espif/' >> "$src/drivers/net/Makefile"

# A build made from another checkout would keep stale objects of files that
# no longer exist; the symlinks' target is part of the build's identity.
build="$ESPIF_CACHE/kunit-6.12"
if [ "$(cat "$build/.espif-top" 2>/dev/null)" != "$top" ]; then
	rm -rf "$build"
	mkdir -p "$build"
	echo "$top" > "$build/.espif-top"
fi

cd "$src"
exec python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$top/kmod/tests/.kunitconfig" \
	--build_dir="$build" --jobs="$(nproc)" --timeout=900 "$@"
