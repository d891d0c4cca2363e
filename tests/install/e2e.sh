#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/install/e2e.sh: install.sh and the .deb end to end, in a Debian
# bookworm chroot with real dkms, kernels, headers and initramfs-tools,
# then the produced initramfs booted under QEMU.
#
# usage: tests/install/e2e.sh [--scenarios "dkms deb upgrade nodkms qemu"] [--keep]
#
# Scenarios, each in its own overlay on the cached base chroot
# (tests/install/e2e-chroot.sh), so they never change the base:
#   dkms    install.sh --replace-inbox for kernel OLD refused (exit 9,
#           nothing changed: Debian's kernel has in-box hv_netvsc, hv_utils,
#           ... that hyperv-lic does not replace); --replace-inbox --force
#           (DKMS path): dkms
#           status, module under updates/dkms, module in the initramfs;
#           second run changes nothing; kernel NEW installed with its
#           headers: DKMS + our hooks build for it and its initramfs holds
#           our module, with no action from the admin; --uninstall leaves
#           nothing of ours
#   deb     the hyperv-lic-dkms package (build/deb/, made by
#           packaging/deb/build.sh): installing it keeps the kernel's in-box
#           drivers (it lacks hv_netvsc, ...): dpkg succeeds and warns, the
#           in-box hv_vmbus and hv_netvsc are what modprobe resolves and
#           what the initramfs holds, nothing of ours under updates/; the
#           same for kernel NEW after a kernel update; purge
#   upgrade kernel OLD stripped of its in-box Hyper-V modules (so ours are
#           used): the 0.1.0 .deb, then an upgrade to a 0.1.1 .deb (built
#           here from a copy of the tree) through dpkg: the initramfs holds
#           the 0.1.1 modules (DKMS installs them before install.sh runs);
#           --status shows the version, as a user too; purge
#   nodkms  dkms purged: install.sh --replace-inbox --force builds directly
#           (stripped modules with the package version, as DKMS makes
#           them) and its kernel hooks rebuild for kernel NEW; --uninstall
#   qemu    boots kernel OLD with the initramfs install.sh produced (from
#           "dkms") and checks from the guest that hv_vmbus is loaded from
#           the initramfs's updates/dkms and declines with -ENODEV and our
#           log line (no Hyper-V, no simulator)
# "nodkms" and "upgrade" set MODULES=list in initramfs.conf (our hook still has to add
# our module; update-initramfs takes seconds instead of ~30 s); "dkms" and
# "deb" keep Debian's default MODULES=most (which puts the in-box
# hv_netvsc into the initramfs).
#
# Output: PASS/FAIL lines, then "N passed, M failed"; exit 0 only if M = 0.
# Every step has a time limit (HVL_E2E_STEP_TIMEOUT, default 900 s; QEMU:
# HVL_E2E_QEMU_TIMEOUT, default 300 s). Logs: $HVL_CACHE/install-e2e/logs/.

set -eu

me="e2e.sh"
die() { printf '%s: error: %s\n' "$me" "$*" >&2; exit 2; }
note() { printf '%s: %s\n' "$me" "$*" >&2; }

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${HVL_CACHE:-/var/cache/hyperv-lic}
export HVL_CACHE="$cache"
top=$cache/install-e2e
logs=$top/logs
step_timeout=${HVL_E2E_STEP_TIMEOUT:-900}
qemu_timeout=${HVL_E2E_QEMU_TIMEOUT:-300}
scenarios="dkms deb upgrade nodkms qemu"
keep=0

while [ $# -gt 0 ]; do
	case $1 in
		--scenarios) [ $# -ge 2 ] || die "--scenarios needs a value"; scenarios=$2; shift 2 ;;
		--keep) keep=1; shift ;;
		-h | --help) sed -n 's/^# \{0,1\}//; /^usage:/,/^Output:/p' "$0"; exit 0 ;;
		*) die "unknown argument '$1'" ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, mount)"
for t in chroot mount umount timeout qemu-system-x86_64; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done

