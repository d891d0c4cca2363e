#!/bin/sh
# debug-kernel.sh: build (or reuse) the QEMU bench's debug kernel, then print
# its release on stdout (like scripts/suite-chroot.sh).
#
# The kernel is built from Debian's own linux-source package, inside the
# cached chroot of one suite (default trixie: linux-source-6.12), on a
# trimmed config: allnoconfig plus exactly what the bench needs (64-bit,
# SMP, CPU hotplug, modules with unloading, ACPI/PCI for QEMU's default
# machine, 8250 serial console and a second port for the results channel,
# devtmpfs, gzip initramfs, proc/sysfs/debugfs/tmpfs, block, SCSI with sd,
# sg, the FC transport and scsi_debug, brd, loop, ext4) and the checkers:
# KASAN (generic, inline, vmalloc), lockdep (PROVE_LOCKING),
# DEBUG_KMEMLEAK, DEBUG_ATOMIC_SLEEP, SLUB_DEBUG (slub_debug= is on the
# runner's command line), DEBUG_LIST, DEBUG_OBJECTS (timers, work, free).
# CONFIG_HYPERV is off, so the only Hyper-V modules are ours.
#
# Result, under ${HVL_CACHE:-/var/cache/hyperv-lic}, in the layout
# suite-chroot.sh gives the Debian kernels:
#   kernels/<release>/vmlinuz, config, System.map
#   kernels/<release>/modules/      modules_install tree (depmod run)
#   kernels/<release>/.hvl-ready    written last: release=, suite=,
#                                   source=, key=, build_secs=
#   chroots/SUITE/build/hvl-debug/<key>/linux-source-*/
#                                   the built tree; the chroot's
#                                   /lib/modules/<release>/build points to
#                                   it (the KDIR for our modules)
#   logs/debug-kernel.log           output of the last build
# The cache key is the linux-source package version plus a hash of the
# config fragment below (and of this recipe's version): a change to either
# rebuilds; otherwise the cached kernel is reused.
#
# Environment:
#   HVL_CACHE          cache root (default /var/cache/hyperv-lic)
#   HVL_DEBUG_SUITE    suite chroot to build in (default trixie)
#   HVL_DEBUG_SOURCE   source package (default linux-source-6.12)
#   HVL_JOBS           make -j (default nproc); the build runs under nice -n 19
#   HVL_REFRESH=1      rebuild even if the cached kernel matches

set -eu

me="debug-kernel"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
cache=${HVL_CACHE:-/var/cache/hyperv-lic}
export HVL_CACHE="$cache"
suite=${HVL_DEBUG_SUITE:-trixie}
srcpkg=${HVL_DEBUG_SOURCE:-linux-source-6.12}
jobs=${HVL_JOBS:-$(nproc 2>/dev/null || echo 2)}
recipe=1 # bump when the build steps change in a way that needs a rebuild

[ "$(id -u)" -eq 0 ] || die "must run as root (chroot)"
command -v flock >/dev/null 2>&1 || die "'flock' not found (apt-get install util-linux)"

# The chroot (and its compiler) comes from suite-chroot.sh.
"$here/suite-chroot.sh" "$suite" >/dev/null || die "scripts/suite-chroot.sh $suite failed"
root=$cache/chroots/$suite
log=$cache/logs/debug-kernel.log

exec 7>"$cache/kernels/.hvl-debug.lock"
flock 7 || die "cannot lock $cache/kernels/.hvl-debug.lock"

in_chroot() {
	chroot "$root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
		/bin/sh -c "$*"
}

