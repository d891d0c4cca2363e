#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# packaging/deb/build.sh: build the hyperv-lic-dkms .deb (make deb).
#
# Output: build/deb/hyperv-lic-dkms_VERSION_all.deb (and .changes,
# .buildinfo), checked with lintian, which must report no error.
# Needs (Debian/Ubuntu): dpkg-dev debhelper dh-dkms lintian.
# Environment: HVL_NO_LINTIAN=1 skips lintian.

set -eu

me="deb/build.sh"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }

top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/deb
for t in dpkg-buildpackage dh dh_dkms; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found (apt-get install dpkg-dev debhelper dh-dkms)"
done

version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$top/dkms.conf")
[ -n "$version" ] || die "no PACKAGE_VERSION in dkms.conf"
deb_version=$(sed -n '1s/^hyperv-lic (\([^)]*\)).*/\1/p' "$top/packaging/deb/debian/changelog")
[ "${deb_version%-*}" = "$version" ] ||
	die "packaging/deb/debian/changelog is at $deb_version but dkms.conf at $version: add a changelog entry"

# A clean tree (no build products) with debian/ beside it.
work=$out/hyperv-lic-$version
rm -rf "$out"
mkdir -p "$out"
sh "$top/install.sh" --export-source "$work" || die "cannot export the source tree"
cp -R "$top/packaging/deb/debian" "$work/debian"
chmod 0755 "$work/debian/rules"

echo "$me: dpkg-buildpackage in $work"
(cd "$work" && dpkg-buildpackage -us -uc -A) >"$out/build.log" 2>&1 || {
	tail -n 20 "$out/build.log" >&2
	die "dpkg-buildpackage failed (log: $out/build.log)"
}
rm -rf "$work"
deb=$out/hyperv-lic-dkms_${deb_version}_all.deb
[ -f "$deb" ] || die "no $deb produced (log: $out/build.log)"

if [ "${HVL_NO_LINTIAN:-0}" != 1 ]; then
	command -v lintian >/dev/null 2>&1 || die "lintian not found (apt-get install lintian; or HVL_NO_LINTIAN=1)"
	lintian_rc=0
	lintian --fail-on error "$out"/hyperv-lic_*.changes >"$out/lintian.log" 2>&1 || lintian_rc=$?
	sed 's/^/lintian: /' "$out/lintian.log"
	[ "$lintian_rc" -eq 0 ] || die "lintian reports errors (see above)"
fi
echo "$me: $deb"
