#!/bin/sh
# suite-chroot.sh SUITE
#
# Prepare (or reuse) a Debian build chroot and the matching kernel image for
# one Debian suite, then print the kernel release on stdout.
#
#   SUITE: bullseye | bookworm | trixie | sid
#
# Result, under ${HVL_CACHE:-/var/cache/hyperv-lic}:
#   chroots/SUITE/                 minbase chroot with gcc, make, libc6-dev,
#                                  libelf-dev, kmod, linux-headers-amd64 of SUITE;
#                                  /lib/modules/<release>/build is the KDIR
#   chroots/SUITE/.hvl-ready       marker, written last; holds release=...
#   kernels/<release>/vmlinuz      that suite's kernel image
#   kernels/<release>/modules/     its /lib/modules/<release> tree (depmod run)
#   kernels/<release>/config, System.map
#   kernels/<release>/.hvl-ready   marker, written last
#   logs/chroot-SUITE.log          output of the last preparation
#
# Environment:
#   HVL_CACHE     cache root (default /var/cache/hyperv-lic)
#   HVL_MIRROR    Debian mirror (default http://deb.debian.org/debian)
#   HVL_KEYRING   keyring for debootstrap
#                 (default /usr/share/keyrings/debian-archive-keyring.gpg)
#   HVL_REFRESH=1 throw away an existing chroot and kernel and rebuild them
#
# Interrupt-safe: the chroot is built in chroots/.SUITE.partial and renamed
# into place only once complete; anything left half-done is removed (after
# unmounting whatever may still be mounted below it) on the next run.
# Concurrent runs for the same suite serialise on a flock.

set -eu

me="suite-chroot"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

[ $# -eq 1 ] || die "usage: $0 bullseye|bookworm|trixie|sid"
suite=$1
case $suite in
	bullseye|bookworm|trixie|sid) ;;
	*) die "unknown suite '$suite' (want bullseye, bookworm, trixie or sid)" ;;
esac

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot)"
for tool in debootstrap chroot flock; do
	command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found (apt-get install debootstrap coreutils util-linux)"
done

