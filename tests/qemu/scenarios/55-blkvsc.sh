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
#   blkvsc-fua         an O_DSYNC direct write reaches the host as one
#                      WRITE with the FUA bit (its vstor_fua_writes
#                      counter), a plain direct write without; queue/fua 1
#   blkvsc-discard     blkdiscard of 512 KiB inside a written 1 MiB: the
#                      host gets an UNMAP (vstor_unmaps), frees the blocks
#                      (its allocated_kb), the range reads back as zeros
#                      and the data around it is unchanged
#   blkvsc-retry       the host answers a WRITE with CHECK CONDITION, UNIT
#                      ATTENTION (fault check_condition): the driver sends
#                      it again (its retries counter), no reset, no error;
#                      the data reads back identical
#   blkvsc-timeout     the host never answers a WRITE (fault
#                      drop_completion): after timeout=5 s the watchdog
#                      counts a timeout, logs it, sends RESET_LUN (the host
#                      completes the held WRITE as aborted and answers the
#                      reset), and sends the WRITE again: the write
#                      succeeds, the data reads back identical; counters
#                      timeouts, resets, retries +1 each, failed +0
#   blkvsc-offline     the host drops a WRITE and fails both resets
#                      (faults drop_completion, "fail_reset 2"): after the
#                      timeout RESET_LUN and RESET_BUS fail, the disk goes
#                      offline (state 2, log line), the write fails with
#                      an I/O error, and so does the next read, in the
#                      driver (the host gets nothing; failed counter)
#   blkvsc-recover     hv_blkvsc unloads from the offline disk and loads
#                      again: hda is back, running, and data written before
#                      the fault reads back with the same checksum
#   blkvsc-rescind     the host rescinds the channel (debugfs "rescind"):
#                      hda disappears, the relid is released, no hang
#   blkvsc-violations  the host's protocol checker counted nothing
#   blkvsc-unload      everything unloads
# The kernel log is checked by init after the scenario (no WARN/BUG).
#
# Host simulator interface used (tests/hostsim/README.md, VSTOR back end):
# module parameters vstor= (VSTOR version offered, e.g. 6.2) and disk_mb=
# (size of each simulated disk), debugfs files channels, rescind, counters
# (vstor_* per operation), luns, fault and violations. hv_blkvsc's own
# counters are its sysfs attributes (blkvsc/ under the VMBus device).
# Takes about 30 s more than the paths without faults (two 5 s timeouts,
# a reload).
# hvl-tools: dd
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
	! load_module "$BV" claim=1 max_transfer_kb=9000 timeout=5; then
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

# bv_stats: "timeouts resets retries failed" of the driver
bv_stats() {
	echo "$(bv_attr timeouts) $(bv_attr resets) $(bv_attr retries) $(bv_attr failed)"
}
# bv_write FILE KIB: write FILE at KIB KiB into hda, O_DIRECT, 64 KiB a time
bv_write() {
	dd if="$1" of=/dev/hda bs=64k seek=$(($2 / 64)) oflag=direct 2>/tmp/dd.err
}
# bv_check FILE KIB: hda holds FILE at KIB KiB (read O_DIRECT)
bv_check() {
	_n=$(($(wc -c <"$1") / 65536))
	dd if=/dev/hda of=/tmp/bv-back bs=64k skip=$(($2 / 64)) count=$_n iflag=direct 2>/dev/null &&
		cmp -s "$1" /tmp/bv-back
}
# fault_fired NAME: the host logged that fault since the mark, and it is
# no longer armed
fault_fired() {
	dmesg_since_mark | grep -q "hv_hostsim: fault $1:" &&
		awk -v f="$1" '$1 == f { exit $2 != 0 }' "$HS_DBG/fault"
}
dd if=/dev/urandom of=/tmp/bv-pat bs=64k count=16 2>/dev/null

# -- FUA: an O_DSYNC direct write carries FUA (the queue says it has FUA);
# a plain one does not. (The kernel follows an O_DSYNC write on a block
# device with a flush of its own, blkdev_fsync: not counted here.)
fua0=$(hs_counter vstor_fua_writes)
if ! /usr/local/bin/dd if=/tmp/bv-pat of=/dev/hda bs=64k count=1 seek=32 oflag=direct,dsync 2>/tmp/dd.err; then
	fail blkvsc-fua "O_DSYNC write failed: $(tail -n 1 /tmp/dd.err)"
