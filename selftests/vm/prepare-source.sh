#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# prepare-source.sh SERIES CACHEDIR
#
# Fetch Debian's linux-source-SERIES package, unpack it under
# CACHEDIR/src/linux-source-SERIES and, unless ESPIF_PREPARE=no, configure it
# from Debian's own amd64 config and run `make modules_prepare` so that
# espif can be compiled against it.  Prints the tree's path.
#
# Series newer than bookworm's (7.x) come from Debian unstable, reached
# through a private apt configuration under CACHEDIR/apt-sid: the host's
# sources are not touched.
set -euo pipefail

series=${1:?usage: prepare-source.sh SERIES CACHEDIR}
cache=$(realpath -m "${2:?usage: prepare-source.sh SERIES CACHEDIR}")
src="$cache/src/linux-source-$series"

die() { echo "prepare-source: $*" >&2; exit 1; }
log() { echo "prepare-source: $*" >&2; }

if [ -e "$src/.espif-prepared" ] ||
   { [ "${ESPIF_PREPARE:-yes}" = no ] && [ -e "$src/.espif-unpacked" ]; }; then
	echo "$src"
	exit 0
fi

apt_opts=()
if ! apt-cache show "linux-source-$series" >/dev/null 2>&1; then
	sid="$cache/apt-sid"
	mkdir -p "$sid/lists/partial" "$sid/archives/partial"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian unstable main" \
		> "$sid/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$sid/sources.list"
		  -o Dir::Etc::SourceParts=/nonexistent
		  -o "Dir::State::Lists=$sid/lists"
		  -o "Dir::Cache=$sid")
	log "linux-source-$series is not in the host's suites; using unstable"
	apt-get -q "${apt_opts[@]}" update >&2 || die "apt-get update (unstable) failed"
fi

work="$cache/src/.dl-$series"
rm -rf "$work" "$src"
mkdir -p "$work"
(cd "$work" && apt-get -q "${apt_opts[@]}" download "linux-source-$series" >&2) ||
	die "apt-get download linux-source-$series failed"
dpkg -x "$work"/linux-source-*.deb "$work/x"
tarball=$(ls "$work"/x/usr/src/linux-source-*.tar.*)
log "unpacking $(basename "$tarball")"
tar -C "$cache/src" -xf "$tarball"
[ -d "$src" ] || die "$tarball did not unpack to $src"
rm -rf "$work"
touch "$src/.espif-unpacked"

if [ "${ESPIF_PREPARE:-yes}" = no ]; then
	echo "$src"
	exit 0
fi

# Start from Debian's amd64 config when the package ships one, else
# x86_64_defconfig; drop what modules_prepare cannot satisfy outside Debian's
# build (signing keys, BTF against a vmlinux we do not build).
cfg=$(ls "$src"/debian/config/amd64/config* 2>/dev/null | head -n 1 || true)
if [ -n "$cfg" ]; then
	cat "$src/debian/config/config" "$cfg" > "$src/.config" 2>/dev/null ||
		cp "$cfg" "$src/.config"
	make -C "$src" -s olddefconfig >&2
else
	make -C "$src" -s x86_64_defconfig >&2
fi
"$src/scripts/config" --file "$src/.config" \
	--disable MODULE_SIG --disable DEBUG_INFO_BTF \
	--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
	--enable MODULES --enable INET --enable IPV6 --module NET_UDP_TUNNEL \
	--enable CRYPTO_AEAD --enable CRYPTO_GCM
make -C "$src" -s olddefconfig >&2
log "make modules_prepare in $src"
make -C "$src" -s -j"$(nproc)" modules_prepare >&2
touch "$src/.espif-prepared"
echo "$src"
