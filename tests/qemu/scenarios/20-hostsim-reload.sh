# 20-hostsim-reload: 20 load/unload cycles of our VMBus module ($HS_VMBUS:
# hv_vmbus, or hvl_vmbus where the kernel has VMBus built in) + hv_hostsim
# + hv_looptest (host versions taken in turn from 0.13 .. 5.3, a little
# I/O on each loopback channel every cycle), then look for leaks.
#   reload-cycles     every cycle loads, moves data and unloads
#   reload-slab       no kmalloc cache grows steadily with the cycles
#   reload-vmalloc    no vmalloc/vmap area left behind
#   reload-pages      free memory did not shrink (leaked ring/data pages)
#   reload-violations no protocol violation in any cycle
#   reload-dmesg      no WARN/BUG/Oops/KASAN line
#
# Leaks (hs_leak_judge, hostsim-lib.inc). kmalloc caches are read (per
# cache, settled: hs_leak_snap) after a warm-up cycle, after 10 cycles and
# after 20: a cache that grew by 5 objects or more in each half of the
# run fails, so a leak of one object per cycle fails whatever cache it
# lands in, while the kernel's own noise (per-CPU slabs, deferred frees,
# first-time allocations) does not grow one cache in both halves; the
# total over all kmalloc caches may grow by 40 at most. Every cycle
# allocates several hundred kmalloc objects (channels, messages, work
# items, devices, sysfs nodes), so a leak on the load/unload path leaks
# at least one object per cycle. vmalloc areas are counted exactly (ring maps are
# vmaps), leaving out kernel thread stacks and areas awaiting the lazy
# vmap purge, which come and go with the kernel's own activity (kworkers
# start and stop; seen +-3 on 6.12 and 7.x): tolerance 2. Free memory
# (MemFree plus the pages on per-CPU free lists, which from 6.7 grow and
# shrink by over 10 MiB with the allocation pattern): each cycle
# allocates about 2.5 MiB of pages (rings, looptest data pages); 8 MiB
# catches a per-cycle page leak of 0.4 MiB or more.
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need

cycles=20
failed=
rm -f /tmp/hs-reload-viol

# cycle V: one load / I/O / unload cycle; prints why on failure.
cycle() {
	if ! hs_load "$1"; then
		echo "load at $1 failed"
		hs_unload
		return 1
	fi
	for r in $(hs_loop_relids); do
		d=$(hs_dev_by_relid "$r") || { echo "no device for relid $r"; hs_unload; return 1; }
		for m in inband pagebuf mpb; do
			if ! out=$(hs_run "$d" $m $((1 << 20)) 8); then
				echo "V=$1 relid $r $m: $out"
				hs_unload
				return 1
			fi
		done
	done
	# (a file: cycle runs in a command substitution's subshell)
	if ! v=$(hs_violations); then
		echo "V=$1: $(printf '%s' "$v" | tr '\n' ' ')" >>/tmp/hs-reload-viol
	fi
	if ! hs_unload; then
		echo "unload at $1 failed"
		return 1
	fi
	return 0
}

# warm-up: first-time allocations (sysfs names, caches) are not leaks
if ! why=$(cycle 5.3); then
	fail reload-cycles "warm-up cycle: $why"
	exit 0
fi
hs_leak_snap /tmp/hs-lk0
va0=$(hs_vmalloc_areas)
mf0=$(hs_memfree_kb)

# shellcheck disable=SC2086 # split into versions
set -- $HS_VERSIONS
i=0
while [ $i -lt $cycles ]; do
	n=$(( (i % $#) + 1 ))
	eval "v=\${$n}"
	if ! why=$(cycle "$v"); then
		failed="cycle $((i + 1)) (V=$v): $why"
		break
	fi
	i=$((i + 1))
	[ $i -eq $((cycles / 2)) ] && hs_leak_snap /tmp/hs-lk1
done
if [ -z "$failed" ]; then
	pass reload-cycles
else
	fail reload-cycles "$failed"
	exit 0
fi

hs_leak_snap /tmp/hs-lk2
va1=$(hs_vmalloc_areas)
mf1=$(hs_memfree_kb)
hs_leak_judge reload-slab $((cycles / 2)) /tmp/hs-lk0 /tmp/hs-lk1 /tmp/hs-lk2
info "vmalloc areas $va0 -> $va1, free memory $mf0 -> $mf1 KiB"
if [ $((va1 - va0)) -le 2 ]; then
	pass reload-vmalloc
else
	fail reload-vmalloc "vmalloc areas $va0 -> $va1"
fi
if [ $((mf0 - mf1)) -le 8192 ]; then
	pass reload-pages
else
	fail reload-pages "free memory shrank by $((mf0 - mf1)) KiB over $cycles cycles"
fi
if [ ! -s /tmp/hs-reload-viol ]; then
	pass reload-violations
else
	fail reload-violations "$(tr '\n' ' ' </tmp/hs-reload-viol)"
fi
check_dmesg reload-dmesg
info "$HVL_SCENARIO took $(hs_elapsed) s"
