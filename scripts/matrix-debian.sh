#!/bin/sh
# matrix-debian.sh [SUITE...]: build src/ against each Debian suite's kernel
# headers with that suite's own gcc, in the chroots of scripts/suite-chroot.sh.
#
#   SUITE: bullseye bookworm trixie sid (default: all four)
#
# Prints one line per kernel on stdout:
#   <release> <suite> gcc-<version> OK|FAIL warnings=<n>
# n counts compiler "warning:" diagnostics (and warnings made errors by
# -Werror) located in our sources, not in kernel headers. Exits non-zero if any build failed. Diagnostics go to
# stderr; full logs to ${HVL_CACHE}/logs/matrix-<suite>.log.
#
# Environment:
#   HVL_CACHE   cache root (default /var/cache/hyperv-lic)
#   HVL_SRC     source directory to build (default: the repo's src/); it must
#               have a Makefile taking KDIR=
#   HV_WERROR   passed on to make when set (HV_WERROR=1: -Werror on our code)
#   HVL_JOBS    make -j (default: nproc)
#   HVL_VERBOSE=1  also print each counted warning line on stderr

set -eu

me="matrix-debian"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 2; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${HVL_CACHE:-/var/cache/hyperv-lic}
export HVL_CACHE="$cache"
src=${HVL_SRC:-$repo/src}
jobs=${HVL_JOBS:-$(nproc 2>/dev/null || echo 2)}

[ "$(id -u)" -eq 0 ] || die "must run as root (chroot)"
[ -d "$src" ] || die "source directory $src does not exist"
[ -f "$src/Makefile" ] || die "$src/Makefile missing: nothing to build (set HVL_SRC to try another module)"
src=$(cd "$src" && pwd)

[ $# -gt 0 ] || set -- bullseye bookworm trixie sid
for s in "$@"; do
	case $s in
		bullseye|bookworm|trixie|sid) ;;
		*) die "unknown suite '$s' (want bullseye, bookworm, trixie or sid)" ;;
	esac
done

mkdir -p "$cache/logs"

# in_chroot ROOT CMD: run CMD with sh in the chroot, clean environment.
# Kernel builds need /proc there (objtool of 7.x reads /proc/self/...); it is
# mounted in a private mount namespace, so it vanishes with the command and
# cannot leak, whatever happens to us.
if unshare --mount --propagation private true 2>/dev/null; then
	private_proc=1
else
	private_proc=0
	note "warning: unshare --mount not permitted; building without /proc in the chroot (7.x objtool fails)"
fi
in_chroot() {
	ic_root=$1
	shift
	if [ "$private_proc" = 1 ]; then
		# shellcheck disable=SC2016 # expanded by the inner shell
		unshare --mount --propagation private /bin/sh -c \
			'mount -t proc proc "$1/proc" && exec chroot "$1" /usr/bin/env -i \
				PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C /bin/sh -c "$2"' \
			hvl "$ic_root" "$*"
	else
		chroot "$ic_root" /usr/bin/env -i \
			PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C \
			/bin/sh -c "$*"
	fi
}

