# 55-blkvsc: hv_blkvsc (synthetic IDE disks) against the host simulator's
# VSTOR back end: hv_hostsim devices=ide with a RAM disk of $disk_mb MiB.
#   blkvsc-load        our VMBus module (sim=1), hv_hostsim, hv_blkvsc load
#   blkvsc-param-clamp max_transfer_kb=9000 is clamped to 8192 with a log line
#   blkvsc-disk        /sys/block/hda appears with the host's size in
#                      512-byte sectors, and the driver's sysfs
#                      attributes (blkvsc/) name it (IDE 0:0), vendor Msft, the
#                      host's VPD 0x80 serial
#   blkvsc-scheduler   the disk has no I/O scheduler by default ([none])
#                      where blk-mq lets a driver ask for that (6.1 and
#                      newer here; before 6.1 a SKIP that reports the choice)
# hvl-skip-if: kernel<6.1 blkvsc-scheduler
#   blkvsc-io          a 4 MiB random pattern written at an odd offset
#                      through /dev/hda reads back identical after the page
#                      cache is dropped; a second pass at the disk's end
#   blkvsc-flush       fsync of the disk issues a flush the host sees as
#                      SYNCHRONIZE CACHE (its vstor_sync_cache counter)
#   blkvsc-rescind     the host rescinds the channel (debugfs "rescind"):
#                      hda disappears, the relid is released, no hang
#   blkvsc-violations  the host's protocol checker counted nothing
#   blkvsc-unload      everything unloads
# The kernel log is checked by init after the scenario (no WARN/BUG).
#
# Host simulator interface used (tests/hostsim/README.md, VSTOR back end):
# module parameters vstor= (VSTOR version offered, e.g. 6.2) and disk_mb=
# (size of each simulated disk), debugfs files channels, rescind, counters
# (vstor_* per operation) and violations.
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc

# hv_blkvsc, or hvl_blkvsc where the kernel has VMBus built in
BV=${HS_VMBUS%vmbus}blkvsc
need_module "$HS_VMBUS" hv_hostsim "$BV"
if [ ! -d /sys/kernel/debug ] || ! grep -q ' /sys/kernel/debug debugfs' /proc/mounts; then
	skip "$HVL_SCENARIO" "debugfs is not mounted"
	exit 0
fi

disk_mb=64
blk=/sys/block/hda

unload_all() {
	_rc=0
	for _m in "$BV" hv_hostsim "$HS_VMBUS"; do
		if module_loaded "$_m"; then
			unload_module "$_m" || _rc=1
		fi
	done
	return $_rc
}

# -- load
dmesg_mark
if ! load_module "$HS_VMBUS" sim=1 ||
	! load_module hv_hostsim version=5.3 devices=ide vstor=6.2 disk_mb=$disk_mb ||
	! load_module "$BV" claim=1 max_transfer_kb=9000; then
	fail blkvsc-load "modules did not load"
	unload_all
	exit 0
fi
pass blkvsc-load

# -- the disk appears with the host's size
if ! wait_for 20 test -e $blk; then
	fail blkvsc-disk "no $blk 20 s after loading $BV: $(dmesg_since_mark | grep -i blkvsc | tail -n 3 | tr '\n' ' ')"
	unload_all
	exit 0
fi
# max_transfer_kb=9000 is over the 8192 limit: clamped, and said so (the
# host's own 2048 KiB limit is the lower one, so nothing else changes)
if dmesg_since_mark | grep -q "max_transfer_kb=9000 is outside 4\.\.8192: using 8192"; then
	pass blkvsc-param-clamp
else
	fail blkvsc-param-clamp "no log line for the clamped max_transfer_kb=9000"
fi
size=$(cat $blk/size)
want=$((disk_mb * 2048))
relid=$(awk 'NR > 1 && $2 == "ide" && $4 == "open" { print $1; exit }' "$HS_DBG/channels")
dev=
[ -n "$relid" ] && dev=$(hs_dev_by_relid "$relid")
bv=$dev/blkvsc
# bv_attr NAME: one value of the driver's sysfs attributes
bv_attr() {
	cat "$bv/$1" 2>/dev/null
}
if [ "$size" != "$want" ]; then
	fail blkvsc-disk "$blk/size is $size, want $want"
elif [ -z "$dev" ] || [ ! -d "$bv" ]; then
	fail blkvsc-disk "no blkvsc sysfs attributes under the VMBus device (relid ${relid:-?})"