else
	fua1=$(hs_counter vstor_fua_writes)
	/usr/local/bin/dd if=/tmp/bv-pat of=/dev/hda bs=64k count=1 seek=33 oflag=direct 2>/dev/null
	fua2=$(hs_counter vstor_fua_writes)
	qfua=$(cat $blk/queue/fua 2>/dev/null || echo -)
	if [ $((fua1 - fua0)) -ne 1 ] || [ "$fua2" != "$fua1" ] || [ "$qfua" = 0 ]; then
		fail blkvsc-fua "host saw $((fua1 - fua0)) FUA write(s) for one O_DSYNC write, $((fua2 - fua1)) for a plain one (queue/fua $qfua)"
	else
		pass blkvsc-fua
	fi
fi

# -- discard: UNMAP reaches the host, the blocks are freed, zeros read back
lun_alloc() {
	hs_sv_lun_field "$relid" 0 0 allocated_kb
}
dd if=/dev/zero of=/tmp/bv-zero bs=64k count=8 2>/dev/null
if [ "$(bv_attr discard)" != 1 ]; then
	fail blkvsc-discard "the driver did not enable discard (blkvsc/discard $(bv_attr discard), queue/discard_max_bytes $(cat $blk/queue/discard_max_bytes))"
elif ! bv_write /tmp/bv-pat 8192; then
	fail blkvsc-discard "writing the pattern failed: $(tail -n 1 /tmp/dd.err)"
else
	um0=$(hs_counter vstor_unmaps)
	al0=$(lun_alloc)
	if ! out=$(blkdiscard -o $((8192 * 1024 + 256 * 1024)) -l $((512 * 1024)) /dev/hda 2>&1); then
		fail blkvsc-discard "blkdiscard failed: $out"
	else
		um1=$(hs_counter vstor_unmaps)
		al1=$(lun_alloc)
		dd if=/tmp/bv-pat of=/tmp/bv-head bs=64k count=4 2>/dev/null
		dd if=/tmp/bv-pat of=/tmp/bv-tail bs=64k skip=12 count=4 2>/dev/null
		if [ "$um1" -le "$um0" ]; then
			fail blkvsc-discard "host counter vstor_unmaps did not grow ($um0 -> $um1)"
		elif [ $((al0 - al1)) -ne 512 ]; then
			fail blkvsc-discard "the host's allocated_kb went $al0 -> $al1 (want 512 KiB less)"
		elif ! bv_check /tmp/bv-zero $((8192 + 256)); then
			fail blkvsc-discard "the discarded range does not read back as zeros"
		elif ! bv_check /tmp/bv-head 8192 || ! bv_check /tmp/bv-tail $((8192 + 768)); then
			fail blkvsc-discard "data beside the discarded range changed"
		else
			pass blkvsc-discard
		fi
	fi
fi

# -- retry: CHECK CONDITION / UNIT ATTENTION is sent again
dmesg_mark
# shellcheck disable=SC2046 # four numbers
set -- $(bv_stats)
echo check_condition >"$HS_DBG/fault"
if ! bv_write /tmp/bv-pat 12288; then
	fail blkvsc-retry "the write failed: $(tail -n 1 /tmp/dd.err)"
elif ! fault_fired check_condition; then
	echo none >"$HS_DBG/fault"
	fail blkvsc-retry "the fault never fired"
else
	# shellcheck disable=SC2046 # four numbers
	set -- "$@" $(bv_stats)
	if [ $(($6 - $2)) -ne 0 ] || [ $(($7 - $3)) -ne 1 ] || [ $(($8 - $4)) -ne 0 ]; then
		fail blkvsc-retry "counters resets/retries/failed grew by $(($6 - $2))/$(($7 - $3))/$(($8 - $4)), want 0/1/0"
	elif ! bv_check /tmp/bv-pat 12288; then
		fail blkvsc-retry "data read back differs"
	else
		pass blkvsc-retry
	fi
fi

# -- timeout: the host holds a WRITE; the watchdog resets and resends it
dmesg_mark
# shellcheck disable=SC2046 # four numbers
set -- $(bv_stats)
hr0=$(hs_counter vstor_resets)
t0=$(cut -d. -f1 /proc/uptime)
echo drop_completion >"$HS_DBG/fault"
if ! bv_write /tmp/bv-pat 16384; then
	fail blkvsc-timeout "the write failed: $(tail -n 1 /tmp/dd.err)"
elif ! fault_fired drop_completion; then
	echo none >"$HS_DBG/fault"
	fail blkvsc-timeout "the fault never fired"