# The config fragment: what the bench needs, then the checkers. Applied with
# KCONFIG_ALLCONFIG to allnoconfig, so everything else is off.
fragment() {
	cat <<-'EOF'
		CONFIG_64BIT=y
		CONFIG_LOCALVERSION="-hvl-debug"
		# CONFIG_LOCALVERSION_AUTO is not set
		CONFIG_MULTIUSER=y
		CONFIG_SYSVIPC=y
		CONFIG_POSIX_TIMERS=y
		CONFIG_PRINTK=y
		CONFIG_PRINTK_TIME=y
		CONFIG_BUG=y
		CONFIG_FUTEX=y
		CONFIG_EPOLL=y
		CONFIG_SIGNALFD=y
		CONFIG_TIMERFD=y
		CONFIG_EVENTFD=y
		CONFIG_SHMEM=y
		CONFIG_AIO=y
		CONFIG_IO_URING=y
		CONFIG_ADVISE_SYSCALLS=y
		CONFIG_MEMBARRIER=y
		CONFIG_FILE_LOCKING=y
		CONFIG_KALLSYMS=y
		CONFIG_KALLSYMS_ALL=y
		CONFIG_SMP=y
		CONFIG_NR_CPUS=8
		CONFIG_HOTPLUG_CPU=y
		CONFIG_PREEMPT=y
		CONFIG_HIGH_RES_TIMERS=y
		CONFIG_ACPI=y
		CONFIG_PCI=y
		CONFIG_HPET_TIMER=y
		CONFIG_BINFMT_ELF=y
		CONFIG_BINFMT_SCRIPT=y
		CONFIG_MODULES=y
		CONFIG_MODULE_UNLOAD=y
		CONFIG_MODULE_FORCE_UNLOAD=y
		# CONFIG_MODVERSIONS is not set
		# CONFIG_MODULE_SIG is not set
		CONFIG_BLOCK=y
		CONFIG_BLK_DEV=y
		CONFIG_BLK_DEV_INITRD=y
		CONFIG_RD_GZIP=y
		CONFIG_BLK_DEV_RAM=m
		CONFIG_BLK_DEV_LOOP=m
		CONFIG_MQ_IOSCHED_DEADLINE=y
		CONFIG_NET=y
		CONFIG_UNIX=y
		CONFIG_SCSI=m
		CONFIG_BLK_DEV_SD=m
		CONFIG_CHR_DEV_SG=m
		CONFIG_SCSI_FC_ATTRS=m
		CONFIG_SCSI_LOWLEVEL=y
		CONFIG_SCSI_DEBUG=m
		CONFIG_DEVTMPFS=y
		CONFIG_TTY=y
		CONFIG_UNIX98_PTYS=y
		CONFIG_SERIAL_8250=y
		CONFIG_SERIAL_8250_CONSOLE=y
		CONFIG_SERIAL_8250_NR_UARTS=4
		CONFIG_SERIAL_8250_RUNTIME_UARTS=4
		CONFIG_PROC_FS=y
		CONFIG_PROC_SYSCTL=y
		CONFIG_SYSFS=y
		CONFIG_TMPFS=y
		CONFIG_DEBUG_FS=y
		CONFIG_EXT4_FS=m
		CONFIG_CRYPTO_CRC32C=m
		CONFIG_MAGIC_SYSRQ=y
		CONFIG_DEBUG_KERNEL=y
		CONFIG_DEBUG_BUGVERBOSE=y
		CONFIG_STACKTRACE=y
		CONFIG_KASAN=y
		CONFIG_KASAN_GENERIC=y
		CONFIG_KASAN_INLINE=y
		CONFIG_KASAN_VMALLOC=y
		CONFIG_SLUB_DEBUG=y
		CONFIG_PROVE_LOCKING=y
		CONFIG_DEBUG_ATOMIC_SLEEP=y
		CONFIG_DEBUG_KMEMLEAK=y
		# CONFIG_DEBUG_KMEMLEAK_AUTO_SCAN is not set
		CONFIG_DEBUG_LIST=y
		CONFIG_DEBUG_OBJECTS=y
		CONFIG_DEBUG_OBJECTS_FREE=y
		CONFIG_DEBUG_OBJECTS_TIMERS=y
		CONFIG_DEBUG_OBJECTS_WORK=y
		CONFIG_DETECT_HUNG_TASK=y
	EOF
}

# ---------------------------------------------------------------- key
# Package version: the candidate of the chroot's apt (after an update), or
# what is installed if the archive cannot be reached.
in_chroot 'apt-get -q update' >/dev/null 2>&1 || note "warning: apt-get update in the $suite chroot failed; using what apt already knows"
srcver=$(in_chroot "apt-cache policy $srcpkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
case $srcver in ''|'(none)')
	srcver=$(in_chroot "dpkg-query -W -f '\${Version}' $srcpkg" 2>/dev/null) || srcver=
	;;
esac
[ -n "$srcver" ] || die "$srcpkg: no version available in the $suite chroot (is it in $suite's archive?)"
fraghash=$(fragment | { cat; echo "recipe=$recipe"; } | sha256sum | cut -c1-12)
key=$(printf '%s-%s' "$srcver" "$fraghash" | tr -c 'A-Za-z0-9.+\n-' '_')

