# 40-vmbus-nosim: on this QEMU guest (no Hyper-V), our VMBus module
# ($HS_VMBUS: hv_vmbus, or hvl_vmbus where the kernel has VMBus built in)
# without sim=1 must refuse to load with -ENODEV and say so in exactly one
# log line, "<module>: not a Hyper-V guest (load with sim=1 for the
# simulator)".
#   vmbus-nosim-enodev   insmod fails with "No such device"
#   vmbus-nosim-log      exactly that one new kernel log line
#   vmbus-nosim-clean    nothing left behind: no module, no vmbus bus
# shellcheck shell=sh

# shellcheck disable=SC1091 # in the guest, beside the scenarios
. /hvl/scenarios/hostsim-lib.inc
need_module "$HS_VMBUS"

want="$HS_VMBUS: not a Hyper-V guest (load with sim=1 for the simulator)"

if module_loaded "$HS_VMBUS"; then
	unload_module "$HS_VMBUS"
fi
# busybox insmod tries finit_module() and, when that fails, init_module()
# on the same file: two module inits, two log lines. A copy of the module
# that is open for writing makes finit_module() fail with ETXTBSY before
# any init, so the module's init runs exactly once. (The module's name
# comes from its .modinfo, not from the file name.)
copy=/tmp/${HS_VMBUS}_nosim.ko
cp "$HVL_MODDIR/$HS_VMBUS.ko" "$copy"
exec 9>>"$copy"
dmesg_mark
out=$(insmod "$copy" 2>&1)
rc=$?
exec 9>&-
rm -f "$copy"
if [ "$rc" -eq 0 ]; then
	fail vmbus-nosim-enodev "insmod succeeded on a guest without Hyper-V"
	unload_module "$HS_VMBUS"
elif printf '%s' "$out" | grep -q 'No such device'; then
	pass vmbus-nosim-enodev
else
	fail vmbus-nosim-enodev "insmod said: $out"
fi

# The kernel's own one-time notes about the first out-of-tree, unsigned
# module are not ours. The rest, without dmesg's "[ time ]" prefix, must
# be exactly our one line.
lines=$(dmesg_since_mark | grep -v -e "$HVL_MARK" |
	grep -v -E 'loading out-of-tree module taints kernel|module verification failed' |
	sed 's/^\[[^]]*\] *//')
n=$(printf '%s\n' "$lines" | grep -c .)
if [ "$n" -eq 1 ] && [ "$lines" = "$want" ]; then
	pass vmbus-nosim-log
	info "log: $lines"
else
	fail vmbus-nosim-log "expected one line '$want', got $n: $(printf '%s' "$lines" | tr '\n' '|')"
fi

if module_loaded "$HS_VMBUS" || [ -d /sys/bus/vmbus ]; then
	fail vmbus-nosim-clean "$HS_VMBUS or /sys/bus/vmbus still present"
else
	pass vmbus-nosim-clean
fi
