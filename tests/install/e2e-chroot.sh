#!/bin/sh
# tests/install/e2e-chroot.sh: prepare (or reuse) the Debian bookworm chroot
# the install.sh end-to-end tests start from, and print its path.
#
# Result, under ${HVL_CACHE:-/var/cache/hyperv-lic}/install-e2e/:
#   base/              debootstrap minbase of bookworm with initramfs-tools,
#                      busybox, gcc, make, dkms, and one kernel ABI (image and
#                      headers: $HVL_E2E_OLD, default 6.1.0-50-amd64) installed;
#                      the .debs of a newer ABI ($HVL_E2E_NEW, default
#                      6.1.0-56-amd64) are downloaded into its apt cache so
#                      the "kernel update" step needs no network
#   base/.hvl-ready    marker, written last (old=, new=, created=)
#   logs/base.log      output of the last preparation
#
# Never touches $HVL_CACHE/chroots/ (the build matrix's chroots).
# Environment: HVL_CACHE, HVL_MIRROR (default http://deb.debian.org/debian),
# HVL_SECURITY_MIRROR (default http://deb.debian.org/debian-security),
# HVL_E2E_OLD, HVL_E2E_NEW, HVL_REFRESH=1 to rebuild.

set -eu

me="e2e-chroot"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

cache=${HVL_CACHE:-/var/cache/hyperv-lic}
top=$cache/install-e2e
base=$top/base
partial=$top/.base.partial
log=$top/logs/base.log
mirror=${HVL_MIRROR:-http://deb.debian.org/debian}
secmirror=${HVL_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
old=${HVL_E2E_OLD:-6.1.0-50-amd64}
new=${HVL_E2E_NEW:-6.1.0-56-amd64}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot)"
command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (apt-get install debootstrap)"
mkdir -p "$top/logs"
exec 9>"$top/.base.lock"
flock 9 || die "cannot lock $top/.base.lock"

# unmount_below DIR: unmount whatever is mounted at or below DIR.
unmount_below() {
	ub_dir=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	awk -v d="$ub_dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
		while IFS= read -r ub_m; do
			umount "$ub_m" 2>/dev/null || umount -l "$ub_m" 2>/dev/null || true
		done
}

in_root() {
	ir_root=$1
	shift
	chroot "$ir_root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive /bin/sh -c "$*"
}

ready() {
	[ -f "$base/.hvl-ready" ] &&
		grep -qx "old=$old" "$base/.hvl-ready" && grep -qx "new=$new" "$base/.hvl-ready"
}

if [ "${HVL_REFRESH:-0}" = 1 ] || { [ -e "$base" ] && ! ready; }; then
	note "removing $base"
	unmount_below "$base"
	rm -rf --one-file-system "$base"
fi
if ready; then
	note "reusing $base (kernels $old, $new)"
	printf '%s\n' "$base"
	exit 0
fi

t0=$(date +%s)
unmount_below "$partial"
rm -rf --one-file-system "$partial"
trap 'unmount_below "$partial"' EXIT
: >"$log"
note "debootstrap bookworm into $partial (log: $log)"
debootstrap --variant=minbase --keyring="$keyring" bookworm "$partial" "$mirror" >>"$log" 2>&1 ||
	die "debootstrap failed (see $log)"
unmount_below "$partial"
cat >"$partial/etc/apt/sources.list" <<-SRC
	deb $mirror bookworm main
	deb $mirror bookworm-updates main
	deb $secmirror bookworm-security main
SRC
cat >"$partial/etc/apt/apt.conf.d/90hvl-e2e" <<-'CONF'
	APT::Install-Recommends "false";
	APT::Install-Suggests "false";
	Acquire::Languages "none";
	Acquire::Retries "3";
	Dpkg::Use-Pty "false";
	Binary::apt::APT::Keep-Downloaded-Packages "true";
CONF
cat >"$partial/etc/dpkg/dpkg.cfg.d/90hvl-e2e" <<-'CONF'
	path-exclude /usr/share/doc/*
	path-include /usr/share/doc/*/copyright
	path-exclude /usr/share/man/*
	path-exclude /usr/share/locale/*
	path-exclude /usr/share/info/*
CONF
# A chroot has no boot loader: tell the kernel packages not to look for one.
mkdir -p "$partial/etc/kernel"
printf 'do_symlinks = no\n' >"$partial/etc/kernel-img.conf"
mount -t proc proc "$partial/proc"
note "installing kernel $old with headers, initramfs-tools, busybox, gcc, make, dkms"
in_root "$partial" "apt-get -q update && apt-get -q -y install initramfs-tools busybox kmod cpio zstd \
	gcc make libc6-dev dkms linux-image-$old linux-headers-$old" >>"$log" 2>&1 ||
	die "apt-get install failed (see $log)"
note "downloading kernel $new with headers (installed later by the tests)"
in_root "$partial" "apt-get -q -y --download-only install linux-image-$new linux-headers-$new" >>"$log" 2>&1 ||
	die "cannot download linux-image-$new / linux-headers-$new (see $log)"
unmount_below "$partial"
[ -f "$partial/boot/initrd.img-$old" ] || die "no initrd.img-$old in the chroot (see $log)"
printf 'old=%s\nnew=%s\ncreated=%s\n' "$old" "$new" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$partial/.hvl-ready"
mv "$partial" "$base"
trap - EXIT
note "ready: $base ($(($(date +%s) - t0))s)"
printf '%s\n' "$base"
