# 50-storvsc-basic: hv_storvsc (hvl_storvsc beside hvl_vmbus) against the
# host simulator's VSTOR back end, busybox tools only. Per host VSTOR
# version V in 2.0 4.2 5.1 6.0 6.2 (hv_hostsim vstor=V devices=scsi,fc):
#   sv-disks-V         a disk on each controller, 64 MiB, vendor Msft
#   sv-serial-V        VPD 0x80 (sysfs vpd_pg80) is the host's serial
#   sv-queues-V        one blk-mq hardware queue per CPU (2 here) and so
#                      no I/O scheduler by default ([none])
#   sv-slots-V         the slot table (hv_stats slots) holds can_queue tags
#                      for every hardware queue
#   sv-io-scsi-V       4 MiB pattern written, caches dropped, read back equal
#   sv-io-fc-V         the same on the FC controller
#   sv-subch-probe-V   >= 5.1: each controller's probe has every sub-channel
#                      it asked for open before it returns
#   sv-multichannel-V  >= 5.1: I/O from both CPUs moves packets on more
#                      than one channel of the controller; below: one channel
#   sv-discard-V       >= 5.1: discard_max_bytes > 0, busybox blkdiscard of
#                      4 MiB: UNMAP at the host, chunks freed, zeros read
#                      back; below: discard_max_bytes 0, blkdiscard fails
#   sv-hotadd-V        "luns add" -> ENUMERATE_BUS -> a new 32 MiB disk
#   sv-hotremove-V     "luns remove" of the idle LUN -> its disk goes
#   sv-fault-F-V       F = check_condition srb_error delay_completion
#                      drop_completion: the fault fires, the read still
#                      returns the right data (retry / reset), disk works
#   sv-subch-rescind-V (5.1 and up) the host rescinds one sub-channel of
#                      the SCSI controller alone: the driver hears of it
#                      (rescind callback: its CPUs go to the primary), the
#                      guest releases the relid, both CPUs read, data right
#   sv-malformed-V     the host sends one completion with a malformed
#                      descriptor (fault malformed_packet): the guest logs
#                      the relid and field, hv_vmbus resets the device
#                      (device_resets + 1), the disk comes back with the
#                      data written before, the FC disk is not touched
#   sv-remove-busy-V   (6.2 and 2.0) "luns remove" of a LUN with a request
#                      in flight (held by delay_completion): the request
#                      ends, the disk goes
#   sv-rescind-V       (6.2 and 2.0) the host rescinds the SCSI controller
#                      (and its sub-channels) during I/O, 200 ms after it
#                      stopped serving them (rescind_gap_ms): the disk goes,
#                      the guest releases every relid, the FC disk still works
#   sv-violations-V    the host counted no protocol violation
#   sv-unload-V        the modules unload
#   sv-dmesg-V         no WARN/BUG/Oops while V ran
# Then IDE (devices=ide,ide, $HS_STORVSC ide=1, VSTOR 6.2):
#   sv-ide-disks       one disk per channel, at the target its instance
#                      GUID names (E: path 0, targets 0 and 1)
#   sv-ide-io-T        the pattern test on each
#   sv-ide-violations, sv-ide-unload, sv-ide-dmesg
# Needs the in-kernel SCSI modules: run.sh --kmods 'scsi_mod scsi_transport_fc sd_mod'
# until run.sh reads this header:
# hvl-kmods: scsi_mod scsi_transport_fc sd_mod
# sysfs vpd_pg80 arrived in 3.13 (scsi_attach_vpd); older kernels skip sv-serial-V:
# hvl-skip-if: kernel<3.13 sv-serial-*
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need
need_module "$HS_STORVSC"
if ! hs_sv_kmods; then
	skip "$HVL_SCENARIO" "in-kernel SCSI modules missing (run.sh --kmods 'scsi_mod scsi_transport_fc sd_mod')"
	exit 0
fi

pat=/tmp/sv-pattern
back=/tmp/sv-back
dd if=/dev/urandom of=$pat bs=1M count=4 2>/dev/null
dd if=/dev/zero of=/tmp/sv-zero bs=1M count=4 2>/dev/null

