# 60-hostile-host: the hostile host (tests/hostsim/README.md, "The hostile
# host") against our guest drivers, one channel type at a time, while a
# second, well-behaved disk and loopback device run beside it. hv_hostsim
# devices=loop,loop,scsi,scsi,ide: loopback #1, the second SCSI controller
# and the IDE channel are attacked in turn (hostile_target); loopback #2
# and the first SCSI controller's disk are never touched.
#   hostile-load         modules load with hostile_seed=SEED, disks appear
#   hostile-good-init    a random pattern on the good disk reads back
#   hostile-loop         hv_looptest runs on loopback #1 under attack end
#                        with ok or a "fail:" naming the bad input, never a
#                        timeout; loopback #2 stays ok throughout; after
#                        the attack loopback #1 works again
#   hostile-scsi         I/O on the second SCSI disk under attack; the
#                        good disk's pattern (rewritten and read back
#                        during the attack) is intact; the attacked I/O
#                        ends (no hang); afterwards the disk works or is gone
#   hostile-ide          the same for the IDE disk (hv_blkvsc)
#   hostile-mutations-C  the host made mutations of class C (all enabled)
#   hostile-logged-T     the guest logged what it got (T: loop, scsi, ide;
#                        vmbus when chmsg is enabled)
#   hostile-good-final   the good disk's patterns read back after it all
#   hostile-unload       every module unloads within 60 s
# Every failure line names the seed: hv_hostsim hostile_seed=SEED makes the
# same mutation schedule (the n-th completion of a channel gets the same
# mutation). SEED defaults to 20261202; the kernel command line can set
# hvl.hostile_seed=N, hvl.hostile_secs=S (attack time per channel type,
# default 6; a phase goes on, at most 120 s longer, until the loopback saw
# bad input and, in the last phase, every enabled class was applied),
# hvl.hostile_rate=PERMILLE (default 150) and hvl.hostile_classes=LIST
# (run.sh: HVL_APPEND="...").
# Init checks the kernel log afterwards (no Oops, BUG, WARN).
# hvl-kmods: scsi_mod scsi_transport_fc sd_mod
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need
BV=${HS_VMBUS%vmbus}blkvsc
need_module "$HS_STORVSC" "$BV"
if ! hs_sv_kmods; then
	skip "$HVL_SCENARIO" "in-kernel SCSI modules missing"
	exit 0
fi

