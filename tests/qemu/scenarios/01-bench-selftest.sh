# shellcheck shell=sh
# 01-bench-selftest: the checkers can fail. Feeds known-bad and known-good
# kernel log lines to the dmesg checker and known slab numbers to slab_diff.
#   selftest-scan-<kind>  dmesg_scan flags a typical line of that kind
#   selftest-scan-clean   dmesg_scan accepts ordinary boot lines
#   selftest-kmsg-detect  a fake "BUG:" written to the real kernel log after a
#                         mark is found by dmesg_check
#   selftest-kmsg-ignore  ...and ignored by the default HVL_DMESG_IGNORE, so the
#                         per-scenario safety net in init does not trip on it
#   selftest-slab-diff    slab_diff reports growth and only growth
#   selftest-slab-steady  slab_steady reports a cache that grew in both
#                         halves (a leak) and not one-time growth, a
#                         deferred free or small noise; slab_min keeps the
#                         smaller count per cache

# kind|sample line
while IFS='|' read -r kind line; do
	if printf '%s\n' "$line" | HVL_DMESG_IGNORE='' dmesg_scan >/dev/null; then
		fail "selftest-scan-$kind" "checker missed: $line"
	else
		pass "selftest-scan-$kind"
	fi
done <<'EOF'
bug|[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008
warn|[    3.141592] WARNING: CPU: 1 PID: 77 at drivers/hv/vmbus_drv.c:123 vmbus_probe+0x42/0x99 [hv_vmbus]
oops|[    5.000001] Oops: 0002 [#1] PREEMPT SMP NOPTI
kasan|[    7.777777] BUG: KASAN: slab-out-of-bounds in hv_ringbuffer_write+0x1f/0x80
calltrace|[    9.999999] Call Trace:
gpf|[   10.000000] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP
slub|[   11.000000] BUG kmalloc-64 (Tainted: G           O      ): Object already free
pagepoison|[   12.000000] pagealloc: memory corruption
kfence|[   13.000000] BUG: KFENCE: use-after-free write in hv_channel_read+0x2c/0x90
hungtask|[  243.000000] INFO: task insmod:123 blocked for more than 120 seconds.
old-warn|WARNING: at drivers/hv/channel.c:42 vmbus_open()
rcustall|[   60.000000] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:
EOF

clean_out=$(HVL_DMESG_IGNORE='' dmesg_scan <<'EOF'
[    0.000000] Linux version 6.1.0-50-amd64 (debian-kernel@lists.debian.org)
[    0.123456] hvl_hello: loaded, id=42
[    1.000000] Freeing unused kernel image (initmem) memory: 2800K
[    1.500000] hv_vmbus: Vmbus version:5.3
[    0.050000] rcu: Hierarchical RCU implementation.
[    2.000000] Run /init as init process
EOF
) && clean_rc=0 || clean_rc=$?
if [ "$clean_rc" -eq 0 ] && [ -z "$clean_out" ]; then
	pass selftest-scan-clean
else
	fail selftest-scan-clean "checker flagged ordinary lines: $(printf '%s' "$clean_out" | head -n 1)"
fi

# Through the real kernel log. <6> keeps the fake line off the console, so the
# host never sees a "BUG:" in the serial log from this test.
dmesg_mark
printf '<6>BUG: hvl-fake-splat bench self-test line (not a real bug)\n' >/dev/kmsg
if HVL_DMESG_IGNORE='' dmesg_check >/dev/null; then
	fail selftest-kmsg-detect "dmesg_check missed a BUG: line written to /dev/kmsg"
else
	pass selftest-kmsg-detect
fi
if dmesg_check >/dev/null; then
	pass selftest-kmsg-ignore
else
	fail selftest-kmsg-ignore "default HVL_DMESG_IGNORE did not hide the self-test line"
fi

printf 'kmalloc-64 100\ndentry 50\nhv_pkt 7\n' >/tmp/slab-a
printf 'kmalloc-64 100\ndentry 40\nhv_pkt 12\nnew_cache 3\n' >/tmp/slab-b
grew=$(slab_diff /tmp/slab-a /tmp/slab-b) && diff_rc=0 || diff_rc=$?
want='hv_pkt 7 12 +5
new_cache 0 3 +3'
if [ "$diff_rc" -eq 1 ] && [ "$grew" = "$want" ] && slab_diff /tmp/slab-b /tmp/slab-b >/dev/null; then
	pass selftest-slab-diff
else
	fail selftest-slab-diff "slab_diff gave rc=$diff_rc '$(printf '%s' "$grew" | tr '\n' ';')'"
fi

# after 0, 5 and 10 cycles: kmalloc-32 leaks one object per cycle; the
# others grow once, hold a deferred free at one reading, or wobble
printf 'kmalloc-32 100\nkmalloc-64 200\nkmalloc-8 500\nkmalloc-128 50\n' >/tmp/slab-s0
printf 'kmalloc-32 105\nkmalloc-64 260\nkmalloc-8 573\nkmalloc-128 52\n' >/tmp/slab-s1
printf 'kmalloc-32 110\nkmalloc-64 261\nkmalloc-8 500\nkmalloc-128 54\n' >/tmp/slab-s2
grew=$(slab_steady /tmp/slab-s0 /tmp/slab-s1 /tmp/slab-s2 3) && st_rc=0 || st_rc=$?
printf 'kmalloc-32 112\nkmalloc-64 250\n' >/tmp/slab-m
slab_min /tmp/slab-s2 /tmp/slab-m
if [ "$st_rc" -eq 1 ] && [ "$grew" = "kmalloc-32 100 105 110 +5 +5" ] &&
	slab_steady /tmp/slab-s0 /tmp/slab-s0 /tmp/slab-s0 1 >/dev/null &&
	[ "$(tr '\n' ' ' </tmp/slab-s2)" = "kmalloc-32 110 kmalloc-64 250 kmalloc-8 500 kmalloc-128 54 " ]; then
	pass selftest-slab-steady
else
	fail selftest-slab-steady "slab_steady gave rc=$st_rc '$grew', slab_min '$(tr '\n' ' ' </tmp/slab-s2)'"
fi
rm -f /tmp/slab-s0 /tmp/slab-s1 /tmp/slab-s2 /tmp/slab-m