cache=${HVL_CACHE:-/var/cache/hyperv-lic}
mirror=${HVL_MIRROR:-http://deb.debian.org/debian}
keyring=${HVL_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
[ -r "$keyring" ] || die "keyring $keyring not readable (apt-get install debian-archive-keyring, or set HVL_KEYRING)"

root=$cache/chroots/$suite
partial=$cache/chroots/.$suite.partial
logdir=$cache/logs
log=$logdir/chroot-$suite.log
mkdir -p "$cache/chroots" "$cache/kernels" "$logdir" || die "cannot create $cache"

# One preparer per suite at a time.
exec 9>"$cache/chroots/.$suite.lock"
flock 9 || die "cannot lock $cache/chroots/.$suite.lock"

# Unmount everything mounted at or below $1 (deepest first). Returns non-zero
# if something stays mounted.
unmount_below() {
	ub_dir=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	# /proc/self/mounts encodes blanks as \040; our paths have none.
	ub_list=$(awk -v d="$ub_dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
	for ub_m in $ub_list; do
		umount "$ub_m" 2>/dev/null || umount -l "$ub_m" 2>/dev/null || true
	done
	! awk -v d="$ub_dir" '$2 == d || index($2, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mounts
}

# Remove a directory tree, refusing if anything is still mounted inside it.
remove_tree() {
	[ -e "$1" ] || return 0
	unmount_below "$1" || die "$1 still has mounts below it; unmount them by hand"
	rm -rf --one-file-system "$1" || die "cannot remove $1"
}

# Run a shell command inside chroot $1 with a clean environment.
in_chroot() {
	ic_root=$1; shift
	chroot "$ic_root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
		/bin/sh -c "$*"
}

# What the trap has to undo: mounts debootstrap may have left, temp dirs.
cleanup_paths=
cleanup() {
	for c in $cleanup_paths; do
		unmount_below "$c" || note "warning: mounts left below $c"
	done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

ready_release() {
	# Print release=... from a marker file, nothing if absent or malformed.
	[ -f "$1" ] || return 0
	sed -n 's/^release=//p' "$1"
}

t0=$(date +%s)
did=0

if [ "${HVL_REFRESH:-0}" = 1 ] && [ -e "$root" ]; then
	old=$(ready_release "$root/.hvl-ready")
	note "HVL_REFRESH=1: removing $root${old:+ and kernels/$old}"
	remove_tree "$root"
	[ -z "$old" ] || remove_tree "$cache/kernels/$old"
fi

# A chroot directory without its marker is the remains of something else
# (e.g. an interrupted run of an older script); do not trust it.
if [ -e "$root" ] && [ ! -f "$root/.hvl-ready" ]; then
	note "removing incomplete chroot $root"
	remove_tree "$root"
fi

# ---------------------------------------------------------------- chroot
if [ ! -f "$root/.hvl-ready" ]; then
	did=1
	remove_tree "$partial"
	cleanup_paths="$partial"
	: >"$log"
	note "creating $suite chroot (debootstrap, log: $log)"
	if ! debootstrap --variant=minbase --keyring="$keyring" \
		"$suite" "$partial" "$mirror" >>"$log" 2>&1; then
		tail -n 5 "$log" >&2 || true
		die "debootstrap $suite failed (see $log)"
	fi
	unmount_below "$partial" || die "debootstrap left mounts below $partial"

	cat >"$partial/etc/apt/apt.conf.d/90hyperv-lic" <<-'EOF'
		APT::Install-Recommends "false";
		APT::Install-Suggests "false";
		Acquire::Languages "none";
		Acquire::Retries "3";
		Dpkg::Use-Pty "false";
	EOF
	# Kernel headers do not need man pages or translations.
	cat >"$partial/etc/dpkg/dpkg.cfg.d/90hyperv-lic" <<-'EOF'
		path-exclude /usr/share/doc/*
		path-exclude /usr/share/man/*
		path-exclude /usr/share/locale/*
		path-exclude /usr/share/info/*
	EOF
	printf 'deb %s %s main\n' "$mirror" "$suite" >"$partial/etc/apt/sources.list"

	note "installing gcc make libc6-dev libelf-dev kmod linux-headers-amd64 into $suite"
	if ! in_chroot "$partial" 'apt-get -q update' >>"$log" 2>&1 ||
		tail -n 3 "$log" | grep -q 'Release file .* is expired'; then
		# A mirror snapshot older than sid's Valid-Until (one week) is
		# refused by apt; debootstrap does not check that. Accept it,
		# loudly: the signature is still verified.
		if tail -n 3 "$log" | grep -q 'Release file .* is expired'; then
			note "warning: $suite Release file on $mirror is expired; disabling apt's Valid-Until check in this chroot"
			printf 'Acquire::Check-Valid-Until "false";\n' >"$partial/etc/apt/apt.conf.d/91hyperv-lic-expired"
			in_chroot "$partial" 'apt-get -q update' >>"$log" 2>&1 ||
				die "apt-get update in the $suite chroot failed (see $log)"
		else
			tail -n 5 "$log" >&2 || true
			die "apt-get update in the $suite chroot failed (see $log)"
		fi
	fi
	if ! in_chroot "$partial" 'apt-get -q -y install gcc make libc6-dev libelf-dev kmod linux-headers-amd64 && apt-get clean' >>"$log" 2>&1; then
		tail -n 5 "$log" >&2 || true
		die "apt-get install in the $suite chroot failed (see $log)"
	fi

	# Depends: [linux-base-amd64 (= v), ]linux-headers-<release> (= v)
	rel=$(in_chroot "$partial" "dpkg-query -W -f '\${Depends}' linux-headers-amd64" |
		tr ',' '\n' | sed -n 's/^ *linux-headers-\([^ |]*\).*/\1/p' | head -n 1)
	[ -n "$rel" ] || die "cannot tell the kernel release from linux-headers-amd64 in $suite"
	# build is an absolute symlink: resolve it inside the chroot.
	in_chroot "$partial" "test -f /lib/modules/$rel/build/Makefile" ||
		die "$suite: /lib/modules/$rel/build/Makefile missing after installing headers"
	gccver=$(in_chroot "$partial" 'gcc -dumpfullversion -dumpversion' 2>/dev/null) || gccver=unknown

	mkdir -p "$partial/build"
	printf 'suite=%s\nrelease=%s\ngcc=%s\ncreated=%s\n' \
		"$suite" "$rel" "$gccver" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$partial/.hvl-ready"
	mv "$partial" "$root" || die "cannot rename $partial to $root"
	cleanup_paths=
	note "$suite chroot ready: kernel headers $rel, gcc $gccver ($(($(date +%s) - t0))s)"
fi

rel=$(ready_release "$root/.hvl-ready")
[ -n "$rel" ] || die "$root/.hvl-ready has no release= line; rerun with HVL_REFRESH=1"

# ---------------------------------------------------------------- kernel
kdir=$cache/kernels/$rel
if [ ! -f "$kdir/.hvl-ready" ]; then
	did=1
	t1=$(date +%s)
	kpart=$cache/kernels/.$rel.partial
	remove_tree "$kpart"
	remove_tree "$kdir"
	ktmp=$root/tmp/hvl-kimage
	remove_tree "$ktmp"
	cleanup_paths="$ktmp"
	mkdir -p "$ktmp" "$kpart"
	chmod 0777 "$ktmp"
	note "downloading linux-image for $rel (log: $log)"
	# Runs inside the chroot, in /tmp/hvl-kimage, with the release as $1.
	# Prefer -unsigned: built from the same source upload as the headers,
	# while the signed package can lag behind in sid. Newer sid splits the
	# kernel: linux-image-<rel> is then an empty package depending on
	# linux-binary-<rel> (vmlinuz), linux-modules-<rel> and linux-base-<rel>;
	# fetch those <rel>-specific dependencies too.
	cat >"$ktmp/fetch.sh" <<-'EOF'
		set -eu
		rel=$1
		apt-get -q update >/dev/null || true
		apt-get -q download "linux-image-$rel-unsigned" || apt-get -q download "linux-image-$rel"
		img=$(ls linux-image-*.deb)
		if ! dpkg-deb -c "$img" | grep -q -e "boot/vmlinuz-$rel\$" -e "modules/$rel/vmlinuz\$"; then
			parts=$(dpkg-deb -f "$img" Depends | tr ',|' '\n\n' |
				awk -v r="$rel" '{ p = $1; n = length(p) - length(r) } n > 6 && substr(p, n + 1) == r && substr(p, n, 1) == "-" && p ~ /^linux-/ { print p }')
			[ -n "$parts" ] || { echo "$img has no vmlinuz and no linux-*-$rel dependencies" >&2; exit 1; }
			apt-get -q download $parts
		fi
		for deb in ./*.deb; do
			dpkg-deb -x "$deb" x
		done
	EOF
	if ! in_chroot "$root" "cd /tmp/hvl-kimage && sh ./fetch.sh '$rel'" >>"$log" 2>&1; then
		tail -n 5 "$log" >&2 || true
		die "cannot download/extract the linux-image-$rel packages in $suite (see $log)"
	fi
	mods=
	for m in "$ktmp/x/lib/modules/$rel" "$ktmp/x/usr/lib/modules/$rel"; do
		[ -d "$m" ] && mods=$m && break
	done
	[ -n "$mods" ] || die "linux-image packages for $rel have no lib/modules/$rel"
	# vmlinuz: boot/vmlinuz-<rel> (up to trixie) or, in the split layout,
	# <modules>/vmlinuz (installed to /boot by a hook).
	img=
	for f in "$ktmp/x/boot/vmlinuz-$rel" "$mods/vmlinuz"; do
		[ -f "$f" ] && img=$f && break
	done
	[ -n "$img" ] || die "linux-image packages for $rel have neither boot/vmlinuz-$rel nor lib/modules/$rel/vmlinuz"
	# The package has no modules.dep (its postinst runs depmod); generate
	# it with the suite's own kmod, which knows its module compression.
	case $mods in
		"$ktmp/x/usr/lib/"*) [ -e "$ktmp/x/lib" ] || ln -s usr/lib "$ktmp/x/lib" ;;
	esac
	if ! in_chroot "$root" "{ command -v depmod >/dev/null || apt-get -q -y install kmod; } &&
		depmod -b /tmp/hvl-kimage/x $rel" >>"$log" 2>&1; then
		tail -n 3 "$log" >&2 || true
		die "depmod for $rel failed in the $suite chroot (see $log)"
	fi
	mv "$img" "$kpart/vmlinuz"
	for f in config System.map; do
		if [ -f "$ktmp/x/boot/$f-$rel" ]; then
			mv "$ktmp/x/boot/$f-$rel" "$kpart/$f"
		elif [ -f "$mods/$f" ]; then
			cp "$mods/$f" "$kpart/$f"
		fi
	done
	mv "$mods" "$kpart/modules"
	debs=
	for deb in "$ktmp"/*.deb; do
		debs="$debs ${deb##*/}"
	done
	printf 'release=%s\nsuite=%s\npackages=%s\n' "$rel" "$suite" "${debs# }" >"$kpart/.hvl-ready"
	remove_tree "$ktmp"
	cleanup_paths=
	mv "$kpart" "$kdir" || die "cannot rename $kpart to $kdir"
	note "kernel $rel ready in $kdir ($(($(date +%s) - t1))s)"
fi

if [ "$did" = 1 ]; then
	note "$suite: $rel (total $(($(date +%s) - t0))s)"
else
	note "$suite: reusing $rel"
fi
printf '%s\n' "$rel"