# io_check NAME SDX SEEK_MIB: write the pattern at SEEK_MIB, read it back.
io_check() {
	if ! hs_sv_write "$2" $pat "$3"; then
		fail "$1" "write to /dev/$2 failed"
		return 1
	fi
	hs_sv_drop_caches
	rm -f $back
	if ! hs_sv_read "$2" $back 4 "$3"; then
		fail "$1" "read of /dev/$2 failed"
		return 1
	fi
	if ! cmp -s $pat $back; then
		fail "$1" "/dev/$2: data read back differs from what was written"
		return 1
	fi
	pass "$1"
}

# both_disks: LUN 0:0 of the SCSI ($rs) and the FC ($rf) controller is a disk.
both_disks() {
	hs_sv_disk "$rs" 0 0 >/dev/null && hs_sv_disk "$rf" 0 0 >/dev/null
}

# fault_check V F SDX: arm fault F, read the pattern back through it.
fault_check() {
	_fn="sv-fault-$2-$1"
	_before=$(hs_counter vstor_errors)
	echo "$2" >"$HS_DBG/fault"
	hs_sv_drop_caches
	rm -f $back
	_t0=$(cut -d. -f1 /proc/uptime)
	_ok=1
	hs_sv_read "$3" $back 4 || _ok=0
	_dt=$(($(cut -d. -f1 /proc/uptime) - _t0))
	if awk -v f="$2" '$1 == f { exit $2 != 1 }' "$HS_DBG/fault"; then
		echo none >"$HS_DBG/fault"
		fail "$_fn" "the fault never fired"
		return
	fi
	if ! dmesg_since_mark | grep -q "hv_hostsim: fault $2:"; then
		fail "$_fn" "no log line for the fault"
		return
	fi
	if [ $_ok -eq 0 ] || ! cmp -s $pat $back; then
		fail "$_fn" "read through the fault failed or returned wrong data (${_dt} s)"
		return
	fi
	case $2 in
		check_condition | srb_error)
			if [ "$(hs_counter vstor_errors)" -le "$_before" ]; then
				fail "$_fn" "host counted no error completion"
				return
			fi
			;;
		delay_completion)
			if [ "$_dt" -lt 1 ]; then
				fail "$_fn" "read finished in ${_dt} s despite a 2 s delay"
				return
			fi
			;;
		drop_completion)
			if ! dmesg_since_mark | grep -qE 'RESET_(LUN|BUS) done'; then
				fail "$_fn" "no reset logged by the guest"
				return
			fi
			;;
	esac
	info "V=$1 fault $2: recovered in ${_dt} s"
	io_check "$_fn" "$3" 8
}

# discard_check V: from 5.1 the disk takes discards (UNMAP): a discarded
# range reads back as zeros and the host frees its chunks; below 5.1 it
# takes none and the host sees no UNMAP.
discard_check() {
	_dmax=$(cat "/sys/block/$ds/queue/discard_max_bytes")
	_u0=$(hs_sv_lun_field "$rs" 0 0 unmaps)
	case $1 in
		2.0 | 4.2)
			if [ "$_dmax" -ne 0 ]; then
				fail "sv-discard-$1" "discard_max_bytes $_dmax below VSTOR 5.1"
			elif blkdiscard -o $((16 << 20)) -l $((4 << 20)) "/dev/$ds" 2>/dev/null; then
				fail "sv-discard-$1" "blkdiscard succeeded below VSTOR 5.1"
			elif [ "$(hs_sv_lun_field "$rs" 0 0 unmaps)" -ne "$_u0" ]; then
				fail "sv-discard-$1" "an UNMAP reached a host below 5.1"
			else
				pass "sv-discard-$1"
			fi
			return
			;;
	esac
	if [ "$_dmax" -le 0 ]; then
		fail "sv-discard-$1" "discard_max_bytes is 0"
		return
	fi
	if ! hs_sv_write "$ds" $pat 16; then
		fail "sv-discard-$1" "write at 16 MiB failed"
		return
	fi
	_a0=$(hs_sv_lun_field "$rs" 0 0 allocated_kb)
	if ! blkdiscard -o $((16 << 20)) -l $((4 << 20)) "/dev/$ds"; then
		fail "sv-discard-$1" "blkdiscard failed"
		return
	fi
	_u1=$(hs_sv_lun_field "$rs" 0 0 unmaps)
	_a1=$(hs_sv_lun_field "$rs" 0 0 allocated_kb)
	hs_sv_drop_caches
	rm -f $back
	hs_sv_read "$ds" $back 4 16
	if [ "$_u1" -le "$_u0" ]; then
		fail "sv-discard-$1" "the host saw no UNMAP"
	elif [ "$_a1" -gt $((_a0 - 4096)) ]; then
		fail "sv-discard-$1" "host still holds $_a1 KiB (was $_a0 KiB before discarding 4 MiB)"
	elif ! cmp -s /tmp/sv-zero $back; then
		fail "sv-discard-$1" "discarded range does not read back as zeros"
	else
		pass "sv-discard-$1"
		info "V=$1: discard_max_bytes $_dmax, UNMAPs $_u0 -> $_u1, allocated $_a0 -> $_a1 KiB"
	fi
}

