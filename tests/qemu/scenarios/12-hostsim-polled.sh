# 12-hostsim-polled: a channel in polled mode (hv_channel_set_polled(),
# hv_channel_mask()/hv_channel_unmask(): what a NAPI driver needs), with
# hv_looptest polled=1 at VMBus 5.3: the callback only schedules a poll,
# which reads at most 8 packets a round and unmasks the host's interrupts
# only when it found the ring drained (C.3: while masked the host does not
# signal; unmasking looks at the ring again).
#   loop-polled-inband   64 MiB / 16 MiB in-band on both loopbacks at once,
#                        content verified; the polls ran
#   loop-polled-mpb      the same with GPA-direct multipage packets
#   polled-violations    the host counted no protocol violation
#   polled-unload        the modules unload
# Without working unmasking a run stalls (no signal comes) and fails.
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

dmesg_mark
if ! { module_loaded "$HS_VMBUS" || load_module "$HS_VMBUS" sim=1; } ||
	! load_module hv_hostsim version=5.3 ||
	! load_module hv_looptest polled=1; then
	fail loop-polled-inband "modules did not load"
	hs_unload
	exit 0
fi

# shellcheck disable=SC2046 # split into relids
set -- $(hs_loop_relids)
if [ $# -lt 2 ]; then
	fail loop-polled-inband "expected 2 open loopback channels, host has: $*"
else
	d1=$(hs_dev_by_relid "$1")
	d2=$(hs_dev_by_relid "$2")
	for m in inband mpb; do
		hs_run "$d1" "$m" $((64 << 20)) 64 >/tmp/hs-p1 &
		p1=$!
		hs_run "$d2" "$m" $((16 << 20)) 16 >/tmp/hs-p2 &
		p2=$!
		rc1=0
		rc2=0
		wait "$p1" || rc1=$?
		wait "$p2" || rc2=$?
		r1=$(cat /tmp/hs-p1)
		r2=$(cat /tmp/hs-p2)
		info "polled $m #1: $r1"
		info "polled $m #2: $r2"
		polls=$(hs_field "$r1" polls)
		if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
			fail "loop-polled-$m" "#1: $r1 / #2: $r2"
		elif [ -z "$polls" ] || [ "$polls" -lt 1 ]; then
			fail "loop-polled-$m" "the device did not run in polled mode: $r1"
		else
			pass "loop-polled-$m"
		fi
	done
fi

hs_check_violations polled-violations
if hs_unload; then
	pass polled-unload
else
	fail polled-unload "a module did not unload"
fi
