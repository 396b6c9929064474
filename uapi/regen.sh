#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# regen.sh YNL_DIR [OUTDIR]
#
# Regenerate uapi/linux/espif.h and kmod/generated/netlink.{c,h} from
# uapi/espif.yaml with the kernel's own YNL generator, found in YNL_DIR
# (tools/net/ynl of a kernel source tree; `make regen` passes the one from
# linux-source-6.12).  With OUTDIR the files are written below it instead
# of into the tree (the drift check in selftests/check.sh compares them).
#
# ynl-gen-c.py expects a kernel tree: it looks for the JSON schema two
# directories above the spec and for MAINTAINERS above that to name the spec
# in the banner.  A scratch tree of symlinks gives it both, so the banner
# reads "uapi/espif.yaml" and the spec is validated against the schema.
set -euo pipefail

ynl=$(realpath "${1:?usage: regen.sh YNL_DIR [OUTDIR]}")
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath "${2:-$top}")
gen="$ynl/ynl-gen-c.py"
[ -x "$gen" ] || [ -f "$gen" ] || gen="$ynl/pyynl/ynl_gen_c.py"
[ -f "$gen" ] || { echo "regen: no ynl generator in $ynl" >&2; exit 1; }
schema="$ynl/../../../Documentation/netlink/genetlink-legacy.yaml"
[ -f "$schema" ] || { echo "regen: no $schema" >&2; exit 1; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/uapi"
ln -s "$top/uapi/espif.yaml" "$scratch/uapi/espif.yaml"
ln -s "$(realpath "$schema")" "$scratch/genetlink-legacy.yaml"
touch "$scratch/MAINTAINERS"

run() { (cd "$scratch" && python3 "$gen" --spec "$scratch/uapi/espif.yaml" "$@"); }

mkdir -p "$out/uapi/linux" "$out/kmod/generated"
run --mode uapi --header -o "$out/uapi/linux/espif.h"
run --mode kernel --header -o "$out/kmod/generated/netlink.h"
run --mode kernel --source -o "$out/kmod/generated/netlink.c"