base=$(sh "$here/e2e-chroot.sh") || die "cannot prepare the base chroot"
modules=$(sed 's/#.*//' "$repo/dkms.conf" | awk '{ for (i = 1; i <= NF; i++) print $i }' |
	sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\{0,1\}\([A-Za-z0-9_]*\)"\{0,1\}$/\1/p' | tr '\n' ' ')
version=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$repo/dkms.conf")
old=$(sed -n 's/^old=//p' "$base/.hvl-ready")
new=$(sed -n 's/^new=//p' "$base/.hvl-ready")
mkdir -p "$logs" "$top/run"
results=$logs/results.txt
: >"$results"
t_all=$(date +%s)

pass() { printf 'PASS %s\n' "$1" | tee -a "$results"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2" | tee -a "$results"; }

# ------------------------------------------------------------ overlays

unmount_below() {
	ub_dir=$(cd "$1" 2>/dev/null && pwd -P) || return 0
	awk -v d="$ub_dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
		while IFS= read -r ub_m; do
			umount "$ub_m" 2>/dev/null || umount -l "$ub_m" 2>/dev/null || true
		done
}

# up NAME: a fresh overlay of the base at $root, with /proc, /sys, /dev
# and a clean copy of the source tree in /root/hvl-checkout.
up() {
	sc=$1
	d=$top/run/$sc
	unmount_below "$d"
	rm -rf --one-file-system "$d"
	mkdir -p "$d/upper" "$d/work" "$d/root"
	root=$d/root
	mount -t overlay overlay -o "lowerdir=$base,upperdir=$d/upper,workdir=$d/work" "$root"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --bind /dev "$root/dev"
	log=$logs/$sc.log
	: >"$log"
	sh "$repo/install.sh" --export-source "$root/root/hvl-checkout" >>"$log" 2>&1
}

down() {
	unmount_below "$top/run/$1"
	[ "$keep" = 1 ] || rm -rf --one-file-system "${top:?}/run/$1"
}

# in_root CMD: run CMD in the current overlay, output to the log; the
# exit status is CMD's (124 on timeout).
in_root() {
	printf '\n### %s\n' "$*" >>"$log"
	timeout -k 10 "$step_timeout" chroot "$root" /usr/bin/env -i \
		PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive /bin/sh -c "$*" >>"$log" 2>&1
}

# check NAME CMD: PASS if CMD succeeds in the overlay.
check() {
	ck_name=$1
	shift
	if in_root "$*"; then
		pass "$sc/$ck_name"
	else
		fail "$sc/$ck_name" "'$*' failed (log: $log)"
	fi
}

# step NAME CMD: like check, timed.
step() {
	st_t=$(date +%s)
	check "$@"
	printf '%s %ss\n' "$sc/$1" "$(($(date +%s) - st_t))" >>"$logs/times.txt"
}

# What must be true when our modules are installed for kernel $1 by DKMS
# ($2 = dkms) or directly ($2 = make): every module dkms.conf lists is
# installed and chosen by modprobe; the boot modules (hv_vmbus, storage)
# are in the initramfs.
installed_checks() {
	if [ "$2" = dkms ]; then
		ic_dir=updates/dkms
		check "dkms-status:$1" "dkms status -m hyperv-lic | grep -F 'hyperv-lic/' | grep -F ', $1, ' | grep -q ': installed'"
	else
		ic_dir=updates
	fi
	for ic_m in $modules; do
		check "module-file:$ic_m:$1" "ls /lib/modules/$1/$ic_dir/$ic_m.ko*"
		check "modprobe-picks-ours:$ic_m:$1" "modinfo -k $1 -n $ic_m | grep -q /$ic_dir/"
		case $ic_m in
			hv_vmbus | hv_storvsc | hv_blkvsc)
				check "initramfs:$ic_m:$1" "lsinitramfs /boot/initrd.img-$1 | grep -q 'modules/$1/$ic_dir/$ic_m.ko'" ;;
		esac
	done
}

# inbox_checks KVER: KVER kept its in-box Hyper-V drivers: nothing of
# ours installed for it; modprobe resolves hv_vmbus and hv_netvsc (with
# its dependencies) to the kernel's own files; its initramfs holds the
# in-box hv_vmbus and hv_netvsc and nothing of ours.
inbox_checks() {
	check "inbox-kept:no-module-of-ours:$1" "! find /lib/modules/$1 \\( -path '*/updates/*' -o -path '*/extra/*' \\) -name 'hv_*' | grep ."
	check "inbox-kept:modprobe-picks-inbox:hv_vmbus:$1" "modinfo -k $1 -n hv_vmbus | grep -q '/kernel/drivers/hv/hv_vmbus.ko'"
	check "inbox-kept:hv_netvsc-loadable:$1" "modprobe -S $1 --show-depends hv_netvsc >/tmp/sd.out && cat /tmp/sd.out && grep -q '^insmod .*/kernel/drivers/hv/hv_vmbus.ko' /tmp/sd.out && grep -q '^insmod .*/kernel/drivers/net/hyperv/hv_netvsc.ko' /tmp/sd.out && ! grep -E 'updates/|extra/' /tmp/sd.out"
	check "inbox-kept:initramfs-has-inbox-hv_netvsc:$1" "lsinitramfs /boot/initrd.img-$1 | grep -q 'modules/$1/kernel/drivers/net/hyperv/hv_netvsc.ko'"
	check "inbox-kept:initramfs-has-inbox-hv_vmbus:$1" "lsinitramfs /boot/initrd.img-$1 | grep -q 'modules/$1/kernel/drivers/hv/hv_vmbus.ko'"
	check "inbox-kept:initramfs-without-ours:$1" "! lsinitramfs /boot/initrd.img-$1 | grep -E '(updates|extra)/(dkms/)?hv_'"
}

# Nothing of ours left (the checkout and the test's own probe aside).
gone_checks() {
	check "nothing-left:files" "! find / -xdev \\( -path /root/hvl-checkout -o -path /proc \\) -prune -o \\( -name '*hyperv-lic*' ! -name hyperv-lic-install.log \\) -print | grep ."
	check "nothing-left:modules" "! find /lib/modules \\( -path '*/updates/*' -o -path '*/extra/*' \\) -name 'hv_*' | grep ."
	check "nothing-left:dkms" "! { command -v dkms >/dev/null && dkms status -m hyperv-lic | grep .; }"
	for gc_k in "$old" "$new"; do
		[ -f "$root/boot/initrd.img-$gc_k" ] || continue
		check "initramfs-without-ours:$gc_k" "! lsinitramfs /boot/initrd.img-$gc_k | grep -E 'updates/(dkms/)?hv_'"
	done
}

kernel_update() {
	step "kernel-update:$new" "apt-get -q -y --no-download install linux-image-$new linux-headers-$new"
}

modules_list() {
	in_root "sed -i 's/^MODULES=.*/MODULES=list/' /etc/initramfs-tools/initramfs.conf" || true
}

# ------------------------------------------------------------ scenarios

scenario_dkms() {
	up dkms
	cp "$here/e2e-probe" "$root/etc/initramfs-tools/scripts/init-premount/hvl-probe"
	chmod 0755 "$root/etc/initramfs-tools/scripts/init-premount/hvl-probe"
	# Debian's kernel has in-box modules we do not replace (hv_netvsc,
	# hv_utils, ...): --replace-inbox alone is refused and changes nothing.
	check "replace-inbox-refused" "cksum /boot/initrd.img-$old >/tmp/sums.0; rc=0; sh /root/hvl-checkout/install.sh --replace-inbox --kernel $old >/tmp/refused.out 2>&1 || rc=\$?; cat /tmp/refused.out; test \$rc -eq 9 && grep -q 'hv_netvsc' /tmp/refused.out && ! grep -q 'pci_hyperv_intf' /tmp/refused.out && test ! -e /var/lib/hyperv-lic/settings && test ! -e /etc/depmod.d/hyperv-lic.conf && ! dkms status -m hyperv-lic | grep . && cksum /boot/initrd.img-$old | cmp - /tmp/sums.0"
	step "install.sh" "sh /root/hvl-checkout/install.sh --replace-inbox --force --kernel $old"
	installed_checks "$old" dkms
	check "hooks-installed" "test -x /etc/kernel/postinst.d/hyperv-lic && test -x /etc/kernel/header_postinst.d/hyperv-lic && test -x /etc/initramfs-tools/hooks/hyperv-lic"
	check "backup-kept" "test -f /boot/initrd.img-$old.hyperv-lic.bak"
	# For the QEMU scenario: the kernel and the initramfs install.sh made.
	mkdir -p "$top/run/qemu-input"
	cp "$root/boot/vmlinuz-$old" "$top/run/qemu-input/vmlinuz"
	cp "$root/boot/initrd.img-$old" "$top/run/qemu-input/initrd.img"
	echo "$old" >"$top/run/qemu-input/release"
	sums="cksum /boot/initrd.img-$old /lib/modules/$old/updates/dkms/hv_*.ko* /etc/modprobe.d/hyperv-lic.conf /etc/depmod.d/hyperv-lic.conf /var/lib/hyperv-lic/settings"
	in_root "$sums >/tmp/sums.1"
	step "second-run" "sh /root/hvl-checkout/install.sh --replace-inbox --force --kernel $old >/tmp/second.out 2>&1 && cat /tmp/second.out && ! grep -E 'dkms (build|install)|initramfs' /tmp/second.out"
	# Once ours took over, the in-box modules that stop loading are still
	# those that need hv_vmbus: hv_netvsc, not pci_hyperv_intf.
	check "second-run-lists-what-stops" "grep -F 'will stop loading' /tmp/second.out | grep -F hv_netvsc && ! grep -F pci_hyperv_intf /tmp/second.out"
	check "second-run-changes-nothing" "$sums >/tmp/sums.2 && cmp /tmp/sums.1 /tmp/sums.2"
	kernel_update
	installed_checks "$new" dkms
	check "status" "sh /root/hvl-checkout/install.sh --status >/tmp/status.out && cat /tmp/status.out && grep 'kernel $new' /tmp/status.out && grep -F 'installed:   hv_vmbus $version (updates/dkms/hv_vmbus.ko' /tmp/status.out && grep -F '(has our modules, the installed ones)' /tmp/status.out && ! grep pci_hyperv_intf /tmp/status.out"
	# Any user may ask (with a user's PATH, without /usr/sbin: modinfo is
	# still found, so pci_hyperv_intf is not taken for a module that needs
	# hv_vmbus); a reader that goes away gets no error.
	check "status-as-user" "cp -R /root/hvl-checkout /tmp/co && chmod -R a+rX /tmp/co && setpriv --reuid=nobody --regid=nogroup --clear-groups env PATH=/usr/bin:/bin sh /tmp/co/install.sh --status >/tmp/st-user.out 2>&1; rc=\$?; cat /tmp/st-user.out; test \$rc -eq 0 && grep -q 'kernel $old' /tmp/st-user.out && ! grep pci_hyperv_intf /tmp/st-user.out"
	check "status-closed-pipe" "sh /root/hvl-checkout/install.sh --status 2>/tmp/st-pipe.err | head -n 1 && cat /tmp/st-pipe.err && test ! -s /tmp/st-pipe.err"
	step "uninstall" "sh /root/hvl-checkout/install.sh --uninstall"
	gone_checks
	down dkms
}

scenario_deb() {
	deb=
	for f in "$repo"/build/deb/hyperv-lic-dkms_*_all.deb; do
		[ -f "$f" ] && deb=$f
	done
	if [ -z "$deb" ]; then
		fail "deb/package" "no build/deb/hyperv-lic-dkms_*_all.deb (run sh packaging/deb/build.sh)"
		return 0
	fi
	up deb
	cp "$deb" "$root/tmp/hvl-e2e.deb"
	check "inbox-before:initramfs-has-inbox-hv_netvsc:$old" "lsinitramfs /boot/initrd.img-$old | grep -q 'modules/$old/kernel/drivers/net/hyperv/hv_netvsc.ko'"
	# dpkg, not apt: apt 2.6 calls a local .deb in a chroot "not absolute".
	# The package keeps the in-box drivers it cannot all replace: dpkg
	# succeeds and the warning names what hyperv-lic lacks.
	step "dpkg-install" "dpkg -i /tmp/hvl-e2e.deb >/tmp/dpkg.out 2>&1; rc=\$?; cat /tmp/dpkg.out; rm -f /tmp/hvl-e2e.deb; test \$rc -eq 0"
	check "dpkg-install-warns" "grep 'warning: kernel $old keeps its in-box Hyper-V drivers: hyperv-lic has no .*hv_netvsc' /tmp/dpkg.out && ! grep 'pci_hyperv_intf' /tmp/dpkg.out"
	inbox_checks "$old"
	kernel_update
	inbox_checks "$new"
	step "apt-purge" "apt-get -q -y purge hyperv-lic-dkms"
	gone_checks
	check "no-source-left" "! test -e /usr/src/hyperv-lic-0.1.0"
	down deb
}

# deb_version VERSION: a copy of the tree at VERSION packaged as a .deb
# (packaging/deb/build.sh, without lintian); prints its path.
deb_version() {
	dv_t=$top/run/deb-$1
	rm -rf "$dv_t"
	mkdir -p "$dv_t"
	sh "$repo/install.sh" --export-source "$dv_t" || return 1
	cp -R "$repo/packaging" "$dv_t/packaging"
	sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$1\"/" "$dv_t/dkms.conf"
	{
		printf 'hyperv-lic (%s) unstable; urgency=medium\n\n  * e2e upgrade test.\n\n' "$1"
		printf ' -- hyperv-lic developers <hyperv-lic@lists.example.org>  Sat, 21 Nov 2026 00:00:00 +0000\n\n'
		cat "$repo/packaging/deb/debian/changelog"
	} >"$dv_t/packaging/deb/debian/changelog"
	HVL_NO_LINTIAN=1 sh "$dv_t/packaging/deb/build.sh" >"$logs/deb-$1.log" 2>&1 || return 1
	printf '%s\n' "$dv_t/build/deb/hyperv-lic-dkms_$1_all.deb"
}

# initrd_version_check KVER MODULE VERSION: the initramfs of KVER holds our
# MODULE (updates/dkms) with modinfo version VERSION.
initrd_version_check() {
	check "initramfs-version:$2:$3" "rm -rf /tmp/u && unmkinitramfs /boot/initrd.img-$1 /tmp/u && f=\$(find /tmp/u -path '*/updates/dkms/$2.ko*' | head -n 1) && test -n \"\$f\" && v=\$(modinfo -F version \"\$f\"); rm -rf /tmp/u; echo \"\$v\"; test \"\$v\" = '$3'"
}

scenario_upgrade() {
	deb0=$repo/build/deb/hyperv-lic-dkms_${version}_all.deb
	if [ ! -f "$deb0" ]; then
		fail "upgrade/package" "no $deb0 (run sh packaging/deb/build.sh)"
		return 0
	fi
	up_v=$(echo "$version" | awk -F. '{ $NF = $NF + 1; print }' OFS=.)
	if ! deb1=$(deb_version "$up_v"); then
		fail "upgrade/package-$up_v" "cannot build the $up_v package (log: $logs/deb-$up_v.log)"
		return 0
	fi
	up upgrade
	modules_list
	cp "$deb0" "$root/tmp/hvl-0.deb"
	cp "$deb1" "$root/tmp/hvl-1.deb"
	# A kernel without Hyper-V drivers of its own: ours are used there.
	check "strip-inbox:$old" "find /lib/modules/$old/kernel \\( -name 'hv_*.ko*' -o -name '*hyperv*.ko*' -o -name 'uio_hv_generic.ko*' \\) -delete && depmod $old && ! modinfo -k $old -n hv_vmbus"
	step "dpkg-install:$version" "dpkg -i /tmp/hvl-0.deb"
	initrd_version_check "$old" hv_vmbus "$version"
	step "dpkg-upgrade:$up_v" "dpkg -i /tmp/hvl-1.deb >/tmp/up.out 2>&1; rc=\$?; cat /tmp/up.out; test \$rc -eq 0"
	check "dkms-has-only:$up_v" "dkms status -m hyperv-lic | grep -F 'hyperv-lic/$up_v, $old' && ! dkms status -m hyperv-lic | grep -F '/$version,'"
	for ug_m in hv_vmbus hv_storvsc hv_blkvsc; do
		case " $modules " in *" $ug_m "*) initrd_version_check "$old" "$ug_m" "$up_v" ;; esac
	done
	check "status-versions" "sh /usr/src/hyperv-lic-$up_v/install.sh --status >/tmp/st.out; cat /tmp/st.out; grep -F 'installed:   hv_vmbus $up_v (updates/dkms/hv_vmbus.ko' /tmp/st.out && grep -F '(has our modules, the installed ones)' /tmp/st.out"
	step "apt-purge" "apt-get -q -y purge hyperv-lic-dkms"
	gone_checks
	down upgrade
	rm -rf "$top/run/deb-$up_v"
}

