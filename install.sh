#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# install.sh: build and install the hyperv-lic Hyper-V guest drivers.
#
# usage: sudo ./install.sh [options]
#   (no option)        install for the running kernel
#   --kernel VER       install for kernel VER instead (repeatable)
#   --all-kernels      every kernel under /lib/modules that has a build tree
#                      or an installed kernel image
#   --replace-inbox    on kernels that ship their own hv_* drivers, use ours
#                      (a depmod.d override makes them win), but only where
#                      hyperv-lic has a replacement for every in-box module
#                      that needs the in-box hv_vmbus; on any other kernel
#                      it is refused (exit 9, nothing changed) and the
#                      missing modules are named. Without it such kernels
#                      keep their own drivers.
#   --force            with --replace-inbox: replace them anyway; the
#                      in-box modules that then stop loading are listed
#   --dkms, --no-dkms  use DKMS (the default when the dkms command exists),
#                      or build and install directly with a kernel hook
#   --no-initramfs     leave the initramfs alone (a later hook builds it)
#   --uninstall        remove everything install.sh installed and rebuild
#                      the initramfs without our modules
#   --status           report per kernel what is installed, in the
#                      initramfs and loaded; changes nothing
#   --dry-run          print the plan; change nothing
#   -q, --quiet        print only warnings and errors
#   -h, --help
#
# Exit codes:
#   0  done (also: nothing to do, --status, --dry-run, --help)
#   1  unexpected failure (see the log)
#   2  bad arguments
#   3  not root, or a system this script cannot handle
#   4  prerequisites missing (the packages to install are named)
#   5  the modules did not build for a kernel (the compiler's reason is shown)
#   6  installing or removing modules or configuration failed
#   7  the initramfs could not be rebuilt or lacked our modules; or /boot
#      is read-only or too full for it (checked before anything is changed)
#   8  another install.sh is running, or a build it started (after a
#      kill -9) has not finished yet
#   9  --replace-inbox refused: hyperv-lic lacks a replacement for an in-box
#      module that needs the in-box hv_vmbus (named); nothing changed
# On any failure from 5 up, everything this run changed is put back: the
# previous initramfs, modules and configuration files.
#
# Every command is logged to /var/log/hyperv-lic-install.log.
#
# Environment: HVL_ROOT prefixes every file path (tests use a fake root);
# unset on a real system. HVL_SBIN: the directories added to PATH
# (default /usr/sbin /sbin).
#
# Internal options (not for admins; --help does not list them):
#   --hook VER         (kernel hooks, boot service) bring kernel VER in line
#                      with the settings of the last install
#   --hook-remove VER  (kernel removal hooks) forget kernel VER
#   --package-configure  (the -dkms packages' post-install script) after
#                      the package's own DKMS steps: --dkms --replace-inbox
#                      for every kernel with a build tree, kernel hooks and
#                      initramfs; the package keeps owning /usr/src. Never
#                      --force: a kernel whose in-box drivers we cannot all
#                      replace keeps them (a warning names what we lack)
#   --package-remove   (their pre-removal script) --uninstall, except the
#                      package's own files
#   --export-source DIR  (packaging) copy the source tree, without build
#                      products, to DIR

set -eu

me=install.sh
R=${HVL_ROOT:-}
R=${R%/}

# modinfo, depmod, dkms live in /usr/sbin and /sbin, which a user's PATH
# (or su without -) lacks on Debian: without modinfo every in-box Hyper-V
# module looked as if it needed hv_vmbus (pci_hyperv_intf too).
for sbin_d in ${HVL_SBIN-/usr/sbin /sbin}; do
	case ":$PATH:" in *":$sbin_d:"*) ;; *) PATH=$PATH:$sbin_d ;; esac
done
export PATH

EX_FAIL=1
EX_USAGE=2
EX_SYSTEM=3
EX_PREREQ=4
EX_BUILD=5
EX_INSTALL=6
EX_INITRD=7
EX_BUSY=8
EX_INBOX=9

# Module roles. The module list itself comes from dkms.conf.
STORAGE_MODULES="hv_storvsc hv_blkvsc"
BOOT_MODULES="hv_vmbus $STORAGE_MODULES"

top=$(cd "$(dirname "$0")" && pwd -P)
state_dir=$R/var/lib/hyperv-lic
log_file=$R/var/log/hyperv-lic-install.log
lock_dir=$R/var/lib/hyperv-lic.lock

# ----------------------------------------------------------------- output

logging=0
quiet=0
dry_run=0

log() {
	[ "$logging" = 1 ] || return 0
	printf '%s %s\n' "$(date '+%Y-%m-%d %H:%M:%S')" "$*" >>"$log_file"
}
# outf FORMAT [ARG...]: printf to stdout. Once the reader went away
# (install.sh --status | head), nothing more is printed: --status ends
# there (exit 0), any other action goes on with the log alone.
stdout_gone=0
outf() {
	[ "$stdout_gone" = 0 ] || return 0
	of_fmt=$1
	shift
	# shellcheck disable=SC2059 # the format is one of ours
	printf "$of_fmt" "$@" 2>/dev/null && return 0
	stdout_gone=1
	log "standard output is gone; nothing more is printed"
	[ "${action:-}" != status ] || exit 0
}
say() {
	[ "$quiet" = 1 ] || outf '%s\n' "$*"
	log "$*"
}
warn() {
	printf '%s: warning: %s\n' "$me" "$*" >&2
	log "warning: $*"
}
fail() {
	f_code=$1
	shift
	printf '%s: error: %s\n' "$me" "$*" >&2
	log "error: $*"
	exit "$f_code"
}
# usage_error TEXT: one line, no usage dump (install.sh --help has it).
usage_error() {
	printf '%s: %s (see: %s --help)\n' "$me" "$*" "$0" >&2
	exit "$EX_USAGE"
}

# q ARG: ARG quoted for the shell when it needs to be.
q() {
	case $1 in
		'' | *[!A-Za-z0-9_./=:,+@%-]*)
			printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
		*) printf '%s' "$1" ;;
	esac
}
qargs() {
	qa_out=
	for qa_arg in "$@"; do
		qa_out="$qa_out${qa_out:+ }$(q "$qa_arg")"
	done
	printf '%s' "$qa_out"
}

# run CMD...: a command that changes the system; logged with its output.
# In --dry-run it is only printed.
run() {
	if [ "$dry_run" = 1 ]; then
		outf '  would run: %s\n' "$(qargs "$@")"
		return 0
	fi
	log "+ $(qargs "$@")"
	"$@" >>"$log_file" 2>&1
}

# run_out FILE CMD...: like run, output also kept in FILE.
run_out() {
	ro_file=$1
	shift
	if [ "$dry_run" = 1 ]; then
		outf '  would run: %s\n' "$(qargs "$@")"
		return 0
	fi
	log "+ $(qargs "$@")"
	ro_rc=0
	"$@" >"$ro_file" 2>&1 || ro_rc=$?
	cat "$ro_file" >>"$log_file"
	[ "$ro_rc" -eq 0 ] || log "(exit status $ro_rc)"
	return "$ro_rc"
}

# query CMD...: a command that only reads; always run, logged, stdout kept.
query() {
	log "? $(qargs "$@")"
	if [ "$logging" = 1 ]; then
		"$@" 2>>"$log_file"
	else
		"$@" 2>/dev/null
	fi
}

# ----------------------------------------------------------------- undo

work=
undo_file=
saved_n=0

undo_push() {
	[ -n "$undo_file" ] || return 0
	printf '%s\n' "$(qargs "$@")" >>"$undo_file"
}

# save_for_undo PATH: the undo journal puts PATH back as it is now.
save_for_undo() {
	[ "$dry_run" = 0 ] || return 0
	if [ -e "$1" ] || [ -L "$1" ]; then
		saved_n=$((saved_n + 1))
		cp -pR "$1" "$work/saved.$saved_n" ||
			fail "$EX_INSTALL" "cannot keep a copy of $1 in $work"
		undo_push restore_saved "$work/saved.$saved_n" "$1"
	else
		undo_push rm -rf "$1"
	fi
}

# shellcheck disable=SC2317 # called through eval, a trap or query
restore_saved() {
	rm -rf "$2"
	mkdir -p "$(dirname "$2")"
	cp -pR "$1" "$2"
}

# undo_later CMD...: run after the whole journal (depmod once the files
# are back), once per distinct command.
undo_later() {
	[ -n "$undo_file" ] || return 0
	ul_line=$(qargs "$@")
	grep -qxF "$ul_line" "$undo_file.later" 2>/dev/null ||
		printf '%s\n' "$ul_line" >>"$undo_file.later"
}

# shellcheck disable=SC2317 # called through eval, a trap or query
undo_all() {
	[ -n "$undo_file" ] && [ -s "$undo_file" ] || return 0
	printf '%s: putting back what this run changed\n' "$me" >&2
	log "undo: start"
	sed -n '1!G;h;$p' "$undo_file" >"$work/undo.reversed"
	[ ! -f "$undo_file.later" ] || cat "$undo_file.later" >>"$work/undo.reversed"
	: >"$undo_file"
	while IFS= read -r ua_line; do
		log "undo: $ua_line"
		eval "$ua_line" >>"$log_file" 2>&1 || log "undo step failed: $ua_line"
	done <"$work/undo.reversed"
	log "undo: done"
}

# Actions to run only once everything succeeded (removing old copies).
commit_push() {
	[ -n "$work" ] || return 0
	printf '%s\n' "$(qargs "$@")" >>"$work/commit"
}
commit_all() {
	[ -z "$undo_file" ] || : >"$undo_file"
	[ -z "$undo_file" ] || rm -f "$undo_file.later"
	[ -f "$work/commit" ] || return 0
	while IFS= read -r ca_line; do
		log "+ $ca_line"
		eval "$ca_line" >>"$log_file" 2>&1 || log "(failed: $ca_line)"
	done <"$work/commit"
	: >"$work/commit"
}

locked=0
made_var_lib=0
# shellcheck disable=SC2317 # called through eval, a trap or query
on_exit() {
	oe_rc=$?
	trap - EXIT
	if [ "$oe_rc" -ne 0 ]; then
		undo_all
		log "exit status $oe_rc"
	fi
	[ "$locked" = 0 ] || rm -rf "$lock_dir"
	[ "$made_var_lib" = 0 ] || rmdir "$R/var/lib" 2>/dev/null || true
	[ -z "$work" ] || rm -rf "$work"
	exit "$oe_rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# A reader that went away (install.sh --status | head): no signal death
# half-way; writes fail instead, and outf stops printing.
trap ':' PIPE

# make_work_dir: our scratch directory; "owner" names the process, so a
# later run can remove it when this one was killed (kill -9 runs no trap).
make_work_dir() {
	work=$(mktemp -d "${TMPDIR:-/tmp}/hyperv-lic.XXXXXX") ||
		fail "$EX_FAIL" "cannot create a temporary directory"
	echo $$ >"$work/owner"
	undo_file=$work/undo
	: >"$undo_file"
}

# lock_in_use: a process holds the flock of a lock directory: the
# install.sh that took it, or a command it started (dkms build, make,
# update-initramfs) that outlived it. Without flock(1): nobody.
lock_in_use() {
	command -v flock >/dev/null 2>&1 || return 1
	[ -f "$lock_dir/held" ] || return 1
	# Taken and given back at once (descriptor 8 closes after the group).
	! { flock -n 8; } 8<"$lock_dir/held" 2>/dev/null
}

# sweep_work_dirs: scratch directories of runs that were killed (their
# owner is gone). Called with the lock held: no other run's build uses
# them then; a --status run still alive keeps its own.
sweep_work_dirs() {
	for swd in "${TMPDIR:-/tmp}"/hyperv-lic.?????? ${1:-}; do
		[ "$swd" != "$work" ] || continue
		[ -f "$swd/owner" ] || continue
		swd_pid=$(cat "$swd/owner" 2>/dev/null || true)
		case $swd_pid in '' | *[!0-9]*) continue ;; esac
		! kill -0 "$swd_pid" 2>/dev/null || continue
		log "removing the scratch directory $swd of a killed run (pid $swd_pid)"
		rm -rf "$swd"
	done
}

# take_lock: one install.sh at a time. The lock is the directory
# $lock_dir (mkdir is atomic) with our pid and scratch directory in it.
# Where flock(1) exists, file descriptor 9 also holds a lock on
# $lock_dir/held, and every command we start inherits it: after a kill -9
# of install.sh alone, its dkms build or make keeps holding it, and the
# next run stops (exit 8) instead of taking the lock as stale and starting
# a second build beside the orphaned one.
take_lock() {
	if [ ! -d "$R/var/lib" ]; then
		mkdir -p "$R/var/lib" || fail "$EX_FAIL" "cannot create $R/var/lib"
		made_var_lib=1
	fi
	tl_old_work=
	if ! mkdir "$lock_dir" 2>/dev/null; then
		tl_pid=$(cat "$lock_dir/pid" 2>/dev/null || true)
		if [ -n "$tl_pid" ] && kill -0 "$tl_pid" 2>/dev/null; then
			fail "$EX_BUSY" "another install.sh (pid $tl_pid) is running; run again when it has finished"
		fi
		if lock_in_use; then
			fail "$EX_BUSY" "install.sh (pid ${tl_pid:-unknown}) was killed, but commands it started (dkms build, make, ...) still run; run again when they have finished"
		fi
		tl_old_work=$(cat "$lock_dir/work" 2>/dev/null || true)
		log "removing stale lock $lock_dir (pid ${tl_pid:-unknown})"
		rm -rf "$lock_dir"
		mkdir "$lock_dir" || fail "$EX_BUSY" "cannot take the lock $lock_dir"
	fi
	locked=1
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$lock_dir/held"
		flock -n 9 || fail "$EX_BUSY" "cannot take the lock $lock_dir/held"
	fi
	echo $$ >"$lock_dir/pid"
	printf '%s\n' "$work" >"$lock_dir/work"
	sweep_work_dirs "$tl_old_work"
}

