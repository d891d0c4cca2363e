# tests/install/helpers.bash: fake roots and stubs for the install.sh bats
# tests. Nothing here touches the real system: install.sh runs with
# HVL_ROOT set to a directory under $BATS_TEST_TMPDIR and a PATH that holds
# only the stubs and plain file tools (never the host's dkms, depmod,
# dracut or update-initramfs).

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
STUB=$BATS_TEST_DIRNAME/stubs/stub
INSTALL_SH=$REPO/install.sh

# conf_modules DKMSCONF: the module list of a dkms.conf.
conf_modules() {
	sed 's/#.*//' "$1" | tr -s '[:blank:]' '\n' |
		sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\{0,1\}\([A-Za-z0-9_]*\)"\{0,1\}$/\1/p' | tr '\n' ' ' | sed 's/ $//'
}

# set_modules DKMSCONF: MODS (all modules), BOOT (those the initramfs
# must hold: hv_vmbus and storage, in dkms.conf order), BOOTQ (BOOT as
# the stubs record one argument), PRELOAD (mkinitrd --preload args).
set_modules() {
	MODS=$(conf_modules "$1")
	BOOT=
	PRELOAD=
	for m in $MODS; do
		case $m in
			hv_vmbus | hv_storvsc | hv_blkvsc)
				BOOT="$BOOT${BOOT:+ }$m"
				PRELOAD="$PRELOAD${PRELOAD:+ }--preload=$m"
				;;
		esac
	done
	# shellcheck disable=SC2034 # used by the .bats files that source us
	case $BOOT in
		*" "*) BOOTQ="'$BOOT'" ;;
		*) BOOTQ=$BOOT ;;
	esac
}
set_modules "$REPO/dkms.conf"

# ours MODULE: dkms.conf lists MODULE.
ours() {
	case " $MODS " in *" $1 "*) return 0 ;; esac
	return 1
}

# The commands install.sh may run that the stubs stand in for.
STUB_NAMES="dkms depmod dracut mkinitrd update-initramfs lsinitrd lsinitramfs
	unmkinitramfs modprobe modinfo uname make gcc strip chkconfig insserv
	systemctl rpm df"
# Plain tools taken from the host.
HOST_TOOLS="sh dash bash sed awk grep cat cp mv rm mkdir rmdir find sort tar gzip
	cpio cksum od tr head tail wc date mktemp chmod ln cmp dirname basename id
	kill getconf printf sleep touch xz zstd bzip2 env readlink uniq cut ls true
	false test echo pwd stat diff flock"