scenario_nodkms() {
	up nodkms
	modules_list
	check "purge-dkms" "dpkg --purge dkms && ! command -v dkms"
	step "install.sh" "sh /root/hvl-checkout/install.sh --replace-inbox --force --kernel $old"
	installed_checks "$old" make
	# As DKMS makes them: the package version, no debug information.
	for nd_m in $modules; do
		check "version:$nd_m:$old" "test \"\$(modinfo -F version /lib/modules/$old/updates/$nd_m.ko)\" = $version"
		check "stripped:$nd_m:$old" "objdump -h /lib/modules/$old/updates/$nd_m.ko >/tmp/h.out && grep -q ' .text' /tmp/h.out && ! grep -q ' .debug_info' /tmp/h.out"
	done
	check "hooks-installed" "test -x /etc/kernel/postinst.d/hyperv-lic && test -x /etc/kernel/header_postinst.d/hyperv-lic"
	kernel_update
	installed_checks "$new" make
	step "uninstall" "sh /root/hvl-checkout/install.sh --uninstall"
	gone_checks
	down nodkms
}

scenario_qemu() {
	sc=qemu
	qi=$top/run/qemu-input
	if [ ! -f "$qi/initrd.img" ]; then
		fail "qemu/boot" "no initramfs from the dkms scenario (run it first)"
		return 0
	fi
	rel=$(cat "$qi/release")
	serial=$logs/qemu-serial.log
	q_t=$(date +%s)
	timeout -k 10 "$qemu_timeout" qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -nographic \
		-no-reboot -nic none -kernel "$qi/vmlinuz" -initrd "$qi/initrd.img" \
		-append "console=ttyS0 panic=-1 loglevel=7 hvl.probe=1" </dev/null >"$serial" 2>&1 || true
	printf 'qemu/boot %ss\n' "$(($(date +%s) - q_t))" >>"$logs/times.txt"
	tr -d '\r' <"$serial" >"$serial.txt"
	if grep -q 'HVL-PROBE-END' "$serial.txt"; then
		pass "qemu/boot:$rel"
	else
		fail "qemu/boot:$rel" "no HVL-PROBE-END on the console (log: $serial)"
		return 0
	fi
	if grep -q "HVL-PROBE modprobe: insmod /lib/modules/$rel/updates/dkms/hv_vmbus.ko" "$serial.txt" ||
		grep -q "HVL-PROBE modprobe: insmod /usr/lib/modules/$rel/updates/dkms/hv_vmbus.ko" "$serial.txt"; then
		pass "qemu/loaded-from-initramfs-updates"
	else
		fail "qemu/loaded-from-initramfs-updates" "modprobe -v did not insmod updates/dkms/hv_vmbus.ko (log: $serial)"
	fi
	if grep -q 'hv_vmbus: not a Hyper-V guest (load with sim=1 for the simulator)' "$serial.txt"; then
		pass "qemu/declines-with-log-line"
	else
		fail "qemu/declines-with-log-line" "no 'hv_vmbus: not a Hyper-V guest (load with sim=1 for the simulator)' (log: $serial)"
	fi
	if grep -q "HVL-PROBE modprobe: .*No such device" "$serial.txt" && grep -q 'HVL-PROBE rc=[1-9]' "$serial.txt"; then
		pass "qemu/enodev"
	else
		fail "qemu/enodev" "modprobe did not fail with 'No such device' (-ENODEV) (log: $serial)"
	fi
	if grep -E -q 'Oops|BUG:|Call Trace|WARNING: CPU' "$serial.txt"; then
		fail "qemu/clean-log" "kernel complained (log: $serial)"
	else
		pass "qemu/clean-log"
	fi
}

: >"$logs/times.txt"
trap 'for s in dkms deb upgrade nodkms; do unmount_below "$top/run/$s"; done' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for s in $scenarios; do
	s_t=$(date +%s)
	note "scenario $s"
	case $s in
		dkms) scenario_dkms ;;
		deb) scenario_deb ;;
		upgrade) scenario_upgrade ;;
		nodkms) scenario_nodkms ;;
		qemu) scenario_qemu ;;
		*) die "unknown scenario '$s' (dkms deb upgrade nodkms qemu)" ;;
	esac
	printf 'scenario %s %ss\n' "$s" "$(($(date +%s) - s_t))" | tee -a "$logs/times.txt" >&2
done

pass_n=$(grep -c '^PASS ' "$results" || true)
fail_n=$(grep -c '^FAIL ' "$results" || true)
note "e2e took $(($(date +%s) - t_all))s (times: $logs/times.txt)"
echo "$pass_n passed, $fail_n failed"
[ "$fail_n" -eq 0 ] && [ "$pass_n" -gt 0 ]
