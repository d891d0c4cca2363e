# demo-vmbus: a tour for newcomers. Loads our VMBus module ($HS_VMBUS:
# hv_vmbus, or hvl_vmbus where the kernel has VMBus built in, as on the
# sid kernel the demo boots) in simulator mode and the simulated host at
# VMBus 5.3, then shows what the guest sees: the negotiated version and the
# devices the host offered, and moves a few MiB through the loopback test
# device.
#   demo-vmbus   everything loaded and the tour ran
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

say() {
	printf '%s\n' "$*"
}

say ""
say "--- hyperv-lic demo: $HS_VMBUS against the simulated Hyper-V host ---"
if [ "$HS_VMBUS" != hv_vmbus ]; then
	say "(this kernel has VMBus built in, so ours is built as $HS_VMBUS.ko)"
fi
printf '%-32s %s\n' "insmod $HS_VMBUS.ko sim=1" "# the VMBus driver, waiting for a host"
printf '%-32s %s\n' "insmod hv_hostsim.ko version=5.3" "# the host: SynIC, channels, devices"
printf '%-32s %s\n' "insmod hv_looptest.ko" "# a driver for the host's loopback device"
if ! hs_load 5.3; then
	fail demo-vmbus "modules did not load"
	hs_unload
	exit 0
fi
say ""
say "negotiated VMBus version: $(cat "$HS_BUS/version")   (/sys/bus/vmbus/version)"
say ""
say "devices on the vmbus bus (/sys/bus/vmbus/devices):"
printf '%-5s %-16s %-38s %-38s %s\n' relid class class_id device_id state
for d in "$HS_BUS"/devices/*; do
	printf '%s %s\n' "$(cat "$d/id")" "$d"
done | sort -n | while read -r relid d; do
	cls=$(cat "$d/class_id")
	printf '%-5s %-16s %-38s %-38s %s\n' "$relid" "$(hs_class_name "$cls")" \
		"$cls" "$(cat "$d/device_id")" "$(cat "$d/state")"
done
say ""
say "the host's view (/sys/kernel/debug/hv_hostsim/channels):"
sed 's/^/  /' "$HS_DBG/channels"
say ""
relid=$(hs_loop_relids | head -n 1)
d=$(hs_dev_by_relid "$relid")
for m in inband pagebuf mpb; do
	say "echo '$m 8388608 32' > $d/run"
	say "  -> $(hs_run "$d" $m $((8 << 20)) 32)"
done
say ""
say "host counters after that (/sys/kernel/debug/hv_hostsim/counters):"
grep -E '^(messages|host_messages|guest_signals|signal_events|monitor_triggers|host_interrupts|packets_in|completions_out|gpadls_created|channels_opened) ' "$HS_DBG/counters" | sed 's/^/  /'
say "protocol violations seen by the host: $(awk '{ s += $2 } END { print s + 0 }' "$HS_DBG/violations")"
say "--- end of demo ---"
say ""
if hs_unload; then
	pass demo-vmbus
else
	fail demo-vmbus "modules did not unload"
fi
info "$HVL_SCENARIO took $(hs_elapsed) s"
