# 30-hostsim-faults: the host misbehaves on purpose (hv_hostsim "fault"
# debugfs file); the guest must log an error and keep working, or fail
# cleanly: never hang, never oops.
#   fault-malformed-offer  a hot-added offer with monitorid >= 128 is
#                          rejected with a log line; no device; bus works
#   fault-fail-gpadl       GPADL_CREATED with an error: probe fails with a
#                          log line; binding again works
#   fault-fail-open        OPENCHANNEL_RESULT with an error: the same
#   fault-no-answer        no GPADL_CREATED at all: probe gives up after
#                          its timeout with a log line; binding again works
#   fault-no-answer-withheld  the ring pages of that GPADL, which the host
#                          kept, are set aside by the guest, never freed
#                          (hv_vmbus withheld_pages vs the host's held file)
#   fault-teardown-no-answer  no GPADL_TORNDOWN when the channel closes:
#                          the ring is withheld with a log line, never freed
#   fault-teardown-rebind  the device opens again and moves data after it
#   fault-rescind-busy     rescind in the middle of an in-band transfer: the
#                          run fails, the device goes, the relid comes back
#   fault-rescind-busy-gpa the same during a GPA-direct (multipage) transfer
#   fault-hotadd           a hot-added loopback device appears and works
#   fault-violations       no protocol violation by the guest throughout
#   fault-checker-spurious-signal  the host's checker counts signals a guest
#                          sends without reason (hv_hostsim "inject"), and
#                          its slack (signal_credit) is at most 4
#   fault-unload           everything unloads afterwards
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

drv=$HS_BUS/drivers/hv_looptest

if ! hs_load 5.3; then
	fail fault-malformed-offer "modules did not load"
	hs_unload
	exit 0
fi
# shellcheck disable=SC2046 # split into relids
set -- $(hs_loop_relids)
r1=$1
r2=$2
d1=$(hs_dev_by_relid "$r1")
d2=$(hs_dev_by_relid "$r2")
n2=${d2##*/}

# logged PATTERN: the kernel logged an extended regex since the last mark.
logged() {
	dmesg_since_mark | grep -q -E "$1"
}

# bus_ok NAME: a loopback run on device 1 works (the bus is alive).
bus_ok() {
	hs_run "$d1" inband $((2 << 20)) 16
}

# rebind_fault FAULT NAME LOGRE: unbind loopback #2, arm FAULT, bind (must
# fail, with a log line matching LOGRE), bind again (must work) and move
# data.
rebind_fault() {
	dmesg_mark
	echo "$n2" >"$drv/unbind" 2>/dev/null
	if [ -e "$d2/driver" ]; then
		fail "$2" "could not unbind $n2"
		return
	fi
	echo "$1" >"$HS_DBG/fault"
	if echo "$n2" >"$drv/bind" 2>/dev/null && [ -e "$d2/run" ]; then
		fail "$2" "probe succeeded despite fault $1"
		return
	fi
	if ! logged "$3"; then
		fail "$2" "no guest log line matching '$3'"
		return
	fi
	if [ -e "$d2/driver" ]; then
		fail "$2" "device bound after a failed probe"
		return
	fi
	echo "$n2" >"$drv/bind" 2>/dev/null
	if ! out=$(hs_run "$d2" pagebuf $((2 << 20)) 16); then
		fail "$2" "loopback #2 after rebinding: $out"
	elif ! out=$(bus_ok); then
		fail "$2" "loopback #1: $out"
	else
		pass "$2"
	fi
}

# -- malformed offer
dmesg_mark
before=$(hs_ndevices)
echo malformed_offer >"$HS_DBG/fault"
echo loop >"$HS_DBG/offer"
if ! wait_for 10 logged 'rejected invalid offer'; then
	fail fault-malformed-offer "the guest did not log the rejection"
elif sleep 1 && [ "$(hs_ndevices)" -ne "$before" ]; then
	fail fault-malformed-offer "a device appeared for the malformed offer"
elif ! out=$(bus_ok); then
	fail fault-malformed-offer "bus broken afterwards: $out"
else
	pass fault-malformed-offer
fi

# -- failed GPADL, failed open, unanswered GPADL
rebind_fault fail_gpadl fault-fail-gpadl 'refused GPADL'
rebind_fault fail_open fault-fail-open 'refused to open'
# withheld: pages the guest set aside (hv_vmbus debugfs); held FIELD:
# the host's held file (pages it kept, and of those the guest freed).
withheld() {
	cat "/sys/kernel/debug/$HS_VMBUS/withheld_pages" 2>/dev/null
}
held() {
	awk -v f="$1" '$1 == f { print $2 }' "$HS_DBG/held" 2>/dev/null
}

# held_check NAME WITHHELD0 HELD0: since the readings WITHHELD0 (guest)
# and HELD0 (host), the host kept GPADL pages it never gave back
# (no_answer); the guest must have set aside as many (withheld_pages grew
# by at least that) and freed none of them (pages back in the page
# allocator, which the host's held file counts).
held_check() {
	hc_now=$(withheld)
	hc_held=$(held pages)
	hc_freed=$(held freed)
	if [ -z "$hc_now" ] || [ -z "$2" ] || [ -z "$hc_held" ] || [ -z "$3" ]; then
		fail "$1" "no withheld_pages in debugfs or no held file"
	elif [ "$hc_freed" != 0 ]; then
		fail "$1" "the guest freed $hc_freed of $hc_held pages the host never gave back"
	elif [ $((hc_held - $3)) -le 0 ]; then
		fail "$1" "the host kept no pages (fault not hit)"
	elif [ $((hc_now - $2)) -lt $((hc_held - $3)) ]; then
		fail "$1" "host kept $((hc_held - $3)) pages, guest withheld $((hc_now - $2))"
	else
		pass "$1"
	fi
}

w0=$(withheld)
h0=$(held pages)
rebind_fault no_answer fault-no-answer 'GPADL [0-9]+ not created \(-110\)'
held_check fault-no-answer-withheld "$w0" "$h0"

# -- unanswered GPADL_TEARDOWN on close: the ring stays the host's
w0=$(withheld)
h0=$(held pages)
dmesg_mark
echo no_answer >"$HS_DBG/fault"
echo "$n2" >"$drv/unbind" 2>/dev/null
if [ -e "$d2/driver" ]; then
	fail fault-teardown-no-answer "could not unbind $n2"
elif ! logged 'did not give back [0-9]+ page\(s\) \(ring\)'; then
	fail fault-teardown-no-answer "no log line for the withheld ring"
else
	held_check fault-teardown-no-answer "$w0" "$h0"
fi
echo "$n2" >"$drv/bind" 2>/dev/null
if ! out=$(hs_run "$d2" pagebuf $((2 << 20)) 16); then
	fail fault-teardown-rebind "loopback #2 after rebinding: $out"
else
	pass fault-teardown-rebind
fi

# rescind_busy MODE NAME DEV RELID: rescind the next loopback channel after
# 32 packets of a transfer on DEV.
rescind_busy() {
	dmesg_mark
	echo rescind_busy >"$HS_DBG/fault"
	out=$(hs_run "$3" "$1" $((64 << 20)) 64)
	case $out in
		ok*)
			fail "$2" "the transfer completed despite the rescind: $out"
			return ;;
	esac
	info "$2: run result: $out"
	if ! hs_wait_gone "$3" 20; then
		fail "$2" "device still present 20 s after the rescind"
	elif ! wait_for 10 sh -c "! awk 'NR > 1 { print \$1 }' $HS_DBG/channels | grep -qx $4"; then
		fail "$2" "the guest did not release relid $4"
	elif ! logged 'rescind_busy'; then
		fail "$2" "the host did not rescind (fault not hit)"
	else
		pass "$2"
	fi
}

