# 51-storvsc-data: real file-system and block workloads through hv_storvsc
# against the host simulator (VSTOR 6.2, devices=scsi,fc, 2 vCPUs):
#   svd-ext4          mkfs.ext4, mount, 256 MiB of random data written,
#                     sync, caches dropped, remounted, the same SHA-256
#   svd-fstrim        the file deleted, fstrim: UNMAP commands reach the
#                     host and its LUN gives back the RAM
#   svd-write-same    blkdiscard -z of 1 MiB of random data: WRITE SAME
#                     reaches the host (6.2 only, E) and zeros read back
#   svd-fio-verify    fio randrw 4k-64k at queue depth 32, two jobs pinned
#                     to the two CPUs, verify=crc32c, on the raw FC disk
#   svd-multichannel  that I/O went over more than one channel of the FC
#                     controller
#   svd-hotadd-busy   a LUN hot-added on the SCSI controller while fio
#                     runs on the FC disk appears; the fio run is unhurt
#   svd-remove-busy   the LUN removed while fio writes to it: fio gets
#                     errors, nothing hangs, the disk goes
#   svd-violations    the host counted no protocol violation
#   svd-dmesg         no WARN/BUG/Oops
# hvl-kmods: scsi_mod scsi_transport_fc sd_mod ext4 ?crc32c_generic ?crc32c_intel
# hvl-tools: fio mkfs.ext4 fstrim blkdiscard
# hvl-mem: 1536
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
hs_need
need_module "$HS_STORVSC"
if ! hs_sv_kmods; then
	skip "$HVL_SCENARIO" "in-kernel SCSI modules missing"
	exit 0
fi
for t in fio mkfs.ext4 fstrim blkdiscard; do
	if ! command -v $t >/dev/null 2>&1; then
		fail svd-ext4 "$t is not in the initramfs"
		exit 0
	fi
done
# ext4 asks for crc32c by alias, which the initramfs cannot resolve
load_kmod crc32c_intel >/dev/null 2>&1 || load_kmod crc32c_generic >/dev/null 2>&1
load_kmod ext4 >/dev/null 2>&1

dmesg_mark
if ! load_module "$HS_VMBUS" sim=1 ||
	! load_module hv_hostsim version=5.3 devices=scsi,fc vstor=6.2 disk_mb=512 ||
	! load_module "$HS_STORVSC"; then
	fail svd-ext4 "modules did not load"
	hs_unload
	exit 0
fi
rs=$(hs_sv_relids scsi | head -n 1)
rf=$(hs_sv_relids fc | head -n 1)
wait_for 30 sh -c ". /hvl/lib.sh; . /hvl/scenarios/hostsim-lib.inc; hs_sv_disk $rs 0 0 >/dev/null && hs_sv_disk $rf 0 0 >/dev/null"
ds=$(hs_sv_disk "$rs" 0 0) || ds=
df=$(hs_sv_disk "$rf" 0 0) || df=
if [ -z "$ds" ] || [ -z "$df" ]; then
	fail svd-ext4 "disks missing (scsi: ${ds:-none}, fc: ${df:-none})"
	unload_module "$HS_STORVSC"
	hs_unload
	exit 0
fi

# ---- ext4: 256 MiB, checksum across a remount with cold caches
mnt=/mnt/svd
mkdir -p $mnt
why=
if ! mkfs.ext4 -q -F /dev/"$ds" >/tmp/mkfs.log 2>&1; then
	why="mkfs.ext4: $(tail -n 1 /tmp/mkfs.log)"
elif ! mount -t ext4 /dev/"$ds" $mnt; then
	why="mount failed"
elif ! dd if=/dev/urandom of=$mnt/data bs=1M count=256 2>/dev/null; then
	why="writing 256 MiB failed"
else
	sum1=$(sha256sum $mnt/data | cut -d' ' -f1)
	sync
	umount $mnt
	hs_sv_drop_caches
	if ! mount -t ext4 /dev/"$ds" $mnt; then
		why="remount failed"
	else
		sum2=$(sha256sum $mnt/data | cut -d' ' -f1)
		[ "$sum1" = "$sum2" ] || why="checksum after remount differs ($sum1 / $sum2)"
	fi
fi
if [ -z "$why" ]; then
	pass svd-ext4
	info "ext4: 256 MiB, sha256 $sum1 before and after a cold remount"
else
	fail svd-ext4 "$why"
fi

# ---- fstrim: UNMAP reaches the host and frees its RAM
if [ -z "$why" ]; then
	u0=$(hs_sv_lun_field "$rs" 0 0 unmaps)
	a0=$(hs_sv_lun_field "$rs" 0 0 allocated_kb)
	rm -f $mnt/data
	sync
	out=$(fstrim -v $mnt 2>&1)
	u1=$(hs_sv_lun_field "$rs" 0 0 unmaps)
	a1=$(hs_sv_lun_field "$rs" 0 0 allocated_kb)
	if [ "$u1" -gt "$u0" ] && [ "$a1" -lt $((a0 - 200000)) ]; then
		pass svd-fstrim
		info "fstrim: $out; host UNMAPs $u0 -> $u1, LUN RAM ${a0} -> ${a1} KiB"
	else
		fail svd-fstrim "fstrim: $out; host UNMAPs $u0 -> $u1, LUN RAM ${a0} -> ${a1} KiB"
	fi
