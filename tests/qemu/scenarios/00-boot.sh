# shellcheck shell=sh
# 00-boot: the bench itself works on this kernel. Independent of our drivers.
#   boot-kernel      the kernel run.sh asked for is the one running
#   boot-pseudofs    /proc, /sys, devtmpfs and debugfs are mounted
#   boot-slabinfo    /proc/slabinfo is readable and lists caches
#   boot-insmod      the bench's hvl_hello.ko loads with a parameter, shows it
#                    in sysfs and the kernel log, and unloads again
#   boot-insmod-fail a module whose init fails is reported as failed
#   boot-dmesg-clean the whole kernel log since boot has no splat

want=$(sed -n 's/.*hvl\.release=\([^ ]*\).*/\1/p' /proc/cmdline)
if [ -z "$want" ]; then
	skip boot-kernel "no hvl.release= on the kernel command line"
elif [ "$(uname -r)" = "$want" ]; then
	pass boot-kernel
else
	fail boot-kernel "running $(uname -r), expected $want"
fi

missing=
for fs in proc:/proc sysfs:/sys devtmpfs:/dev debugfs:/sys/kernel/debug; do
	awk -v t="${fs%%:*}" -v m="${fs#*:}" '$2 == m && $3 == t { ok = 1 } END { exit !ok }' /proc/mounts ||
		missing="$missing ${fs#*:}"
done
if [ -z "$missing" ]; then
	pass boot-pseudofs
else
	fail boot-pseudofs "not mounted:$missing"
fi

if ! head -n 1 /proc/slabinfo 2>/dev/null | grep -q '^slabinfo - version'; then
	fail boot-slabinfo "/proc/slabinfo unreadable or has no version header"
else
	slab_snapshot /tmp/boot-slab
	n=$(wc -l </tmp/boot-slab)
	if [ "$n" -ge 20 ]; then
		pass boot-slabinfo
	else
		fail boot-slabinfo "only $n slab caches listed"
	fi
fi

if ! have_module hvl_hello; then
	fail boot-insmod "/modules/hvl_hello.ko missing (run.sh builds tests/qemu/testmod)"
else
	dmesg_mark
	id=$$
	if ! load_module hvl_hello id="$id"; then
		fail boot-insmod "insmod hvl_hello.ko failed"
	elif ! module_loaded hvl_hello; then
		fail boot-insmod "hvl_hello not in /proc/modules after insmod"
	elif [ "$(cat /sys/module/hvl_hello/parameters/id 2>/dev/null)" != "$id" ]; then
		fail boot-insmod "sysfs parameter id is '$(cat /sys/module/hvl_hello/parameters/id 2>/dev/null)', expected $id"
	elif ! dmesg_since_mark | grep -q "hvl_hello: loaded, id=$id"; then
		fail boot-insmod "load message missing from the kernel log"
	elif ! unload_module hvl_hello; then
		fail boot-insmod "rmmod hvl_hello failed"
	elif module_loaded hvl_hello; then
		fail boot-insmod "hvl_hello still in /proc/modules after rmmod"
	elif ! dmesg_since_mark | grep -q "hvl_hello: unloaded, id=$id"; then
		fail boot-insmod "unload message missing from the kernel log"
	else
		pass boot-insmod
	fi

	if load_module hvl_hello fail_init=1 2>/dev/null; then
		fail boot-insmod-fail "insmod succeeded although module init returns -EINVAL"
		unload_module hvl_hello
	elif module_loaded hvl_hello; then
		fail boot-insmod-fail "failed module is listed in /proc/modules"
	else
		pass boot-insmod-fail
	fi
fi

# Whole log, from boot on: no mark.
if out=$(HVL_MARK='' dmesg_check); then
	pass boot-dmesg-clean
else
	printf '%s\n' "$out"
	fail boot-dmesg-clean "kernel log since boot has splat lines"
fi
