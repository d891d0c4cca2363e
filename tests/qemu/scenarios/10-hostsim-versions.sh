# 10-hostsim-versions: our VMBus driver against the simulated host at every
# VMBus version (fact sheet B.1). For each V in 0.13 .. 5.3:
#   vmbus-version-V      /sys/bus/vmbus/version shows V
#   vmbus-devices-V      every offered device is on the bus, right GUIDs
#   vmbus-dma-V          the bus gave the loopback device a 64-bit DMA mask
#                        and coherent mask, no segment size limit (4 GiB - 1)
#                        and no segment boundary, as the DMA API reports
#                        them (looptest's dma file); the kernel's defaults
#                        would be 32-bit, 64 KiB and 4 GiB
#   loop-inband-V        64 MiB echoed in-band through loopback #1 (monitored),
#                        16 MiB at the same time through loopback #2 (signalled
#                        with HvSignalEvent), content verified
#   loop-pagebuf-V       the same with GPA-direct page-buffer packets
#   loop-mpb-V           the same with GPA-direct multipage packets
#   vmbus-rescind-V      a host-initiated rescind removes loopback #2 and the
#                        host gets its relid back
#   hostsim-violations-V the host counted no protocol violation
#   vmbus-unload-V       the modules unload
#   dmesg-V              no WARN/BUG/Oops/KASAN line while V ran
# The module is hv_vmbus, or hvl_vmbus on kernels with VMBus built in
# (Debian 7.x: CONFIG_HYPERV_VMBUS=y); hostsim-lib.inc picks the name.
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

big=$((64 << 20))
small=$((16 << 20))

# run_pair V MODE: loopback #1 (BIG) and #2 (SMALL) at the same time.
run_pair() {
	_v=$1
	_m=$2
	hs_run "$d1" "$_m" "$big" 64 >/tmp/hs-r1 &
	_p1=$!
	hs_run "$d2" "$_m" "$small" 16 >/tmp/hs-r2 &
	_p2=$!
	_rc1=0
	_rc2=0
	wait "$_p1" || _rc1=$?
	wait "$_p2" || _rc2=$?
	_r1=$(cat /tmp/hs-r1)
	_r2=$(cat /tmp/hs-r2)
	info "V=$_v $_m #1: $_r1"
	info "V=$_v $_m #2: $_r2"
	if [ "$_rc1" -eq 0 ] && [ "$_rc2" -eq 0 ]; then
		pass "loop-$_m-$_v"
	else
		fail "loop-$_m-$_v" "#1: $_r1 / #2: $_r2"
	fi
}

for v in $HS_VERSIONS; do
	dmesg_mark
	if ! hs_load "$v"; then
		fail "vmbus-version-$v" "modules did not load"
		hs_unload
		continue
	fi
	got=$(cat "$HS_BUS/version" 2>/dev/null)
	if [ "$got" = "$v" ]; then
		pass "vmbus-version-$v"
	else
		fail "vmbus-version-$v" "/sys/bus/vmbus/version shows '$got'"
	fi
	hs_check_devices "vmbus-devices-$v"

	# shellcheck disable=SC2046 # split into relids
	set -- $(hs_loop_relids)
	if [ $# -lt 2 ]; then
		fail "loop-inband-$v" "expected 2 open loopback channels, host has: $*"
	else
		r1=$1
		r2=$2
		d1=$(hs_dev_by_relid "$r1")
		d2=$(hs_dev_by_relid "$r2")
		want="mask 0xffffffffffffffff coherent 0xffffffffffffffff max_segment 0xffffffff boundary 0xffffffffffffffff"
		got=$(cat "$d1/dma" 2>&1)
		if [ "$got" = "$want" ]; then
			pass "vmbus-dma-$v"
		else
			fail "vmbus-dma-$v" "got '$got', want '$want'"
		fi
		for m in inband pagebuf mpb; do
			run_pair "$v" "$m"
		done

		echo "$r2" >"$HS_DBG/rescind"
		if ! hs_wait_gone "$d2" 20; then
			fail "vmbus-rescind-$v" "device of relid $r2 still present 20 s after the rescind"
		elif ! wait_for 10 sh -c "! awk 'NR > 1 { print \$1 }' $HS_DBG/channels | grep -qx $r2"; then
			fail "vmbus-rescind-$v" "the guest did not release relid $r2"
		elif ! out=$(hs_run "$d1" inband $((1 << 20)) 8); then
			fail "vmbus-rescind-$v" "loopback #1 broken after the rescind: $out"
		else
			pass "vmbus-rescind-$v"
		fi
	fi

	hs_check_violations "hostsim-violations-$v"
	info "V=$v counters: $(grep -E '^(messages|guest_signals|host_interrupts|packets_in|completions_out) ' "$HS_DBG/counters" | tr '\n' ' ')"
	if hs_unload; then
		pass "vmbus-unload-$v"
	else
		fail "vmbus-unload-$v" "a module did not unload"
	fi
	check_dmesg "dmesg-$v"
	info "V=$v done at $(hs_elapsed) s"
done
info "$HVL_SCENARIO took $(hs_elapsed) s"
