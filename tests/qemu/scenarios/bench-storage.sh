# bench-storage: hv_storvsc against the host simulator's RAM-backed LUN
# versus the kernel's RAM disk (brd) in the same guest run, with fio
# (libaio, O_DIRECT, one job, 128 MiB written first so that both read
# real data):
#   randread 4k QD32   IOPS, and the ratio storvsc / brd (target >= 0.6)
#   read 1M QD8        MB/s, and the ratio storvsc / brd
# and, for each storvsc run, from the simulator's counters (reset before
# the run):
#   hcall/1000io   guest->host HvSignalEvent hypercalls per 1000 I/Os
#   mon/1000io     guest->host monitor page triggers seen per 1000 I/Os
#                  (no hypercall; several between two polls count once)
#   irq/1000cmp    guest interrupts the host raised per 1000 completions
# Targets: signals <= 50 per 1000 I/Os, interrupts <= 100 per 1000
# completions. TCG: ratios and counts mean something, absolute figures do
# not. Figures only: never fails on numbers.
#   bench-storage             every fio run completed without error
#   bench-storage-violations  the host counted no protocol violation
# hvl-kmods: scsi_mod scsi_transport_fc sd_mod brd
# hvl-tools: fio
# hvl-mem: 1536
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
need_module "$HS_VMBUS" hv_hostsim
SV=hv_storvsc
[ -f "${HVL_MODDIR:-/modules}/hvl_storvsc.ko" ] && SV=hvl_storvsc
need_module "$SV"
if ! command -v fio >/dev/null 2>&1; then
	fail bench-storage "fio is not in the initramfs"
	exit 0
fi

size_mb=128
failed=
load_kmod scsi_mod >/dev/null 2>&1
load_kmod scsi_transport_fc || failed="$failed scsi_transport_fc did not load;"
load_kmod sd_mod || failed="$failed sd_mod did not load;"
if ! load_kmod brd rd_nr=1 rd_size=$((size_mb * 1024)); then
	failed="$failed brd did not load;"
fi
if ! load_module "$HS_VMBUS" sim=1 ||
	! load_module hv_hostsim version=5.3 devices=scsi vstor=6.2 disk_mb=$size_mb ||
	! load_module "$SV"; then
	fail bench-storage "modules did not load"
	hs_unload
	exit 0
fi

# msft_disk: the first sd disk whose vendor is Msft (ours).
msft_disk() {
	for _v in /sys/block/sd*/device/vendor; do
		[ -r "$_v" ] || continue
		case $(cat "$_v") in Msft*) _d=${_v#/sys/block/}; echo "${_d%%/*}"; return 0 ;; esac
	done
	return 1
}
wait_for 30 msft_disk >/dev/null
sd=$(msft_disk) || { fail bench-storage "no hv_storvsc disk appeared"; hs_unload; exit 0; }
[ -b /dev/ram0 ] || failed="$failed no /dev/ram0;"

# fio_run NAME DEV RW BS QD: one job; prints "iops bw_kib" (terse v3:
# field 7 read bandwidth KiB/s, field 8 read IOPS; 48/49 for writes).
fio_run() {
	_out=$(fio --name="$1" --filename="$2" --rw="$3" --bs="$4" --iodepth="$5" \
		--ioengine=libaio --direct=1 --size=${size_mb}m --numjobs=1 \
		--runtime=30 --output-format=terse --terse-version=3 2>&1) || { echo "error: $(printf '%s' "$_out" | tail -n 1)"; return 1; }
	printf '%s\n' "$_out" | awk -F';' -v rw="$3" '
		$1 == 3 { if (rw ~ /write/) print $49, $48; else print $8, $7 }'
}

# prefill: real data in both (a never-written chunk of the simulator's
# LUN reads as zeros without touching memory)
for dev in /dev/"$sd" /dev/ram0; do
	fio_run fill "$dev" write 1m 8 >/dev/null || failed="$failed fill of $dev failed;"
done

per1000() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b) printf "%.1f", a * 1000 / b; else print "-" }'
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b) printf "%.2f", a / b; else print "-" }'
}

fmt='# %-14s %-9s %10s %10s %7s %11s %10s %11s\n'
# shellcheck disable=SC2059 # the format is ours
printf "$fmt" test device IOPS MB/s ratio "hcall/1000io" "mon/1000io" "irq/1000cmp"
for t in "randread 4k 32" "read 1m 8"; do
	# shellcheck disable=SC2086 # split the test words
	set -- $t
	r_brd=$(fio_run "$1-brd" /dev/ram0 "$1" "$2" "$3") || failed="$failed $1 $2 brd: $r_brd;"
	echo 1 >"$HS_DBG/reset"
	r_sv=$(fio_run "$1-storvsc" /dev/"$sd" "$1" "$2" "$3") || failed="$failed $1 $2 storvsc: $r_sv;"
	hc=$(hs_counter signal_events)
	mon=$(hs_counter monitor_triggers)
	irq=$(hs_counter host_interrupts)
	ios=$(hs_counter vstor_ios)
	cm=$(hs_counter completions_out)
	set -- "$1 $2 QD$3" "${r_brd%% *}" "${r_brd#* }" "${r_sv%% *}" "${r_sv#* }"
	# shellcheck disable=SC2059
	printf "$fmt" "$1" brd "$2" "$(awk -v k="$3" 'BEGIN { printf "%.1f", k / 1024 }')" - - - -
	# shellcheck disable=SC2059
	printf "$fmt" "$1" storvsc "$4" "$(awk -v k="$5" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(ratio "$4" "$2")" "$(per1000 "$hc" "$ios")" "$(per1000 "$mon" "$ios")" \
		"$(per1000 "$irq" "$cm")"
done
info "targets: IOPS ratio >= 0.6; signals <= 50 per 1000 I/Os; interrupts <= 100 per 1000 completions"
info "clocksource: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
info "storvsc I/O scheduler: $(cat /sys/block/"$sd"/queue/scheduler 2>/dev/null), hardware queues: $(set -- /sys/block/"$sd"/mq/*; echo $#)"
info "storvsc channels: $(awk 'NR > 1 && $2 == "scsi" { printf "relid%s:%s ", $1, $8 }' "$HS_DBG/channels")(packets in)"

if [ -z "$failed" ]; then
	pass bench-storage
else
	fail bench-storage "$failed"
fi
hs_check_violations bench-storage-violations
unload_module "$SV"
hs_unload
unload_module brd >/dev/null 2>&1
info "$HVL_SCENARIO took $(hs_elapsed) s"