else
	dt=$(($(cut -d. -f1 /proc/uptime) - t0))
	# shellcheck disable=SC2046 # four numbers
	set -- "$@" $(bv_stats)
	hr1=$(hs_counter vstor_resets)
	log=$(dmesg_since_mark)
	if [ $(($5 - $1)) -ne 1 ] || [ $(($6 - $2)) -ne 1 ] || [ $(($7 - $3)) -ne 1 ] || [ $(($8 - $4)) -ne 0 ]; then
		fail blkvsc-timeout "counters timeouts/resets/retries/failed grew by $(($5 - $1))/$(($6 - $2))/$(($7 - $3))/$(($8 - $4)), want 1/1/1/0"
	elif [ $((hr1 - hr0)) -ne 1 ]; then
		fail blkvsc-timeout "the host saw $((hr1 - hr0)) resets, want 1"
	elif ! printf '%s\n' "$log" | grep -q "hda: 1 request(s) timed out after 5 s: resetting" ||
		! printf '%s\n' "$log" | grep -q "hda: RESET_LUN done" ||
		! printf '%s\n' "$log" | grep -q "RESET_LUN.*: 1 held request(s) completed as aborted"; then
		fail blkvsc-timeout "missing log lines (timeout, RESET_LUN done, held request aborted)"
	elif ! bv_check /tmp/bv-pat 16384; then
		fail blkvsc-timeout "data read back differs"
	else
		pass blkvsc-timeout
		info "timeout, reset and resend took $dt s"
	fi
fi

# -- offline: no answer that helps, so the disk goes offline
cksum0=$(dd if=/dev/hda bs=64k skip=256 count=16 iflag=direct 2>/dev/null | md5sum)
dmesg_mark
# shellcheck disable=SC2046 # four numbers
set -- $(bv_stats)
hr0=$(hs_counter vstor_resets)
echo "fail_reset 2" >"$HS_DBG/fault"
echo drop_completion >"$HS_DBG/fault"
if bv_write /tmp/bv-pat 20480; then
	fail blkvsc-offline "the write succeeded although the host never completed it"
else
	# shellcheck disable=SC2046 # four numbers
	set -- "$@" $(bv_stats)
	hr1=$(hs_counter vstor_resets)
	# a read now fails in the driver: nothing reaches the host
	io0=$(hs_counter vstor_ios)
	rd=failed
	dd if=/dev/hda of=/dev/null bs=4k count=1 skip=7 iflag=direct 2>/dev/null && rd=succeeded
	io1=$(hs_counter vstor_ios)
	f2=$(bv_attr failed)
	if [ "$(bv_attr state)" != 2 ]; then
		fail blkvsc-offline "driver state $(bv_attr state), want 2 (offline)"
	elif [ $(($5 - $1)) -ne 1 ] || [ $(($6 - $2)) -ne 2 ] || [ $((hr1 - hr0)) -ne 2 ]; then
		fail blkvsc-offline "timeouts +$(($5 - $1)), resets +$(($6 - $2)) (host saw $((hr1 - hr0))); want 1, 2 (2)"
	elif ! dmesg_since_mark | grep -q "hda: RESET_BUS failed" ||
		! dmesg_since_mark | grep -q "hda: the host does not answer: disk offline, 1 request(s) failed"; then
		fail blkvsc-offline "missing log lines (RESET_BUS failed, disk offline)"
	elif [ "$rd" != failed ] || [ "$io1" != "$io0" ] || [ "$f2" -le "$8" ]; then
		fail blkvsc-offline "a read of the offline disk $rd, the host got $((io1 - io0)) request(s), failed counter $8 -> $f2"
	else
		pass blkvsc-offline
	fi
fi
echo none >"$HS_DBG/fault"

# -- recovery: reload the driver; what was written before is still there
dmesg_mark
if ! unload_module "$BV"; then
	fail blkvsc-recover "$BV did not unload from the offline disk"
elif ! load_module "$BV" claim=1 timeout=5 || ! wait_for 20 test -b /dev/hda; then
	fail blkvsc-recover "hda did not come back after reloading $BV"
elif [ "$(bv_attr state)" != 1 ]; then
	fail blkvsc-recover "driver state $(bv_attr state) after the reload, want 1"
elif [ "$(dd if=/dev/hda bs=64k skip=256 count=16 iflag=direct 2>/dev/null | md5sum)" != "$cksum0" ]; then
	fail blkvsc-recover "the data written before the fault changed"
elif ! bv_write /tmp/bv-pat 24576 || ! bv_check /tmp/bv-pat 24576; then
	fail blkvsc-recover "I/O after the reload failed"
else
	pass blkvsc-recover
fi
rm -f /tmp/bv-pat /tmp/bv-back /tmp/bv-zero /tmp/bv-head /tmp/bv-tail /tmp/dd.err

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
