# bench-storage: hv_storvsc against the host simulator's RAM-backed LUN
# versus the kernel's RAM disk (brd) in the same guest run, with fio
# (libaio, O_DIRECT, one job, 128 MiB written first so that both read
# real data):
#   randread 4k QD32   IOPS, and the ratio storvsc / brd (target >= 0.6)
#   read 1M QD8        MB/s, and the ratio storvsc / brd
# scsi_debug (RAM, delay=0: it completes each command in the submitting
# context, with no interrupt and no host round trip) runs beside them as
# the cost of the SCSI midlayer and sd alone: storvsc / scsi_debug is the
# part of the gap that is ours.
# Each test runs in 3 rounds of brd, scsi_debug, storvsc, 4 s each after 1 s of
# ramp-up; the table gives each device's median round and the ratio of
# the medians, and an info line the ratio of every round (TCG figures
# swing from one second to the next; a pair of neighbouring runs less).
# From the simulator's counters over the three storvsc runs (reset before
# the first):
#   hcall/1000io   guest->host HvSignalEvent hypercalls per 1000 I/Os
#   mon/1000io     guest->host monitor page triggers seen per 1000 I/Os
#                  (no hypercall; several between two polls count once)
#   irq/1000cmp    guest interrupts the host raised per 1000 completions
# Targets: signals <= 50 per 1000 I/Os, interrupts <= 100 per 1000
# completions. TCG: ratios and counts mean something, absolute figures do
# not. Figures only: never fails on numbers.
#   bench-storage             every fio run completed without error
#   bench-storage-violations  the host counted no protocol violation
# hvl-kmods: scsi_mod scsi_transport_fc sd_mod brd ?scsi_debug
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
# two submit queues like hv_storvsc's two here: no I/O scheduler on either
if ! load_kmod scsi_debug dev_size_mb=$size_mb delay=0 submit_queues=2 >/dev/null 2>&1 &&
	! load_kmod scsi_debug dev_size_mb=$size_mb delay=0 >/dev/null 2>&1; then
	info "scsi_debug did not load: no SCSI midlayer reference"
fi
if ! load_module "$HS_VMBUS" sim=1 ||
	! load_module hv_hostsim version=5.3 devices=scsi vstor=6.2 disk_mb=$size_mb ||
	! load_module "$SV"; then
	fail bench-storage "modules did not load"
	hs_unload
	exit 0
fi

# vendor_disk V: the first sd disk whose vendor starts with V (Msft: ours,
# Linux: scsi_debug's).
vendor_disk() {
	for _v in /sys/block/sd*/device/vendor; do
		[ -r "$_v" ] || continue
		case $(cat "$_v") in "$1"*) _d=${_v#/sys/block/}; echo "${_d%%/*}"; return 0 ;; esac
	done
	return 1
}
wait_for 30 vendor_disk Msft >/dev/null
sd=$(vendor_disk Msft) || { fail bench-storage "no hv_storvsc disk appeared"; hs_unload; exit 0; }
dbg=$(vendor_disk Linux) || dbg=
[ -b /dev/ram0 ] || failed="$failed no /dev/ram0;"

# fio_run NAME DEV RW BS QD: one job; prints "iops bw_kib" (terse v3:
# field 7 read bandwidth KiB/s, field 8 read IOPS; 48/49 for writes).
fio_run() {
	_out=$(fio --name="$1" --filename="$2" --rw="$3" --bs="$4" --iodepth="$5" \
		--ioengine=libaio --direct=1 --size=${size_mb}m --numjobs=1 \
		--time_based --ramp_time=1 --runtime=4 --output-format=terse --terse-version=3 2>&1) || { echo "error: $(printf '%s' "$_out" | tail -n 1)"; return 1; }
	printf '%s\n' "$_out" | awk -F';' -v rw="$3" '
		$1 == 3 { if (rw ~ /write/) print $49, $48; else print $8, $7 }'
}

# prefill: real data in both (a never-written chunk of the simulator's
# LUN reads as zeros without touching memory)
for dev in /dev/"$sd" /dev/ram0 ${dbg:+/dev/$dbg}; do
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
# median3 A B C: the middle value
median3() {
	printf '%s\n' "$@" | sort -n | sed -n 2p
}
rounds=3
for t in "randread 4k 32" "read 1m 8"; do
	# shellcheck disable=SC2086 # split the test words
	set -- $t
	rw=$1 bs=$2 qd=$3
	i_brd='' i_sv='' k_brd='' k_sv='' i_dbg='' k_dbg='' per_round='' per_dbg=''
	echo 1 >"$HS_DBG/reset"
	r=0
	while [ $r -lt $rounds ]; do
		r=$((r + 1))
		r_brd=$(fio_run "$rw-brd" /dev/ram0 "$rw" "$bs" "$qd") || failed="$failed $rw $bs brd: $r_brd;"
		if [ -n "$dbg" ]; then
			r_dbg=$(fio_run "$rw-scsi_debug" /dev/"$dbg" "$rw" "$bs" "$qd") || failed="$failed $rw $bs scsi_debug: $r_dbg;"
			i_dbg="$i_dbg ${r_dbg%% *}" k_dbg="$k_dbg ${r_dbg#* }"
		fi
		r_sv=$(fio_run "$rw-storvsc" /dev/"$sd" "$rw" "$bs" "$qd") || failed="$failed $rw $bs storvsc: $r_sv;"
		i_brd="$i_brd ${r_brd%% *}" k_brd="$k_brd ${r_brd#* }"
		i_sv="$i_sv ${r_sv%% *}" k_sv="$k_sv ${r_sv#* }"
		per_round="$per_round $(ratio "${r_sv%% *}" "${r_brd%% *}")"
		[ -z "$dbg" ] || per_dbg="$per_dbg $(ratio "${r_sv%% *}" "${r_dbg%% *}")"
	done
	hc=$(hs_counter signal_events)
	mon=$(hs_counter monitor_triggers)
	irq=$(hs_counter host_interrupts)
	ios=$(hs_counter vstor_ios)
	cm=$(hs_counter completions_out)
	# shellcheck disable=SC2086 # the lists are words
	set -- "$rw $bs QD$qd" "$(median3 $i_brd)" "$(median3 $k_brd)" "$(median3 $i_sv)" "$(median3 $k_sv)" \
		"$(median3 $i_dbg)" "$(median3 $k_dbg)"
	# shellcheck disable=SC2059
	printf "$fmt" "$1" brd "$2" "$(awk -v k="$3" 'BEGIN { printf "%.1f", k / 1024 }')" - - - -
	# shellcheck disable=SC2059
	[ -z "$dbg" ] || printf "$fmt" "$1" scsi_debug "$6" "$(awk -v k="$7" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(ratio "$6" "$2")" - - -
	# shellcheck disable=SC2059
	printf "$fmt" "$1" storvsc "$4" "$(awk -v k="$5" 'BEGIN { printf "%.1f", k / 1024 }')" \
		"$(ratio "$4" "$2")" "$(per1000 "$hc" "$ios")" "$(per1000 "$mon" "$ios")" \
		"$(per1000 "$irq" "$cm")"
	info "$1 storvsc/brd of each round:$per_round"
	[ -z "$dbg" ] || info "$1 storvsc/scsi_debug: $(ratio "$4" "$6") (rounds:$per_dbg)"
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
unload_module scsi_debug >/dev/null 2>&1
info "$HVL_SCENARIO took $(hs_elapsed) s"