rescind_busy inband fault-rescind-busy "$d1" "$r1"

# hot-add a loopback device: it appears, binds and works
dmesg_mark
echo loop >"$HS_DBG/offer"
new=
if wait_for 10 sh -c "awk 'NR > 1 && \$2 == \"loop\" && \$4 == \"open\"' $HS_DBG/channels | grep -v -q -x -e '^$r2 .*' -e '^$r2\$'"; then
	for r in $(hs_loop_relids); do
		[ "$r" = "$r2" ] || new=$r
	done
fi
if [ -z "$new" ] || ! d1=$(hs_dev_by_relid "$new"); then
	fail fault-hotadd "no new loopback channel opened by the guest"
elif ! out=$(hs_run "$d1" mpb $((8 << 20)) 32); then
	fail fault-hotadd "new device $new: $out"
else
	pass fault-hotadd
	rescind_busy mpb fault-rescind-busy-gpa "$d1" "$new"
fi

hs_check_violations fault-violations

# The checker itself: an idle channel signalled without reason. The
# checker takes up to signal_credit signals as explained (allowances it
# granted that a correct guest may still use). Its slack is bounded
# (HS_SIG_SLACK, 4: hs_io.c): after a busy run the credit comes down to
# at most 4 once the host's I/O work is idle (before the bound it grew
# with traffic, and spurious signals went uncounted), and every signal
# beyond the credit is counted.
r=$(hs_loop_relids | head -n 1)
d=$(hs_dev_by_relid "$r")
for m in inband pagebuf mpb; do
	out=$(hs_run "$d" $m $((8 << 20)) 64) || info "busy $m run on relid $r: $out"
done
credit() {
	awk -v k="relid$r.signal_credit" '$1 == k { print $2 }' "$HS_DBG/counters"
}
credit_ok() {
	[ "$(credit)" -le 4 ]
}
if ! wait_for 10 credit_ok; then
	fail fault-checker-spurious-signal "relid $r: after a busy run the checker would take $(credit) unexplained signals (slack is 4)"
else
	echo 1 >"$HS_DBG/reset"
	c=$(credit)
	c=${c:-0}
	k=0
	while [ "$k" -lt $((c + 3)) ]; do
		echo "signal $r" >"$HS_DBG/inject"
		k=$((k + 1))
	done
	n=$(awk '$1 == "signal_when_not_empty" { print $2 }' "$HS_DBG/violations")
	info "relid $r: signal credit $c, $k spurious signals, ${n:-0} counted"
	if [ "${n:-0}" -ge 3 ]; then
		pass fault-checker-spurious-signal
	else
		fail fault-checker-spurious-signal "$k spurious signals on relid $r (credit $c) counted ${n:-0} times"
	fi
fi
echo 1 >"$HS_DBG/reset"
if hs_unload; then
	pass fault-unload
else
	fail fault-unload "a module did not unload"
fi
info "$HVL_SCENARIO took $(hs_elapsed) s"