# ----------------------------------------------------------------- files

# mkdirs DIR: create DIR and its missing parents; the undo journal
# removes the ones this run created.
mkdirs() {
	[ ! -d "$1" ] || return 0
	md_missing=
	md_d=$1
	while [ -n "$md_d" ] && [ ! -d "$md_d" ]; do
		md_missing="$md_d
$md_missing"
		md_d=${md_d%/*}
	done
	run mkdir -p "$1" || return 1
	printf '%s\n' "$md_missing" | while IFS= read -r md_d; do
		[ -n "$md_d" ] || continue
		undo_push rmdir "$md_d"
		# --uninstall removes it again once empty (settings: made_dir=)
		[ "$dry_run" = 1 ] || [ -z "$work" ] || printf '%s\n' "${md_d#"$R"}" >>"$work/made_dirs"
	done
}

# install_file SRC DST MODE: put SRC at DST unless identical; sets
# file_changed to 1 or 0.
install_file() {
	file_changed=0
	if [ -f "$2" ] && cmp -s "$1" "$2"; then
		return 0
	fi
	file_changed=1
	if [ "$dry_run" = 1 ]; then
		outf '  would write %s:\n' "$2"
		outf '%s\n' "$(sed 's/^/    | /' "$1")"
		return 0
	fi
	# Directories first: the journal undoes in reverse order.
	mkdirs "$(dirname "$2")" || fail "$EX_INSTALL" "cannot create $(dirname "$2")"
	save_for_undo "$2"
	if ! { run cp "$1" "$2" && run chmod "$3" "$2"; }; then
		fail "$EX_INSTALL" "cannot write $2"
	fi
}

# remove_path PATH: remove a file or directory of ours (undoable).
remove_path() {
	[ -e "$1" ] || [ -L "$1" ] || return 0
	save_for_undo "$1"
	run rm -rf "$1" || fail "$EX_INSTALL" "cannot remove $1"
}

# ----------------------------------------------------------------- package

conf_file=$top/dkms.conf
[ -f "$conf_file" ] || fail "$EX_SYSTEM" "$conf_file is missing: run install.sh from the hyperv-lic source tree"

# dkms.conf is the one module list: BUILT_MODULE_NAME[n]="name".
conf_words() {
	sed 's/#.*//' "$conf_file" | awk -F '[ \t;]+' '{ for (i = 1; i <= NF; i++) if ($i != "") print $i }'
}
conf_value() {
	conf_words | sed -n "s/^$1=\"\{0,1\}\([^\"]*\)\"\{0,1\}\$/\1/p" | head -n 1
}
pkg_name=$(conf_value PACKAGE_NAME)
pkg_version=$(conf_value PACKAGE_VERSION)
modules=$(conf_words | sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\{0,1\}\([A-Za-z0-9_-]*\)"\{0,1\}$/\1/p' | tr '\n' ' ')
modules=${modules% }
if [ -z "$pkg_name" ] || [ -z "$pkg_version" ] || [ -z "$modules" ]; then
	fail "$EX_SYSTEM" "$conf_file lacks PACKAGE_NAME, PACKAGE_VERSION or BUILT_MODULE_NAME"
fi
src_dir=/usr/src/$pkg_name-$pkg_version

# our_boot_modules: the modules of ours the initramfs must hold.
our_boot_modules() {
	obm_out=
	for obm in $BOOT_MODULES; do
		case " $modules " in *" $obm "*) obm_out="$obm_out $obm" ;; esac
	done
	printf '%s' "${obm_out# }"
}
our_storage_modules() {
	osm_out=
	for osm in $STORAGE_MODULES; do
		case " $modules " in *" $osm "*) osm_out="$osm_out $osm" ;; esac
	done
	printf '%s' "${osm_out# }"
}

# ----------------------------------------------------------------- distro

osr_field() {
	sed -n "s/^$1=//p" "$2" | head -n 1 | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/"
}

# detect_distro: sets dist_id, dist_name, dist_ver, dist_major, family
# (el, suse, debian), from the files each release really has.
detect_distro() {
	dist_id=
	dist_ver=
	dist_name=
	dd_like=
	if [ -f "$R/etc/os-release" ]; then
		dist_id=$(osr_field ID "$R/etc/os-release")
		dd_like=$(osr_field ID_LIKE "$R/etc/os-release")
		dist_ver=$(osr_field VERSION_ID "$R/etc/os-release")
		dist_name=$(osr_field PRETTY_NAME "$R/etc/os-release")
	elif [ -f "$R/etc/SuSE-release" ]; then
		dist_id=sles
		dist_name=$(head -n 1 "$R/etc/SuSE-release")
		dist_ver=$(sed -n 's/^VERSION *= *//p' "$R/etc/SuSE-release" | head -n 1)
		dd_pl=$(sed -n 's/^PATCHLEVEL *= *//p' "$R/etc/SuSE-release" | head -n 1)
		[ -z "$dd_pl" ] || dist_ver=$dist_ver.$dd_pl
		case $dist_name in *openSUSE*) dist_id=opensuse ;; esac
	elif [ -f "$R/etc/redhat-release" ]; then
		dd_line=$(head -n 1 "$R/etc/redhat-release")
		for dd_f in "$R/etc/oracle-release" "$R/etc/enterprise-release"; do
			[ -f "$dd_f" ] && dd_line=$(head -n 1 "$dd_f") && break
		done
		dist_name=$dd_line
		dist_ver=$(printf '%s\n' "$dd_line" | sed -n 's/.* release \([0-9][0-9.]*\).*/\1/p')
		case $dd_line in
			CentOS*) dist_id=centos ;;
			Oracle* | Enterprise*) dist_id=ol ;;
			Scientific*) dist_id=scientific ;;
			Fedora*) dist_id=fedora ;;
			*) dist_id=rhel ;;
		esac
	elif [ -f "$R/etc/debian_version" ]; then
		dist_id=debian
		dist_ver=$(head -n 1 "$R/etc/debian_version")
		dist_name="Debian $dist_ver"
	fi
	[ -n "$dist_id" ] || fail "$EX_SYSTEM" "cannot tell the distribution: none of /etc/os-release, /etc/redhat-release, /etc/SuSE-release, /etc/debian_version"
	family=
	for dd_w in "$dist_id" $dd_like; do
		case $dd_w in
			rhel | centos | ol | fedora | rocky | almalinux | scientific) family=el ;;
			sles | sled | sles_sap | suse | opensuse*) family=suse ;;
			debian | ubuntu) family=debian ;;
		esac
		[ -z "$family" ] || break
	done
	[ -n "$family" ] || fail "$EX_SYSTEM" "distribution '$dist_id' is not one install.sh knows (RHEL/CentOS/Oracle 5-9, SLES 11-15, Debian, Ubuntu)"
	dist_major=${dist_ver%%[.-]*}
	case $dist_major in '' | *[!0-9]*) dist_major= ;; esac
	[ -n "$dist_name" ] || dist_name="$dist_id $dist_ver"
	case $family in
		el)
			if [ "$dist_id" = fedora ]; then
				dist_major=99
			elif [ -z "$dist_major" ]; then
				fail "$EX_SYSTEM" "cannot tell the release of $dist_name"
			elif [ "$dist_major" -lt 5 ]; then
				fail "$EX_SYSTEM" "$dist_name is older than RHEL 5, which is the oldest release supported"
			fi
			;;
		suse)
			case $dist_id in opensuse-tumbleweed) dist_major=99 ;; esac
			[ -n "$dist_major" ] || fail "$EX_SYSTEM" "cannot tell the release of $dist_name"
			# openSUSE Leap 15.x is SLE 15; Leap 42.x is SLE 12.
			[ "$dist_major" != 42 ] || dist_major=12
			[ "$dist_major" -ge 11 ] || fail "$EX_SYSTEM" "$dist_name is older than SLES 11, which is the oldest release supported"
			;;
		debian) ;;
	esac
	set_profile
}

# set_profile: how this release builds its initramfs, lists it, runs hooks
# for new kernels, and which modprobe syntax it understands.
set_profile() {
	case $family in
		el)
			if [ "$dist_major" -le 5 ]; then
				initrd_kind=mkinitrd-el5 initrd_fmt=/boot/initrd-%s.img lister=cpio
				hook_kind=sysv-chkconfig mp_style=install initrd_pkg=mkinitrd
			elif [ "$dist_major" -le 7 ]; then
				initrd_kind=dracut initrd_fmt=/boot/initramfs-%s.img lister=lsinitrd
				hook_kind=postinst initrd_pkg=dracut
				if [ "$dist_major" -le 6 ]; then mp_style=install; else mp_style=softdep; fi
			else
				initrd_kind=dracut initrd_fmt=/boot/initramfs-%s.img lister=lsinitrd
				hook_kind=kernel-install mp_style=softdep initrd_pkg=dracut
			fi
			depmod_pkg=kmod
			[ "$dist_major" -ge 7 ] || depmod_pkg=module-init-tools
			if [ "$dist_major" -ge 8 ]; then pkg_tool=dnf; else pkg_tool=yum; fi
			;;
		suse)
			if [ "$dist_major" -le 11 ]; then
				initrd_kind=mkinitrd-suse initrd_fmt=/boot/initrd-%s lister=cpio
				hook_kind=sysv-insserv mp_style=install initrd_pkg=mkinitrd depmod_pkg=module-init-tools
			else
				initrd_kind=dracut initrd_fmt=/boot/initrd-%s lister=lsinitrd
				hook_kind=systemd mp_style=softdep initrd_pkg=dracut depmod_pkg=kmod-compat
			fi
			pkg_tool=zypper
			;;
		debian)
			initrd_kind=initramfs-tools initrd_fmt=/boot/initrd.img-%s lister=lsinitramfs
			hook_kind=debian mp_style=softdep initrd_pkg=initramfs-tools depmod_pkg=kmod
			pkg_tool=apt-get
			;;
	esac
}

# headers_pkg VER: the package that provides /lib/modules/VER/build.
headers_pkg() {
	case $family in
		debian) printf 'linux-headers-%s' "$1" ;;
		el)
			case $1 in
				*uek) printf 'kernel-uek-devel-%s' "$1" ;;
				*xen) printf 'kernel-xen-devel-%s' "${1%xen}" ;;
				*PAE) printf 'kernel-PAE-devel-%s' "${1%PAE}" ;;
				*+debug) printf 'kernel-debug-devel-%s' "${1%+debug}" ;;
				*debug) printf 'kernel-debug-devel-%s' "${1%debug}" ;;
				*) printf 'kernel-devel-%s' "$1" ;;
			esac
			;;
		suse) printf 'kernel-%s-devel (version %s)' "${1##*-}" "${1%-*}" ;;
	esac
}

initrd_path() {
	# shellcheck disable=SC2059 # the format is one of ours
	printf "$initrd_fmt" "$1"
}

# ----------------------------------------------------------------- settings

setting() {
	[ -f "$state_dir/settings" ] || return 0
	sed -n "s/^$1=//p" "$state_dir/settings" | head -n 1
}
kstate() {
	[ -f "$state_dir/kernels/$1" ] || return 0
	sed -n "s/^$2=//p" "$state_dir/kernels/$1" | head -n 1
}

# ----------------------------------------------------------------- kernels

has_build_tree() { [ -f "$R/lib/modules/$1/build/Makefile" ]; }
has_kernel_image() {
	[ -e "$R/boot/vmlinuz-$1" ] || [ -e "$R/boot/vmlinux-$1" ] ||
		[ -e "$R/lib/modules/$1/vmlinuz" ] || [ -e "$R/boot/Image-$1" ]
}

all_kernels() {
	for ak_d in "$R"/lib/modules/*; do
		[ -d "$ak_d" ] || continue
		ak_v=${ak_d##*/}
		if has_build_tree "$ak_v" || has_kernel_image "$ak_v"; then
			printf '%s\n' "$ak_v"
		fi
	done
}

# inbox_vmbus VER: path of the kernel's own hv_vmbus (relative to
# /lib/modules/VER), "builtin", or nothing.
inbox_vmbus() {
	iv_m=$R/lib/modules/$1
	if [ -f "$iv_m/modules.builtin" ] && grep -q '/hv_vmbus\.ko$' "$iv_m/modules.builtin"; then
		echo builtin
		return 0
	fi
	[ -d "$iv_m/kernel" ] || return 0
	iv_p=$(find "$iv_m/kernel" -name 'hv_vmbus.ko*' 2>/dev/null | head -n 1)
	[ -z "$iv_p" ] || printf '%s\n' "${iv_p#"$iv_m"/}"
}

modname_of() {
	printf '%s\n' "$1" | sed -e 's,.*/,,' -e 's/\.ko\(\.[a-z0-9]*\)\{0,1\}$//' | tr - _
}

