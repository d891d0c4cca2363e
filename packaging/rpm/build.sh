#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# packaging/rpm/build.sh: build the RPMs (make rpm), also on a Debian host
# with Debian's rpm package.
#
# Output in build/rpm/: hyperv-lic-dkms-VERSION-1.noarch.rpm, the source
# RPM, and kmod-hyperv-lic-VERSION-1.kKVER.ARCH.rpm for one kernel: $KVER,
# else the newest kernel under /lib/modules with a build tree; without
# one, only the dkms package is built. rpmlint must report no error.
# Needs (Debian): rpm rpmlint gcc make tar gzip, and linux-headers-KVER
# for the kmod package. Environment: KVER, KDIR (default
# /lib/modules/KVER/build), HVL_NO_RPMLINT=1 skips rpmlint.

set -eu

me="rpm/build.sh"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/rpm
spec=$top/packaging/rpm/hyperv-lic.spec
command -v rpmbuild >/dev/null 2>&1 || die "rpmbuild not found (apt-get install rpm)"

version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in dkms.conf"
spec_version=$(sed -n 's/^Version: *//p' "$spec")
[ "$spec_version" = "$version" ] ||
	die "hyperv-lic.spec is at $spec_version but dkms.conf at $version: update Version and %changelog"

kver=${KVER:-}
if [ -z "$kver" ]; then
	kver=$(for d in /lib/modules/*/build/Makefile; do
		[ -f "$d" ] || continue
		d=${d%/build/Makefile}
		echo "${d##*/}"
	done | sort -V | tail -n 1)
fi
kdir=${KDIR:-/lib/modules/$kver/build}

rm -rf "$out"
mkdir -p "$out/SOURCES" "$out/SPECS" "$out/BUILD" "$out/RPMS" "$out/SRPMS" "$out/tmp"
sh "$top/install.sh" --export-source "$out/tmp/hyperv-lic-$version" || die "cannot export the source tree"
(cd "$out/tmp" && tar czf "$out/SOURCES/hyperv-lic-$version.tar.gz" "hyperv-lic-$version")
cp "$spec" "$out/SPECS/"

set -- --define "_topdir $out" --define "_tmppath $out/tmp" \
	--define "packager hyperv-lic developers <hyperv-lic@lists.example.org>"
if [ -n "$kver" ] && [ -f "$kdir/Makefile" ]; then
	note "kmod package for kernel $kver ($kdir)"
	set -- "$@" --define "kversion $kver" --define "kdir $kdir"
else
	note "no kernel build tree (set KVER/KDIR): building hyperv-lic-dkms only"
	set -- "$@" --without kmod
fi
# Not an RPM-based host: its packages are not in the rpm database.
rpm -q rpm >/dev/null 2>&1 || set -- "$@" --nodeps

note "rpmbuild -ba (log: $out/build.log)"
rpmbuild -ba "$@" "$out/SPECS/hyperv-lic.spec" >"$out/build.log" 2>&1 || {
	tail -n 25 "$out/build.log" >&2
	die "rpmbuild failed (log: $out/build.log)"
}
find "$out/RPMS" "$out/SRPMS" -name '*.rpm' -exec mv {} "$out/" \;
rm -rf "$out/BUILD" "$out/BUILDROOT" "$out/RPMS" "$out/SRPMS" "$out/SOURCES" "$out/tmp"

if [ "${HVL_NO_RPMLINT:-0}" != 1 ]; then
	command -v rpmlint >/dev/null 2>&1 || die "rpmlint not found (apt-get install rpmlint; or HVL_NO_RPMLINT=1)"
	rpmlint_rc=0
	rpmlint --config "$top/packaging/rpm/rpmlint.toml" "$out"/*.rpm "$out/SPECS/hyperv-lic.spec" \
		>"$out/rpmlint.log" 2>&1 || rpmlint_rc=$?
	sed 's/^/rpmlint: /' "$out/rpmlint.log"
	errors=$(sed -n 's/.* \([0-9][0-9]*\) errors, .*/\1/p' "$out/rpmlint.log" | tail -n 1)
	[ "${errors:-0}" -eq 0 ] || die "rpmlint reports $errors error(s) (see above)"
	[ -n "$errors" ] || [ "$rpmlint_rc" -eq 0 ] || die "rpmlint failed (exit $rpmlint_rc)"
fi
for f in "$out"/*.rpm; do
	echo "$me: $f"
done