# Reuse: a marker with this key whose build tree is still in the chroot.
for m in "$cache"/kernels/*/.hvl-ready; do
	[ -f "$m" ] || continue
	grep -qx "key=$key" "$m" || continue
	rel=$(sed -n 's/^release=//p' "$m")
	[ -n "$rel" ] || continue
	if [ "${HVL_REFRESH:-0}" != 1 ] && in_chroot "test -f /lib/modules/$rel/build/Makefile"; then
		note "reusing $rel ($srcpkg $srcver, config $fraghash)"
		printf '%s\n' "$rel"
		exit 0
	fi
done

# ---------------------------------------------------------------- build
t0=$(date +%s)
mkdir -p "$cache/logs"
: >"$log"
note "building the debug kernel from $srcpkg $srcver, config $fraghash (log: $log)"
if ! in_chroot "apt-get -q -y install $srcpkg bc flex bison libssl-dev libelf-dev xz-utils kmod cpio && apt-get clean" >>"$log" 2>&1; then
	tail -n 5 "$log" >&2 || true
	die "cannot install $srcpkg and the build tools in the $suite chroot (see $log)"
fi
tarball=$(in_chroot "dpkg -L $srcpkg" | grep -E '^/usr/src/linux-source-[^/]*\.tar\.(xz|bz2|gz)$' | head -n 1)
[ -n "$tarball" ] || die "$srcpkg has no /usr/src/linux-source-*.tar.* file"
bdir=/build/hvl-debug/$key
rm -rf --one-file-system "${root:?}$bdir"
mkdir -p "$root$bdir"
fragment >"$root$bdir/debug.config"
# Runs in the chroot, in $bdir.
cat >"$root$bdir/build.sh" <<-EOF
	set -eu
	cd $bdir
	tar -xf $tarball
	cd linux-source-*/
	KCONFIG_ALLCONFIG=../debug.config make ARCH=x86_64 allnoconfig
	# Every line of the fragment must have survived (a dependency missing
	# from it would silently drop the option).
	bad=0
	while IFS= read -r l; do
		case \$l in
			CONFIG_*=*) grep -qxF "\$l" .config || { echo "config: wanted \$l, got: \$(grep -E "^(# )?\${l%%=*}[= ]" .config || echo nothing)"; bad=1; } ;;
		esac
	done <../debug.config
	[ \$bad = 0 ] || { echo "config: the fragment does not hold (above)"; exit 1; }
	nice -n 19 make ARCH=x86_64 -j$jobs bzImage modules
	rm -rf ../inst
	nice -n 19 make ARCH=x86_64 INSTALL_MOD_PATH=../inst INSTALL_MOD_STRIP=1 modules_install
	make -s kernelrelease >../release
EOF
if ! in_chroot "sh $bdir/build.sh" >>"$log" 2>&1; then
	grep -E '^config: |error:|\*\*\*' "$log" | head -n 10 >&2 || tail -n 10 "$log" >&2 || true
	die "the debug kernel build failed (see $log)"
fi
rel=$(cat "$root$bdir/release")
[ -n "$rel" ] || die "no kernel release from the build"
ktree=
for t in "$root$bdir"/linux-source-*/; do
	[ -f "$t/Makefile" ] && ktree=${t%/} && ktree=${ktree##*/} && break
done
[ -n "$ktree" ] || die "no linux-source-* tree in $root$bdir"
kdir=$cache/kernels/$rel
kpart=$cache/kernels/.$rel.partial
rm -rf --one-file-system "$kpart"
mkdir -p "$kpart"
cp "$root$bdir/$ktree/arch/x86/boot/bzImage" "$kpart/vmlinuz"
cp "$root$bdir/$ktree/.config" "$kpart/config"
cp "$root$bdir/$ktree/System.map" "$kpart/System.map"
mv "$root$bdir/inst/lib/modules/$rel" "$kpart/modules"
rm -f "$kpart/modules/build" "$kpart/modules/source"
rm -rf "$root$bdir/inst"
# The KDIR for our modules, inside the chroot.
in_chroot "mkdir -p /lib/modules/$rel && ln -sfn $bdir/$ktree /lib/modules/$rel/build"
secs=$(($(date +%s) - t0))
printf 'release=%s\nsuite=%s\nsource=%s %s\nkey=%s\nbuild_secs=%s\nbuilt=%s\n' \
	"$rel" "$suite" "$srcpkg" "$srcver" "$key" "$secs" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$kpart/.hvl-ready"
rm -rf --one-file-system "$kdir"
mv "$kpart" "$kdir"
# Older builds in the chroot are no longer referenced.
for d in "$root"/build/hvl-debug/*/; do
	[ -d "$d" ] || continue
	[ "${d%/}" = "$root$bdir" ] || rm -rf --one-file-system "$d"
done
note "debug kernel $rel ready in $kdir (${secs}s)"
printf '%s\n' "$rel"
