#!/bin/sh
# tests/qemu/init.sh: /init of the test bench initramfs (busybox sh, static;
# nothing here may need glibc). run.sh copies it to /init.
#
# Mounts the pseudo file systems, runs every /hvl/scenarios/*.sh in order,
# each in its own shell with a time limit, then prints the sentinel and
# powers the guest off.
#
# Results channel: the second serial port (/dev/ttyS1; the console is
# ttyS0). The kernel never writes there, so printk cannot fake, split or
# hide a result line. Only result lines and these markers go there:
#   HVL-R BEGIN <uname -r> scenarios=<n>
#   HVL-R START <scenario>
#   HVL-R EXIT <scenario> status=<s>    the scenario's own shell reached its
#                                       end (or "exit"); missing if it died
#   HVL-R END <scenario> rc=<rc> pass=<p> fail=<f> skip=<s>
#                                       init's count of that scenario's
#                                       results (including its own checks)
#   HVL-R DONE scenarios=<n> pass=<p> fail=<f> skip=<s>
# The host checks every scenario it asked for has START, EXIT and END, and
# that the counts are what it saw.
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
HVL_CHAN=/dev/ttyS1
export HVL_RESULTS HVL_DMESG_IGNORE HVL_CHAN
: >"$HVL_RESULTS"
# ttyS1 is 4:65; without devtmpfs mdev may not have made it
[ -c "$HVL_CHAN" ] || mknod "$HVL_CHAN" c 4 65 2>/dev/null
# Debug kernel: what kmemleak suspects after boot is not ours; forget it,
# so each scenario's scan (after it ends) reports only what is new.
kmemleak_check >/dev/null || echo "HVL-BENCH: kmemleak suspects from boot cleared"
nscen=0
for script in /hvl/scenarios/*.sh; do
	[ -f "$script" ] && nscen=$((nscen + 1))
done
if ! _hvl_chan "HVL-R BEGIN $(uname -r) scenarios=$nscen"; then
	echo "HVL-BENCH: cannot write to the results channel $HVL_CHAN: the host will see no result"
fi

# count_results FROM VERDICT: VERDICT lines of $HVL_RESULTS from line FROM on
count_results() {
	sed -n "$1,\$p" "$HVL_RESULTS" | grep -c "^$2 "
}

for script in /hvl/scenarios/*.sh; do
	[ -f "$script" ] || continue
	name=${script##*/}
	name=${name%.sh}
	echo "=== scenario $name"
	_hvl_chan "HVL-R START $name"
	before=$(wc -l <"$HVL_RESULTS")
	t0=$(cut -d. -f1 /proc/uptime)
	taint0=$(taint_value)
	dmesg_mark
	exitf=/tmp/hvl-exit.$name
	rm -f "$exitf"
	# The scenario's shell says it reached its end (the end of the file or
	# an "exit") on the channel and in $HVL_EXITF; a shell killed by a
	# signal (segfault, OOM killer, time limit) or stuck in the kernel
	# does not.
	# shellcheck disable=SC2016 # $1 and the trap are for the inner shell
	HVL_SCENARIO=$name HVL_MARK=$HVL_MARK HVL_EXITF=$exitf \
		timeout "$scen_timeout" sh -c '. /hvl/lib.sh; trap _hvl_exit_marker EXIT; . "$1"' \
		"$name" "$script"
	rc=$?
	after=$(wc -l <"$HVL_RESULTS")
	if [ "$rc" -eq 143 ] || [ "$rc" -eq 137 ]; then
		fail "$name/end" "killed (exit status $rc): timed out after ${scen_timeout}s (hvl.timeout=) or killed by the OOM killer"
	elif [ ! -f "$exitf" ]; then
		fail "$name/end" "the scenario's shell died (exit status $rc) before reaching its end: killed by a signal or crashed"
	elif [ "$after" -eq "$before" ]; then
		fail "$name" "reported no result (exit status $rc)"
	fi
	# Safety net: whatever the scenario checked, a kernel splat or a new
	# bad taint while it ran fails it.
	if ! out=$(dmesg_check); then
		printf '%s\n' "$out"
		fail "$name/dmesg" "kernel splat while the scenario ran: $(printf '%s\n' "$out" | sed -n '1s/^#   dmesg: //p')"
	fi
	# Debug kernel: memory the scenario leaked (kmemleak; a no-op elsewhere).
	if ! out=$(kmemleak_check); then
		printf '%s\n' "$out"
		fail "$name/kmemleak" "$(printf '%s\n' "$out" | grep -c 'unreferenced object') suspected leak(s): $(printf '%s\n' "$out" | grep -m1 'unreferenced object' | sed 's/^#   kmemleak: *//'); first own frame: $(printf '%s\n' "$out" | grep -m1 -E '\[(hv_|hvl_)[a-z_]*\]' | sed 's/^#   kmemleak: *//;s/^ *//')"
	fi
	bad=$(new_bad_taint "$taint0")
	if [ "$bad" -ne 0 ]; then
		fail "$name/taint" "new kernel taint bits $bad (tainted=$(taint_value))"
	fi
	from=$((before + 1))
	_hvl_chan "HVL-R END $name rc=$rc pass=$(count_results $from PASS) fail=$(count_results $from FAIL) skip=$(count_results $from SKIP) secs=$(($(cut -d. -f1 /proc/uptime) - t0))"
	echo "=== end $name rc=$rc"
done

_hvl_chan "HVL-R DONE scenarios=$nscen pass=$(count_results 1 PASS) fail=$(count_results 1 FAIL) skip=$(count_results 1 SKIP)"
echo "HVL-BENCH-DONE $(grep -c '^PASS' "$HVL_RESULTS") pass $(grep -c '^FAIL' "$HVL_RESULTS") fail uptime=$(cut -d' ' -f1 /proc/uptime)"

if [ "$want_shell" = 1 ]; then
	echo "hvl.shell=1: starting a shell; 'poweroff -f' to leave"
	setsid cttyhack sh
fi

# Shutdown check: hv_vmbus stays connected to the simulated host through
# the power off, so its syscore shutdown hook must UNLOAD (the runner looks
# for both ends' lines on the console, at loglevel 7 from here on).
if [ -f /hvl/scenarios/hostsim-lib.inc ] && [ "$want_shell" != 1 ] &&
	(
		# shellcheck disable=SC1091 # in the guest, beside the scenarios
		. /hvl/scenarios/hostsim-lib.inc
		module_loaded "$HS_VMBUS" || module_loaded hv_hostsim ||
			{ hs_load 5.3 >/dev/null 2>&1 && sleep 1; }
	); then
	echo 7 >/proc/sys/kernel/printk
	echo "HVL-BENCH-SHUTDOWN-CHECK armed"
fi

sync
poweroff -f
# poweroff should not return; if ACPI power-off failed, reboot: QEMU runs
# with -no-reboot, so that ends it as well.
sleep 2
echo b >/proc/sysrq-trigger
