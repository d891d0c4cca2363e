#!/bin/sh
# tests/qemu/init.sh: /init of the test bench initramfs (busybox sh, static;
# nothing here may need glibc). run.sh copies it to /init.
#
# Mounts the pseudo file systems, runs every /hvl/scenarios/*.sh in order,
# each in its own shell with a time limit, then prints the sentinel and
# powers the guest off.
#
# Kernel command line switches read here:
#   hvl.timeout=SEC   time limit per scenario (default 600)
#   hvl.shell=1       after the scenarios, start a shell instead of powering off

PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null || { mkdir -p /dev && mdev -s; }
mkdir -p /dev/pts /tmp /run
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
[ -e /dev/console ] && exec </dev/console >/dev/console 2>&1

scen_timeout=600
want_shell=0
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
		hvl.timeout=*) scen_timeout=${arg#hvl.timeout=} ;;
		hvl.shell=1) want_shell=1 ;;
	esac
done

hostname hvl-guest 2>/dev/null
ln -sf /proc/self/fd /dev/fd 2>/dev/null

# Leading newline: the boot loader's last line may lack one.
echo
echo "HVL-BENCH-BEGIN $(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"

# shellcheck disable=SC1091 # lib.sh is at /hvl in the guest
. /hvl/lib.sh

HVL_RESULTS=/tmp/hvl-results
export HVL_RESULTS HVL_DMESG_IGNORE
: >"$HVL_RESULTS"

for script in /hvl/scenarios/*.sh; do
	[ -f "$script" ] || continue
	name=${script##*/}
	name=${name%.sh}
	echo "=== scenario $name"
	before=$(wc -l <"$HVL_RESULTS")
	taint0=$(taint_value)
	dmesg_mark
	# shellcheck disable=SC2016 # $1 is for the inner shell
	HVL_SCENARIO=$name HVL_MARK=$HVL_MARK \
		timeout "$scen_timeout" sh -c '. /hvl/lib.sh; . "$1"' "$name" "$script"
	rc=$?
	after=$(wc -l <"$HVL_RESULTS")
	if [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; then
		fail "$name" "timed out after ${scen_timeout}s (hvl.timeout=)"
	elif [ "$after" -eq "$before" ]; then
		fail "$name" "reported no result (exit status $rc)"
	fi
	# Safety net: whatever the scenario checked, a kernel splat or a new
	# bad taint while it ran fails it.
	if ! out=$(dmesg_check); then
		printf '%s\n' "$out"
		fail "$name/dmesg" "kernel splat while the scenario ran: $(printf '%s\n' "$out" | sed -n '1s/^#   dmesg: //p')"
	fi
	bad=$(new_bad_taint "$taint0")
	if [ "$bad" -ne 0 ]; then
		fail "$name/taint" "new kernel taint bits $bad (tainted=$(taint_value))"
	fi
	echo "=== end $name rc=$rc"
done

echo "HVL-BENCH-DONE $(grep -c '^PASS' "$HVL_RESULTS") pass $(grep -c '^FAIL' "$HVL_RESULTS") fail uptime=$(cut -d' ' -f1 /proc/uptime)"

if [ "$want_shell" = 1 ]; then
	echo "hvl.shell=1: starting a shell; 'poweroff -f' to leave"
	setsid cttyhack sh
fi

sync
poweroff -f
# poweroff should not return; if ACPI power-off failed, reboot: QEMU runs
# with -no-reboot, so that ends it as well.
sleep 2
echo b >/proc/sysrq-trigger