# inbox_family VER: names of the kernel's own modules that need its own
# hv_vmbus, directly or through another module, hv_vmbus itself included.
# From modules.dep while it lists the in-box hv_vmbus (depmod writes each
# module's dependencies; the closure is taken here all the same). Once
# ours took over there (depmod resolved the in-box modules against ours,
# or not at all), from the dependency list each of the kernel's Hyper-V
# modules carries itself (modinfo -F depends). A module that needs
# nothing of hv_vmbus (e.g. pci_hyperv_intf) is not one of them.
inbox_family() {
	if_m=$R/lib/modules/$1
	if_out=
	if [ -f "$if_m/modules.dep" ]; then
		# Old module-init-tools write absolute paths: made relative.
		if_out=$(awk -v pfx="/lib/modules/$1/" '
			function rel(f,  i) {
				i = index(f, pfx)
				if (i) f = substr(f, i + length(pfx))
				return f
			}
			{
				p = rel($1); sub(/:$/, "", p)
				n++; name[n] = p; deps[n] = ""
				for (i = 2; i <= NF; i++) deps[n] = deps[n] " " rel($i)
			}
			END {
				for (j = 1; j <= n; j++)
					if (name[j] ~ /^kernel\/(.*\/)?hv_vmbus\.ko/) { fam[name[j]] = 1; found = 1 }
				if (!found) exit 0
				do {
					changed = 0
					for (j = 1; j <= n; j++) {
						if ((name[j] in fam) || name[j] !~ /^kernel\//) continue
						c = split(deps[j], a, " ")
						for (k = 1; k <= c; k++)
							if (a[k] in fam) { fam[name[j]] = 1; changed = 1; break }
					}
				} while (changed)
				for (p in fam) print p
			}' "$if_m/modules.dep")
	fi
	if [ -n "$if_out" ]; then
		printf '%s\n' "$if_out" | while IFS= read -r if_p; do modname_of "$if_p"; done
	elif [ -d "$if_m/kernel" ]; then
		(cd "$if_m" && find kernel \( -name 'hv_*.ko*' -o -name 'hv-*.ko*' -o -name '*hyperv*.ko*' \
			-o -name 'uio_hv_generic.ko*' \) 2>/dev/null) | while IFS= read -r if_p; do
			# name, then its dependencies ("?" when they cannot be read:
			# counted as needing hv_vmbus)
			if_d=$(query modinfo -F depends "$if_m/$if_p" 2>/dev/null) || if_d='?'
			printf '%s %s\n' "$(modname_of "$if_p")" "$(printf '%s' "$if_d" | tr ',-' ' _')"
		done | awk '
			{ n++; name[n] = $1; deps[n] = $0 }
			END {
				fam["hv_vmbus"] = 1
				do {
					changed = 0
					for (j = 1; j <= n; j++) {
						if (name[j] in fam) continue
						c = split(deps[j], a, " ")
						for (k = 2; k <= c; k++)
							if ((a[k] in fam) || a[k] == "?") { fam[name[j]] = 1; changed = 1; break }
					}
				} while (changed)
				for (p in fam) print p
			}'
	fi | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# inbox_missing FAMILY: the modules of FAMILY (inbox_family) that we do
# not build: they stop loading once our hv_vmbus replaces the in-box one.
inbox_missing() {
	im_out=
	for im_m in $1; do
		case " $modules " in *" $im_m "*) ;; *) im_out="$im_out $im_m" ;; esac
	done
	printf '%s' "${im_out# }"
}

# commas "A B C": "A, B, C".
commas() {
	printf '%s' "$1" | sed 's/ /, /g'
}

# ours_in_tree VER: "module=relative-path" for each of our modules
# installed for VER (under updates/ or extra/).
ours_in_tree() {
	oit_m=$R/lib/modules/$1
	for oit_mod in $modules; do
		for oit_d in updates extra; do
			[ -d "$oit_m/$oit_d" ] || continue
			oit_p=$(find "$oit_m/$oit_d" -name "$oit_mod.ko*" 2>/dev/null | head -n 1)
			if [ -n "$oit_p" ]; then
				printf '%s=%s\n' "$oit_mod" "${oit_p#"$oit_m"/}"
				break
			fi
		done
	done
}

# ----------------------------------------------------------------- dkms

dkms_cmd() { command -v dkms 2>/dev/null; }

# dkms_state VER KVER: installed, built, added, or nothing.
dkms_state() {
	ds_out=$(query dkms status -m "$pkg_name" -v "$1" -k "$2" 2>/dev/null || true)
	ds_line=$(printf '%s\n' "$ds_out" | grep -F ", $2, " | head -n 1 || true)
	[ -n "$ds_line" ] || ds_line=$(printf '%s\n' "$ds_out" | grep -F ", $2:" | head -n 1 || true)
	case $ds_line in
		*': installed'*) echo installed ;;
		*': built'*) echo built ;;
		*) ;;
	esac
}

# dkms_versions: versions of our package DKMS knows.
dkms_versions() {
	query dkms status -m "$pkg_name" 2>/dev/null |
		sed -n -e "s|^$pkg_name/\([^,:]*\)[,:].*|\1|p" -e "s|^$pkg_name, \([^,:]*\)[,:].*|\1|p" | sort -u
}

# dkms_kernels VER: kernels where DKMS has our VER installed.
dkms_kernels() {
	query dkms status -m "$pkg_name" -v "$1" 2>/dev/null |
		sed -n -e "s|^$pkg_name/$1, \([^,]*\),.*: installed.*|\1|p" \
			-e "s|^$pkg_name, $1, \([^,]*\),.*: installed.*|\1|p" | sort -u
}

# ----------------------------------------------------------------- source

tree_files() {
	(
		cd "$1" || exit 1
		for tf in dkms.conf Makefile install.sh LICENSE README.md CHANGELOG; do
			[ ! -f "$tf" ] || echo "$tf"
		done
		find src -type f ! -name '.*' ! -name '*.o' ! -name '*.ko' ! -name '*.mod' \
			! -name '*.mod.c' ! -name '*.cmd' ! -name '*.order' ! -name '*.symvers' \
			! -name '.cache.mk' ! -path 'src/compat/generated/*' ! -path '*/.tmp_versions/*' \
			2>/dev/null
	) | LC_ALL=C sort
}

tree_sum() {
	[ -d "$1" ] || return 0
	(cd "$1" && tree_files "$1" | while IFS= read -r ts_f; do cksum "$ts_f"; done) | cksum | sed 's/ .*//'
}

# install_source: our source tree at /usr/src/NAME-VERSION, the place DKMS
# and the kernel hooks build from. Sets source_changed.
install_source() {
	source_changed=0
	is_want=$(tree_sum "$top")
	if [ "$top" = "$R$src_dir" ]; then
		# Run from the copy itself, or from a package that put it there.
		source_sum=$is_want
		[ "$(setting source)" = copied ] || source_how=in-place
		return 0
	fi
	source_how=copied
	is_have=$(tree_sum "$R$src_dir")
	source_sum=$is_want
	[ "$is_want" != "$is_have" ] || return 0
	source_changed=1
	say "source tree -> $src_dir"
	if [ "$dry_run" = 1 ]; then
		outf '  would copy %s to %s\n' "$top" "$R$src_dir"
		return 0
	fi
	mkdirs "${R}${src_dir%/*}" || fail "$EX_INSTALL" "cannot create ${R}${src_dir%/*}"
	save_for_undo "$R$src_dir"
	if ! { run rm -rf "$R$src_dir" && run mkdir "$R$src_dir"; }; then
		fail "$EX_INSTALL" "cannot create $R$src_dir"
	fi
	tree_files "$top" >"$work/files"
	log "+ copy $(wc -l <"$work/files") files from $top to $R$src_dir"
	# shellcheck disable=SC2046 # file names from tree_files have no blanks
	(cd "$top" && tar cf - $(cat "$work/files")) | (cd "$R$src_dir" && tar xf -) ||
		fail "$EX_INSTALL" "cannot copy the source tree to $R$src_dir"
}

# ----------------------------------------------------------------- build

# show_build_failure KVER LOGFILE
show_build_failure() {
	printf '%s: kernel %s: the modules did not build; the compiler says:\n' "$me" "$1" >&2
	if grep -E -i 'error|warning: .* undefined|\*\*\*' "$2" >/dev/null 2>&1; then
		grep -E -i 'error|warning: .* undefined|\*\*\*' "$2" | head -n 20 | sed 's/^/  /' >&2
	else
		tail -n 20 "$2" | sed 's/^/  /' >&2
	fi
	printf '%s: (full output in %s)\n' "$me" "$log_file" >&2
}

ncpus() {
	getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1
}

# make_build KVER: build our modules for KVER in a scratch copy; sets
# built_dir.
make_build() {
	built_dir=$work/build-$1
	say "kernel $1: building $modules"
	if [ "$dry_run" = 1 ]; then
		outf '  would run: make -C %s/src KVER=%s KDIR=%s\n' "$src_dir" "$1" "/lib/modules/$1/build"
		return 0
	fi
	rm -rf "$built_dir"
	mkdir -p "$built_dir"
	# dkms.conf beside src/: src/Kbuild reads the version from it
	# (modinfo -F version), as in a DKMS build.
	(cd "$R$src_dir" && tar cf - dkms.conf src) | (cd "$built_dir" && tar xf -) ||
		fail "$EX_BUILD" "cannot copy $R$src_dir to $built_dir"
	if ! run_out "$work/build.log" make -C "$built_dir/src" -j"$(ncpus)" KVER="$1" KDIR="$R/lib/modules/$1/build"; then
		show_build_failure "$1" "$work/build.log"
		exit "$EX_BUILD"
	fi
	for mb_m in $modules; do
		[ -f "$built_dir/src/$mb_m.ko" ] ||
			fail "$EX_BUILD" "kernel $1: the build produced no $mb_m.ko (dkms.conf lists it)"
		# Debug information out, as DKMS does (STRIP): a tenth of the size,
		# in /lib/modules and in every initramfs.
		run strip --strip-debug "$built_dir/src/$mb_m.ko" ||
			fail "$EX_BUILD" "kernel $1: strip --strip-debug $mb_m.ko failed (see $log_file)"
	done
	sign_modules "$1"
}

# ----------------------------------------------------------------- signing