# make_path: $BIN (stubs) and $SYS (host tools), the only PATH install.sh
# gets.
make_path() {
	BIN=$BATS_TEST_TMPDIR/bin
	SYS=$BATS_TEST_TMPDIR/sys
	mkdir -p "$BIN" "$SYS"
	for n in $STUB_NAMES; do
		ln -sf "$STUB" "$BIN/$n"
	done
	for t in $HOST_TOOLS; do
		p=$(command -v "$t" 2>/dev/null) || continue
		case $p in /*) ln -sf "$p" "$SYS/$t" ;; esac
	done
	TEST_PATH=$BIN:$SYS
}

# without CMD...: remove stubs (e.g. dkms for the make path, gcc).
without() {
	for n in "$@"; do
		rm -f "$BIN/$n"
	done
}

# write_image IMAGE KVER PREFIX [RELPATH...]: a gzip'd cpio initramfs
# holding an init and the given module paths of KVER.
write_image() {
	wi_img=$1 wi_k=$2 wi_pre=$3
	shift 3
	wi_t=$BATS_TEST_TMPDIR/img.$$
	rm -rf "$wi_t"
	mkdir -p "$wi_t"
	echo "original init for $wi_k" >"$wi_t/init"
	for p in "$@"; do
		mkdir -p "$wi_t/$wi_pre/$wi_k/$(dirname "$p")"
		cp "$R/lib/modules/$wi_k/$p" "$wi_t/$wi_pre/$wi_k/$p"
	done
	mkdir -p "$(dirname "$wi_img")"
	(cd "$wi_t" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) | gzip -n >"$wi_img"
	rm -rf "$wi_t"
}

# setup_root DISTRO: a fake root of that release with one kernel ($K),
# its build tree, image and initramfs. DISTRO: rhel5 centos6 rhel7 ol8
# rhel9 sles11 sles12 sles15 debian ubuntu.
setup_root() {
	DISTRO=$1
	R=$BATS_TEST_TMPDIR/root
	export HVL_ROOT=$R
	export STUB_LOG=$BATS_TEST_TMPDIR/calls
	export TMPDIR=$BATS_TEST_TMPDIR/tmp
	unset STUB_FAIL STUB_MAKE_ERROR STUB_INITRD_OMIT STUB_DKMS_VERSION STUB_DF_AVAIL STUB_DKMS_HOLD
	mkdir -p "$R/etc" "$R/boot" "$R/lib/modules" "$R/var/log" "$R/var/lib" "$TMPDIR"
	: >"$STUB_LOG"
	make_path
	case $DISTRO in
		rhel5)
			echo "Red Hat Enterprise Linux Server release 5.11 (Tikanga)" >"$R/etc/redhat-release"
			K=2.6.18-398.el5 IMGFMT=/boot/initrd-%s.img PFX=lib/modules
			;;
		centos6)
			echo "CentOS release 6.10 (Final)" >"$R/etc/redhat-release"
			echo "CentOS release 6.10 (Final)" >"$R/etc/centos-release"
			K=2.6.32-754.el6.x86_64 IMGFMT=/boot/initramfs-%s.img PFX=usr/lib/modules
			;;
		rhel7)
			printf 'NAME="Red Hat Enterprise Linux Server"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="7.9"\nPRETTY_NAME="Red Hat Enterprise Linux Server 7.9 (Maipo)"\n' >"$R/etc/os-release"
			echo "Red Hat Enterprise Linux Server release 7.9 (Maipo)" >"$R/etc/redhat-release"
			K=3.10.0-1160.el7.x86_64 IMGFMT=/boot/initramfs-%s.img PFX=usr/lib/modules
			;;
		ol8)
			printf 'NAME="Oracle Linux Server"\nID="ol"\nID_LIKE="fedora"\nVERSION_ID="8.9"\nPRETTY_NAME="Oracle Linux Server 8.9"\n' >"$R/etc/os-release"
			echo "Oracle Linux Server release 8.9" >"$R/etc/oracle-release"
			echo "Red Hat Enterprise Linux release 8.9 (Ootpa)" >"$R/etc/redhat-release"
			K=4.18.0-513.5.1.el8_9.x86_64 IMGFMT=/boot/initramfs-%s.img PFX=usr/lib/modules
			;;
		rhel9)
			printf 'NAME="Red Hat Enterprise Linux"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Red Hat Enterprise Linux 9.3 (Plow)"\n' >"$R/etc/os-release"
			echo "Red Hat Enterprise Linux release 9.3 (Plow)" >"$R/etc/redhat-release"
			K=5.14.0-362.8.1.el9_3.x86_64 IMGFMT=/boot/initramfs-%s.img PFX=usr/lib/modules
			;;
		sles11)
			printf 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n' >"$R/etc/SuSE-release"
			mkdir -p "$R/etc/sysconfig"
			printf '## Path: System/Kernel\nINITRD_MODULES="piix ata_piix"\nDOMU_INITRD_MODULES=""\n' >"$R/etc/sysconfig/kernel"
			K=3.0.101-63-default IMGFMT=/boot/initrd-%s PFX=lib/modules
			;;
		sles12)
			printf 'NAME="SLES"\nVERSION="12-SP5"\nVERSION_ID="12.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 12 SP5"\nID="sles"\n' >"$R/etc/os-release"
			printf 'SUSE Linux Enterprise Server 12 (x86_64)\nVERSION = 12\nPATCHLEVEL = 5\n' >"$R/etc/SuSE-release"
			K=4.12.14-122.37-default IMGFMT=/boot/initrd-%s PFX=usr/lib/modules
			;;
		sles15)
			printf 'NAME="SLES"\nVERSION="15-SP5"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\nID="sles"\nID_LIKE="suse"\n' >"$R/etc/os-release"
			K=5.14.21-150500.55.19-default IMGFMT=/boot/initrd-%s PFX=usr/lib/modules
			;;
		debian)
			printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n' >"$R/etc/os-release"
			echo 12.5 >"$R/etc/debian_version"
			K=6.1.0-50-amd64 IMGFMT=/boot/initrd.img-%s PFX=usr/lib/modules
			;;
		ubuntu)
			printf 'PRETTY_NAME="Ubuntu 22.04.3 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\n' >"$R/etc/os-release"
			K=5.15.0-91-generic IMGFMT=/boot/initrd.img-%s PFX=usr/lib/modules
			;;
		*) echo "setup_root: unknown distro $DISTRO" >&2; return 1 ;;
	esac
	export STUB_UNAME=$K
	add_kernel "$K"
}

img_of() {
	# shellcheck disable=SC2059
	printf "$IMGFMT" "$1"
}

# inbox_module KVER RELPATH DEPENDS: an in-box module file of KVER that
# carries its dependency list as a real module does (modinfo -F depends,
# answered by the stub from the "depends=" line).
inbox_module() {
	mkdir -p "$(dirname "$R/lib/modules/$1/$2")"
	printf 'in-box %s of %s\ndepends=%s\n' "$2" "$1" "$3" >"$R/lib/modules/$1/$2"
}

# The in-box Hyper-V modules of a kernel like Debian's: "inbox" has all
# of these; "inbox-covered" only those hyperv-lic replaces (hv_vmbus,
# hv_storvsc) and pci-hyperv-intf, which needs nothing of hv_vmbus.
# Paths, then each one's dependencies (modinfo -F depends form).
INBOX_FULL="kernel/drivers/hv/hv_vmbus.ko=
kernel/drivers/hv/hv_utils.ko=hv_vmbus
kernel/drivers/hv/hv_balloon.ko=hv_vmbus
kernel/drivers/scsi/hv_storvsc.ko=hv_vmbus
kernel/drivers/net/hyperv/hv_netvsc.ko=hv_vmbus
kernel/drivers/pci/controller/pci-hyperv.ko=pci-hyperv-intf,hv_vmbus
kernel/drivers/pci/controller/pci-hyperv-intf.ko="
INBOX_COVERED="kernel/drivers/hv/hv_vmbus.ko=
kernel/drivers/scsi/hv_storvsc.ko=hv_vmbus
kernel/drivers/pci/controller/pci-hyperv-intf.ko="

# inbox_lacking: what hyperv-lic lacks of INBOX_FULL (the modules that
# need the in-box hv_vmbus and that dkms.conf does not list), sorted,
# ", "-separated as install.sh names them.
inbox_lacking() {
	il_out=
	for il_m in hv_balloon hv_netvsc hv_utils pci_hyperv; do
		ours "$il_m" || il_out="$il_out${il_out:+, }$il_m"
	done
	printf '%s' "$il_out"
}

# add_kernel VER [inbox|inbox-covered]: an installed kernel with a build
# tree, an image and an initramfs; "inbox" gives it its own Hyper-V
# modules (INBOX_FULL, with a modules.dep as depmod writes it, and an
# initramfs holding hv_vmbus, hv_storvsc and hv_netvsc).
add_kernel() {
	m=$R/lib/modules/$1
	mkdir -p "$m/build" "$m/kernel/drivers/ata"
	echo "# kernel $1 build tree" >"$m/build/Makefile"
	echo "vmlinuz $1" >"$R/boot/vmlinuz-$1"
	echo "ata_piix of $1" >"$m/kernel/drivers/ata/ata_piix.ko"
	printf 'kernel/drivers/ata/ata_piix.ko:\n' >"$m/modules.dep"
	case ${2:-} in
		inbox) ak_set=$INBOX_FULL ;;
		inbox-covered) ak_set=$INBOX_COVERED ;;
		*) ak_set= ;;
	esac
	if [ -n "$ak_set" ]; then
		ak_img=
		for ak_e in $ak_set; do
			ak_p=${ak_e%%=*}
			ak_d=${ak_e#*=}
			inbox_module "$1" "$ak_p" "$ak_d"
			# modules.dep: each dependency's path.
			ak_line="$ak_p:"
			for ak_n in $(printf '%s' "$ak_d" | tr ',' ' '); do
				for ak_e2 in $ak_set; do
					case ${ak_e2%%=*} in */"$ak_n".ko) ak_line="$ak_line ${ak_e2%%=*}" ;; esac
				done
			done
			echo "$ak_line" >>"$m/modules.dep"
			case $ak_p in */hv_vmbus.ko | */hv_storvsc.ko | */hv_netvsc.ko) ak_img="$ak_img $ak_p" ;; esac
		done
		# shellcheck disable=SC2086 # paths without blanks
		write_image "$R$(img_of "$1")" "$1" "$PFX" $ak_img
	else
		write_image "$R$(img_of "$1")" "$1" "$PFX"
	fi
}

