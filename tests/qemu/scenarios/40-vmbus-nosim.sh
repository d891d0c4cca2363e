# 40-vmbus-nosim: on this QEMU guest (no Hyper-V), hv_vmbus without sim=1
# must refuse to load with -ENODEV and say so in exactly one log line.
#   vmbus-nosim-enodev   insmod fails with "No such device"
#   vmbus-nosim-log      exactly one new kernel log line, from hv_vmbus
#   vmbus-nosim-clean    nothing left behind: no module, no vmbus bus
# shellcheck shell=sh

need_module hv_vmbus
if grep -q '/hv_vmbus\.ko' "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null; then
	skip vmbus-nosim "this kernel has hv_vmbus built in: a module of that name cannot be loaded"
	exit 0
fi

if module_loaded hv_vmbus; then
	unload_module hv_vmbus
fi
# busybox insmod tries finit_module() and, when that fails, init_module()
# on the same file: two module inits, two log lines. A copy of the module
# that is open for writing makes finit_module() fail with ETXTBSY before
# any init, so the module's init runs exactly once.
cp "$HVL_MODDIR/hv_vmbus.ko" /tmp/hv_vmbus_nosim.ko
exec 9>>/tmp/hv_vmbus_nosim.ko
dmesg_mark
out=$(insmod /tmp/hv_vmbus_nosim.ko 2>&1)
rc=$?
exec 9>&-
rm -f /tmp/hv_vmbus_nosim.ko
if [ "$rc" -eq 0 ]; then
	fail vmbus-nosim-enodev "insmod succeeded on a guest without Hyper-V"
	unload_module hv_vmbus
elif printf '%s' "$out" | grep -q 'No such device'; then
	pass vmbus-nosim-enodev
else
	fail vmbus-nosim-enodev "insmod said: $out"
fi

# The kernel's own one-time notes about the first out-of-tree, unsigned
# module are not ours.
lines=$(dmesg_since_mark | grep -v -e "$HVL_MARK" |
	grep -v -E 'loading out-of-tree module taints kernel|module verification failed')
n=$(printf '%s\n' "$lines" | grep -c .)
if [ "$n" -eq 1 ] && printf '%s' "$lines" | grep -q 'hv_vmbus: '; then
	pass vmbus-nosim-log
	info "log: $lines"
else
	fail vmbus-nosim-log "expected one hv_vmbus line, got $n: $(printf '%s' "$lines" | tr '\n' '|')"
fi

if module_loaded hv_vmbus || [ -d /sys/bus/vmbus ]; then
	fail vmbus-nosim-clean "hv_vmbus or /sys/bus/vmbus still present"
else
	pass vmbus-nosim-clean
fi