# no_relid R: the host's inventory has no channel with R's instance
no_relid() {
	[ "$(hs_sv_nchannels "$1")" -eq 0 ]
}

# subch_rescind_check V: rescind one open sub-channel of the SCSI controller.
subch_rescind_check() {
	_fn="sv-subch-rescind-$1"
	_sc=$(awk -v r="$rs" 'NR > 1 { inst[$1] = $3; st[$1] = $4 }
		END { for (x in inst) if (x != r && inst[x] == inst[r] && st[x] == "open") { print x; exit } }' "$HS_DBG/channels")
	if [ -z "$_sc" ]; then
		fail "$_fn" "no open sub-channel of relid $rs: $(hs_host_channels | tr '\n' ';')"
		return
	fi
	echo "$_sc" >"$HS_DBG/rescind"
	if ! wait_for 20 no_relid "$_sc"; then
		fail "$_fn" "the guest did not release sub-channel $_sc"
		return
	fi
	if ! dmesg_since_mark | grep -q "sub-channel $_sc rescinded: [1-9][0-9]* CPU(s) submit on the primary now"; then
		fail "$_fn" "the driver was not told (no rescind callback line for $_sc)"
		return
	fi
	for _cpu in 1 2; do
		hs_sv_drop_caches
		if ! taskset "$_cpu" dd if="/dev/$ds" of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null; then
			fail "$_fn" "read on CPU mask $_cpu failed after the rescind"
			return
		fi
	done
	io_check "$_fn" "$ds" 0
}

# malformed_check V: a malformed completion on the SCSI controller's
# channel resets that device (unbind, bind again); ds names its disk after.
malformed_check() {
	_fn="sv-malformed-$1"
	_r0=$(cat "/sys/kernel/debug/$HS_VMBUS/device_resets" 2>/dev/null)
	_fsum=$(dd if="/dev/$df" bs=1M count=4 iflag=direct 2>/dev/null | md5sum)
	echo malformed_packet >"$HS_DBG/fault"
	hs_sv_drop_caches
	# the read itself fails or not, depending on where the reset finds it
	dd if="/dev/$ds" of=/dev/null bs=64k count=4 iflag=direct 2>/dev/null
	if awk '$1 == "malformed_packet" { exit $2 != 1 }' "$HS_DBG/fault"; then
		echo none >"$HS_DBG/fault"
		fail "$_fn" "the fault never fired"
		return
	fi
	if ! wait_for 30 sh -c "dmesg | grep -q 'reset after a malformed packet'"; then
		fail "$_fn" "no device reset logged: $(dmesg_since_mark | grep -iE 'malformed|reset' | tail -n 3 | tr '\n' ';')"
		return
	fi
	if ! dmesg_since_mark | grep -qE "relid [0-9]+: malformed packet from the host \((ring indices or packet descriptor|type, offset8)"; then
		fail "$_fn" "no log line naming the relid and the field"
		return
	fi
	if ! wait_for 60 hs_sv_disk "$rs" 0 0 >/dev/null; then
		fail "$_fn" "the disk did not come back after the reset"
		return
	fi
	ds=$(hs_sv_disk "$rs" 0 0)
	_r1=$(cat "/sys/kernel/debug/$HS_VMBUS/device_resets" 2>/dev/null)
	if [ -z "$_r0" ] || [ "$_r1" != $((_r0 + 1)) ]; then
		fail "$_fn" "device_resets went from '$_r0' to '$_r1', not up by 1"
		return
	fi
	rm -f $back
	if ! hs_sv_read "$ds" $back 4 8 || ! cmp -s $pat $back; then
		fail "$_fn" "$ds after the reset does not read back the data written before"
		return
	fi
	if [ "$(dd if="/dev/$df" bs=1M count=4 iflag=direct 2>/dev/null | md5sum)" != "$_fsum" ]; then
		fail "$_fn" "the FC disk $df changed"
		return
	fi
	pass "$_fn"
	info "V=$1: after the reset the SCSI disk is $ds"
	echo 5 >"/sys/block/$ds/device/timeout"
}

# busy_removals V: remove a LUN, then the whole SCSI controller, while
# requests are in flight.
busy_removals() {
	if ! echo "add $rs 0 2 16" >"$HS_DBG/luns" ||
		! wait_for 30 hs_sv_disk "$rs" 0 2 >/dev/null; then
		fail "sv-remove-busy-$1" "LUN 0:2 did not appear"
	else
		dn=$(hs_sv_disk "$rs" 0 2)
		echo delay_completion >"$HS_DBG/fault"
		hs_sv_drop_caches
		dd if="/dev/$dn" of=/dev/null bs=64k count=16 iflag=direct 2>/dev/null &
		ddpid=$!
		sleep 1
		echo "remove $rs 0 2" >"$HS_DBG/luns"
		wait $ddpid
		ddrc=$?
		echo none >"$HS_DBG/fault"
		if wait_for 30 sh -c "[ ! -e /sys/block/$dn ]"; then
			pass "sv-remove-busy-$1"
			info "V=$1: dd during the removal ended with status $ddrc"
		else
			fail "sv-remove-busy-$1" "/sys/block/$dn still there 30 s after the remove"
		fi
	fi

	# The host stops serving 200 ms before its RESCIND goes out, as a
	# busy real host may: the guest's signals in between are not
	# violations (sv-violations; CI once saw signal_not_open here).
	dd if="/dev/$ds" of=/dev/null bs=64k count=1024 iflag=direct 2>/dev/null &
	ddpid=$!
	sleep 1
	echo 200 >/sys/module/hv_hostsim/parameters/rescind_gap_ms
	echo "$rs" >"$HS_DBG/rescind"
	echo 0 >/sys/module/hv_hostsim/parameters/rescind_gap_ms
	wait $ddpid
	ddrc=$?
	if ! wait_for 30 sh -c "[ ! -e /sys/block/$ds ]"; then
		fail "sv-rescind-$1" "/sys/block/$ds still there 30 s after the rescind"
	elif ! wait_for 20 no_relid "$rs"; then
		fail "sv-rescind-$1" "the guest did not release relid $rs and its sub-channels: $(hs_host_channels | tr '\n' ';')"
	elif ! io_check "sv-rescind-$1" "$df" 0; then
		:
	else
		info "V=$1: dd during the rescind ended with status $ddrc"
	fi
}

for v in $HS_VSTOR_VERSIONS; do
	dmesg_mark
	if ! hs_load 5.3 vstor="$v" devices=scsi,fc; then
		fail "sv-disks-$v" "host simulator did not load"
		hs_unload
		continue
	fi
	if ! load_module "$HS_STORVSC"; then
		fail "sv-disks-$v" "$HS_STORVSC did not load"
		hs_unload
		continue
	fi
	rs=$(hs_sv_relids scsi)
	rf=$(hs_sv_relids fc)
	if ! wait_for 60 both_disks; then
		fail "sv-disks-$v" "no disk on both controllers after 60 s: $(hs_sv_disks | tr '\n' ';')"
		unload_module "$HS_STORVSC"
		hs_unload
		check_dmesg "sv-dmesg-$v"
		continue
	fi
	ds=$(hs_sv_disk "$rs" 0 0)
	df=$(hs_sv_disk "$rf" 0 0)
	info "V=$v: SCSI relid $rs -> $ds, FC relid $rf -> $df"

	why=
	for d in $ds $df; do
		sz=$(cat "/sys/block/$d/size")
		[ "$sz" = $((64 * 2048)) ] || why="$why $d has $sz sectors;"
		vendor=$(sed 's/ *$//' "/sys/block/$d/device/vendor")
		[ "$vendor" = Msft ] || why="$why $d vendor '$vendor';"
	done
	if [ -z "$why" ]; then
		pass "sv-disks-$v"
	else
		fail "sv-disks-$v" "$why"
	fi

	# >= 5.1: each controller's probe waited for the sub-channels it
	# asked for, and had them all (offers are handled apart from probes;
	# before, they queued behind the probe: "0 of 1")
	case $v in
		2.0 | 4.2) ;;
		*)
			sub=$(dmesg_since_mark | sed -n 's/.*sub-channels open at probe: \([0-9]*\) of \([0-9]*\).*/\1:\2/p' | tr '\n' ' ')
			why=
			for p in $sub; do
				[ "${p%:*}" = "${p#*:}" ] && [ "${p#*:}" -ge 1 ] || why="$why $p;"
			done
			if [ -z "$sub" ]; then
				fail "sv-subch-probe-$v" "no 'sub-channels open at probe' line"
			elif [ -n "$why" ]; then
				fail "sv-subch-probe-$v" "open:asked per controller:$why"
			else
				pass "sv-subch-probe-$v"
			fi
			;;
	esac

	nq=$(set -- /sys/block/"$ds"/mq/*; [ -e "$1" ] && echo $# || echo 0)
	sched=$(cat "/sys/block/$ds/queue/scheduler" 2>/dev/null)
	case $nq:$sched in
		2:*"[none]"*) pass "sv-queues-$v" ;;
		*) fail "sv-queues-$v" "$nq hardware queues, scheduler '$sched'" ;;
	esac
	# every hardware queue has can_queue tags: the slot table holds them all
	hnum=$(readlink "/sys/block/$ds/device")
	hnum=${hnum##*/}
	hostdir=/sys/class/scsi_host/host${hnum%%:*}
	canq=$(cat "$hostdir/can_queue" 2>/dev/null)
	slots=$(sed -n 's/^slots //p' "$hostdir/hv_stats" 2>/dev/null)
	if [ -z "$canq" ] || [ -z "$slots" ]; then
		fail "sv-slots-$v" "no can_queue or hv_stats slots under $hostdir"
	elif [ "$slots" -ge $((canq * nq)) ]; then
		pass "sv-slots-$v"
	else
		fail "sv-slots-$v" "$slots slots for $nq queues of $canq tags"
	fi

	pg80=/sys/block/$ds/device/vpd_pg80
	want=$(printf 'HSIM-R%04u-T00-L000' "$rs")
	if [ ! -r "$pg80" ]; then
		skip "sv-serial-$v" "this kernel has no vpd_pg80 in sysfs"
	else
		got=$(dd if="$pg80" bs=1 skip=4 2>/dev/null)
		if [ "$got" = "$want" ]; then
			pass "sv-serial-$v"
		else
			fail "sv-serial-$v" "vpd_pg80 says '$got', host serial '$want'"
		fi
	fi

	io_check "sv-io-scsi-$v" "$ds" 0
	io_check "sv-io-fc-$v" "$df" 0
	w=$(hs_sv_lun_field "$rs" 0 0 bytes_written)
	info "V=$v: host LUN $rs:0:0 bytes_written $w, allocated $(hs_sv_lun_field "$rs" 0 0 allocated_kb) KiB"

	# both CPUs read: with sub-channels each has a channel of its own
	for cpu in 1 2; do
		hs_sv_drop_caches
		taskset "$cpu" dd if="/dev/$ds" of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null ||
			taskset "$cpu" dd if="/dev/$ds" of=/dev/null bs=64k count=64 2>/dev/null
	done
	busy=$(hs_sv_busy_channels "$rs")
	nch=$(hs_sv_nchannels "$rs")
	case $v in
		2.0 | 4.2)
			if [ "$nch" -eq 1 ]; then
				pass "sv-multichannel-$v"
			else
				fail "sv-multichannel-$v" "$nch channels below VSTOR 5.1"
			fi
			;;
		*)
			if [ "$busy" -ge 2 ]; then
				pass "sv-multichannel-$v"
			else
				fail "sv-multichannel-$v" "$busy of $nch channels of relid $rs took packets"
			fi
			;;
	esac

	discard_check "$v"
	case $v in
		2.0 | 4.2) ;;
		*) subch_rescind_check "$v" ;;
	esac

	# hot add LUN 0:1, then remove it again
	if ! echo "add $rs 0 1 32" >"$HS_DBG/luns"; then
		fail "sv-hotadd-$v" "luns add refused"
	elif ! wait_for 30 hs_sv_disk "$rs" 0 1 >/dev/null; then
		fail "sv-hotadd-$v" "no disk for LUN 0:1 30 s after the add"
	else
		dn=$(hs_sv_disk "$rs" 0 1)
		sz=$(cat "/sys/block/$dn/size")
		if [ "$sz" = $((32 * 2048)) ]; then
			pass "sv-hotadd-$v"
		else
			fail "sv-hotadd-$v" "$dn has $sz sectors, not 32 MiB"
		fi
		if ! echo "remove $rs 0 1" >"$HS_DBG/luns"; then
			fail "sv-hotremove-$v" "luns remove refused"
		elif wait_for 30 sh -c "[ ! -e /sys/block/$dn ]"; then
			pass "sv-hotremove-$v"
		else
			fail "sv-hotremove-$v" "/sys/block/$dn still there 30 s after the remove"
		fi
	fi

	# faults: the guest retries or resets, the data is right, the disk works
	echo 5 >"/sys/block/$ds/device/timeout"
	for f in check_condition srb_error delay_completion drop_completion; do
		fault_check "$v" "$f" "$ds"
	done
	malformed_check "$v"

	case $v in
		2.0 | 6.2) busy_removals "$v" ;;
	esac

	hs_check_violations "sv-violations-$v"
	info "V=$v counters: $(grep -E '^vstor_' "$HS_DBG/counters" | tr '\n' ' ')"
	info "V=$v storvsc: $(cat /sys/class/scsi_host/host*/hv_stats 2>/dev/null | grep -E 'vstor_version|channels|resets|abandoned|stale|bad' | tr '\n' ' ')"
	rc=0
	unload_module "$HS_STORVSC" || rc=1
	hs_unload || rc=1
	if [ $rc -eq 0 ]; then
		pass "sv-unload-$v"
	else
		fail "sv-unload-$v" "a module did not unload"
	fi
	check_dmesg "sv-dmesg-$v"
	info "V=$v done at $(hs_elapsed) s"