seed=20261202
secs=6
classes=default
rate=150
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in
		hvl.hostile_seed=*) seed=${arg#*=} ;;
		hvl.hostile_secs=*) secs=${arg#*=} ;;
		hvl.hostile_classes=*) classes=${arg#*=} ;;
		hvl.hostile_rate=*) rate=${arg#*=} ;;
	esac
done
P=/sys/module/hv_hostsim/parameters
tag="seed=$seed"

# hfail NAME WHY: a failure that names the seed.
hfail() {
	_n=$1
	shift
	fail "$_n" "$tag: $*"
}

unload_all() {
	_rc=0
	for _m in hv_looptest "$BV" "$HS_STORVSC" hv_hostsim "$HS_VMBUS"; do
		if module_loaded "$_m"; then
			unload_module "$_m" || _rc=1
		fi
	done
	return $_rc
}

# attack RELID: aim the hostile host at RELID (0: stop).
attack() {
	if [ "$1" = 0 ]; then
		echo 0 >$P/hostile_rate
	else
		echo "$1" >$P/hostile_target
		echo "$rate" >$P/hostile_rate
	fi
}

# deadline SECS: uptime in whole seconds SECS from now.
deadline() {
	echo $(($(cut -d. -f1 /proc/uptime) + $1))
}

before() {
	[ "$(cut -d. -f1 /proc/uptime)" -lt "$1" ]
}

# bg_wait PID SECS: wait for a background job at most SECS; 1 if it is
# still running then.
bg_wait() {
	_end=$(deadline "$2")
	while kill -0 "$1" 2>/dev/null; do
		before "$_end" || return 1
		sleep 0.2
	done
	wait "$1" 2>/dev/null
	return 0
}

# blocked_traces: the stacks of blocked tasks (sysrq w) on the console,
# for the report of a hang.
blocked_traces() {
	echo w >/proc/sysrq-trigger 2>/dev/null || return 0
	sleep 1
	dmesg | grep -A 30 -E 'task:.* state:D' | grep -E 'task:|^\[.*\]  [a-z_0-9.]+\+0x' | head -n 80
}

# -- load
dmesg_mark
if ! load_module "$HS_VMBUS" sim=1 ||
	! load_module hv_hostsim version=5.3 devices=loop,loop,scsi,scsi,ide \
		vstor=6.2 disk_mb=64 hostile_seed="$seed" hostile_rate=0 \
		hostile_classes="$classes" ||
	! load_module hv_looptest || ! load_module "$HS_STORVSC" ide=0 ||
	! load_module "$BV" claim=1; then
	hfail hostile-load "modules did not load"
	unload_all
	exit 0
fi
# shellcheck disable=SC2046 # split into relids
set -- $(hs_loop_relids)
rl1=${1:-0}
rl2=${2:-0}
# shellcheck disable=SC2046
set -- $(hs_sv_relids scsi)
rs1=${1:-0}
rs2=${2:-0}
ri=$(hs_sv_relids ide)
good_disk() {
	good=$(hs_sv_disk "$rs1" 0 0) && bad=$(hs_sv_disk "$rs2" 0 0) &&
		[ -e /sys/block/hda ]
}
if ! wait_for 60 good_disk; then
	hfail hostile-load "disks missing after 60 s: $(hs_sv_disks | tr '\n' ';') hda: $([ -e /sys/block/hda ] && echo yes || echo no)"
	unload_all
	exit 0
fi
dl1=$(hs_dev_by_relid "$rl1")
dl2=$(hs_dev_by_relid "$rl2")
pass hostile-load
info "$tag rate=$rate secs=$secs classes=$(cat $P/hostile_classes); loop $rl1 (attacked) $rl2, scsi $rs1=$good $rs2=$bad (attacked), ide $ri=hda (attacked)"

# -- the good disk: pattern A at 0 MiB stays, pattern B at 16 MiB is
# rewritten during every attack
pa=/tmp/hh-a
pb=/tmp/hh-b
back=/tmp/hh-back
dd if=/dev/urandom of=$pa bs=1M count=4 2>/dev/null
dd if=/dev/urandom of=$pb bs=1M count=2 2>/dev/null
sum_a=$(md5sum <$pa | cut -d' ' -f1)
sum_b=$(md5sum <$pb | cut -d' ' -f1)

# good_check SEEK MIB SUM: the good disk holds SUM at SEEK MiB.
good_check() {
	rm -f $back
	hs_sv_read "$good" $back "$2" "$1" || return 1
	[ "$(md5sum <$back | cut -d' ' -f1)" = "$3" ]
}
if hs_sv_write "$good" $pa 0 && hs_sv_write "$good" $pb 16 &&
	good_check 0 4 "$sum_a" && good_check 16 2 "$sum_b"; then
	pass hostile-good-init
else
	hfail hostile-good-init "pattern on /dev/$good did not read back"
fi

# Phases last $secs, and longer (at most $cap_secs more) until what they
# must see happened: on a slow day the host sees fewer completions in
# $secs, and a class may not have come up yet.
cap_secs=120

# classes_done: every enabled class was applied at least once.
classes_done() {
	for _c in $(tr ',' ' ' <$P/hostile_classes); do
		_n=$(awk -v c="$_c" '$1 == c { print $2 }' "$HS_DBG/hostile")
		[ "${_n:-0}" -gt 0 ] || return 1
	done
}

# phase_on END CAP COND...: the phase goes on (before END, or COND fails
# and it is before CAP).
phase_on() {
	_pe=$1
	_pc=$2
	shift 2
	before "$_pe" && return 0
	before "$_pc" || return 1
	! "$@"
}

# good_loop COND...: rewrite and check pattern B on the good disk while
# the phase goes on; prints the number of rounds, returns 1 at the first
# mismatch.
good_loop() {
	_e=$(deadline "$secs")
	_cap=$(deadline $((secs + cap_secs)))
	_k=0
	while phase_on "$_e" "$_cap" "$@"; do
		hs_sv_write "$good" $pb 16 || { echo "$_k write"; return 1; }
		good_check 16 2 "$sum_b" || { echo "$_k mismatch"; return 1; }
		_k=$((_k + 1))
	done
	echo "$_k"
}

# -- loopback. hv_looptest refuses new runs after one that left requests
# unanswered; a rebind (close, open) gives it a clean channel again.
ldrv=$HS_BUS/drivers/hv_looptest
ln1=${dl1##*/}
rebind1() {
	echo "$ln1" >"$ldrv/unbind" 2>/dev/null
	echo "$ln1" >"$ldrv/bind" 2>/dev/null
	wait_for 10 test -e "$dl1/run"
}
dmesg_mark
attack "$rl1"
end=$(deadline "$secs")
cap=$(deadline $((secs + cap_secs)))
nok=0
nfail=0
why=
reasons=
good_bad=
saw_bad() {
	[ "$nfail" -gt 0 ]
}
while phase_on "$end" "$cap" saw_bad; do
	for mode in inband mpb; do
		out=$(hs_run "$dl1" $mode $((1 << 20)) 16)
		case $out in
			ok*) nok=$((nok + 1)) ;;
			*timeout*) why="$why [$mode: $out]" ;;
			fail:*)
				nfail=$((nfail + 1))
				r=${out#fail: }
				r=${r%% (*}
				r=$(printf '%s' "$r" | sed 's/0x[0-9a-f]*/X/g; s/[0-9][0-9]*/N/g')
				case "|$reasons|" in
					*"|$r|"*) ;;
					*) reasons="$reasons|$r" ;;
				esac
				rebind1 || why="$why [rebind failed]"
				;;
			*) why="$why [$mode: $out]" ;;
		esac
		out=$(hs_run "$dl2" $mode $((1 << 20)) 16) || good_bad="$good_bad [$mode: $out]"
	done