# use_inbox [covered]: the default kernel $K gets in-box drivers (all of
# INBOX_FULL, or INBOX_COVERED).
use_inbox() {
	add_kernel "$K" "inbox${1:+-$1}"
}

# hvl [ARGS...]: run install.sh (under $HVL_SH, default dash) in the fake
# root with only the stubs and plain tools on PATH.
# HVL_SBIN (the directories install.sh adds to PATH) is empty unless a
# test sets it: the host's /usr/sbin must not leak in.
hvl() {
	run /usr/bin/env PATH="$TEST_PATH" HVL_SBIN="${HVL_SBIN-}" "${HVL_SH:-dash}" "$INSTALL_SH" "$@"
}

# snapshot: every path under the root with its type, checksum and mode
# (the install log excluded).
snapshot() {
	(cd "$R" && find . -path ./var/log/hyperv-lic-install.log -prune -o -print | LC_ALL=C sort |
		while IFS= read -r f; do
			if [ -L "$f" ]; then
				echo "$f -> $(readlink "$f")"
			elif [ -f "$f" ]; then
				echo "$f $(cksum <"$f") $(stat -c %a "$f")"
			else
				echo "$f/"
			fi
		done)
}

# called PATTERN: the stub log has a line matching the extended regexp.
called() {
	if ! grep -E -q -- "$1" "$STUB_LOG"; then
		echo "no call matching: $1" >&2
		echo "calls were:" >&2
		sed 's/^/  /' "$STUB_LOG" >&2
		return 1
	fi
}
not_called() {
	if grep -E -q -- "$1" "$STUB_LOG"; then
		echo "unexpected call matching: $1" >&2
		grep -E -- "$1" "$STUB_LOG" | sed 's/^/  /' >&2
		return 1
	fi
}

