#!/usr/bin/env bats
# tests/install/install.bats: install.sh against fake roots of each
# release, with the system commands as recording stubs (helpers.bash).
# Each @test runs in its own subshell: STUB_* exports are meant to stay
# local to it.
# shellcheck disable=SC2030,SC2031

load helpers

# A test that ends early must not leave a held stub build or a read-only
# bind mount behind.
teardown() {
	[ -z "${STUB_DKMS_HOLD:-}" ] || touch "$STUB_DKMS_HOLD"
	[ -z "${RO_BOOT:-}" ] || umount "$RO_BOOT" 2>/dev/null || true
}

# ------------------------------------------------------------ per release

@test "rhel5: make path, mkinitrd --preload, boot-time service" {
	setup_root rhel5
	without dkms
	hvl
	status_is 0
	called "^make -C [^ ]*/build-$K/src -j[0-9]+ KVER=$K KDIR=<R>/lib/modules/$K/build\$"
	called "^depmod -b <R> -a $K\$"
	called "^mkinitrd -f $PRELOAD <R>/boot/initrd-$K.img $K\$"
	called "^chkconfig --add hyperv-lic\$"
	[ -f "$R/lib/modules/$K/updates/hv_vmbus.ko" ]
	grep -q '^# chkconfig: 2345' "$R/etc/init.d/hyperv-lic"
	grep -q -- "--hook \"\$(uname -r)\"" "$R/etc/init.d/hyperv-lic"
	[ ! -e "$R/etc/kernel/postinst.d/hyperv-lic" ]
	image_list "$K" | grep -qx "lib/modules/$K/updates/hv_vmbus.ko"
	[ -f "$R/boot/initrd-$K.img.hyperv-lic.bak" ]
	grep -q '^override hv_vmbus \* updates$' "$R/etc/depmod.d/hyperv-lic.conf"
	[ -f "$R/usr/src/hyperv-lic-0.1.0/dkms.conf" ]
	[ -f "$R/usr/src/hyperv-lic-0.1.0/src/Kbuild" ]
	grep -q '^mode=make$' "$R/var/lib/hyperv-lic/settings"
	output_has "note: no dkms command"
}

@test "rhel5: DKMS 2.x add, build, install" {
	setup_root rhel5
	export STUB_DKMS_VERSION=2.2.0.3
	hvl
	status_is 0
	called "^dkms add -m hyperv-lic -v 0.1.0\$"
	called "^dkms build -m hyperv-lic -v 0.1.0 -k $K\$"
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K\$"
	not_called "^make "
	called "^mkinitrd -f $PRELOAD <R>/boot/initrd-$K.img $K\$"
	image_list "$K" | grep -qx "lib/modules/$K/updates/dkms/hv_vmbus.ko"
	grep -q '^mode=dkms$' "$R/var/lib/hyperv-lic/settings"
}

@test "centos6: dracut --add-drivers, postinst.d hook, lsinitrd check" {
	setup_root centos6
	without dkms
	hvl
	status_is 0
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initramfs-$K.img $K\$"
	called "^lsinitrd <R>/boot/initramfs-$K.img\$"
	[ -x "$R/etc/kernel/postinst.d/hyperv-lic" ]
	[ -x "$R/etc/kernel/postrm.d/hyperv-lic" ]
	grep -q "add_drivers+=\" $BOOT \"" "$R/etc/dracut.conf.d/hyperv-lic.conf"
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/hv_vmbus.ko"
}

