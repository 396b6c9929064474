#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fetch-libreswan.sh CACHEDIR
#
# Unpack Debian's libreswan (pluto, whack, addconn, _updown) into
# CACHEDIR/libreswan/root with `apt-get download` + `dpkg -x` and print that
# root.  It is not installed: the package conflicts with strongswan-libcharon,
# which ike.sh needs.  The libraries pluto links beyond strongSwan's
# (libldns3, libevent-pthreads) and NSS's certutil come from install-deps.sh.
# The guest sees the host's root, so libreswan.sh finds it at the same path.
set -euo pipefail

cache=$(realpath -m "${1:?usage: fetch-libreswan.sh CACHEDIR}")
dest=$cache/libreswan

die() { echo "fetch-libreswan: $*" >&2; exit 1; }

ver=$(apt-cache policy libreswan | sed -n 's/^ *Candidate: //p')
[ -n "$ver" ] && [ "$ver" != "(none)" ] ||
	die "no libreswan package known to apt; run 'apt-get update' first"
if [ "$(cat "$dest/.complete" 2>/dev/null)" = "$ver" ]; then
	echo "$dest/root"
	exit 0
fi

rm -rf "$dest"
mkdir -p "$dest/debs"
(cd "$dest/debs" && apt-get download -q "libreswan=$ver" >&2) ||
	die "apt-get download libreswan=$ver failed"
dpkg -x "$dest"/debs/libreswan_*.deb "$dest/root"
[ -x "$dest/root/usr/libexec/ipsec/pluto" ] || die "the package has no pluto"
rm -rf "$dest/debs"
echo "$ver" > "$dest/.complete"
echo "$dest/root"