done
# IDE: the same VSTOR protocol on the IDE class, one disk per channel
ide_disks() {
	[ "$(hs_sv_disks | awk -v a="$ri1" -v b="$ri2" '$2 == a || $2 == b' | wc -l)" -eq 2 ]
}
dmesg_mark
if ! hs_load 5.3 vstor=6.2 devices=ide,ide || ! load_module "$HS_STORVSC" ide=1; then
	fail sv-ide-disks "modules did not load"
else
	# shellcheck disable=SC2046 # split into relids
	set -- $(hs_sv_relids ide)
	ri1=${1:-0}
	ri2=${2:-0}
	if ! wait_for 60 ide_disks; then
		fail sv-ide-disks "no disk on both IDE channels after 60 s: $(hs_sv_disks | tr '\n' ';')"
	else
		d0=$(hs_sv_disks | awk -v r="$ri1" '$2 == r { print $1 "@" $3 }')
		d1=$(hs_sv_disks | awk -v r="$ri2" '$2 == r { print $1 "@" $3 }')
		if [ "${d0#*@}" = 0 ] && [ "${d1#*@}" = 1 ]; then
			pass sv-ide-disks
		else
			fail sv-ide-disks "expected targets 0 and 1, got $d0 $d1"
		fi
		io_check sv-ide-io-0 "${d0%@*}" 0
		io_check sv-ide-io-1 "${d1%@*}" 0
	fi
fi
hs_check_violations sv-ide-violations
rc=0
if module_loaded "$HS_STORVSC"; then
	unload_module "$HS_STORVSC" || rc=1
fi
hs_unload || rc=1
if [ $rc -eq 0 ]; then
	pass sv-ide-unload
else
	fail sv-ide-unload "a module did not unload"
fi
check_dmesg sv-ide-dmesg
info "$HVL_SCENARIO took $(hs_elapsed) s"