@test "rhel7: in-box drivers are kept without --replace-inbox" {
	setup_root rhel7
	use_inbox covered
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl
	status_is 0
	output_has "ships its own Hyper-V drivers"
	output_has "use --replace-inbox"
	not_called "^(make|dkms (add|build|install)|dracut|depmod) "
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "rhel7: --replace-inbox --force with DKMS: replaced, what stops loading warned (also with -q)" {
	setup_root rhel7
	use_inbox
	hvl -q --replace-inbox --force
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K --force\$"
	output_has "install.sh: warning: kernel $K: --force: these in-box modules need the in-box hv_vmbus and will stop loading: $(inbox_lacking)"
	if ours hv_storvsc; then
		if output_has "no replacement for the in-box storage driver hv_storvsc" 2>/dev/null; then false; fi
	else
		output_has "no replacement for the in-box storage driver hv_storvsc"
	fi
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initramfs-$K.img $K\$"
	grep -q '^override hv_vmbus \* updates/dkms$' "$R/etc/depmod.d/hyperv-lic.conf"
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/dkms/hv_vmbus.ko"
	[ -x "$R/etc/kernel/postinst.d/hyperv-lic" ]
	grep -q '^replace_inbox=1$' "$R/var/lib/hyperv-lic/settings"
	grep -q '^force=1$' "$R/var/lib/hyperv-lic/settings"
}

@test "ol8: kernel-install plugin and dracut" {
	setup_root ol8
	without dkms
	hvl
	status_is 0
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initramfs-$K.img $K\$"
	[ -x "$R/etc/kernel/install.d/45-hyperv-lic.install" ]
	grep -q -- '--no-initramfs' "$R/etc/kernel/install.d/45-hyperv-lic.install"
	[ ! -e "$R/etc/kernel/postinst.d/hyperv-lic" ]
}

@test "rhel9: kernel-install plugin, DKMS, headers package named kernel-devel-VER" {
	setup_root rhel9
	hvl
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K\$"
	[ -x "$R/etc/kernel/install.d/45-hyperv-lic.install" ]
	rm -rf "$R/lib/modules/$K/build"
	hvl --uninstall
	status_is 0
	hvl
	status_is 4
	output_has "kernel-devel-$K"
	output_has "dnf install"
}

@test "sles11: mkinitrd -m ours + INITRD_MODULES, sysconfig untouched, insserv service" {
	setup_root sles11
	without dkms
	cp "$R/etc/sysconfig/kernel" "$BATS_TEST_TMPDIR/sysconfig.orig"
	hvl
	status_is 0
	called "^mkinitrd -b <R>/boot -k vmlinuz-$K -i initrd-$K -m '$BOOT piix ata_piix'\$"
	# A later kernel's own mkinitrd run must not meet a module that is
	# not built for it yet: INITRD_MODULES stays as it was.
	cmp "$R/etc/sysconfig/kernel" "$BATS_TEST_TMPDIR/sysconfig.orig"
	called "^insserv hyperv-lic\$"
	grep -q '^### BEGIN INIT INFO' "$R/etc/init.d/hyperv-lic"
	image_list "$K" | grep -qx "lib/modules/$K/updates/hv_vmbus.ko"
	hvl --uninstall
	status_is 0
	called "^mkinitrd -b <R>/boot -k vmlinuz-$K -i initrd-$K\$"
	called "^insserv -r hyperv-lic\$"
}

@test "sles12: dracut to /boot/initrd-VER, systemd rebuild service enabled" {
	setup_root sles12
	without dkms
	hvl
	status_is 0
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initrd-$K $K\$"
	grep -q '^ExecStart=/bin/sh /usr/src/hyperv-lic-0.1.0/install.sh --hook %v$' \
		"$R/etc/systemd/system/hyperv-lic-rebuild.service"
	[ -L "$R/etc/systemd/system/multi-user.target.wants/hyperv-lic-rebuild.service" ]
}

@test "sles15: DKMS, dracut, headers package named kernel-default-devel" {
	setup_root sles15
	hvl
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K\$"
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initrd-$K $K\$"
	add_kernel 5.14.21-150500.55.28-default
	rm -rf "$R/lib/modules/5.14.21-150500.55.28-default/build"
	hvl --kernel 5.14.21-150500.55.28-default
	status_is 4
	output_has "kernel-default-devel (version 5.14.21-150500.55.28)"
	output_has "zypper install"
}

@test "debian: DKMS 3, update-initramfs, kernel and initramfs-tools hooks" {
	setup_root debian
	use_inbox covered
	hvl --replace-inbox
	status_is 0
	called "^dkms add -m hyperv-lic -v 0.1.0\$"
	called "^dkms build -m hyperv-lic -v 0.1.0 -k $K\$"
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K --force\$"
	called "^update-initramfs -u -k $K\$"
	called "^lsinitramfs <R>/boot/initrd.img-$K\$"
	[ -x "$R/etc/kernel/postinst.d/hyperv-lic" ]
	grep -q -- '--no-initramfs' "$R/etc/kernel/postinst.d/hyperv-lic"
	[ -x "$R/etc/kernel/header_postinst.d/hyperv-lic" ]
	[ -x "$R/etc/kernel/postrm.d/hyperv-lic" ]
	[ -x "$R/etc/initramfs-tools/hooks/hyperv-lic" ]
	grep -qx "manual_add_modules $BOOT" "$R/etc/initramfs-tools/hooks/hyperv-lic"
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/dkms/hv_vmbus.ko"
	# The in-box copy is no longer the one in the image.
	if image_list "$K" | grep -q "kernel/drivers/hv/hv_vmbus.ko"; then false; fi
}

@test "ubuntu: detected through os-release; make path; linux-headers-VER named" {
	setup_root ubuntu
	without dkms
	hvl
	status_is 0
	output_has "Ubuntu 22.04"
	called "^update-initramfs -u -k $K\$"
	[ -f "$R/lib/modules/$K/updates/hv_vmbus.ko" ]
	add_kernel 5.15.0-92-generic
	rm -rf "$R/lib/modules/5.15.0-92-generic/build"
	hvl --kernel 5.15.0-92-generic
	status_is 4
	output_has "linux-headers-5.15.0-92-generic"
	output_has "apt-get install"
}

# ------------------------------------------------------------ modules

@test "module list: dkms.conf names exactly what src/Kbuild builds" {
	conf=$(conf_modules "$REPO/dkms.conf" | tr ' ' '\n' | sort)
	kbuild=$(sh "$BATS_TEST_DIRNAME/kbuild-modules.sh" "$REPO/src" | sort)
	[ -n "$conf" ]
	[ "$conf" = "$kbuild" ]
}

@test "adding a storage module is one dkms.conf line: installed, in the initramfs, before ata_piix" {
	setup_root debian
	without dkms
	tree_copy
	add_module hv_blkvsc
	hvl
	status_is 0
	[ -f "$R/lib/modules/$K/updates/hv_blkvsc.ko" ]
	grep -qx "manual_add_modules $BOOT" "$R/etc/initramfs-tools/hooks/hyperv-lic"
	case " $BOOT " in *" hv_blkvsc "*) ;; *) false ;; esac
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/hv_blkvsc.ko"
	grep -qx "softdep ata_piix pre: ${BOOT#hv_vmbus }" "$R/etc/modprobe.d/hyperv-lic.conf"
	if grep -q '^alias' "$R/etc/modprobe.d/hyperv-lic.conf"; then false; fi
	[ "$(grep -c '^override hv_blkvsc ' "$R/etc/depmod.d/hyperv-lic.conf")" -eq 3 ]
}

@test "ata_piix prefer_ms_hyperv pinned only where every target kernel's ata_piix has the switch" {
	setup_root debian
	without dkms
	rm "$R/lib/modules/$K/kernel/drivers/ata/ata_piix.ko"
	printf 'parm=prefer_ms_hyperv:Prefer Hyper-V paravirtualization drivers\n' |
		gzip -c >"$R/lib/modules/$K/kernel/drivers/ata/ata_piix.ko.gz"
	hvl
	status_is 0
	grep -qx "options ata_piix prefer_ms_hyperv=1" "$R/etc/modprobe.d/hyperv-lic.conf"

	# an older ata_piix would refuse the unknown option: not written
	printf 'parm=prefer_ms:nothing else\n' >"$R/lib/modules/$K/kernel/drivers/ata/ata_piix.ko"
	rm "$R/lib/modules/$K/kernel/drivers/ata/ata_piix.ko.gz"
	hvl
	status_is 0
	if grep -q "^options ata_piix" "$R/etc/modprobe.d/hyperv-lic.conf"; then false; fi
	grep -q "has no prefer_ms_hyperv switch" "$R/etc/modprobe.d/hyperv-lic.conf"
}

@test "old module-init-tools (centos6): install command instead of softdep, nothing claimed twice" {
	setup_root centos6
	without dkms
	tree_copy
	add_module hv_storvsc
	add_module hv_blkvsc
	hvl
	status_is 0
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initramfs-$K.img $K\$"
	# shellcheck disable=SC2016 # $CMDLINE_OPTS is literal text in the file
	grep -q '^install ata_piix { /sbin/modprobe hv_storvsc >/dev/null 2>&1; /sbin/modprobe hv_blkvsc >/dev/null 2>&1; } ; /sbin/modprobe --ignore-install ata_piix \$CMDLINE_OPTS$' \
		"$R/etc/modprobe.d/hyperv-lic.conf"
	[ "$(grep -c '^install ' "$R/etc/modprobe.d/hyperv-lic.conf")" -eq 1 ]
	if grep -q -E '^(alias|softdep|options)' "$R/etc/modprobe.d/hyperv-lic.conf"; then false; fi
}

@test "rhel5 with a storage module: mkinitrd preloads vmbus then storage" {
	setup_root rhel5
	without dkms
	tree_copy
	add_module hv_storvsc
	hvl
	status_is 0
	case "$PRELOAD " in "--preload=hv_vmbus --preload=hv_storvsc "*) ;; *) false ;; esac
	called "^mkinitrd -f $PRELOAD <R>/boot/initrd-$K.img $K\$"
	image_list "$K" | grep -qx "lib/modules/$K/updates/hv_storvsc.ko"
}

# ------------------------------------------------------------ kernels

@test "--kernel is repeatable; --all-kernels takes kernels with a build tree or image" {
	setup_root debian
	without dkms
	add_kernel 6.1.0-56-amd64
	mkdir -p "$R/lib/modules/6.1.0-40-amd64/kernel"
	hvl --kernel "$K" --kernel 6.1.0-56-amd64
	status_is 0
	called "^update-initramfs -u -k $K\$"
	called "^update-initramfs -u -k 6.1.0-56-amd64\$"
	hvl --uninstall
	status_is 0
	: >"$STUB_LOG"
	hvl --all-kernels
	status_is 0
	called "KVER=$K "
	called "KVER=6.1.0-56-amd64 "
	not_called "6.1.0-40-amd64"
}