# mok_key_pair: "KEY CERT" of the module signing key the distribution's
# DKMS set up (/etc/dkms/framework.conf mok_signing_key/mok_certificate;
# default /var/lib/dkms/mok.key and mok.pub; Ubuntu's older shim-signed
# /var/lib/shim-signed/mok/MOK.priv and MOK.der), or nothing.
mok_key_pair() {
	mkp_key=''
	mkp_cert=
	for mkp_c in "$R/etc/dkms/framework.conf" "$R"/etc/dkms/framework.conf.d/*.conf; do
		[ -f "$mkp_c" ] || continue
		mkp_v=$(sed -n 's/^[[:space:]]*mok_signing_key=["'"'"']\{0,1\}\([^"'"'"']*\).*/\1/p' "$mkp_c" | tail -n 1)
		[ -z "$mkp_v" ] || mkp_key=$mkp_v
		mkp_v=$(sed -n 's/^[[:space:]]*mok_certificate=["'"'"']\{0,1\}\([^"'"'"']*\).*/\1/p' "$mkp_c" | tail -n 1)
		[ -z "$mkp_v" ] || mkp_cert=$mkp_v
	done
	for mkp_pair in "$mkp_key $mkp_cert" "/var/lib/dkms/mok.key /var/lib/dkms/mok.pub" \
		"/var/lib/shim-signed/mok/MOK.priv /var/lib/shim-signed/mok/MOK.der"; do
		# shellcheck disable=SC2086 # two paths without blanks
		set -- $mkp_pair
		[ $# -eq 2 ] || continue
		{ [ -f "$R$1" ] && [ -f "$R$2" ]; } || continue
		printf '%s %s' "$1" "$2"
		return 0
	done
}

# secure_boot: 0 when the firmware says Secure Boot is on (then the
# kernel loads only modules signed with a key it trusts).
secure_boot() {
	for sb_f in "$R"/sys/firmware/efi/efivars/SecureBoot-*; do
		[ -f "$sb_f" ] && break
	done
	[ -f "$sb_f" ] || return 1
	[ "$(od -A n -t u1 "$sb_f" 2>/dev/null | awk '{ v = $NF } END { print v }')" = 1 ]
}

# sign_modules KVER: the make path signs the built modules with the DKMS
# key, as DKMS does on its path, using the kernel's own sign-file. No key:
# unsigned (secure_boot_note says what that means).
sign_modules() {
	sm_pair=$(mok_key_pair)
	[ -n "$sm_pair" ] || return 0
	sm_sign=$R/lib/modules/$1/build/scripts/sign-file
	if [ ! -x "$sm_sign" ]; then
		log "kernel $1: no scripts/sign-file in its build tree; modules left unsigned"
		return 0
	fi
	sm_hash=
	[ ! -f "$R/lib/modules/$1/build/.config" ] ||
		sm_hash=$(sed -n 's/^CONFIG_MODULE_SIG_HASH="\(.*\)"$/\1/p' "$R/lib/modules/$1/build/.config")
	# shellcheck disable=SC2086 # key and certificate paths, no blanks
	set -- $sm_pair
	for sm_m in $modules; do
		run "$sm_sign" "${sm_hash:-sha256}" "$R$1" "$R$2" "$built_dir/src/$sm_m.ko" ||
			fail "$EX_BUILD" "signing $sm_m.ko with $1 failed (see $log_file)"
	done
	say "modules signed with $2"
}

# secure_boot_note: under Secure Boot, what happens to our modules.
secure_boot_note() {
	[ -n "$build_kernels" ] || return 0
	secure_boot || return 0
	sbn_pair=$(mok_key_pair)
	if [ -z "$sbn_pair" ]; then
		warn "Secure Boot is on and no module signing key is set up (DKMS's /var/lib/dkms/mok.key): the kernel refuses our unsigned modules; see README, \"Secure Boot\""
	else
		warn "Secure Boot is on: our modules are signed with ${sbn_pair#* }; the kernel loads them only once that key is enrolled (mokutil --import ${sbn_pair#* }, then reboot and confirm)"
	fi
}

# make_install KVER: copy the built modules to /lib/modules/KVER/updates.
make_install() {
	mi_dir=$R/lib/modules/$1/updates
	kernel_changed=0
	for mi_m in $modules; do
		if [ "$dry_run" = 1 ]; then
			outf '  would install %s/%s.ko\n' "$mi_dir" "$mi_m"
			kernel_changed=1
			continue
		fi
		install_file "$built_dir/src/$mi_m.ko" "$mi_dir/$mi_m.ko" 0644
		[ "$file_changed" = 0 ] || kernel_changed=1
	done
}

# make_remove KVER: remove the modules the make path installed for KVER.
make_remove() {
	mr_any=0
	for mr_m in $modules; do
		for mr_f in "$R/lib/modules/$1/updates/$mr_m.ko" "$R/lib/modules/$1/updates/$mr_m.ko.xz"; do
			[ -e "$mr_f" ] || continue
			# Only files the state says are ours.
			grep -q "^file=${mr_f#"$R"} " "$state_dir/kernels/$1" 2>/dev/null || continue
			remove_path "$mr_f"
			mr_any=1
		done
	done
	[ "$mr_any" = 0 ] || depmod_kernel "$1"
	remove_empty_dirs "$1"
}

# remove_empty_dirs KVER: the updates/ directories, once nothing is left.
remove_empty_dirs() {
	for red_d in "$R/lib/modules/$1/updates/dkms" "$R/lib/modules/$1/updates"; do
		[ -d "$red_d" ] || continue
		[ -z "$(ls -A "$red_d")" ] || continue
		run rmdir "$red_d" || true
	done
}

depmod_kernel() {
	if [ -n "$R" ]; then
		run depmod -b "$R" -a "$1" || fail "$EX_INSTALL" "depmod for kernel $1 failed"
	else
		run depmod -a "$1" || fail "$EX_INSTALL" "depmod for kernel $1 failed"
	fi
	undo_later depmod_quiet "$1"
}
# shellcheck disable=SC2317 # called through eval, a trap or query
depmod_quiet() {
	if [ -n "$R" ]; then depmod -b "$R" -a "$1"; else depmod -a "$1"; fi
}

# all_ours_installed KVER: every module of ours is in KVER's updates/ or
# extra/ (DKMS 3 reports "installed" even when its version check kept
# an in-box module and installed nothing).
all_ours_installed() {
	[ "$(ours_in_tree "$1" | wc -l)" -eq "$(printf '%s\n' "$modules" | wc -w)" ]
}

# dkms_install_kernel KVER [--force]: build and install with DKMS.
dkms_install_kernel() {
	dik_k=$1
	shift
	kernel_changed=0
	dik_state=$(dkms_state "$pkg_version" "$dik_k")
	if [ "$dik_state" = installed ] && [ "$source_changed" = 0 ] && all_ours_installed "$dik_k"; then
		return 0
	fi
	kernel_changed=1
	if [ "$dik_state" = "" ] || [ "$source_changed" = 1 ]; then
		say "kernel $dik_k: dkms build"
		if ! run_out "$work/dkms.log" dkms build -m "$pkg_name" -v "$pkg_version" -k "$dik_k"; then
			dik_mlog=$R/var/lib/dkms/$pkg_name/$pkg_version/build/make.log
			[ -f "$dik_mlog" ] || dik_mlog=$work/dkms.log
			show_build_failure "$dik_k" "$dik_mlog"
			exit "$EX_BUILD"
		fi
	fi
	say "kernel $dik_k: dkms install"
	undo_push dkms remove -m "$pkg_name" -v "$pkg_version" -k "$dik_k"
	# An "installed" entry without our files is installed again.
	if [ "$dik_state" = installed ] && [ $# -eq 0 ]; then
		set -- --force
	fi
	run dkms install -m "$pkg_name" -v "$pkg_version" -k "$dik_k" "$@" ||
		fail "$EX_INSTALL" "dkms install for kernel $dik_k failed (see $log_file)"
	[ "$dry_run" = 1 ] || all_ours_installed "$dik_k" ||
		fail "$EX_INSTALL" "kernel $dik_k: dkms installed none of our modules (see $log_file)"
}

# dkms_register: DKMS knows exactly our version, from our source copy.
dkms_register() {
	dr_versions=$(dkms_versions)
	for dr_v in $dr_versions; do
		if [ "$dr_v" = "$pkg_version" ] && [ "$source_changed" = 0 ]; then
			continue
		fi
		dr_ks=$(dkms_kernels "$dr_v" | tr '\n' ' ')
		say "dkms: removing $pkg_name/$dr_v${dr_ks:+ (installed for $dr_ks)}"
		run dkms remove -m "$pkg_name" -v "$dr_v" --all ||
			fail "$EX_INSTALL" "dkms remove $pkg_name/$dr_v failed (see $log_file)"
		undo_push dkms_readd "$dr_v" "$dr_ks"
		for dr_k in $dr_ks; do
			reinstall_kernels="$reinstall_kernels $dr_k"
		done
	done
	if [ "$dry_run" = 0 ] && [ -n "$(query dkms status -m "$pkg_name" -v "$pkg_version" 2>/dev/null)" ]; then
		return 0
	fi
	say "dkms: add $pkg_name/$pkg_version"
	run dkms add -m "$pkg_name" -v "$pkg_version" ||
		fail "$EX_INSTALL" "dkms add $pkg_name/$pkg_version failed (see $log_file)"
	undo_push dkms remove -m "$pkg_name" -v "$pkg_version" --all
}

# dkms_readd VER "KVERS": undo of a removal (the source is still there
# until the run commits).
# shellcheck disable=SC2317 # called through eval, a trap or query
dkms_readd() {
	dkms add -m "$pkg_name" -v "$1" || return 1
	for dra_k in $2; do
		dkms install -m "$pkg_name" -v "$1" -k "$dra_k" || true
	done
}

# ----------------------------------------------------------------- config

# ata_piix_has_hyperv_switch: 0 when no kernel we build for has an ata_piix
# module without the prefer_ms_hyperv parameter (3.x+, RHEL 6.4+): there
# the option below only pins its default. An older ata_piix refuses to
# load with an unknown option, which would cost the VM its DVD drive.
ata_piix_has_hyperv_switch() {
	for aph_k in $build_kernels; do
		for aph_f in "$R/lib/modules/$aph_k"/kernel/drivers/ata/ata_piix.ko*; do
			[ -f "$aph_f" ] || continue
			case $aph_f in
				*.xz) aph_cat="xz -dc" ;;
				*.zst) aph_cat="zstd -qdc" ;;
				*.gz) aph_cat="gzip -dc" ;;
				*) aph_cat="cat" ;;
			esac
			# shellcheck disable=SC2086 # the decompressor and its options
			$aph_cat "$aph_f" 2>/dev/null | grep -a -q prefer_ms_hyperv || return 1
		done
	done
	return 0
}

write_modprobe_conf() {
	wmc_st=$(our_storage_modules)
	{
		echo "# hyperv-lic: written by install.sh; removed by install.sh --uninstall."
		echo "# The synthetic storage drivers claim Hyper-V disks before the emulated"
		echo "# IDE driver (ata_piix) loads. No alias lines: each module's own"
		echo "# aliases decide which driver binds, so no disk is claimed twice."
		if [ -z "$wmc_st" ]; then
			echo "# (this version builds no storage driver yet)"
		elif [ "$mp_style" = softdep ]; then
			echo "softdep ata_piix pre: $wmc_st"
		else
			wmc_cmd=
			for wmc_m in $wmc_st; do
				wmc_cmd="$wmc_cmd/sbin/modprobe $wmc_m >/dev/null 2>&1; "
			done
			echo "install ata_piix { $wmc_cmd} ; /sbin/modprobe --ignore-install ata_piix \$CMDLINE_OPTS"
		fi
		case " $wmc_st " in *" hv_blkvsc "*|*" hv_storvsc "*)
			echo "# Hyper-V IDE disks exist twice, emulated and synthetic: only the"
			echo "# synthetic driver may have them (README, \"IDE disks\")."
			if ata_piix_has_hyperv_switch; then
				echo "options ata_piix prefer_ms_hyperv=1"
			else
				echo "# (ata_piix of a target kernel has no prefer_ms_hyperv switch)"
			fi
			;;
		esac
	} >"$work/content"
	install_file "$work/content" "$R/etc/modprobe.d/$pkg_name.conf" 0644
}

# write_depmod_conf: our modules win over in-box ones of the same name,
# wherever DKMS or the make path put them. Kernels whose in-box drivers
# are kept do not have ours installed at all.
write_depmod_conf() {
	{
		echo "# hyperv-lic: written by install.sh; removed by install.sh --uninstall."
		echo "# Our modules take precedence over in-box modules of the same name."
		for wdc_m in $modules; do
			for wdc_d in updates updates/dkms extra; do
				echo "override $wdc_m * $wdc_d"
			done
		done
	} >"$work/content"
	install_file "$work/content" "$R/etc/depmod.d/$pkg_name.conf" 0644
	depmod_conf_changed=$file_changed
}

# write_initrd_conf: make the distribution's own initramfs tool include
# our boot modules, also for kernels installed later. Sets
# initrd_conf_changed.
write_initrd_conf() {
	initrd_conf_changed=0
	wic_mods=$(our_boot_modules)
	case $initrd_kind in
		initramfs-tools)
			# shellcheck disable=SC2016 # the hook expands them, not us
			{
				echo "#!/bin/sh"
				echo "# hyperv-lic: put our Hyper-V modules into the initramfs."
				echo "# Written by install.sh; removed by install.sh --uninstall."
				echo 'PREREQ=""'
				echo 'prereqs() { echo "$PREREQ"; }'
				echo 'case ${1:-} in prereqs) prereqs; exit 0 ;; esac'
				echo "# shellcheck disable=SC1091 # initramfs-tools' own library"
				echo '. /usr/share/initramfs-tools/hook-functions'
				echo "manual_add_modules $wic_mods"
			} >"$work/content"
			install_file "$work/content" "$R/etc/initramfs-tools/hooks/$pkg_name" 0755
			initrd_conf_changed=$file_changed
			;;
		dracut)
			{
				echo "# hyperv-lic: written by install.sh; removed by install.sh --uninstall."
				echo "add_drivers+=\" $wic_mods \""
			} >"$work/content"
			install_file "$work/content" "$R/etc/dracut.conf.d/$pkg_name.conf" 0644
			initrd_conf_changed=$file_changed
			;;
		mkinitrd-el5 | mkinitrd-suse)
			# Nothing persistent: a kernel installed later is run
			# through mkinitrd by its package before our modules exist
			# for it, and mkinitrd fails on a listed module it cannot
			# find. It boots from the emulated IDE disk, then the boot
			# service builds our modules and calls mkinitrd itself
			# (--preload, or -m with INITRD_MODULES and ours).
			;;
	esac
}

remove_initrd_conf() {
	initrd_conf_changed=0
	case $initrd_kind in
		initramfs-tools) rf_p=$R/etc/initramfs-tools/hooks/$pkg_name ;;
		dracut) rf_p=$R/etc/dracut.conf.d/$pkg_name.conf ;;
		*) return 0 ;;
	esac
	[ -e "$rf_p" ] || return 0
	initrd_conf_changed=1
	remove_path "$rf_p"
}

# suse_initrd_modules: the module list SLES 11 mkinitrd gets from us:
# ours first, then INITRD_MODULES of /etc/sysconfig/kernel.
suse_initrd_modules() {
	sim_cur=
	[ ! -f "$R/etc/sysconfig/kernel" ] ||
		sim_cur=$(sed -n 's/^INITRD_MODULES="\(.*\)"$/\1/p' "$R/etc/sysconfig/kernel" | head -n 1)
	sim_out=$(our_boot_modules)
	for sim_m in $sim_cur; do
		case " $sim_out " in *" $sim_m "*) ;; *) sim_out="$sim_out $sim_m" ;; esac
	done
	printf '%s' "$sim_out"
}

# ----------------------------------------------------------------- hooks

hook_cmd() {
	printf 'sh %s/install.sh' "$src_dir"
}

# The kernel hooks: one small script per place the distribution runs
# hooks from, all calling install.sh --hook from our source copy. A failed
# build must not fail the kernel installation: the kernel keeps its own
# drivers (or the emulated IDE disk) and the log says why.
hook_script() {
	# hook_script ARGS-EXPR COMMENT
	echo "#!/bin/sh"
	echo "# hyperv-lic: $2"
	echo "# Written by install.sh; removed by install.sh --uninstall."
	echo "[ -f $src_dir/install.sh ] || exit 0"
	echo "$(hook_cmd) $1 || echo \"hyperv-lic: kernel \$1: not done (exit \$?); see /var/log/hyperv-lic-install.log\" >&2"
	echo "exit 0"
}

sysv_script() {
	echo "#!/bin/sh"
	echo "# hyperv-lic: build our modules for the running kernel at boot when"
	echo "# they are missing, and rebuild its initramfs. This release has no"
	echo "# kernel postinst hooks: a new kernel boots from the emulated IDE disk"
	echo "# first, then this service adds our drivers for the next boot."
	echo "# Written by install.sh; removed by install.sh --uninstall."
	echo "#"
	echo "# chkconfig: 2345 98 02"
	echo "# description: hyperv-lic module rebuild for new kernels"
	echo "### BEGIN INIT INFO"
	echo "# Provides: $pkg_name"
	echo "# Required-Start: \$local_fs \$remote_fs"
	echo "# Required-Stop:"
	echo "# Default-Start: 2 3 5"
	echo "# Default-Stop:"
	echo "# Short-Description: hyperv-lic module rebuild for new kernels"
	echo "### END INIT INFO"
	echo "case \${1:-} in"
	echo "start) [ -f $src_dir/install.sh ] && $(hook_cmd) --hook \"\$(uname -r)\" ;;"
	echo "stop|status|restart|reload|force-reload) ;;"
	echo "*) echo \"usage: \$0 start\" >&2; exit 2 ;;"
	echo "esac"
	echo "exit 0"
}