elif [ "$(bv_attr disk)" != hda ] || [ "$(bv_attr ide)" != 0:0 ]; then
	fail blkvsc-disk "driver reports disk $(bv_attr disk), IDE $(bv_attr ide)"
elif [ "$(bv_attr vendor)" != Msft ] ||
	[ "$(bv_attr serial)" != "$(printf 'HSIM-R%04u-T00-L000' "$relid")" ]; then
	fail blkvsc-disk "vendor $(bv_attr vendor), serial $(bv_attr serial) (host serial HSIM-R$relid-T00-L000)"
else
	pass blkvsc-disk
	info "vstor_version $(bv_attr vstor_version) max_transfer $(bv_attr max_transfer) slots $(bv_attr slots) discard $(bv_attr discard)"
fi

# -- no I/O scheduler by default
sched=$(cat /sys/block/hda/queue/scheduler 2>/dev/null)
if kver_ge 6 1; then
	case $sched in
		*"[none]"*) pass blkvsc-scheduler ;;
		*) fail blkvsc-scheduler "queue/scheduler: '$sched'" ;;
	esac
else
	skip blkvsc-scheduler "I/O scheduler: $sched (this kernel's blk-mq cannot be asked for none)"
fi

# -- data: write a pattern, drop caches, read it back
# pattern_pass NAME SEEK_KIB: 4 MiB at SEEK_KIB KiB into the disk.
pattern_pass() {
	if [ ! -b /dev/hda ]; then
		echo "no block device node /dev/hda"
		return 1
	fi
	dd if=/dev/urandom of=/tmp/pat bs=64k count=64 2>/dev/null
	if ! dd if=/tmp/pat of=/dev/hda bs=1k seek="$2" conv=notrunc 2>/tmp/dd.err; then
		echo "write failed: $(tail -n 1 /tmp/dd.err)"
		return 1
	fi
	sync
	echo 3 >/proc/sys/vm/drop_caches
	if ! dd if=/dev/hda of=/tmp/back bs=1k skip="$2" count=4096 2>/tmp/dd.err; then
		echo "read failed: $(tail -n 1 /tmp/dd.err)"
		return 1
	fi
	if ! cmp /tmp/pat /tmp/back >/dev/null 2>&1; then
		echo "data read back differs"
		return 1
	fi
	return 0
}

flush_before=$(hs_counter vstor_sync_cache)
if ! out=$(pattern_pass io 3); then
	fail blkvsc-io "at 3 KiB: $out"
elif ! out=$(pattern_pass io $((disk_mb * 1024 - 4096))); then
	fail blkvsc-io "at the disk's end: $out"
else
	pass blkvsc-io
fi
rm -f /tmp/pat /tmp/back /tmp/dd.err

# -- flushes reach the host: fsync of the block device (sync(2) alone
# writes dirty pages back but does not flush a raw device's cache)
dd if=/dev/zero of=/dev/hda bs=4k count=1 seek=2 conv=fsync 2>/dev/null
flush_after=$(hs_counter vstor_sync_cache)
if [ "$flush_after" -gt "$flush_before" ]; then
	pass blkvsc-flush
else
	fail blkvsc-flush "host counter vstor_sync_cache did not grow ($flush_before -> $flush_after)"
fi

# -- rescind: the disk goes, the relid is released, nothing hangs
if [ -z "$relid" ]; then
	fail blkvsc-rescind "no open IDE channel in the host's table"
else
	dmesg_mark
	# keep some I/O in flight while the host pulls the channel
	dd if=/dev/hda of=/dev/null bs=64k 2>/dev/null &
	reader=$!
	echo "$relid" >"$HS_DBG/rescind"
	if ! wait_for 30 sh -c "[ ! -e $blk ]"; then
		fail blkvsc-rescind "$blk still present 30 s after the rescind"
	elif ! wait_for 10 sh -c "! awk 'NR > 1 { print \$1 }' $HS_DBG/channels | grep -qx $relid"; then
		fail blkvsc-rescind "relid $relid not released"
	elif ! wait_for 30 sh -c "! kill -0 $reader 2>/dev/null"; then
		fail blkvsc-rescind "a reader of the removed disk is still blocked after 30 s"
	else
		pass blkvsc-rescind
	fi
	kill "$reader" 2>/dev/null
	wait "$reader" 2>/dev/null
fi

hs_check_violations blkvsc-violations

if unload_all; then
	pass blkvsc-unload
else
	fail blkvsc-unload "a module did not unload"
fi
info "$HVL_SCENARIO took $(hs_elapsed) s"
