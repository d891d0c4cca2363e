#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# matrix.sh KDIR...  -- build hyperv-lic against each kernel build tree.
# Each build runs in a fresh copy of src/ (the generated compat header is
# per kernel). Prints one line per kernel:
#   <release> OK|FAIL warnings=<n> (<kdir>)
# where n counts compiler warnings from our own sources. Exit 1 if any
# build failed, 2 on bad usage.
#
# Per-tree extras come from the environment, for trees that need them:
#   HV_MATRIX_MAKEFLAGS  extra make variables (e.g. ARCH=x86_64)
#   HV_EXTRA_CFLAGS      extra compiler flags (e.g. -Wno-* for old headers)
#   HV_GNU89=1           add -std=gnu89 -Werror=declaration-after-statement
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	echo "usage: make matrix KDIRS=\"/path/to/kernel/build ...\"" >&2
	exit 2
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/hvl-matrix.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

# The release the tree was configured for (2.6.18 .. newest).
kernel_release() {
	for h in "$1/include/generated/utsrelease.h" "$1/include/linux/utsrelease.h"; do
		if [ -f "$h" ]; then
			sed -n 's/.*UTS_RELEASE "\(.*\)".*/\1/p' "$h"
			return
		fi
	done
	if [ -f "$1/include/config/kernel.release" ]; then
		cat "$1/include/config/kernel.release"
		return
	fi
	echo unknown
}

fail=0
n=0
for kdir in "$@"; do
	n=$((n + 1))
	if [ ! -f "$kdir/Makefile" ]; then
		echo "? FAIL warnings=0 ($kdir: not a kernel build tree)"
		fail=1
		continue
	fi
	rel=$(kernel_release "$kdir")
	b="$work/$n"
	mkdir -p "$b"
	cp -a "$top/src" "$b/src"
	log="$b/build.log"
	# shellcheck disable=SC2086
	if make -C "$kdir" M="$b/src" ${HV_MATRIX_MAKEFLAGS:-} \
		HV_WERROR="${HV_WERROR:-1}" HV_GNU89="${HV_GNU89:-0}" \
		HV_EXTRA_CFLAGS="${HV_EXTRA_CFLAGS:-}" -k modules >"$log" 2>&1; then
		res=OK
	else
		res=FAIL
	fi
	# every module of dkms.conf (hvl_* where the kernel has VMBus built in)
	mods=$(sed -n 's/.*BUILT_MODULE_NAME\[[0-9]*\]="\([^"]*\)".*/\1/p' "$top/dkms.conf")
	for m in $mods; do
		if [ ! -f "$b/src/$m.ko" ] && [ ! -f "$b/src/hvl_${m#hv_}.ko" ]; then
			res=FAIL
			echo "$m.ko was not built" >>"$log"
		fi
	done
	[ "$res" = OK ] || fail=1
	warn=$(grep -c "$b/src/.*warning:" "$log" || true)
	echo "$rel $res warnings=$warn ($kdir)"
	if [ "$res" = FAIL ]; then
		grep -E "error|Error" "$log" | head -40 | sed 's/^/    /'
	fi
done
exit $fail