systemd_unit() {
	echo "# hyperv-lic: build our modules for the running kernel at boot when"
	echo "# they are missing, and rebuild its initramfs."
	echo "# Written by install.sh; removed by install.sh --uninstall."
	echo "[Unit]"
	echo "Description=hyperv-lic module rebuild for new kernels"
	echo "After=local-fs.target"
	echo "ConditionPathExists=$src_dir/install.sh"
	echo ""
	echo "[Service]"
	echo "Type=oneshot"
	echo "ExecStart=/bin/sh $src_dir/install.sh --hook %v"
	echo "TimeoutStartSec=1800"
	echo ""
	echo "[Install]"
	echo "WantedBy=multi-user.target"
}

kernel_install_plugin() {
	echo "#!/bin/sh"
	echo "# hyperv-lic: kernel-install plugin; builds our modules for a new kernel"
	echo "# before 50-dracut.install builds its initramfs."
	echo "# Written by install.sh; removed by install.sh --uninstall."
	echo "[ -f $src_dir/install.sh ] || exit 0"
	echo "case \${1:-} in"
	echo "add) $(hook_cmd) --hook \"\$2\" --no-initramfs || echo \"hyperv-lic: kernel \$2: not done (exit \$?); see /var/log/hyperv-lic-install.log\" >&2 ;;"
	echo "remove) $(hook_cmd) --hook-remove \"\$2\" || true ;;"
	echo "esac"
	echo "exit 0"
}

# hook_files: "path mode generator..." for this release, one per line.
hook_paths() {
	case $hook_kind in
		debian)
			echo "/etc/kernel/postinst.d/$pkg_name"
			echo "/etc/kernel/header_postinst.d/$pkg_name"
			echo "/etc/kernel/postrm.d/$pkg_name"
			;;
		postinst)
			echo "/etc/kernel/postinst.d/$pkg_name"
			echo "/etc/kernel/postrm.d/$pkg_name"
			;;
		kernel-install) echo "/etc/kernel/install.d/45-$pkg_name.install" ;;
		sysv-chkconfig | sysv-insserv) echo "/etc/init.d/$pkg_name" ;;
		systemd)
			echo "/etc/systemd/system/$pkg_name-rebuild.service"
			echo "/etc/systemd/system/multi-user.target.wants/$pkg_name-rebuild.service"
			;;
	esac
}

install_hooks() {
	case $hook_kind in
		debian)
			# Image hook: runs before the initramfs-tools hook, which then
			# builds the new initramfs with our modules. Headers hook: the
			# headers may arrive after the image; then we rebuild it.
			hook_script "--hook \"\$1\" --no-initramfs" "build our modules for a new kernel (its initramfs is built next)" >"$work/content"
			install_file "$work/content" "$R/etc/kernel/postinst.d/$pkg_name" 0755
			hook_script "--hook \"\$1\"" "build our modules when a kernel's headers arrive" >"$work/content"
			install_file "$work/content" "$R/etc/kernel/header_postinst.d/$pkg_name" 0755
			hook_script "--hook-remove \"\$1\"" "forget a removed kernel" >"$work/content"
			install_file "$work/content" "$R/etc/kernel/postrm.d/$pkg_name" 0755
			;;
		postinst)
			# new-kernel-pkg has built the initramfs before it runs these.
			hook_script "--hook \"\$1\"" "build our modules for a new kernel and rebuild its initramfs" >"$work/content"
			install_file "$work/content" "$R/etc/kernel/postinst.d/$pkg_name" 0755
			hook_script "--hook-remove \"\$1\"" "forget a removed kernel" >"$work/content"
			install_file "$work/content" "$R/etc/kernel/postrm.d/$pkg_name" 0755
			;;
		kernel-install)
			kernel_install_plugin >"$work/content"
			install_file "$work/content" "$R/etc/kernel/install.d/45-$pkg_name.install" 0755
			;;
		sysv-chkconfig | sysv-insserv)
			sysv_script >"$work/content"
			install_file "$work/content" "$R/etc/init.d/$pkg_name" 0755
			if [ "$file_changed" = 1 ]; then
				if [ "$hook_kind" = sysv-chkconfig ]; then
					run chkconfig --add "$pkg_name" || fail "$EX_INSTALL" "chkconfig --add $pkg_name failed"
					undo_push chkconfig --del "$pkg_name"
				else
					run insserv "$pkg_name" || fail "$EX_INSTALL" "insserv $pkg_name failed"
					undo_push insserv -r "$pkg_name"
				fi
			fi
			;;
		systemd)
			ih_unit=/etc/systemd/system/$pkg_name-rebuild.service
			systemd_unit >"$work/content"
			install_file "$work/content" "$R$ih_unit" 0644
			ih_link=$R/etc/systemd/system/multi-user.target.wants/$pkg_name-rebuild.service
			if [ ! -L "$ih_link" ]; then
				mkdirs "${ih_link%/*}" || fail "$EX_INSTALL" "cannot create ${ih_link%/*}"
				save_for_undo "$ih_link"
				if ! run ln -s "$ih_unit" "$ih_link"; then
					fail "$EX_INSTALL" "cannot enable $ih_unit"
				fi
			fi
			systemd_reload
			;;
	esac
}

systemd_reload() {
	if [ -z "$R" ] && [ -d /run/systemd/system ]; then
		run systemctl daemon-reload || warn "systemctl daemon-reload failed"
	fi
}

remove_hooks() {
	case $hook_kind in
		sysv-chkconfig)
			if [ -e "$R/etc/init.d/$pkg_name" ]; then
				run chkconfig --del "$pkg_name" || warn "chkconfig --del $pkg_name failed"
				undo_push chkconfig --add "$pkg_name"
			fi
			;;
		sysv-insserv)
			if [ -e "$R/etc/init.d/$pkg_name" ]; then
				run insserv -r "$pkg_name" || warn "insserv -r $pkg_name failed"
				undo_push insserv "$pkg_name"
			fi
			;;
	esac
	for rh_p in $(hook_paths); do
		remove_path "$R$rh_p"
	done
	[ "$hook_kind" != systemd ] || systemd_reload
}

# ----------------------------------------------------------------- initramfs

# initrd_list IMAGE: the file names in an initramfs image.
initrd_list() {
	case $lister in
		lsinitramfs) query lsinitramfs "$1" ;;
		lsinitrd) query lsinitrd "$1" ;;
		cpio) query cpio_list "$1" ;;
	esac
}

# shellcheck disable=SC2317 # called through eval, a trap or query
cpio_list() {
	cl_magic=$(od -A n -t x1 -N 6 "$1" | tr -d ' \n')
	case $cl_magic in
		1f8b*) gzip -dc "$1" | cpio -it 2>/dev/null ;;
		fd377a585a00) xz -dc "$1" | cpio -it 2>/dev/null ;;
		28b52ffd*) zstd -dc "$1" | cpio -it 2>/dev/null ;;
		425a68*) bzip2 -dc "$1" | cpio -it 2>/dev/null ;;
		303730373031 | 303730373032) cpio -it <"$1" 2>/dev/null ;;
		*) return 1 ;;
	esac
}

# initrd_has_ours LISTING MODULE: the listing holds our copy of MODULE.
initrd_has_ours() {
	grep -E "(^|[ /])(updates|extra)/([^ ]*/)?$2\.ko(\.[a-z0-9]+)?( |\$)" "$1" >/dev/null
}

# module_cat FILE: a module's content, decompressed by its name.
# shellcheck disable=SC2317 # called through eval, a trap or query
module_cat() {
	case $1 in
		*.xz) xz -dc "$1" ;;
		*.zst) zstd -qdc "$1" ;;
		*.gz) gzip -dc "$1" ;;
		*) cat "$1" ;;
	esac
}

# initrd_extract_ours KVER: our modules in KVER's initramfs, each
# decompressed to $work/initrd-ours/NAME (from the listing initrd_state
# left in $work/list). Returns 1 when the image cannot be read.
initrd_extract_ours() {
	ieo_img=$R$(initrd_path "$1")
	ieo_out=$work/initrd-ours
	rm -rf "$ieo_out" "$work/unpacked"
	mkdir -p "$ieo_out" "$work/unpacked"
	case $lister in
		lsinitramfs)
			# Several concatenated archives (early microcode first):
			# unmkinitramfs takes them all apart.
			query unmkinitramfs "$ieo_img" "$work/unpacked" || return 1
			;;
		lsinitrd)
			for ieo_m in $modules; do
				ieo_p=$(grep -E "(^|[ /])(updates|extra)/([^ ]*/)?$ieo_m\.ko(\.[a-z0-9]+)?\$" "$work/list" |
					sed 's/.* //' | head -n 1)
				[ -n "$ieo_p" ] || continue
				mkdir -p "$work/unpacked/${ieo_p%/*}"
				query lsinitrd -f "$ieo_p" "$ieo_img" >"$work/unpacked/$ieo_p" || return 1
			done
			;;
		cpio)
			(cd "$work/unpacked" && cpio_extract "$ieo_img") || return 1
			;;
	esac
	for ieo_m in $modules; do
		ieo_f=$(find "$work/unpacked" \( -path '*/updates/*' -o -path '*/extra/*' \) \
			\( -name "$ieo_m.ko" -o -name "$ieo_m.ko.*" \) 2>/dev/null | head -n 1)
		[ -z "$ieo_f" ] || module_cat "$ieo_f" >"$ieo_out/$ieo_m" 2>/dev/null || return 1
	done
	rm -rf "$work/unpacked"
}

# shellcheck disable=SC2317 # called through eval, a trap or query
cpio_extract() {
	ce_magic=$(od -A n -t x1 -N 6 "$1" | tr -d ' \n')
	case $ce_magic in
		1f8b*) gzip -dc "$1" | cpio -idm --quiet 2>/dev/null ;;
		fd377a585a00) xz -dc "$1" | cpio -idm --quiet 2>/dev/null ;;
		28b52ffd*) zstd -dc "$1" | cpio -idm --quiet 2>/dev/null ;;
		425a68*) bzip2 -dc "$1" | cpio -idm --quiet 2>/dev/null ;;
		303730373031 | 303730373032) cpio -idm --quiet <"$1" 2>/dev/null ;;
		*) return 1 ;;
	esac
}

# initrd_stale KVER: KVER's initramfs holds a copy of one of our modules
# that differs from the one installed (an upgrade of the package, a DKMS
# rebuild behind our back). Sets stale_modules to their names.
initrd_stale() {
	stale_modules=
	initrd_extract_ours "$1" || { log "kernel $1: cannot unpack its initramfs to compare our modules"; return 1; }
	is_tree=$(ours_in_tree "$1")
	for is_m in $modules; do
		[ -f "$work/initrd-ours/$is_m" ] || continue
		is_p=$(printf '%s\n' "$is_tree" | sed -n "s/^$is_m=//p")
		if [ -z "$is_p" ] ||
			! module_cat "$R/lib/modules/$1/$is_p" 2>/dev/null | cmp -s - "$work/initrd-ours/$is_m"; then
			stale_modules="$stale_modules${stale_modules:+ }$is_m"
		fi
	done
	[ -n "$stale_modules" ]
}

# module_version FILE: what modinfo -F version says, or "?".
module_version() {
	mv_v=$(query modinfo -F version "$1" 2>/dev/null | head -n 1) || mv_v=
	printf '%s' "${mv_v:-?}"
}

# initrd_state KVER: "ours" (all our boot modules), "partial", "none", or
# "missing" (no image), "unreadable" (a user's --status).
initrd_state() {
	is_img=$R$(initrd_path "$1")
	[ -f "$is_img" ] || { echo missing; return 0; }
	# Images are 0600 on Debian: a user's --status cannot look inside.
	[ -r "$is_img" ] || { echo unreadable; return 0; }
	initrd_list "$is_img" >"$work/list" 2>/dev/null || { echo none; return 0; }
	is_n=0
	is_have=0
	for is_m in $(our_boot_modules); do
		is_n=$((is_n + 1))
		! initrd_has_ours "$work/list" "$is_m" || is_have=$((is_have + 1))
	done
	if [ "$is_have" -eq 0 ]; then
		is_other=none
		for is_m in $modules; do
			! initrd_has_ours "$work/list" "$is_m" || is_other=partial
		done
		echo "$is_other"
	elif [ "$is_have" -eq "$is_n" ]; then
		echo ours
	else
		echo partial
	fi
}