done
attack 0
rebind1
after=$(hs_run "$dl1" mpb $((1 << 20)) 16)
info "loop: $nok ok, $nfail failed on bad input:$reasons"
if [ -n "$why" ]; then
	hfail hostile-loop "runs on the attacked loopback ended wrongly:$why"
elif [ -n "$good_bad" ]; then
	hfail hostile-loop "the untouched loopback #2 failed:$good_bad"
else
	case $after in
		ok*) pass hostile-loop ;;
		*) hfail hostile-loop "loopback #1 after the attack: $after" ;;
	esac
fi
case $reasons in
	*"unknown trans_id"*|*differs*|*"too short"*|*"not a completion"*|*malformed*|*"byte packet"*)
		pass hostile-logged-loop ;;
	*) hfail hostile-logged-loop "hv_looptest never named bad input ($nok ok, $nfail failed:$reasons)" ;;
esac
log_loop=$(dmesg_since_mark)
# the schedule (tests/hostsim/hostile-schedule.py SEED RELID prints it)
info "first mutations: $(printf '%s\n' "$log_loop" | grep -o 'relid [0-9]* event [0-9]*: [a-z_]*' | head -n 6 | tr '\n' ';')"

# works_again DEV: /tmp/hh-x written at 1 MiB reads back.
works_again() {
	rm -f $back
	hs_sv_write "$1" /tmp/hh-x 1 && hs_sv_read "$1" $back 1 1 &&
		cmp -s /tmp/hh-x $back
}