@test "a kernel the tree cannot build for gets the compiler's reason (exit 5), nothing changed" {
	setup_root centos6
	without dkms
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_MAKE_ERROR="src/vmbus/hv.c:42:3: error: implicit declaration of function 'wrmsrl'"
	hvl
	status_is 5
	output_has "kernel $K: the modules did not build"
	output_has "implicit declaration of function 'wrmsrl'"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "dkms build failure: make.log error shown (exit 5), DKMS entry removed" {
	setup_root debian
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_MAKE_ERROR="src/compat/hv_kernel.c:7:10: fatal error: asm/mshyperv.h: No such file or directory"
	hvl --kernel "$K"
	status_is 5
	output_has "fatal error: asm/mshyperv.h"
	called "^dkms remove -m hyperv-lic -v 0.1.0 --all\$"
	rm -rf "$R/var/lib/dkms"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "no kernel hook dir, no gcc: prerequisites named (exit 4), nothing changed" {
	setup_root debian
	without gcc update-initramfs
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl
	status_is 4
	output_has "gcc"
	output_has "initramfs-tools"
	output_has "apt-get install gcc initramfs-tools"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

# ------------------------------------------------------------ failures

# fail_step DISTRO STUB_FAIL EXPECTED-EXIT [install.sh args]: the step
# fails; the exit code says which; the fake root is as before.
fail_step() {
	setup_root "$1"
	[ "$1" != rhel7 ] || use_inbox covered
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_FAIL=$2
	want=$3
	shift 3
	hvl "$@"
	status_is "$want"
	output_has "putting back"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "failure: dkms add -> exit 6, nothing changed" {
	fail_step debian "dkms:add" 6 --replace-inbox
}

@test "failure: dkms install -> exit 6, nothing changed" {
	fail_step rhel7 "dkms:install" 6 --replace-inbox
}

@test "failure: depmod -> exit 6, modules removed again" {
	fail_step centos6 "depmod" 6 --no-dkms
}

@test "failure: chkconfig --add -> exit 6, nothing changed" {
	fail_step rhel5 "chkconfig" 6 --no-dkms
}

@test "failure: update-initramfs -> exit 7, previous image restored" {
	fail_step debian "update-initramfs" 7 --replace-inbox
	output_has "building the initramfs failed"
}

@test "failure: dracut -> exit 7, previous image restored" {
	fail_step rhel7 "dracut" 7 --replace-inbox
}

@test "failure: mkinitrd (RHEL 5) -> exit 7, previous image restored" {
	fail_step rhel5 "mkinitrd" 7 --no-dkms
}

@test "failure: mkinitrd (SLES 11) -> exit 7, previous image restored" {
	fail_step sles11 "mkinitrd" 7 --no-dkms
}

@test "failure: initramfs listing fails -> exit 7, previous image restored" {
	fail_step sles12 "lsinitrd:initrd-4.12.14-122.37-default" 7 --no-dkms
}

@test "failure: new initramfs lacks our modules -> exit 7, previous image restored" {
	setup_root debian
	without dkms
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_INITRD_OMIT=1
	hvl
	status_is 7
	output_has "lacks our modules"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "failure on the second kernel undoes the first one too" {
	setup_root centos6
	without dkms
	add_kernel 2.6.32-696.el6.x86_64
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_FAIL="dracut:2.6.32-696.el6.x86_64"
	hvl --all-kernels
	status_is 7
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "failure during --uninstall puts our installation back" {
	setup_root centos6
	without dkms
	hvl
	status_is 0
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_FAIL=dracut
	hvl --uninstall
	status_is 7
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

# ------------------------------------------------------------ modes

@test "--dry-run prints the plan and changes nothing" {
	setup_root debian
	use_inbox covered
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl --dry-run --replace-inbox
	status_is 0
	output_has "would run: dkms add -m hyperv-lic -v 0.1.0"
	output_has "would run: update-initramfs -u -k $K"
	output_has "would write $R/etc/modprobe.d/hyperv-lic.conf"
	[ -z "$(mutating_calls)" ]
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ ! -e "$R/var/log/hyperv-lic-install.log" ]
}

@test "--dry-run --uninstall changes nothing" {
	setup_root sles12
	without dkms
	hvl
	status_is 0
	snapshot >"$BATS_TEST_TMPDIR/before"
	: >"$STUB_LOG"
	hvl --uninstall --dry-run
	status_is 0
	output_has "would run: dracut -f <R>/boot/initrd-$K $K" || output_has "would run: dracut -f $R/boot/initrd-$K $K"
	[ -z "$(mutating_calls)" ]
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

# The tests of a second run install from a copy of the tree (tree_copy):
# the working tree's src/ may change between the two runs.
idempotent() {
	snapshot >"$BATS_TEST_TMPDIR/first"
	: >"$STUB_LOG"
	hvl "$@"
	status_is 0
	[ -z "$(mutating_calls)" ] || { mutating_calls >&2; return 1; }
	snapshot >"$BATS_TEST_TMPDIR/second"
	same_snapshot "$BATS_TEST_TMPDIR/first" "$BATS_TEST_TMPDIR/second"
}

@test "second run changes nothing (debian, DKMS)" {
	setup_root debian
	tree_copy
	use_inbox covered
	hvl --replace-inbox
	status_is 0
	idempotent --replace-inbox
}

@test "second run changes nothing (rhel5, make path)" {
	setup_root rhel5
	tree_copy
	without dkms
	hvl
	status_is 0
	idempotent
}

@test "second run changes nothing (sles11, make path)" {
	setup_root sles11
	tree_copy
	without dkms
	hvl
	status_is 0
	idempotent
}

@test "second run changes nothing (sles15, DKMS)" {
	setup_root sles15
	tree_copy
	hvl
	status_is 0
	idempotent
}

uninstall_clean() {
	snapshot >"$BATS_TEST_TMPDIR/pristine"
	hvl "$@"
	status_is 0
	hvl --uninstall
	status_is 0
	if image_list "$K" | grep -E '(updates|extra)/'; then false; fi
	# Same files and directories as before (the rebuilt image has new
	# content): no directory install.sh created stays behind empty
	# (/etc/depmod.d, /etc/modprobe.d, the hook directories).
	sed 's/ .*//' "$BATS_TEST_TMPDIR/pristine" >"$BATS_TEST_TMPDIR/pristine.paths"
	snapshot | sed 's/ .*//' >"$BATS_TEST_TMPDIR/after.paths"
	[ ! -d "$R/lib/modules/$K/updates" ]
	same_snapshot "$BATS_TEST_TMPDIR/pristine.paths" "$BATS_TEST_TMPDIR/after.paths"
}

@test "--uninstall leaves no file of ours (debian, DKMS, in-box replaced)" {
	setup_root debian
	use_inbox covered
	uninstall_clean --replace-inbox
	called "^dkms remove -m hyperv-lic -v 0.1.0 --all\$"
	image_list "$K" | grep -q "kernel/drivers/hv/hv_vmbus.ko" || true
}

@test "--uninstall leaves no file of ours (rhel5, make path)" {
	setup_root rhel5
	without dkms
	uninstall_clean
	called "^chkconfig --del hyperv-lic\$"
	called "^mkinitrd -f <R>/boot/initrd-$K.img $K\$"
}

@test "--uninstall leaves no file of ours (sles12, systemd)" {
	setup_root sles12
	without dkms
	uninstall_clean
}

@test "--uninstall leaves no file of ours (rhel9, DKMS)" {
	setup_root rhel9
	uninstall_clean
}

@test "--status reports per kernel" {
	setup_root debian
	use_inbox covered
	add_kernel 6.1.0-56-amd64
	hvl --replace-inbox --kernel "$K"
	status_is 0
	mkdir -p "$R/sys/module/hv_vmbus"
	echo STUBSRCVERSION >"$R/sys/module/hv_vmbus/srcversion"
	hvl --status
	status_is 0
	output_has "set up by install.sh 0.1.0 (mode dkms)"
	output_has "in use on kernel(s): $K"
	output_has "in-box:      hv_storvsc hv_vmbus; replaced by ours"
	if output_has "pci_hyperv_intf" 2>/dev/null; then false; fi
	output_has "kernel $K (running):"
	output_has "installed:   hv_vmbus 0.1.0 (updates/dkms/hv_vmbus.ko)"
	output_has "initrd.img-$K (has our modules, the installed ones)"
	output_has "loaded:       hv_vmbus (ours)"
	output_has "kernel 6.1.0-56-amd64:"
	output_has "installed:   none"
}

# ------------------------------------------------------------ hooks

@test "hook: a new kernel gets our modules and initramfs without the admin (make path)" {
	setup_root centos6
	without dkms
	hvl
	status_is 0
	add_kernel 2.6.32-696.el6.x86_64
	: >"$STUB_LOG"
	run /usr/bin/env PATH="$TEST_PATH" sh "$R/etc/kernel/postinst.d/hyperv-lic" 2.6.32-696.el6.x86_64 /boot/vmlinuz-2.6.32-696.el6.x86_64
	# The hook calls /usr/src/...: outside a real root it cannot; call it as
	# the hook would, from the installed copy.
	hvl --hook 2.6.32-696.el6.x86_64
	status_is 0
	called "KVER=2.6.32-696.el6.x86_64 "
	called "^dracut -f --add-drivers $BOOTQ <R>/boot/initramfs-2.6.32-696.el6.x86_64.img 2.6.32-696.el6.x86_64\$"
	[ -f "$R/var/lib/hyperv-lic/kernels/2.6.32-696.el6.x86_64" ]
	hvl --hook-remove 2.6.32-696.el6.x86_64
	status_is 0
	[ ! -e "$R/lib/modules/2.6.32-696.el6.x86_64/updates/hv_vmbus.ko" ]
}

@test "hook: Debian image hook leaves the initramfs to initramfs-tools; headers hook rebuilds it" {
	setup_root debian
	hvl --replace-inbox
	status_is 0
	add_kernel 6.1.0-56-amd64 inbox-covered
	rm "$R/boot/initrd.img-6.1.0-56-amd64"
	: >"$STUB_LOG"
	hvl --hook 6.1.0-56-amd64 --no-initramfs
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64 --force\$"
	not_called "^update-initramfs"
	write_image "$R/boot/initrd.img-6.1.0-56-amd64" 6.1.0-56-amd64 usr/lib/modules
	hvl --hook 6.1.0-56-amd64
	status_is 0
	called "^update-initramfs -u -k 6.1.0-56-amd64\$"
	image_list 6.1.0-56-amd64 | grep -qx "usr/lib/modules/6.1.0-56-amd64/updates/dkms/hv_vmbus.ko"
}

@test "hook: in-box kept policy removes what DKMS autoinstalled for a new kernel" {
	setup_root debian
	add_kernel 6.1.0-10-amd64
	hvl --kernel 6.1.0-10-amd64
	status_is 0
	add_kernel 6.1.0-56-amd64 inbox
	# DKMS's own kernel hook ran first.
	"$BIN/dkms" install -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64
	hvl --hook 6.1.0-56-amd64
	status_is 0
	called "^dkms remove -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64\$"
	[ ! -e "$R/lib/modules/6.1.0-56-amd64/updates/dkms/hv_vmbus.ko" ]
}

@test "hook: without an install, the hook does nothing" {
	setup_root debian
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl --hook "$K"
	status_is 0
	[ -z "$(mutating_calls)" ]
}

@test "hook: headers not there yet -> exit 0 with a note" {
	setup_root debian
	without dkms
	hvl
	status_is 0
	add_kernel 6.1.0-56-amd64
	rm -rf "$R/lib/modules/6.1.0-56-amd64/build"
	hvl --hook 6.1.0-56-amd64
	status_is 0
	output_has "no build tree yet (linux-headers-6.1.0-56-amd64)"
}

# ------------------------------------------------------------ arguments

@test "bad arguments: one clear line, exit 2; a mistyped kernel lists the installed ones" {
	setup_root debian
	add_kernel 6.1.0-56-amd64
	hvl --frobnicate
	status_is 2
	[ "$output" = "install.sh: unknown argument '--frobnicate' (see: $INSTALL_SH --help)" ]
	hvl --kernel
	status_is 2
	[ "$output" = "install.sh: option --kernel needs a value (see: $INSTALL_SH --help)" ]
	hvl --kernel 6.1.0-5-amd64
	status_is 2
	[ "$output" = "install.sh: no kernel 6.1.0-5-amd64 (no /lib/modules/6.1.0-5-amd64); installed kernels: $K, 6.1.0-56-amd64" ]
	hvl --all-kernels --kernel "$K"
	status_is 2
	[ "${#lines[@]}" -eq 1 ]
	hvl --help
	status_is 0
	output_has "Exit codes:"
	# The options of the hooks and packages are not the admin's.
	if output_has "--package-configure" 2>/dev/null; then false; fi
	if output_has "--hook" 2>/dev/null; then false; fi
}

@test "unknown distribution: exit 3" {
	setup_root debian
	printf 'ID=plan9\nVERSION_ID=4\n' >"$R/etc/os-release"
	rm -f "$R/etc/debian_version"
	hvl
	status_is 3
	output_has "distribution 'plan9' is not one install.sh knows"
}

@test "another install.sh running: exit 8" {
	setup_root debian
	mkdir -p "$R/var/lib/hyperv-lic.lock"
	sleep 30 &
	echo $! >"$R/var/lib/hyperv-lic.lock/pid"
	hvl
	kill %1 || true
	status_is 8
}

@test "every command is logged" {
	setup_root centos6
	without dkms
	hvl
	status_is 0
	grep -q '+ depmod -b ' "$R/var/log/hyperv-lic-install.log"
	grep -q -F "+ dracut -f --add-drivers $BOOTQ " "$R/var/log/hyperv-lic-install.log"
	grep -q '+ make -C ' "$R/var/log/hyperv-lic-install.log"
}

@test "runs under bash as well as dash" {
	setup_root debian
	tree_copy
	use_inbox covered
	# shellcheck disable=SC2034 # read by hvl() in helpers.bash
	HVL_SH=bash
	hvl --replace-inbox
	status_is 0
	idempotent --replace-inbox
	hvl --uninstall
	status_is 0
	[ ! -e "$R/etc/modprobe.d/hyperv-lic.conf" ]
}

# ------------------------------------------------------------ packages

# package_tree: the sources where a -dkms package puts them; install.sh
# runs from there.
package_tree() {
	dst=$R/usr/src/hyperv-lic-0.1.0
	run /usr/bin/env PATH="$TEST_PATH" dash "$INSTALL_SH" --export-source "$dst"
	status_is 0
	INSTALL_SH=$dst/install.sh
}

@test "--package-configure: every kernel with headers, in-box replaced where covered, package keeps /usr/src" {
	setup_root debian
	use_inbox covered
	add_kernel 6.1.0-56-amd64 inbox-covered
	add_kernel 6.1.0-40-amd64
	rm -rf "$R/lib/modules/6.1.0-40-amd64/build"
	package_tree
	hvl --package-configure
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K --force\$"
	called "^dkms install -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64 --force\$"
	not_called "6.1.0-40-amd64"
	grep -q '^source=in-place$' "$R/var/lib/hyperv-lic/settings"
	grep -q '^replace_inbox=1$' "$R/var/lib/hyperv-lic/settings"
	[ -x "$R/etc/kernel/header_postinst.d/hyperv-lic" ]
	image_list 6.1.0-56-amd64 | grep -qx "usr/lib/modules/6.1.0-56-amd64/updates/dkms/hv_vmbus.ko"
	hvl --package-remove
	status_is 0
	[ -f "$R/usr/src/hyperv-lic-0.1.0/dkms.conf" ]
	[ ! -e "$R/var/lib/hyperv-lic" ]
	[ ! -e "$R/etc/kernel/header_postinst.d/hyperv-lic" ]
	if image_list "$K" | grep -q updates/; then false; fi
}

@test "--package-configure without an initramfs tool: configured, initramfs left alone" {
	setup_root sles15
	without dracut lsinitrd
	package_tree
	hvl --package-configure
	status_is 0
	output_has "no dracut; leaving the initramfs alone"
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K\$"
	not_called "^dracut"
}

@test "--export-source copies the tree without build products" {
	setup_root debian
	run /usr/bin/env PATH="$TEST_PATH" dash "$INSTALL_SH" --export-source "$BATS_TEST_TMPDIR/export"
	status_is 0
	[ -f "$BATS_TEST_TMPDIR/export/dkms.conf" ]
	[ -f "$BATS_TEST_TMPDIR/export/src/Kbuild" ]
	[ -z "$(find "$BATS_TEST_TMPDIR/export" -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -path '*generated*')" ]
}

@test "switching from the make path to DKMS and back" {
	setup_root centos6
	without dkms
	hvl
	status_is 0
	[ -f "$R/lib/modules/$K/updates/hv_vmbus.ko" ]
	make_path
	hvl --dkms
	status_is 0
	output_has "switching from make to dkms"
	[ ! -e "$R/lib/modules/$K/updates/hv_vmbus.ko" ]
	[ -f "$R/lib/modules/$K/updates/dkms/hv_vmbus.ko" ]
	grep -q '^mode=dkms$' "$R/var/lib/hyperv-lic/settings"
	hvl --no-dkms
	status_is 0
	output_has "switching from dkms to make"
	called "^dkms remove -m hyperv-lic -v 0.1.0 --all\$"
	[ -f "$R/lib/modules/$K/updates/hv_vmbus.ko" ]
	[ ! -e "$R/lib/modules/$K/updates/dkms" ]
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/hv_vmbus.ko"
}

@test "a kernel with VMBus built in keeps its drivers (and DKMS skips it)" {
	setup_root debian
	echo "kernel/drivers/hv/hv_vmbus.ko" >"$R/lib/modules/$K/modules.builtin"
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl --replace-inbox
	status_is 0
	output_has "its VMBus driver is built in"
	not_called "^dkms (add|build|install)"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# dkms.conf: such a kernel is outside BUILD_EXCLUSIVE_KERNEL.
	printf 'CONFIG_HYPERV=y\n' >"$R/lib/modules/$K/build/.config"
	run bash -c "kernel_source_dir=$R/lib/modules/$K/build; kernelver=$K; . '$REPO/dkms.conf'; [[ ! \$kernelver =~ \$BUILD_EXCLUSIVE_KERNEL ]]"
	status_is 0
	printf 'CONFIG_HYPERV=m\n' >"$R/lib/modules/$K/build/.config"
	run bash -c "kernel_source_dir=$R/lib/modules/$K/build; kernelver=$K; . '$REPO/dkms.conf'; [ -z \"\$BUILD_EXCLUSIVE_KERNEL\" ]"
	status_is 0
}

# ------------------------------------------------------------ in-box drivers
# Ours replace a kernel's in-box Hyper-V drivers only where hyperv-lic has
# every in-box module that needs the in-box hv_vmbus (issue 9, item 1).

# inbox_kept KVER: nothing of ours for KVER; its in-box hv_vmbus and
# hv_netvsc are what modprobe and the initramfs have.
inbox_kept() {
	[ -z "$(find "$R/lib/modules/$1" \( -path '*/updates/*' -o -path '*/extra/*' \) -name 'hv_*')" ]
	not_called "^dkms install -m hyperv-lic -v 0.1.0 -k $1( |\$)"
	grep -q "^kernel/drivers/hv/hv_vmbus.ko:" "$R/lib/modules/$1/modules.dep"
	image_list "$1" | grep -qx "usr/lib/modules/$1/kernel/drivers/net/hyperv/hv_netvsc.ko"
	image_list "$1" | grep -qx "usr/lib/modules/$1/kernel/drivers/hv/hv_vmbus.ko"
	if image_list "$1" | grep -E -q '(updates|extra)/'; then false; fi
}

@test "in-box: a kernel without them gets ours; one with hv_netvsc keeps its own, warned with -q, exactly what we lack" {
	setup_root debian
	use_inbox
	add_kernel 6.1.0-10-amd64
	hvl -q --kernel 6.1.0-10-amd64 --kernel "$K"
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k 6.1.0-10-amd64\$"
	image_list 6.1.0-10-amd64 | grep -qx "usr/lib/modules/6.1.0-10-amd64/updates/dkms/hv_vmbus.ko"
	inbox_kept "$K"
	[ "$output" = "install.sh: warning: kernel $K keeps its in-box Hyper-V drivers: hyperv-lic has no $(inbox_lacking) (they need the in-box hv_vmbus, which ours would replace)" ]
	if output_has pci_hyperv_intf 2>/dev/null; then false; fi
}

@test "in-box: --replace-inbox where we lack an in-box module: exit 9, one line, nothing changed" {
	setup_root debian
	use_inbox
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl --replace-inbox
	status_is 9
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "install.sh: error: --replace-inbox refused, nothing changed: the in-box $(inbox_lacking) of kernel $K need the in-box hv_vmbus and hyperv-lic has no replacement; add --force to replace the in-box drivers anyway (those modules then stop loading)" ]
	[ -z "$(mutating_calls)" ]
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	# Also with -q, in a dry run, and when only one of several kernels lacks.
	add_kernel 6.1.0-10-amd64
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl -q --dry-run --replace-inbox --all-kernels
	status_is 9
	[ "${#lines[@]}" -eq 1 ]
	output_has "of kernel $K need the in-box hv_vmbus"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	hvl --help
	output_has "9  --replace-inbox refused"
	output_has "--force            with --replace-inbox"
}

@test "in-box: --replace-inbox --force replaces; hooks keep forcing; --force alone is a usage error" {
	setup_root debian
	use_inbox
	hvl --force
	status_is 2
	[ "$output" = "install.sh: --force goes with --replace-inbox (and not with the package options) (see: $INSTALL_SH --help)" ]
	hvl --package-configure --force
	status_is 2
	hvl --replace-inbox --force
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k $K --force\$"
	grep -q '^override hv_vmbus \* updates/dkms$' "$R/etc/depmod.d/hyperv-lic.conf"
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/dkms/hv_vmbus.ko"
	output_has "will stop loading: $(inbox_lacking)"
	grep -q '^force=1$' "$R/var/lib/hyperv-lic/settings"
	hvl --status
	output_has "set up by install.sh 0.1.0 (mode dkms, --replace-inbox --force)"
	output_has "(hyperv-lic has no $(inbox_lacking)); replaced by ours"
	# A kernel installed later follows the forced choice.
	add_kernel 6.1.0-56-amd64 inbox
	hvl --hook 6.1.0-56-amd64
	status_is 0
	called "^dkms install -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64 --force\$"
}

@test "in-box: --package-configure keeps in-box drivers we cannot all replace (exit 0, warned with -q), installs elsewhere" {
	setup_root debian
	use_inbox
	add_kernel 6.1.0-10-amd64
	package_tree
	# The package's own DKMS step (dh_dkms) ran first and installed ours.
	"$BIN/dkms" add -m hyperv-lic -v 0.1.0
	"$BIN/dkms" build -m hyperv-lic -v 0.1.0 -k "$K"
	"$BIN/dkms" install -m hyperv-lic -v 0.1.0 -k "$K"
	: >"$STUB_LOG"
	hvl -q --package-configure
	status_is 0
	output_has "install.sh: warning: kernel $K keeps its in-box Hyper-V drivers: hyperv-lic has no $(inbox_lacking) ("
	if output_has pci_hyperv_intf 2>/dev/null; then false; fi
	called "^dkms remove -m hyperv-lic -v 0.1.0 -k $K\$"
	inbox_kept "$K"
	called "^dkms install -m hyperv-lic -v 0.1.0 -k 6.1.0-10-amd64\$"
	image_list 6.1.0-10-amd64 | grep -qx "usr/lib/modules/6.1.0-10-amd64/updates/dkms/hv_vmbus.ko"
	[ -x "$R/etc/kernel/postinst.d/hyperv-lic" ]
	# A new kernel with in-box drivers: the hook keeps them, exit 0, warned.
	add_kernel 6.1.0-56-amd64 inbox
	"$BIN/dkms" install -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64
	: >"$STUB_LOG"
	hvl --hook 6.1.0-56-amd64
	status_is 0
	output_has "warning: kernel 6.1.0-56-amd64 keeps its in-box Hyper-V drivers"
	called "^dkms remove -m hyperv-lic -v 0.1.0 -k 6.1.0-56-amd64\$"
	inbox_kept 6.1.0-56-amd64
}

@test "in-box: every kernel keeps its drivers: the package writes no initramfs configuration naming our modules" {
	setup_root rhel9
	use_inbox
	package_tree
	hvl --package-configure
	status_is 0
	output_has "warning: kernel $K keeps its in-box Hyper-V drivers"
	not_called "^dkms install"
	[ ! -e "$R/etc/dracut.conf.d/hyperv-lic.conf" ]
	[ -x "$R/etc/kernel/install.d/45-hyperv-lic.install" ]
	if image_list "$K" | grep -E -q '(updates|extra)/'; then false; fi
}

@test "in-box: once ours took over in modules.dep, the in-box modules' own dependencies decide (not pci_hyperv_intf)" {
	setup_root debian
	use_inbox
	package_tree
	"$BIN/dkms" add -m hyperv-lic -v 0.1.0
	"$BIN/dkms" install -m hyperv-lic -v 0.1.0 -k "$K"
	# depmod after DKMS's install: ours is the hv_vmbus of modules.dep;
	# the in-box modules resolve against it or not at all.
	{
		echo "kernel/drivers/ata/ata_piix.ko:"
		echo "updates/dkms/hv_vmbus.ko:"
		echo "updates/dkms/hv_storvsc.ko: updates/dkms/hv_vmbus.ko"
		echo "kernel/drivers/net/hyperv/hv_netvsc.ko:"
		echo "kernel/drivers/hv/hv_utils.ko: updates/dkms/hv_vmbus.ko"
		echo "kernel/drivers/hv/hv_balloon.ko:"
		echo "kernel/drivers/pci/controller/pci-hyperv-intf.ko:"
		echo "kernel/drivers/pci/controller/pci-hyperv.ko: kernel/drivers/pci/controller/pci-hyperv-intf.ko"
	} >"$R/lib/modules/$K/modules.dep"
	hvl -q --package-configure
	status_is 0
	output_has "warning: kernel $K keeps its in-box Hyper-V drivers: hyperv-lic has no $(inbox_lacking) ("
	if output_has pci_hyperv_intf 2>/dev/null; then false; fi
	called "^dkms remove -m hyperv-lic -v 0.1.0 -k $K\$"
	[ ! -e "$R/lib/modules/$K/updates/dkms/hv_vmbus.ko" ]
	hvl --status
	output_has "hv_balloon hv_netvsc hv_storvsc hv_utils hv_vmbus pci_hyperv (hyperv-lic has no"
}

@test "in-box: a module that needs hv_vmbus only through another in-box module counts too" {
	setup_root debian
	use_inbox covered
	inbox_module "$K" kernel/drivers/hv/hv_child.ko hv_parent
	inbox_module "$K" kernel/drivers/hv/hv_parent.ko hv_vmbus
	{
		echo "kernel/drivers/hv/hv_parent.ko: kernel/drivers/hv/hv_vmbus.ko"
		echo "kernel/drivers/hv/hv_child.ko: kernel/drivers/hv/hv_parent.ko"
	} >>"$R/lib/modules/$K/modules.dep"
	hvl --replace-inbox
	status_is 9
	output_has "the in-box hv_child, hv_parent of kernel $K need the in-box hv_vmbus"
}

# ------------------------------------------------------------ run.sh itself
# tests/install/run.sh must not lose a failure (issue 9, item 8): a fake
# bats prints $FAKE_TAP and exits $FAKE_RC; a fake e2e.sh prints
# $FAKE_E2E and exits $FAKE_E2E_RC.

runner_fakes() {
	F=$BATS_TEST_TMPDIR/fake
	mkdir -p "$F"
	printf '#!/bin/sh\nprintf "%%b" "$FAKE_TAP"\nexit "${FAKE_RC:-0}"\n' >"$F/bats"
	printf '#!/bin/sh\nprintf "%%b" "$FAKE_E2E"\nexit "${FAKE_E2E_RC:-0}"\n' >"$F/e2e.sh"
	chmod 0755 "$F/bats" "$F/e2e.sh"
}
run_sh() {
	run env PATH="$F:$PATH" HVL_INSTALL_TEST_OUT="$BATS_TEST_TMPDIR/out" HVL_INSTALL_E2E="$F/e2e.sh" \
		sh "$REPO/tests/install/run.sh" "$@"
}

@test "run.sh: a skipped bats test is a skip, not a pass" {
	runner_fakes
	export FAKE_TAP='1..2\nok 1 first\nok 2 second # skip no kvm here\n'
	run_sh --only bats
	status_is 0
	output_has "PASS bats: first"
	output_has "SKIP bats: second (no kvm here)"
	[ "${lines[${#lines[@]} - 1]}" = "1 passed, 0 failed, 1 skipped" ]
}

@test "run.sh: bats' exit status and TAP plan are kept" {
	runner_fakes
	export FAKE_TAP='1..1\nok 1 first\n' FAKE_RC=1
	run_sh --only bats
	status_is 1
	output_has "FAIL bats: bats exited with status 1 although no test failed"
	export FAKE_TAP='1..3\nok 1 first\nok 2 second\n' FAKE_RC=0
	run_sh --only bats
	status_is 1
	output_has "FAIL bats: the TAP plan announced 3 tests, 2 ran"
	export FAKE_TAP='ok 1 first\n'
	run_sh --only bats
	status_is 1
	output_has "FAIL bats: no TAP plan"
	export FAKE_TAP='1..2\nok 1 first\nnot ok 2 second\n' FAKE_RC=1
	run_sh --only bats
	status_is 1
	output_has "FAIL bats: second: see "
	[ "${lines[${#lines[@]} - 1]}" = "1 passed, 1 failed, 0 skipped" ]
}

@test "run.sh: an e2e.sh failure is a failure" {
	runner_fakes
	export FAKE_E2E='PASS deb/a\n1 passed, 0 failed\n' FAKE_E2E_RC=1
	run_sh --only e2e
	status_is 1
	output_has "FAIL e2e: exited with status 1 although no check failed"
	export FAKE_E2E='PASS deb/a\n' FAKE_E2E_RC=0
	run_sh --only e2e
	status_is 1
	output_has "FAIL e2e: did not complete"
	export FAKE_E2E='PASS deb/a\nFAIL deb/b: why\n1 passed, 1 failed\n' FAKE_E2E_RC=1
	run_sh --only e2e
	status_is 1
	output_has "FAIL e2e:deb/b: why"
	export FAKE_E2E='PASS deb/a\nPASS deb/b\n2 passed, 0 failed\n' FAKE_E2E_RC=0
	run_sh --only e2e
	status_is 0
	[ "${lines[${#lines[@]} - 1]}" = "2 passed, 0 failed, 0 skipped" ]
}

# ------------------------------------------------------------ admin view
# Defects an admin-view run found (issue 9, item 11).

@test "upgrade: DKMS put new modules in before us; the stale initramfs is rebuilt, --status shows versions" {
	setup_root debian
	tree_copy
	hvl
	status_is 0
	image_list "$K" | grep -qx "usr/lib/modules/$K/updates/dkms/hv_vmbus.ko"
	# The package upgrade 0.1.0 -> 0.1.1 as dpkg runs it: the old prerm
	# (dh_dkms) removes 0.1.0 from DKMS, the new postinst adds, builds
	# and installs 0.1.1, then runs the new install.sh.
	new=$R/usr/src/hyperv-lic-0.1.1
	cp -R "$T" "$new"
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="0.1.1"/' "$new/dkms.conf"
	for c in "remove -m hyperv-lic -v 0.1.0 --all" "add -m hyperv-lic -v 0.1.1" \
		"build -m hyperv-lic -v 0.1.1 -k $K" "install -m hyperv-lic -v 0.1.1 -k $K"; do
		# shellcheck disable=SC2086 # one word per argument
		run /usr/bin/env PATH="$TEST_PATH" dkms $c
		status_is 0
	done
	grep -qx 'version=0.1.1' "$R/lib/modules/$K/updates/dkms/hv_vmbus.ko"
	INSTALL_SH=$new/install.sh
	hvl --status
	status_is 0
	output_has "installed:   hv_vmbus 0.1.1 (updates/dkms/hv_vmbus.ko)"
	output_has "OUT OF DATE: it holds hv_vmbus 0.1.0"
	: >"$STUB_LOG"
	hvl --package-configure
	status_is 0
	called "^update-initramfs -u -k $K"
	gzip -dc "$R$(img_of "$K")" | cpio -i --quiet --to-stdout "usr/lib/modules/$K/updates/dkms/hv_vmbus.ko" |
		grep -qx 'version=0.1.1'
	hvl --status
	status_is 0
	output_has "(has our modules, the installed ones)"
	# Nothing left to do: a second run leaves the image alone.
	: >"$STUB_LOG"
	hvl --package-configure
	status_is 0
	not_called "^update-initramfs"
}

@test "sid: every kernel has VMBus built in: the package sets up nothing, --status says so, old files go" {
	setup_root debian
	echo "kernel/drivers/hv/hv_vmbus.ko" >"$R/lib/modules/$K/modules.builtin"
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl --package-configure
	status_is 0
	output_has "every kernel has its VMBus driver built in"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	hvl --status
	status_is 0
	output_has "hyperv-lic 0.1.0 on Debian GNU/Linux 12 (bookworm): not installed"
	output_has "in-box:      hv_vmbus built in: the kernel keeps its own drivers; ours are not used"
	if output_has "replaced" 2>/dev/null; then false; fi
	# What an older version wrote there is taken away.
	mkdir -p "$R/etc/modprobe.d" "$R/etc/depmod.d" "$R/etc/initramfs-tools/hooks" "$R/etc/kernel/postinst.d" "$R/var/lib/hyperv-lic"
	for f in etc/modprobe.d/hyperv-lic.conf etc/depmod.d/hyperv-lic.conf etc/initramfs-tools/hooks/hyperv-lic \
		etc/kernel/postinst.d/hyperv-lic var/lib/hyperv-lic/settings; do
		echo old >"$R/$f"
	done
	hvl --package-configure
	status_is 0
	for f in etc/modprobe.d/hyperv-lic.conf etc/depmod.d/hyperv-lic.conf etc/initramfs-tools/hooks/hyperv-lic \
		etc/kernel/postinst.d/hyperv-lic var/lib/hyperv-lic; do
		[ ! -e "$R/$f" ]
	done
}

@test "kill -9 of install.sh alone: the next run waits for its build (exit 8); later its scratch directory goes" {
	command -v flock >/dev/null || skip "no flock(1)"
	setup_root debian
	export STUB_DKMS_HOLD=$BATS_TEST_TMPDIR/hold
	/usr/bin/env PATH="$TEST_PATH" HVL_SBIN= dash "$INSTALL_SH" >"$BATS_TEST_TMPDIR/first.out" 2>&1 3>&- &
	first=$!
	# Bounded wait for the build to start (no timing: a state is awaited).
	n=0
	while [ ! -e "$STUB_DKMS_HOLD.started" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	[ -e "$STUB_DKMS_HOLD.started" ]
	kill -9 "$first"
	wait "$first" || true
	ls -d "$TMPDIR"/hyperv-lic.* >"$BATS_TEST_TMPDIR/orphaned"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/orphaned")" -eq 1 ]
	hvl
	status_is 8
	output_has "was killed, but commands it started (dkms build, make, ...) still run"
	[ "$(grep -c '^dkms build' "$STUB_LOG")" -eq 1 ]
	# The orphaned build ends; then a run takes the lock as stale.
	touch "$STUB_DKMS_HOLD"
	n=0
	while [ ! -e "$STUB_DKMS_HOLD.done" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n + 1)); done
	while ! flock -n "$R/var/lib/hyperv-lic.lock/held" -c : && [ $n -lt 1200 ]; do sleep 0.1; n=$((n + 1)); done
	hvl
	status_is 0
	[ ! -e "$(cat "$BATS_TEST_TMPDIR/orphaned")" ]
	[ -z "$(ls -A "$TMPDIR")" ]
	[ ! -e "$R/var/lib/hyperv-lic.lock" ]
}

@test "/boot too full: exit 7 before any build, nothing changed" {
	setup_root debian
	snapshot >"$BATS_TEST_TMPDIR/before"
	export STUB_DF_AVAIL=1
	hvl
	status_is 7
	output_has "install.sh: error: /boot has 1 KiB free, the initramfs needs 2 KiB"
	output_has "nothing changed"
	not_called "^dkms (add|build|install)"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "/boot read-only: exit 7 before any build, called read-only (not disk full)" {
	[ "$(id -u)" -eq 0 ] || skip "needs root for a read-only bind mount"
	setup_root debian
	snapshot >"$BATS_TEST_TMPDIR/before"
	mount --bind "$R/boot" "$R/boot"
	RO_BOOT=$R/boot
	mount -o remount,bind,ro "$R/boot"
	hvl
	umount "$R/boot"
	RO_BOOT=
	status_is 7
	output_has "install.sh: error: cannot write to /boot: Read-only file system; nothing changed"
	if output_has "disk full" 2>/dev/null; then false; fi
	not_called "^dkms (add|build|install)"
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "--status: without a writable log, and to a reader that goes away" {
	setup_root debian
	hvl
	status_is 0
	# A user cannot write the log: --status still reports.
	rm -f "$R/var/log/hyperv-lic-install.log"
	mkdir "$R/var/log/hyperv-lic-install.log"
	hvl --status
	status_is 0
	output_has "kernel $K (running):"
	rmdir "$R/var/log/hyperv-lic-install.log"
	# install.sh --status | head -n 1: no error, exit 0, nothing left.
	run bash -c "/usr/bin/env PATH='$TEST_PATH' HVL_SBIN= dash '$INSTALL_SH' --status 2>'$BATS_TEST_TMPDIR/err' | head -n 1; echo \"rc=\${PIPESTATUS[0]}\""
	[ ! -s "$BATS_TEST_TMPDIR/err" ] || { cat "$BATS_TEST_TMPDIR/err" >&2; false; }
	output_has "rc=0"
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "--uninstall with nothing installed says so and changes nothing" {
	setup_root debian
	snapshot >"$BATS_TEST_TMPDIR/before"
	hvl --uninstall
	status_is 0
	[ "$output" = "hyperv-lic is not installed: nothing to remove" ]
	[ -z "$(mutating_calls)" ]
	snapshot >"$BATS_TEST_TMPDIR/after"
	same_snapshot "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "--no-dkms: modules stripped as DKMS does, with the package version" {
	setup_root debian
	without dkms
	hvl
	status_is 0
	called "^strip --strip-debug .*/hv_vmbus.ko"
	for m in $MODS; do
		grep -qx 'version=0.1.0' "$R/lib/modules/$K/updates/$m.ko"
		if grep -q '^debug information' "$R/lib/modules/$K/updates/$m.ko"; then false; fi
	done
	hvl --status
	output_has "installed:   hv_vmbus 0.1.0 (updates/hv_vmbus.ko)"
}

@test "Secure Boot: unsigned modules are called so; the make path signs with the DKMS key" {
	setup_root debian
	without dkms
	mkdir -p "$R/sys/firmware/efi/efivars"
	printf '\006\000\000\000\001' >"$R/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-e35c2fc6de0f"
	hvl -q
	status_is 0
	output_has "warning: Secure Boot is on and no module signing key is set up (DKMS's /var/lib/dkms/mok.key): the kernel refuses our unsigned modules"
	hvl --uninstall
	status_is 0
	mkdir -p "$R/var/lib/dkms" "$R/lib/modules/$K/build/scripts"
	echo key >"$R/var/lib/dkms/mok.key"
	echo cert >"$R/var/lib/dkms/mok.pub"
	ln -s "$STUB" "$R/lib/modules/$K/build/scripts/sign-file"
	hvl
	status_is 0
	called "^sign-file sha256 <R>/var/lib/dkms/mok.key <R>/var/lib/dkms/mok.pub .*/hv_vmbus.ko"
	grep -q '^signature=' "$R/lib/modules/$K/updates/hv_vmbus.ko"
	output_has "warning: Secure Boot is on: our modules are signed with /var/lib/dkms/mok.pub; the kernel loads them only once that key is enrolled"
}

@test "modinfo only in /usr/sbin (a user's PATH): the in-box modules that need hv_vmbus are still read right" {
	setup_root debian
	use_inbox
	tree_copy
	# Ours took over in modules.dep: the in-box modules' own dependencies
	# (modinfo -F depends) decide.
	{
		echo "kernel/drivers/ata/ata_piix.ko:"
		echo "updates/dkms/hv_vmbus.ko:"
		echo "kernel/drivers/net/hyperv/hv_netvsc.ko: updates/dkms/hv_vmbus.ko"
		echo "kernel/drivers/pci/controller/pci-hyperv-intf.ko:"
	} >"$R/lib/modules/$K/modules.dep"
	mkdir -p "$R/lib/modules/$K/updates/dkms" "$BATS_TEST_TMPDIR/usr-sbin"
	echo ours >"$R/lib/modules/$K/updates/dkms/hv_vmbus.ko"
	mv "$BIN/modinfo" "$BATS_TEST_TMPDIR/usr-sbin/modinfo"
	export HVL_SBIN=$BATS_TEST_TMPDIR/usr-sbin
	hvl --status
	status_is 0
	output_has "in-box:      hv_balloon hv_netvsc hv_storvsc hv_utils hv_vmbus pci_hyperv (hyperv-lic has no"
	if output_has pci_hyperv_intf 2>/dev/null; then false; fi
}