# check_boot "KVER...": before anything is changed, the directory of these
# kernels' initramfs images takes a write and has room for a backup of
# each image and one new image (the tools write it beside the old one),
# plus a tenth; else exit 7 with the reason. A read-only /boot is called
# that, not "disk full".
check_boot() {
	cb_need=0
	cb_max=0
	cb_dir=
	for cb_k in $1; do
		cb_img=$R$(initrd_path "$cb_k")
		cb_dir=${cb_img%/*}
		[ -f "$cb_img" ] || continue
		cb_kb=$(( ($(wc -c <"$cb_img") + 1023) / 1024 ))
		[ "$cb_kb" -le "$cb_max" ] || cb_max=$cb_kb
		cb_bak=0
		[ ! -f "$cb_img.$pkg_name.bak" ] || cb_bak=$(( $(wc -c <"$cb_img.$pkg_name.bak") / 1024 ))
		cb_need=$((cb_need + cb_kb - cb_bak))
	done
	[ -n "$cb_dir" ] || return 0
	[ "$cb_need" -ge 0 ] || cb_need=0
	cb_need=$(( (cb_need + cb_max) * 11 / 10 ))
	cb_show=${cb_dir#"$R"}
	if [ ! -d "$cb_dir" ]; then
		cb_why="$cb_show does not exist"
	elif ! cb_err=$( (: >"$cb_dir/.$pkg_name.probe") 2>&1); then
		cb_why="cannot write to $cb_show: $(printf '%s' "$cb_err" | sed -n '$s/.*: //p')"
	else
		rm -f "$cb_dir/.$pkg_name.probe"
		cb_free=$(df -P -k "$cb_dir" 2>/dev/null | awk 'NR == 2 { print $4 }')
		case $cb_free in '' | *[!0-9]*) log "df cannot tell the free space of $cb_show"; return 0 ;; esac
		log "$cb_show: ${cb_free} KiB free, ${cb_need} KiB needed for the initramfs"
		[ "$cb_free" -lt "$cb_need" ] || return 0
		cb_why="$cb_show has $cb_free KiB free, the initramfs needs $cb_need KiB (a backup of the old image and the new one); make room (e.g. remove old kernels) or run with --no-initramfs"
	fi
	if [ "$dry_run" = 1 ]; then
		warn "$cb_why"
		return 0
	fi
	fail "$EX_INITRD" "$cb_why; nothing changed"
}

# initrd_rebuild KVER with|without: rebuild with the distribution's tool,
# keep the previous image as IMAGE.hyperv-lic.bak, check the result, put
# the previous image back on any failure.
initrd_rebuild() {
	ir_k=$1
	ir_how=$2
	ir_img=$(initrd_path "$ir_k")
	ir_full=$R$ir_img
	ir_bak=$ir_full.$pkg_name.bak
	ir_mods=$(our_boot_modules)
	say "kernel $ir_k: initramfs $ir_img ($ir_how our modules)"
	if [ "$dry_run" = 0 ]; then
		if [ -f "$ir_full" ]; then
			save_for_undo "$ir_bak"
			run cp -p "$ir_full" "$ir_bak" ||
				fail "$EX_INITRD" "cannot back up $ir_img: $(tail -n 1 "$log_file" 2>/dev/null | sed 's/.*: //')"
			undo_push restore_saved "$ir_bak" "$ir_full"
		else
			undo_push rm -f "$ir_full"
		fi
	fi
	ir_rc=0
	case $initrd_kind in
		initramfs-tools)
			if [ -f "$ir_full" ]; then
				run update-initramfs -u -k "$ir_k" || ir_rc=$?
			else
				run update-initramfs -c -k "$ir_k" || ir_rc=$?
			fi
			;;
		dracut)
			if [ "$ir_how" = with ]; then
				run dracut -f --add-drivers "$ir_mods" "$ir_full" "$ir_k" || ir_rc=$?
			else
				run dracut -f "$ir_full" "$ir_k" || ir_rc=$?
			fi
			;;
		mkinitrd-el5)
			if [ "$ir_how" = with ]; then
				ir_pre=
				for ir_m in $ir_mods; do
					ir_pre="$ir_pre --preload=$ir_m"
				done
				# shellcheck disable=SC2086 # one word per module
				run mkinitrd -f $ir_pre "$ir_full" "$ir_k" || ir_rc=$?
			else
				run mkinitrd -f "$ir_full" "$ir_k" || ir_rc=$?
			fi
			;;
		mkinitrd-suse)
			if [ "$ir_how" = with ]; then
				run mkinitrd -b "$R/boot" -k "vmlinuz-$ir_k" -i "${ir_img##*/}" \
					-m "$(suse_initrd_modules)" || ir_rc=$?
			else
				run mkinitrd -b "$R/boot" -k "vmlinuz-$ir_k" -i "${ir_img##*/}" || ir_rc=$?
			fi
			;;
	esac
	[ "$dry_run" = 0 ] || return 0
	if [ "$ir_rc" -ne 0 ]; then
		fail "$EX_INITRD" "kernel $ir_k: building the initramfs failed (exit $ir_rc; see $log_file); the previous image is put back"
	fi
	[ -f "$ir_full" ] || fail "$EX_INITRD" "kernel $ir_k: the initramfs tool left no $ir_img; the previous image is put back"
	ir_state=$(initrd_state "$ir_k")
	if [ "$ir_how" = with ] && [ "$ir_state" != ours ]; then
		fail "$EX_INITRD" "kernel $ir_k: the new $ir_img lacks our modules ($ir_mods; found: $ir_state); the previous image is put back"
	fi
	if [ "$ir_how" = with ] && initrd_stale "$ir_k"; then
		fail "$EX_INITRD" "kernel $ir_k: the new $ir_img holds other copies of $stale_modules than /lib/modules; the previous image is put back"
	fi
	if [ "$ir_how" = without ] && [ "$ir_state" != none ]; then
		fail "$EX_INITRD" "kernel $ir_k: the new $ir_img still holds our modules; the previous image is put back"
	fi
	log "kernel $ir_k: $ir_img checked ($ir_state)"
}

# ----------------------------------------------------------------- prereqs

missing_pkgs=
need_pkg() {
	case " $missing_pkgs " in *" $1 "*) ;; *) missing_pkgs="$missing_pkgs${missing_pkgs:+ }$1" ;; esac
}

check_prereqs() {
	missing_pkgs=
	cp_why=
	for cp_k in $build_kernels; do
		if ! has_build_tree "$cp_k"; then
			need_pkg "$(headers_pkg "$cp_k" | sed 's/ /_/g')"
			cp_why="$cp_why
  kernel $cp_k has no build tree (/lib/modules/$cp_k/build): $(headers_pkg "$cp_k")"
		fi
	done
	if [ -n "$build_kernels" ]; then
		command -v gcc >/dev/null 2>&1 || { need_pkg gcc; cp_why="$cp_why
  no C compiler: gcc"; }
		command -v make >/dev/null 2>&1 || { need_pkg make; cp_why="$cp_why
  no make: make"; }
		[ "$mode" != make ] || command -v strip >/dev/null 2>&1 || { need_pkg binutils; cp_why="$cp_why
  no strip: binutils"; }
	fi
	command -v depmod >/dev/null 2>&1 || { need_pkg "$depmod_pkg"; cp_why="$cp_why
  no depmod: $depmod_pkg"; }
	if [ "$no_initramfs" = 0 ]; then
		case $initrd_kind in
			initramfs-tools) cp_tools="update-initramfs lsinitramfs" ;;
			dracut) cp_tools="dracut lsinitrd" ;;
			*) cp_tools="mkinitrd cpio gzip" ;;
		esac
		for cp_t in $cp_tools; do
			if ! command -v "$cp_t" >/dev/null 2>&1; then
				case $cp_t in cpio | gzip) cp_p=$cp_t ;; *) cp_p=$initrd_pkg ;; esac
				need_pkg "$cp_p"
				cp_why="$cp_why
  no $cp_t: $cp_p"
			fi
		done
	fi
	if [ "$want_dkms" = yes ] && [ -z "$(dkms_cmd)" ]; then
		need_pkg dkms
		cp_why="$cp_why
  --dkms given but no dkms command: dkms"
		[ "$family" != el ] || cp_why="$cp_why (from EPEL)"
	fi
	[ -n "$missing_pkgs" ] || return 0
	printf '%s: missing prerequisites:%s\n' "$me" "$cp_why" >&2
	printf '%s: install them with: %s install %s\n' "$me" "$pkg_tool" "$missing_pkgs" >&2
	log "missing prerequisites: $missing_pkgs"
	exit "$EX_PREREQ"
}

# ----------------------------------------------------------------- state

save_settings() {
	{
		echo "# hyperv-lic install.sh settings; read by install.sh --hook"
		echo "version=$pkg_version"
		echo "mode=$mode"
		echo "replace_inbox=$replace_inbox"
		echo "force=$force_inbox"
		echo "source=$source_how"
		echo "distro=$dist_id $dist_ver"
		# Directories install.sh created; --uninstall removes them once empty.
		{
			sed -n 's/^made_dir=//p' "$state_dir/settings" 2>/dev/null || true
			cat "$work/made_dirs" 2>/dev/null || true
		} | awk 'NF && !seen[$0]++ { print "made_dir=" $0 }'
	} >"$work/content"
	install_file "$work/content" "$state_dir/settings" 0644
}

# save_kernel_state KVER: what we installed for KVER.
save_kernel_state() {
	skt_f=$state_dir/kernels/$1
	{
		echo "mode=$mode"
		echo "source=$source_sum"
		ours_in_tree "$1" | while IFS='=' read -r _ skt_p; do
			echo "file=/lib/modules/$1/$skt_p $(cksum <"$R/lib/modules/$1/$skt_p" | sed 's/ .*//')"
		done
	} >"$work/content"
	install_file "$work/content" "$skt_f" 0644
}

kernel_state_current() {
	[ -f "$state_dir/kernels/$1" ] || return 1
	[ "$(kstate "$1" mode)" = "$mode" ] || return 1
	[ "$(kstate "$1" source)" = "$source_sum" ] || return 1
	kcs_n=0
	while read -r kcs_f kcs_sum; do
		kcs_n=$((kcs_n + 1))
		[ -f "$R$kcs_f" ] || return 1
		[ "$(cksum <"$R$kcs_f" | sed 's/ .*//')" = "$kcs_sum" ] || return 1
	done <<-EOF
		$(sed -n 's/^file=//p' "$state_dir/kernels/$1")
	EOF
	[ "$kcs_n" -ge "$(printf '%s\n' "$modules" | wc -w)" ]
}

# kernels_with_ours: kernels that have a state file or our modules.
kernels_with_ours() {
	{
		[ ! -d "$state_dir/kernels" ] || ls "$state_dir/kernels"
		for kwo_d in "$R"/lib/modules/*; do
			[ -d "$kwo_d" ] || continue
			[ -z "$(ours_in_tree "${kwo_d##*/}")" ] || echo "${kwo_d##*/}"
		done
	} | sort -u
}

# ----------------------------------------------------------------- steps

# may_replace KVER: ours may replace KVER's in-box drivers in this run:
# --replace-inbox (or the package, or the settings a hook reads) and
# either we build every in-box module that needs the in-box hv_vmbus, or
# --force. Sets mr_missing to the in-box modules we lack.
may_replace() {
	mr_missing=$(inbox_missing "$(inbox_family "$1")")
	[ "$replace_inbox" = 1 ] || return 1
	[ -z "$mr_missing" ] || [ "$force_inbox" = 1 ]
}

# keeps_inbox_warning KVER MISSING: the warning -q does not hide.
keeps_inbox_warning() {
	warn "kernel $1 keeps its in-box Hyper-V drivers: hyperv-lic has no $(commas "$2") (they need the in-box hv_vmbus, which ours would replace)"
}

# plan_kernels: split the targets into build_kernels (ours go there) and
# keep_kernels (their in-box drivers stay). Ours replace a kernel's
# in-box drivers only when we build every in-box module that needs the
# in-box hv_vmbus (or with --force): otherwise the kernel keeps its own
# and a warning names what we lack. An explicit --replace-inbox on such a
# kernel is refused (EX_INBOX) before anything is changed.
plan_kernels() {
	build_kernels=
	keep_kernels=
	pk_refuse=
	for pk_k in $targets; do
		pk_in=$(inbox_vmbus "$pk_k")
		case $pk_in in
			'')
				build_kernels="$build_kernels $pk_k"
				;;
			builtin)
				say "kernel $pk_k: its VMBus driver is built in; it keeps its own Hyper-V drivers (the tree would build ours as hvl_*, for the host simulator only); nothing to do there"
				keep_kernels="$keep_kernels $pk_k"
				;;
			*)
				if may_replace "$pk_k"; then
					build_kernels="$build_kernels $pk_k"
					say "kernel $pk_k: replacing its in-box Hyper-V drivers ($pk_in) with ours"
					if [ -n "$mr_missing" ]; then
						warn "kernel $pk_k: --force: these in-box modules need the in-box hv_vmbus and will stop loading: $(commas "$mr_missing")"
						for pk_m in $mr_missing; do
							case " $STORAGE_MODULES " in
								*" $pk_m "*) warn "kernel $pk_k: no replacement for the in-box storage driver $pk_m: disks on the synthetic controller will be missing" ;;
							esac
						done
					fi
				elif [ -n "$mr_missing" ]; then
					keep_kernels="$keep_kernels $pk_k"
					if [ "$replace_inbox" = 1 ] && [ "$action" = install ] && [ "$package_mode" = 0 ]; then
						pk_refuse="$pk_refuse${pk_refuse:+; }the in-box $(commas "$mr_missing") of kernel $pk_k"
					else
						keeps_inbox_warning "$pk_k" "$mr_missing"
					fi
				else
					keep_kernels="$keep_kernels $pk_k"
					say "kernel $pk_k: ships its own Hyper-V drivers ($(inbox_family "$pk_k")); keeping them (use --replace-inbox to use ours)"
				fi
				;;
		esac
	done
	build_kernels=${build_kernels# }
	keep_kernels=${keep_kernels# }
	[ -z "$pk_refuse" ] ||
		fail "$EX_INBOX" "--replace-inbox refused, nothing changed: $pk_refuse need the in-box hv_vmbus and hyperv-lic has no replacement; add --force to replace the in-box drivers anyway (those modules then stop loading)"
}

# install_kernel KVER: our modules built and installed for KVER; sets
# kernel_changed.
install_kernel() {
	kernel_changed=0
	if [ "$mode" = dkms ]; then
		ik_force=
		[ -z "$(inbox_vmbus "$1")" ] || ik_force=--force
		# shellcheck disable=SC2086 # ik_force is empty or one word
		dkms_install_kernel "$1" $ik_force
	else
		if [ "$source_changed" = 0 ] && kernel_state_current "$1"; then
			return 0
		fi
		make_build "$1"
		make_install "$1"
		[ "$kernel_changed" = 0 ] || depmod_kernel "$1"
	fi
}

# remove_kernel KVER: none of our modules for KVER.
remove_kernel() {
	kernel_changed=0
	if [ -n "$(dkms_cmd)" ]; then
		for rk_v in $(dkms_versions); do
			case $(dkms_state "$rk_v" "$1") in
				installed | built)
					say "kernel $1: dkms remove $pkg_name/$rk_v"
					run dkms remove -m "$pkg_name" -v "$rk_v" -k "$1" ||
						fail "$EX_INSTALL" "dkms remove for kernel $1 failed (see $log_file)"
					undo_push dkms install -m "$pkg_name" -v "$rk_v" -k "$1"
					kernel_changed=1
					;;
			esac
		done
	fi
	if [ -f "$state_dir/kernels/$1" ]; then
		make_remove "$1"
		[ "$mr_any" = 0 ] || kernel_changed=1
		remove_path "$state_dir/kernels/$1"
	fi
}

