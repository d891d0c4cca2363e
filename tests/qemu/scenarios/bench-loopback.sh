# bench-loopback: streams through the loopback device at queue depth 64
# and prints what costs on real Hyper-V: guest->host signals (hypercalls or
# monitor triggers) per 1000 packets, guest interrupts per 1000
# completions, and throughput (TCG: compare, do not quote). Targets:
# signals <= 20 per 1000 packets, interrupts <= 50 per 1000 completions.
# Figures only: never fails on numbers.
#   bench-loopback   every run completed and was verified
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

size=$((64 << 20))
if ! hs_load 5.3; then
	fail bench-loopback "modules did not load"
	hs_unload
	exit 0
fi
failed=
printf '# %-7s %-22s %8s %9s %12s %12s %8s\n' mode channel packets MB/s "sig/1000pkt" "irq/1000cmp" verified
for relid in $(hs_loop_relids); do
	d=$(hs_dev_by_relid "$relid")
	if [ "$(cat "$d/monitor_id")" = none ]; then
		how="relid $relid (event)"
	else
		how="relid $relid (monitored)"
	fi
	for m in inband pagebuf mpb; do
		echo 1 >"$HS_DBG/reset"
		res=$(hs_run "$d" $m $size 64) || failed="$failed $m/$relid: $res;"
		sig=$(hs_counter guest_signals)
		irq=$(hs_counter host_interrupts)
		pk=$(hs_counter packets_in)
		cm=$(hs_counter completions_out)
		printf '# %-7s %-22s %8s %9s %12s %12s %8s\n' "$m" "$how" "$pk" \
			"$(hs_field "$res" MBps)" \
			"$(awk -v a="$sig" -v b="$pk" 'BEGIN { if (b) printf "%.1f", a * 1000 / b; else print "-" }')" \
			"$(awk -v a="$irq" -v b="$cm" 'BEGIN { if (b) printf "%.1f", a * 1000 / b; else print "-" }')" \
			"$(case $res in ok*) echo yes ;; *) echo NO ;; esac)"
	done
done
info "targets: signals <= 20 per 1000 packets, interrupts <= 50 per 1000 completions"
hs_violations >/dev/null || info "note: the host counted protocol violations: $(hs_violations | tr '\n' ' ')"
hs_unload
if [ -z "$failed" ]; then
	pass bench-loopback
else
	fail bench-loopback "$failed"
fi
info "$HVL_SCENARIO took $(hs_elapsed) s"
