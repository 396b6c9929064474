#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install, from Debian's archive, everything espif needs to build, package
# and test (Debian 12 or later; as root).  Idempotent.
set -euo pipefail

pkgs=(
	# kernel and module builds
	build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
	rsync xz-utils file
	# packaging
	dkms
	# the test VM
	qemu-system-x86 busybox-static
	# selftests
	iproute2 iputils-ping jq util-linux tcpdump iperf3 socat procps
	# bench.sh (WireGuard, the comparison)
	wireguard-tools
	# tools/net/ynl
	python3 python3-yaml python3-jsonschema
	# fuzz.sh (ESP built in Python)
	python3-cryptography
	# ike.sh: strongSwan, the interop peer (its plugins: X25519, GCM...)
	strongswan-charon strongswan-swanctl libstrongswan-standard-plugins
	libstrongswan-extra-plugins
	# libreswan.sh: Libreswan is unpacked, not installed (it conflicts
	# with strongSwan's packages: vm/fetch-libreswan.sh); pluto's
	# libraries beyond those, and NSS's certutil for its database
	libldns3 libevent-pthreads-2.1-7 libnss3-tools
	# ikehelper
	libnl-3-dev libnl-genl-3-dev pkg-config
	# style and userspace checks
	clang codespell
)

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (apt-get install)" >&2
	exit 1
fi
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
# Always refresh the lists: fetch-kernel.sh asks apt-cache for the newest
# kernel of a series, which a stale list would name wrongly.
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
if [ ${#missing[@]} -gt 0 ]; then
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