# switch_mode_cleanup: the previous install used the other mode; its
# modules go, and those kernels are installed again in the new mode.
switch_mode_cleanup() {
	smc_prev=$(setting mode)
	[ -n "$smc_prev" ] && [ "$smc_prev" != "$mode" ] || return 0
	say "switching from $smc_prev to $mode"
	smc_kernels=$(kernels_with_ours)
	if [ "$smc_prev" = dkms ] && [ -n "$(dkms_cmd)" ]; then
		for smc_v in $(dkms_versions); do
			smc_ks=$(dkms_kernels "$smc_v" | tr '\n' ' ')
			run dkms remove -m "$pkg_name" -v "$smc_v" --all ||
				fail "$EX_INSTALL" "dkms remove $pkg_name/$smc_v failed (see $log_file)"
			undo_push dkms_readd "$smc_v" "$smc_ks"
		done
	fi
	for smc_k in $smc_kernels; do
		[ "$smc_prev" != make ] || make_remove "$smc_k"
		case " $build_kernels " in
			*" $smc_k "*) ;;
			*) case " $keep_kernels " in *" $smc_k "*) continue ;; esac
				[ -z "$(inbox_vmbus "$smc_k")" ] || may_replace "$smc_k" || continue
				has_build_tree "$smc_k" && build_kernels="$build_kernels $smc_k" ;;
		esac
	done
}

# initrd_kernels_to_check: the kernels whose initramfs this install may
# rebuild: those that get ours, and those that keep their in-box drivers
# but have ours in their image.
initrd_kernels_to_check() {
	[ "$no_initramfs" = 0 ] || return 0
	ik_out=$build_kernels
	for ik_k in $keep_kernels; do
		case $(initrd_state "$ik_k") in ours | partial) ik_out="$ik_out $ik_k" ;; esac
	done
	printf '%s' "$ik_out"
}

do_install() {
	plan_kernels
	check_prereqs
	if [ "$dry_run" = 1 ]; then
		say "plan (dry run: nothing is changed):"
	else
		take_lock
	fi
	check_boot "$(initrd_kernels_to_check)"
	secure_boot_note
	say "hyperv-lic $pkg_version on $dist_name; modules: $modules; mode: $mode"
	source_changed=0
	source_sum=
	source_how=$(setting source)
	[ -z "$build_kernels" ] || install_source
	reinstall_kernels=
	switch_mode_cleanup
	if [ "$mode" = dkms ] && [ -n "$build_kernels" ]; then
		dkms_register
		for di_k in $reinstall_kernels; do
			case " $build_kernels $keep_kernels " in *" $di_k "*) ;; *)
				di_in=$(inbox_vmbus "$di_k")
				if [ "$di_in" = builtin ]; then
					:
				elif [ -n "$di_in" ] && ! may_replace "$di_k"; then
					keep_kernels="$keep_kernels $di_k"
					[ -z "$mr_missing" ] || keeps_inbox_warning "$di_k" "$mr_missing"
				elif has_build_tree "$di_k"; then
					build_kernels="$build_kernels $di_k"
				fi ;;
			esac
		done
	fi

	# Configuration first, so that the depmod runs below (ours, DKMS's)
	# already see the override.
	di_config=0
	depmod_conf_changed=0
	initrd_conf_changed=0
	# The package's configuration and hooks guard kernels where DKMS can
	# install ours (its autoinstall takes them off again where the in-box
	# drivers stay). Where every kernel has VMBus built in, DKMS skips
	# them all and there is nothing to guard: nothing is written, and
	# what an older version wrote there is taken away.
	di_guard=0
	if [ "$package_mode" = 1 ]; then
		for di_k in $(all_kernels); do
			[ "$(inbox_vmbus "$di_k")" = builtin ] || di_guard=1
		done
		if [ "$di_guard" = 0 ] && [ -z "$build_kernels" ] && [ -z "$(kernels_with_ours)" ]; then
			say "every kernel has its VMBus driver built in and keeps its own Hyper-V drivers: nothing to set up (DKMS skips these kernels)"
			remove_hooks
			remove_path "$R/etc/modprobe.d/$pkg_name.conf"
			remove_path "$R/etc/depmod.d/$pkg_name.conf"
			remove_initrd_conf
			[ "$dry_run" = 1 ] || [ ! -d "$state_dir" ] || commit_push rm -rf "$state_dir"
			[ "$dry_run" = 1 ] || commit_all
			return 0
		fi
	fi
	if [ -n "$build_kernels" ] || [ "$di_guard" = 1 ] || [ -f "$R/etc/modprobe.d/$pkg_name.conf" ]; then
		di_config=1
		write_modprobe_conf
		write_depmod_conf
	fi

	changed_kernels=
	for di_k in $build_kernels; do
		install_kernel "$di_k"
		[ "$kernel_changed" = 0 ] || changed_kernels="$changed_kernels $di_k"
	done
	for di_k in $keep_kernels; do
		remove_kernel "$di_k"
		[ "$kernel_changed" = 0 ] || changed_kernels="$changed_kernels $di_k"
	done
	if [ "$depmod_conf_changed" = 1 ]; then
		for di_k in $build_kernels; do
			case " $changed_kernels " in *" $di_k "*) ;; *) depmod_kernel "$di_k" ;; esac
		done
	fi

	if [ "$di_config" = 1 ]; then
		# The initramfs configuration names our modules for every kernel:
		# not written while no kernel has them (a kernel that keeps its
		# in-box drivers lacks hv_blkvsc, and dracut refuses a listed
		# module it cannot find). The hooks are: they take our modules
		# back off kernels that keep their in-box drivers.
		if [ -n "$build_kernels" ] || [ -n "$(kernels_with_ours)" ] ||
			[ -e "$R/etc/initramfs-tools/hooks/$pkg_name" ] || [ -e "$R/etc/dracut.conf.d/$pkg_name.conf" ]; then
			write_initrd_conf
		fi
		install_hooks
	fi

	if [ "$no_initramfs" = 0 ]; then
		for di_k in $build_kernels; do
			di_st=$(initrd_state "$di_k")
			case " $changed_kernels " in
				*" $di_k "*) initrd_rebuild "$di_k" with ;;
				*)
					if [ "$initrd_conf_changed" = 1 ] || [ "$di_st" != ours ]; then
						initrd_rebuild "$di_k" with
					elif initrd_stale "$di_k"; then
						# e.g. a package upgrade: DKMS installed the new
						# modules before we ran; the image has the old ones.
						say "kernel $di_k: its initramfs holds other copies of $stale_modules than /lib/modules"
						initrd_rebuild "$di_k" with
					fi
					;;
			esac
		done
		for di_k in $keep_kernels; do
			case $(initrd_state "$di_k") in
				ours | partial) initrd_rebuild "$di_k" without ;;
			esac
		done
	fi

	if [ "$dry_run" = 1 ]; then
		say "dry run: nothing was changed"
		return 0
	fi
	if [ -z "$build_kernels" ] && [ "$package_mode" = 0 ] && [ -z "$(kernels_with_ours)" ]; then
		say "nothing installed"
		commit_all
		return 0
	fi
	save_settings
	for di_k in $build_kernels; do
		save_kernel_state "$di_k"
	done
	# The source copies of other versions are no longer needed (a
	# package's own copies go with the package).
	if [ "$package_mode" = 0 ] && [ "$source_how" = copied ]; then
		for di_old in "$R"/usr/src/"$pkg_name"-*; do
			[ -d "$di_old" ] || continue
			[ "$di_old" != "$R$src_dir" ] || continue
			commit_push rm -rf "$di_old"
		done
	fi
	commit_all
	if [ -n "$build_kernels" ]; then
		say "done: $modules for kernel(s) $build_kernels"
	else
		say "done"
	fi
}

# do_hook KVER: from a kernel hook or the boot service.
do_hook() {
	if [ ! -f "$state_dir/settings" ]; then
		log "hook for $1: hyperv-lic is not installed; nothing to do"
		return 0
	fi
	mode=$(setting mode)
	replace_inbox=$(setting replace_inbox)
	force_inbox=$(setting force)
	[ "$mode" != dkms ] || [ -n "$(dkms_cmd)" ] || mode="make"
	[ -d "$R/lib/modules/$1" ] || { log "hook for $1: no /lib/modules/$1; nothing to do"; return 0; }
	if ! has_build_tree "$1"; then
		say "kernel $1: no build tree yet ($(headers_pkg "$1")); our modules follow when it is installed"
		return 0
	fi
	targets=$1
	take_lock
	plan_kernels
	if [ "$no_initramfs" = 0 ] && { [ -n "$build_kernels" ] || [ "$(initrd_state "$1")" != none ]; }; then
		check_boot "$1"
	fi
	source_sum=$(tree_sum "$R$src_dir")
	source_changed=0
	kernel_changed=0
	if [ -n "$build_kernels" ]; then
		if [ "$mode" = dkms ] && [ -z "$(query dkms status -m "$pkg_name" -v "$pkg_version" 2>/dev/null)" ]; then
			dkms_register
		fi
		install_kernel "$1"
		# Not written while every kernel kept its in-box drivers; the
		# distribution's tool builds this kernel's image next.
		write_initrd_conf
	else
		remove_kernel "$1"
	fi
	if [ "$no_initramfs" = 0 ]; then
		dh_st=$(initrd_state "$1")
		if [ -n "$build_kernels" ]; then
			case $dh_st in
				missing) log "kernel $1: no initramfs yet; the distribution's tool builds it with our modules" ;;
				ours)
					if [ "$kernel_changed" = 1 ] || initrd_stale "$1"; then
						initrd_rebuild "$1" with
					fi
					;;
				*) initrd_rebuild "$1" with ;;
			esac
		else
			case $dh_st in ours | partial) initrd_rebuild "$1" without ;; esac
		fi
	fi
	[ -z "$build_kernels" ] || save_kernel_state "$1"
	commit_all
}

do_hook_remove() {
	[ -f "$state_dir/kernels/$1" ] || return 0
	take_lock
	log "kernel $1 removed: forgetting it"
	for dhr_m in $modules; do
		[ ! -f "$R/lib/modules/$1/updates/$dhr_m.ko" ] ||
			! grep -q "^file=/lib/modules/$1/updates/$dhr_m.ko " "$state_dir/kernels/$1" ||
			run rm -f "$R/lib/modules/$1/updates/$dhr_m.ko"
	done
	run rm -f "$state_dir/kernels/$1" "$R$(initrd_path "$1").$pkg_name.bak"
	commit_all
}

# installed_anything: something install.sh or DKMS set up for us is there.
installed_anything() {
	[ ! -f "$state_dir/settings" ] || return 0
	[ -z "$(kernels_with_ours)" ] || return 0
	[ -z "$(dkms_cmd)" ] || [ -z "$(dkms_versions)" ] || return 0
	for ia_p in "/etc/modprobe.d/$pkg_name.conf" "/etc/depmod.d/$pkg_name.conf" \
		"/etc/initramfs-tools/hooks/$pkg_name" "/etc/dracut.conf.d/$pkg_name.conf" $(hook_paths); do
		[ ! -e "$R$ia_p" ] || return 0
	done
	return 1
}

# shellcheck disable=SC2317 # called through eval, a trap or query
rmdir_if_empty() {
	[ -d "$1" ] && [ -z "$(ls -A "$1")" ] || return 0
	rmdir "$1"
}