# Mutating calls: anything but the queries install.sh makes.
mutating_calls() {
	grep -v -E '^(uname -r|dkms (status|--version)|lsinitrd|lsinitramfs|unmkinitramfs|modinfo|df)( |$)' "$STUB_LOG" || true
}

# image_list KVER: file names in the kernel's initramfs.
image_list() {
	gzip -dc "$R$(img_of "$1")" | cpio -it --quiet
}

# status and output are set by bats' run
# shellcheck disable=SC2154
status_is() {
	if [ "$status" -ne "$1" ]; then
		echo "exit status $status, expected $1; output:" >&2
		printf '%s\n' "$output" >&2
		return 1
	fi
}

output_has() {
	case $output in
		*"$1"*) return 0 ;;
	esac
	echo "output lacks: $1" >&2
	printf '%s\n' "$output" >&2
	return 1
}

same_snapshot() {
	if ! diff -u "$1" "$2" >&2; then
		echo "the fake root changed" >&2
		return 1
	fi
}

# tree_copy: a copy of the source tree the test may change (e.g. add a
# module); sets INSTALL_SH to its install.sh.
tree_copy() {
	T=$BATS_TEST_TMPDIR/tree
	mkdir -p "$T"
	run /usr/bin/env PATH="$TEST_PATH" HVL_SBIN= dash "$REPO/install.sh" --export-source "$T"
	status_is 0
	INSTALL_SH=$T/install.sh
}

# add_module NAME: the one line that adds a module (dkms.conf), plus what
# the source tree itself would gain (its Kbuild line); nothing if the tree
# has it already. MODS, BOOT... follow.
add_module() {
	if ! grep -q "BUILT_MODULE_NAME\[[0-9]*\]=\"$1\"" "$T/dkms.conf"; then
		n=$(grep -c '^BUILT_MODULE_NAME' "$T/dkms.conf")
		printf 'BUILT_MODULE_NAME[%s]="%s" BUILT_MODULE_LOCATION[%s]="src/" DEST_MODULE_LOCATION[%s]="/updates"\n' \
			"$n" "$1" "$n" "$n" >>"$T/dkms.conf"
	fi
	grep -q "^obj-m += $1\.o" "$T/src/Kbuild" || echo "obj-m += $1.o" >>"$T/src/Kbuild"
	set_modules "$T/dkms.conf"
}