# storage_phase NAME DEV RELID COND...: attack RELID while dd runs on DEV
# and the good disk is rewritten and checked, for $secs and until COND.
storage_phase() {
	_name=$1
	_dev=$2
	_rel=$3
	shift 3
	dmesg_mark
	attack "$_rel"
	rm -f /tmp/hh-stop
	(
		_i=0
		while [ ! -e /tmp/hh-stop ]; do
			_i=$((_i + 1))
			dd if=/dev/urandom of="/dev/$_dev" bs=64k count=16 seek=$((_i * 37 % 512)) oflag=direct 2>/dev/null
			dd if="/dev/$_dev" of=/dev/null bs=64k count=32 skip=$((_i * 53 % 512)) iflag=direct 2>/dev/null
		done
	) &
	_pid=$!
	_g=$(good_loop "$@")
	_grc=$?
	: >/tmp/hh-stop
	if ! bg_wait $_pid 90; then
		attack 0
		hfail "$_name" "I/O on /dev/$_dev still running 90 s after the attack (hang)"
		blocked_traces
		return 1
	fi
	attack 0
	info "$_name: good disk $_g rounds"
	if [ $_grc != 0 ]; then
		hfail "$_name" "good disk /dev/$good: $_g during the attack on /dev/$_dev"
		return 1
	fi
	if [ ! -e "/sys/block/$_dev" ]; then
		info "$_name: /dev/$_dev was removed"
		pass "$_name"
		return 0
	fi
	dd if=/dev/urandom of=/tmp/hh-x bs=1M count=1 2>/dev/null
	if wait_for 60 works_again "$_dev"; then
		pass "$_name"
	else
		hfail "$_name" "/dev/$_dev is there but does not work after the attack"
	fi
}

storage_phase hostile-scsi "$bad" "$rs2" true
log_scsi=$(dmesg_since_mark)
storage_phase hostile-ide hda "$ri" classes_done
log_ide=$(dmesg_since_mark)

# -- what the host did, what the guest said
for c in $(cat $P/hostile_classes | tr ',' ' '); do
	n=$(awk -v c="$c" '$1 == c { print $2 }' "$HS_DBG/hostile")
	if [ "${n:-0}" -gt 0 ]; then
		pass "hostile-mutations-$c"
	else
		hfail "hostile-mutations-$c" "class enabled but never applied ($(tr '\n' ' ' <"$HS_DBG/hostile"))"
	fi
done
info "host: $(tr '\n' ' ' <"$HS_DBG/hostile")"

# logged NAME LOG PATTERN: the kernel log of a phase has a line matching
# PATTERN (or the bus stopping a channel on a malformed packet).
logged() {
	if printf '%s\n' "$2" | grep -q -E "$3|$HS_VMBUS: relid [0-9]+: malformed packet from the host"; then
		pass "hostile-logged-$1"
	else
		hfail "hostile-logged-$1" "no kernel log line matching '$3'"
	fi
}
logged scsi "$log_scsi" "$HS_STORVSC"': host[0-9]+: (malformed completion|dropped completion with unknown or stale id|ignored host message|relid [0-9]+: dropped a [0-9]+-byte host packet)'
logged ide "$log_ide" "$BV"': hda: (malformed completion|dropped completion with unknown or stale id|dropped a [0-9]+-byte host packet|ignored host packet)'
case ,$(cat $P/hostile_classes), in
	*,chmsg,*)
		logged vmbus "$log_loop
$log_scsi
$log_ide" "$HS_VMBUS"': (dropped malformed host message|rejected (invalid )?offer|rescind of unknown relid|unexpected host message)' ;;
esac

if good_check 0 4 "$sum_a" && good_check 16 2 "$sum_b"; then
	pass hostile-good-final
else
	hfail hostile-good-final "/dev/$good lost its pattern"
fi
info "violations: $(hs_violations | tr '\n' ' ')"

# -- unload, bounded
dmesg_mark
unload_all >/tmp/hh-unload 2>&1 &
upid=$!
if ! bg_wait $upid 60; then
	hfail hostile-unload "module unload still running after 60 s: $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	blocked_traces
elif module_loaded "$HS_VMBUS" || module_loaded hv_hostsim; then
	hfail hostile-unload "a module stayed: $(cat /tmp/hh-unload)"
else
	pass hostile-unload
fi
info "$HVL_SCENARIO took $(hs_elapsed) s"