do_uninstall() {
	if ! installed_anything; then
		say "hyperv-lic is not installed: nothing to remove"
		return 0
	fi
	if [ "$dry_run" = 1 ]; then
		say "plan (dry run: nothing is changed):"
	else
		take_lock
	fi
	du_kernels=$(kernels_with_ours | tr '\n' ' ')
	du_check=
	for du_k in $du_kernels; do
		case $(initrd_state "$du_k") in ours | partial) du_check="$du_check $du_k" ;; esac
	done
	[ "$no_initramfs" = 1 ] || check_boot "$du_check"
	du_made=$(sed -n 's/^made_dir=//p' "$state_dir/settings" 2>/dev/null | awk '{ print length($0) " " $0 }' |
		sort -rn | sed 's/^[0-9]* //')
	say "removing hyperv-lic from $dist_name"
	remove_hooks
	remove_path "$R/etc/modprobe.d/$pkg_name.conf"
	remove_path "$R/etc/depmod.d/$pkg_name.conf"
	remove_initrd_conf

	if [ -n "$(dkms_cmd)" ]; then
		for du_v in $(dkms_versions); do
			du_ks=$(dkms_kernels "$du_v" | tr '\n' ' ')
			say "dkms: removing $pkg_name/$du_v"
			run dkms remove -m "$pkg_name" -v "$du_v" --all ||
				fail "$EX_INSTALL" "dkms remove $pkg_name/$du_v failed (see $log_file)"
			undo_push dkms_readd "$du_v" "$du_ks"
			for du_k in $du_ks; do
				case " $du_kernels " in *" $du_k "*) ;; *) du_kernels="$du_kernels $du_k" ;; esac
			done
		done
	fi
	for du_k in $du_kernels; do
		if [ -f "$state_dir/kernels/$du_k" ]; then
			make_remove "$du_k"
		fi
		[ ! -d "$R/lib/modules/$du_k" ] || depmod_kernel "$du_k"
		remove_empty_dirs "$du_k"
	done
	if [ "$no_initramfs" = 0 ]; then
		for du_k in $du_kernels; do
			case $(initrd_state "$du_k") in
				ours | partial) initrd_rebuild "$du_k" without ;;
			esac
		done
	fi
	if [ "$dry_run" = 1 ]; then
		say "dry run: nothing was changed"
		return 0
	fi
	# The source copies install.sh made; not a package's own files.
	if [ "$(setting source)" != in-place ] && [ "$package_mode" = 0 ]; then
		for du_d in "$R"/usr/src/"$pkg_name"-*; do
			[ -d "$du_d" ] || continue
			commit_push rm -rf "$du_d"
		done
	fi
	for du_b in "$R"/boot/*."$pkg_name".bak; do
		[ -f "$du_b" ] || continue
		commit_push rm -f "$du_b"
	done
	[ ! -d "$state_dir" ] || commit_push rm -rf "$state_dir"
	# Directories install.sh created (e.g. /etc/depmod.d), deepest first.
	for du_d in $du_made; do
		case $du_d in /*) commit_push rmdir_if_empty "$R$du_d" ;; esac
	done
	commit_all
	du_kernels=$(printf '%s' "$du_kernels" | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//')
	say "hyperv-lic removed${du_kernels:+ (kernels: $du_kernels)}"
}

# do_status: per kernel what is there; changes nothing. Any user may run
# it (no log, no lock).
do_status() {
	st_running=$(query uname -r 2>/dev/null || true)
	st_list=$(all_kernels)
	[ -z "$targets" ] || st_list=$targets
	st_used=
	for st_k in $(kernels_with_ours); do
		[ -z "$(ours_in_tree "$st_k")" ] || st_used="$st_used $st_k"
	done
	if [ -f "$state_dir/settings" ]; then
		st_force=
		[ "$(setting force)" != 1 ] || st_force=", --replace-inbox --force"
		st_how="set up by install.sh $(setting version) (mode $(setting mode)$st_force)"
	elif [ -n "$st_used" ]; then
		st_how="not set up by install.sh, but modules of ours are installed"
	else
		st_how="not installed"
	fi
	outf 'hyperv-lic %s on %s: %s\n' "$pkg_version" "$dist_name" "$st_how"
	if [ -n "$st_used" ]; then
		outf 'in use on kernel(s):%s\n' "$st_used"
	elif [ -f "$state_dir/settings" ]; then
		outf 'in use on no kernel: every kernel keeps its own Hyper-V drivers\n'
	fi
	if [ -n "$(dkms_cmd)" ]; then
		st_dkms=$(query dkms status -m "$pkg_name" 2>/dev/null | sed 's/^/dkms: /' || true)
		[ -z "$st_dkms" ] || outf '%s\n' "$st_dkms"
	fi
	for st_k in $st_list; do
		outf 'kernel %s%s:\n' "$st_k" "$([ "$st_k" = "$st_running" ] && echo ' (running)')"
		outf '  build tree:  %s\n' "$(has_build_tree "$st_k" && echo yes || echo "no ($(headers_pkg "$st_k"))")"
		st_in=$(inbox_vmbus "$st_k")
		st_tree=$(ours_in_tree "$st_k")
		if [ -z "$st_in" ]; then
			st_fam=none
		elif [ "$st_in" = builtin ]; then
			st_fam="hv_vmbus built in: the kernel keeps its own drivers; ours are not used"
		else
			st_fam=$(inbox_family "$st_k")
			st_miss=$(inbox_missing "$st_fam")
			[ -z "$st_miss" ] || st_fam="$st_fam (hyperv-lic has no $(commas "$st_miss"))"
			if [ -n "$st_tree" ]; then st_fam="$st_fam; replaced by ours"; else st_fam="$st_fam; kept"; fi
		fi
		outf '  in-box:      %s\n' "$st_fam"
		st_ours=
		for st_e in $st_tree; do
			st_m=${st_e%%=*}
			st_ours="$st_ours${st_ours:+, }$st_m $(module_version "$R/lib/modules/$st_k/${st_e#*=}") (${st_e#*=})"
		done
		outf '  installed:   %s\n' "${st_ours:-none}"
		st_dep=$R/lib/modules/$st_k/modules.dep
		if [ -f "$st_dep" ] && [ "$st_in" != builtin ]; then
			st_pick=$(grep -E '(^|/)hv_vmbus\.ko[^:]*:' "$st_dep" | head -n 1 | sed 's/:.*//')
			outf '  modprobe:    hv_vmbus -> %s\n' "${st_pick:-none}"
		fi
		st_img=$(initrd_path "$st_k")
		st_ist=$(initrd_state "$st_k" 2>/dev/null || true)
		case $st_ist in
			ours | partial)
				st_what="has our modules"
				[ "$st_ist" = ours ] || st_what="has some of our modules"
				if initrd_stale "$st_k"; then
					st_v=
					for st_m in $stale_modules; do
						st_v="$st_v${st_v:+, }$st_m $(module_version "$work/initrd-ours/$st_m")"
					done
					st_what="$st_what, OUT OF DATE: it holds $st_v, not the installed ones (run: install.sh)"
				elif [ -n "$(ls "$work/initrd-ours" 2>/dev/null)" ]; then
					st_what="$st_what, the installed ones"
				fi
				;;
			none) st_what="without our modules" ;;
			missing) st_what="missing" ;;
			unreadable) st_what="cannot be read by this user; run as root to see" ;;
			*) st_what=$st_ist ;;
		esac
		outf '  initramfs:   %s (%s)\n' "$st_img" "$st_what"
		if [ "$st_k" = "$st_running" ]; then
			st_loaded=
			for st_m in $modules; do
				[ -d "$R/sys/module/$st_m" ] || continue
				st_src=$(cat "$R/sys/module/$st_m/srcversion" 2>/dev/null || true)
				st_file=$(printf '%s\n' "$st_tree" | sed -n "s/^$st_m=//p")
				st_who=in-box
				if [ -n "$st_file" ] && [ -n "$st_src" ] &&
					[ "$(query modinfo -F srcversion "$R/lib/modules/$st_k/$st_file" 2>/dev/null)" = "$st_src" ]; then
					st_who=ours
				fi
				st_ver=$(cat "$R/sys/module/$st_m/version" 2>/dev/null || true)
				st_loaded="$st_loaded $st_m${st_ver:+ $st_ver} ($st_who)"
			done
			outf '  loaded:      %s\n' "${st_loaded:- none}"
		fi
	done
}

# ----------------------------------------------------------------- main

action=install
export_dir=
package_mode=0
targets=
all=0
replace_inbox=0
force_inbox=0
want_dkms=auto
no_initramfs=0
hook_kernel=

need_value() {
	[ $# -ge 2 ] || usage_error "option $1 needs a value"
	[ -n "$2" ] || usage_error "option $1 needs a value"
	case $2 in -*) usage_error "option $1 needs a value, not '$2'" ;; esac
}

while [ $# -gt 0 ]; do
	case $1 in
		--kernel) need_value "$@"; targets="$targets $2"; shift 2 ;;
		--kernel=*) need_value --kernel "${1#*=}"; targets="$targets ${1#*=}"; shift ;;
		--all-kernels) all=1; shift ;;
		--replace-inbox) replace_inbox=1; shift ;;
		--force) force_inbox=1; shift ;;
		--dkms) want_dkms=yes; shift ;;
		--no-dkms) want_dkms=no; shift ;;
		--no-initramfs) no_initramfs=1; shift ;;
		--uninstall) action=uninstall; shift ;;
		--status) action=status; shift ;;
		--dry-run | -n) dry_run=1; shift ;;
		--hook) need_value "$@"; action=hook; hook_kernel=$2; shift 2 ;;
		--hook-remove) need_value "$@"; action=hook-remove; hook_kernel=$2; shift 2 ;;
		--package-configure) action=install; package_mode=1; want_dkms=yes; replace_inbox=1; shift ;;
		--package-remove) action=uninstall; package_mode=1; shift ;;
		--export-source) need_value "$@"; export_dir=$2; shift 2 ;;
		-q | --quiet) quiet=1; shift ;;
		-h | --help) sed -n 's/^# \{0,1\}//; /^usage:/,/^(default \/usr\/sbin \/sbin)/p' "$0"; exit 0 ;;
		*) usage_error "unknown argument '$1'" ;;
	esac
done
# shellcheck disable=SC2086 # one kernel per word; each once
targets=$(printf '%s\n' $targets | awk 'NF && !seen[$0]++' | tr '\n' ' ')
targets=${targets% }
if [ -n "$export_dir" ]; then
	mkdir -p "$export_dir" || exit "$EX_FAIL"
	# shellcheck disable=SC2046 # file names from tree_files have no blanks
	(cd "$top" && tar cf - $(tree_files "$top")) | (cd "$export_dir" && tar xf -) || exit "$EX_FAIL"
	exit 0
fi
[ "$all" = 0 ] || [ -z "$targets" ] || usage_error "--kernel and --all-kernels exclude each other"
[ "$force_inbox" = 0 ] || { [ "$replace_inbox" = 1 ] && [ "$package_mode" = 0 ] && [ "$action" = install ]; } ||
	usage_error "--force goes with --replace-inbox (and not with the package options)"
case $action in
	install) ;;
	*)
		[ "$replace_inbox" = 0 ] || [ "$action" = hook ] || usage_error "--replace-inbox goes with an install"
		;;
esac

# The log: every run that may change something appends to it.
if [ "$dry_run" = 0 ]; then
	if [ -z "$R" ] && [ "$(id -u)" -ne 0 ] && [ "$action" != status ]; then
		printf '%s: must run as root (try: sudo %s)\n' "$me" "$0" >&2
		exit "$EX_SYSTEM"
	fi
	# In a subshell: a failed redirection of ":" (a special built-in)
	# would end the script itself (--status as a user).
	if mkdir -p "${log_file%/*}" 2>/dev/null && (: >>"$log_file") 2>/dev/null; then
		logging=1
	elif [ "$action" != status ]; then
		printf '%s: cannot write %s\n' "$me" "$log_file" >&2
		exit "$EX_SYSTEM"
	fi
fi
log "=== $me $action (hyperv-lic $pkg_version from $top)${targets:+ kernels: $targets}"

detect_distro
log "distribution: $dist_name (family $family, release ${dist_major:-unstable}); initramfs: $initrd_kind; hooks: $hook_kind"

case $want_dkms in
	yes) mode="dkms" ;;
	no) mode="make" ;;
	*) if [ -n "$(dkms_cmd)" ]; then mode="dkms"; else mode="make"; fi ;;
esac

if [ "$all" = 1 ]; then
	targets=$(all_kernels | tr '\n' ' ')
	targets=${targets% }
	[ -n "$targets" ] || fail "$EX_SYSTEM" "no kernel under $R/lib/modules has a build tree or an installed image"
elif [ "$package_mode" = 1 ] && [ "$action" = install ]; then
	# The kernels DKMS can build for; the others follow through the
	# kernel hooks when their headers arrive.
	for t_k in $(all_kernels); do
		! has_build_tree "$t_k" || targets="$targets $t_k"
	done
	targets=${targets# }
	case $initrd_kind in
		initramfs-tools) t_tool=update-initramfs ;;
		dracut) t_tool=dracut ;;
		*) t_tool=mkinitrd ;;
	esac
	if ! command -v "$t_tool" >/dev/null 2>&1; then
		say "note: no $t_tool; leaving the initramfs alone"
		no_initramfs=1
	fi
elif [ -z "$targets" ] && [ "$action" = install ]; then
	targets=$(query uname -r) || fail "$EX_FAIL" "uname -r failed"
fi
for t_k in $targets; do
	[ ! -d "$R/lib/modules/$t_k" ] || continue
	t_have=$(all_kernels | tr '\n' ' ')
	t_have=${t_have% }
	printf '%s: no kernel %s (no %s); installed kernels: %s\n' "$me" "$t_k" "/lib/modules/$t_k" \
		"$(commas "${t_have:-none}")" >&2
	log "error: no kernel $t_k"
	exit "$EX_USAGE"
done

make_work_dir
case $action in
	status) do_status ;;
	install)
		[ "$mode" = make ] || [ "$want_dkms" = yes ] || log "dkms found: $(query dkms --version 2>/dev/null | head -n 1)"
		[ "$mode" = dkms ] || [ "$want_dkms" = no ] ||
			say "note: no dkms command; installing without DKMS (a kernel hook rebuilds for new kernels)"
		do_install
		;;
	uninstall) do_uninstall ;;
	hook) do_hook "$hook_kernel" ;;
	hook-remove) do_hook_remove "$hook_kernel" ;;
esac
exit 0