fi
umount $mnt 2>/dev/null

# ---- write zeroes: a 6.2 host gets WRITE SAME, and the range reads zeros
ws0=$(hs_counter vstor_write_same)
dd if=/dev/urandom of=/tmp/svd-rand bs=1M count=1 2>/dev/null
hs_sv_write "$ds" /tmp/svd-rand 8
# util-linux's: busybox sh runs its own applet of that name first
if ! out=$(/usr/local/bin/blkdiscard -f -z -o $((8 << 20)) -l $((1 << 20)) /dev/"$ds" 2>&1); then
	fail svd-write-same "blkdiscard -z: $out"
else
	ws1=$(hs_counter vstor_write_same)
	hs_sv_drop_caches
	rm -f /tmp/svd-back
	hs_sv_read "$ds" /tmp/svd-back 1 8
	if [ "$ws1" -gt "$ws0" ] && [ "$(tr -d '\0' </tmp/svd-back | wc -c)" -eq 0 ]; then
		pass svd-write-same
	else
		fail svd-write-same "host WRITE SAME count $ws0 -> $ws1; $(tr -d '\0' </tmp/svd-back | wc -c) non-zero bytes read back"
	fi
fi

# ---- fio verify on the raw FC disk, both CPUs; a LUN comes and goes meanwhile
echo 1 >"$HS_DBG/reset"
fio --name=verify --filename=/dev/"$df" --rw=randrw --bsrange=4k-64k \
	--iodepth=32 --ioengine=libaio --direct=1 --size=96m --numjobs=2 \
	--offset_increment=128m --cpus_allowed=0-1 --cpus_allowed_policy=split \
	--verify=crc32c --do_verify=1 --verify_fatal=1 --group_reporting \
	>/tmp/fio-verify.log 2>&1 &
fpid=$!
sleep 2
# hot add LUN 1 on the SCSI controller during that I/O
echo "add $rs 0 1 32" >"$HS_DBG/luns" 2>/dev/null
if wait_for 30 sh -c ". /hvl/lib.sh; . /hvl/scenarios/hostsim-lib.inc; hs_sv_disk $rs 0 1 >/dev/null"; then
	dn=$(hs_sv_disk "$rs" 0 1)
	pass svd-hotadd-busy
else
	dn=
	fail svd-hotadd-busy "LUN 1 did not appear: $(hs_sv_disks | tr '\n' ' ')"
fi
frc=0
wait $fpid || frc=$?
if [ $frc -eq 0 ] && grep -q "err= 0" /tmp/fio-verify.log; then
	pass svd-fio-verify
	info "fio verify: $(grep -E '^ +(read|write):' /tmp/fio-verify.log | tr -s ' ' | tr '\n' ' ')"
else
	fail svd-fio-verify "fio exit $frc: $(grep -i -E 'err|verify' /tmp/fio-verify.log | head -n 3 | tr '\n' ' ')"
fi
nbusy=$(hs_sv_busy_channels "$rf")
if [ "$nbusy" -gt 1 ]; then
	pass svd-multichannel
	info "FC controller: $nbusy of $(hs_sv_nchannels "$rf") channels carried I/O"
else
	fail svd-multichannel "only $nbusy of $(hs_sv_nchannels "$rf") channels carried I/O"
fi

# ---- remove a LUN while fio writes to it
if [ -n "$dn" ]; then
	fio --name=busy --filename=/dev/"$dn" --rw=randwrite --bs=4k --iodepth=16 \
		--ioengine=libaio --direct=1 --size=32m --time_based --runtime=30 \
		>/tmp/fio-busy.log 2>&1 &
	fpid=$!
	sleep 2
	echo "remove $rs 0 1" >"$HS_DBG/luns" 2>/dev/null
	t0=$(cut -d. -f1 /proc/uptime)
	frc=0
	wait $fpid || frc=$?
	dt=$(($(cut -d. -f1 /proc/uptime) - t0))
	if wait_for 30 sh -c "[ ! -e /sys/block/$dn ]" && [ $frc -ne 0 ] && [ $dt -lt 60 ]; then
		pass svd-remove-busy
		info "busy LUN removed: fio ended after ${dt} s with exit $frc ($(grep -o 'err=[ 0-9]*' /tmp/fio-busy.log | head -n 1))"
	else
		fail svd-remove-busy "disk $dn: $([ -e /sys/block/"$dn" ] && echo still there || echo gone), fio exit $frc after ${dt} s"
	fi
fi

hs_check_violations svd-violations
unload_module "$HS_STORVSC"
hs_unload
check_dmesg svd-dmesg
info "$HVL_SCENARIO took $(hs_elapsed) s"