# count_warnings LOG: compiler warnings whose primary location is in our copy
# (absolute /build/hyperv-lic/... paths, or relative paths that exist in it).
count_warnings() {
	tr -d '\r' <"$1" |
		sed -n -e 's/^\([^ :]*\):[0-9][0-9]*:\([0-9][0-9]*:\)\{0,1\} warning: .*/\1 &/p' \
			-e 's/^\([^ :]*\):[0-9][0-9]*:\([0-9][0-9]*:\)\{0,1\} error: .*\[-Werror=.*/\1 &/p' |
		while read -r file line; do
			case $file in
				/build/hyperv-lic/*) ;;
				/*) continue ;;
				*)
					[ -f "$copy/$file" ] || [ -f "$copy/src/$file" ] ||
						[ -f "$root/build/hyperv-lic/$file" ] || continue
					;;
			esac
			[ "${HVL_VERBOSE:-0}" = 0 ] || printf '  %s\n' "$line" >&2
			echo x
		done | wc -l | tr -d ' '
}

# Cold cache: debootstrap and the kernel packages are mostly download,
# unpack and dpkg (one core, waiting on the network and the disk), so all
# suites are prepared at once; the loop below then finds them ready. A
# suite whose preparation fails here is tried again, and reported, below.
if [ $# -gt 1 ]; then
	prep_pids=
	for suite in "$@"; do
		if [ -f "$cache/chroots/$suite/.hvl-ready" ] && [ "${HVL_REFRESH:-0}" != 1 ]; then
			continue
		fi
		"$here/suite-chroot.sh" "$suite" >/dev/null &
		prep_pids="$prep_pids $!"
	done
	for p in $prep_pids; do
		wait "$p" || true
	done
fi
any_fail=0
for suite in "$@"; do
	if ! rel=$("$here/suite-chroot.sh" "$suite"); then
		printf '%s %s gcc-%s FAIL warnings=%s\n' "unknown" "$suite" "unknown" 0
		note "$suite: chroot/kernel preparation failed"
		any_fail=1
		continue
	fi
	root=$cache/chroots/$suite
	copy=$root/build/hyperv-lic/src
	log=$cache/logs/matrix-$suite.log

	# One build at a time per chroot (run.sh takes the same lock), held
	# until the results are read from the copy.
	exec 8>"$cache/chroots/.$suite.build.lock"
	flock 8
	rm -rf --one-file-system "$root/build/hyperv-lic"
	mkdir -p "$copy"
	(cd "$src" && tar -cf - --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude=Module.symvers \
		--exclude=modules.order --exclude=.tmp_versions .) | (cd "$copy" && tar -xf -)

	werror=
	[ -z "${HV_WERROR:-}" ] || werror="HV_WERROR=$HV_WERROR"
	status=OK
	if ! in_chroot "$root" "make -C /build/hyperv-lic/src KDIR=/lib/modules/$rel/build -j$jobs $werror" >"$log" 2>&1; then
		status=FAIL
		any_fail=1
	fi

	# The compiler kbuild really used: first word of a recorded command.
	cc=$(find "$copy" -name '.*.o.cmd' 2>/dev/null | head -n 1 |
		xargs -r sed -n '1s/^[a-z_]*cmd_[^ ]* := \([^ ]*\).*/\1/p' 2>/dev/null) || cc=
	case $cc in
		*gcc*) ;;
		*) cc=gcc ;;
	esac
	ver=$(in_chroot "$root" "$cc -dumpfullversion -dumpversion" 2>/dev/null) || ver=unknown
	warnings=$(count_warnings "$log")

	# Wire conformance: our structs against this kernel's linux/hyperv.h
	conf=skipped
	if [ -d "$repo/tests/conformance" ]; then
		mkdir -p "$root/build/hyperv-lic/tests"
		cp -R "$repo/tests/conformance" "$root/build/hyperv-lic/tests/"
		rm -rf "$root/build/hyperv-lic/tests/conformance/build"
		if in_chroot "$root" "make -C /build/hyperv-lic/tests/conformance KDIR=/lib/modules/$rel/build" >"$log.conformance" 2>&1; then
			conf=OK
		else
			conf=FAIL
			any_fail=1
			note "$suite: wire conformance failed (log: $log.conformance)"
			grep -E 'error' "$log.conformance" | head -n 5 | sed 's/^/  /' >&2 || true
		fi
	fi
	# the lock covers everything read from the copy (another run may reuse it)
	exec 8>&-
	printf '%s %s gcc-%s %s warnings=%s conformance=%s\n' "$rel" "$suite" "$ver" "$status" "$warnings" "$conf"
	if [ "$status" = FAIL ]; then
		note "$suite: build failed (log: $log); first errors:"
		{ grep -i -E 'error:|undefined!' "$log" || grep -F '***' "$log"; } |
			head -n 5 | sed 's/^/  /' >&2 || true
	fi
done

exit "$any_fail"
