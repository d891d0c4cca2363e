#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# conftest.sh OUT_HEADER WORKDIR
#
# Compile probes against the target kernel's headers. Each probe is one
# kernel API whose shape changed; its comment names the release that
# changed it. A probe that compiles defines HV_HAVE_<NAME> in OUT_HEADER.
# Run by kbuild (src/Kbuild) with CC and HV_PROBE_CFLAGS set to what the
# kernel compiles modules with. Probes run in parallel, at most
# HV_PROBE_JOBS (default: online CPUs) at a time; no autoconf.
#
# Probes must fail with a hard error, not a warning, when the API is absent
# or differs: they test types with __builtin_types_compatible_p inside a
# negative-size array (gcc >= 3.1) rather than relying on -Werror.

set -u

out=$1
dir=$2
mkdir -p "$dir/probes"
: "${CC:=cc}"
: "${HV_PROBE_CFLAGS:=}"

# gcc >= 4.2 knows -Werror=...; with it an undeclared function is an error.
strict=
if echo 'int x;' | $CC -Werror=implicit-function-declaration -x c -c -o /dev/null - >/dev/null 2>&1; then
	strict=-Werror=implicit-function-declaration
fi

# Type check that fails to compile when false.
ASSERT_T='#define HV_PROBE_TYPES(a, b) typedef char hv_probe_chk[__builtin_types_compatible_p(a, b) ? 1 : -1]'

# Is SYMBOL exported by the target kernel (its Module.symvers)? A compile
# probe cannot tell: a header may declare what the kernel does not export.
exported() {
	[ -n "${HV_KSYMVERS:-}" ] && [ -f "$HV_KSYMVERS" ] &&
		awk -v s="$1" '$2 == s { f = 1 } END { exit !f }' "$HV_KSYMVERS"
}

# At most HV_PROBE_JOBS compilers at once (default: the online CPUs), so
# a DKMS rebuild on a 1-vCPU, 1 GiB guest does not start ~90 gcc at once.
# POSIX sh has no "wait for any one job": probes go in batches.
jobs=${HV_PROBE_JOBS:-}
[ -n "$jobs" ] || jobs=$(getconf _NPROCESSORS_ONLN 2>/dev/null) || jobs=
case $jobs in
	''|*[!0-9]*|0) jobs=1 ;;
esac
running=0

names=
probe() {
	name=$1
	names="$names $name"
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
	running=$((running + 1))
	{
		echo '#include <linux/kernel.h>'
		echo '#include <linux/module.h>'
		echo "$ASSERT_T"
		cat
	} > "$dir/probes/$name.c"
	(
		# shellcheck disable=SC2086
		if $CC $HV_PROBE_CFLAGS $strict -Wno-error=unused \
			-D"KBUILD_STR(s)=#s" -DKBUILD_BASENAME='"hvprobe"' \
			-DKBUILD_MODNAME='"hvprobe"' -c \
			-o "$dir/probes/$name.o" "$dir/probes/$name.c" \
			> "$dir/probes/$name.log" 2>&1; then
			echo "#define HV_HAVE_$name 1" > "$dir/probes/$name.h"
		else
			echo "/* HV_HAVE_$name: no */" > "$dir/probes/$name.h"
		fi
		rm -f "$dir/probes/$name.o"
	) &
}

# 3.4: <asm/system.h> split; barriers live in <asm/barrier.h>
probe ASM_BARRIER_H <<'P'
#include <asm/barrier.h>
void f(void) { mb(); }
P

# 2.6.20: work functions take the work_struct (INIT_WORK lost its 3rd arg)
probe WORK_FUNC_WORK <<'P'
#include <linux/workqueue.h>
HV_PROBE_TYPES(typeof(((struct work_struct *)0)->func), void (*)(struct work_struct *));
P

# 6.17: WQ_PERCPU; alloc_workqueue() without it or WQ_UNBOUND warns (7.x)
probe WQ_PERCPU <<'P'
#include <linux/workqueue.h>
unsigned int x = WQ_PERCPU;
P

# 2.6.24: uevent gets struct kobj_uevent_env (was envp/num_envp/buffer)
probe UEVENT_ENV <<'P'
#include <linux/device.h>
int f(struct kobj_uevent_env *e) { return add_uevent_var(e, "A=%d", 1); }
P

# 6.3: bus_type.uevent takes a const struct device *
probe BUS_UEVENT_CONST <<'P'
#include <linux/device.h>
HV_PROBE_TYPES(typeof(((struct bus_type *)0)->uevent), int (*)(const struct device *, struct kobj_uevent_env *));
P

# 6.11: bus_type.match takes a const struct device_driver *
probe BUS_MATCH_CONST <<'P'
#include <linux/device.h>
HV_PROBE_TYPES(typeof(((struct bus_type *)0)->match), int (*)(struct device *, const struct device_driver *));
P

# 5.15: bus_type.remove returns void
probe BUS_REMOVE_VOID <<'P'
#include <linux/device.h>
HV_PROBE_TYPES(typeof(((struct bus_type *)0)->remove), void (*)(struct device *));
P

# 3.11: bus_type.dev_groups (dev_attrs removed in 3.14)
probe BUS_DEV_GROUPS <<'P'
#include <linux/device.h>
void f(struct bus_type *b) { b->dev_groups = NULL; }
P

# 2.6.26: dev_set_name() replaces dev->bus_id
probe DEV_SET_NAME <<'P'
#include <linux/device.h>
void f(struct device *d) { dev_set_name(d, "x%d", 1); }
P

# 2.6.26: dev_name() (RHEL 5 backported it without dev_set_name())
probe DEV_NAME <<'P'
#include <linux/device.h>
const char *f(struct device *d) { return dev_name(d); }
P

# 2.6.21: struct device_driver.mod_name
probe DRIVER_MOD_NAME <<'P'
#include <linux/device.h>
void f(struct device_driver *d) { d->mod_name = "x"; }
P

# 2.6.27: smp_call_function_single() lost its "nonatomic" argument
probe SMP_CALL_4ARG <<'P'
#include <linux/smp.h>
HV_PROBE_TYPES(typeof(&smp_call_function_single), int (*)(int, void (*)(void *), void *, int));
P

# 4.13: get_online_cpus() became cpus_read_lock()
probe CPUS_READ_LOCK <<'P'
#include <linux/cpu.h>
void f(void) { cpus_read_lock(); cpus_read_unlock(); }
P

# 2.6.19: irq handlers lost struct pt_regs (RHEL 5 has irq_handler_t
# with the old signature, so test request_irq() itself)
probe IRQ_HANDLER_2ARG <<'P'
#include <linux/interrupt.h>
HV_PROBE_TYPES(typeof(&request_irq), int (*)(unsigned int, irqreturn_t (*)(int, void *), unsigned long, const char *, void *));
P

# 5.9: tasklet_setup(); tasklet_init() is older (and may go)
probe TASKLET_INIT <<'P'
#include <linux/interrupt.h>
void cb(unsigned long d) { }
void f(struct tasklet_struct *t) { tasklet_init(t, cb, 0); }
P

# 6.16: rdmsrl()/wrmsrl() renamed rdmsrq()/wrmsrq()
probe RDMSRQ <<'P'
#include <asm/msr.h>
u64 f(void) { u64 v; rdmsrq(0x40000000, v); wrmsrq(0x40000000, v); return v; }
P

# 5.8: __vmalloc() lost its pgprot argument (no executable vmalloc)
probe VMALLOC_PGPROT <<'P'
#include <linux/vmalloc.h>
void *f(void) { return __vmalloc(4096, GFP_KERNEL, PAGE_KERNEL_EXEC); }
P

# 4.14: the kernel sets up the Hyper-V hypercall page itself and exports
# hv_hypercall_pg with hv_do_hypercall() helpers (CONFIG_HYPERV)
probe KERNEL_HYPERCALL_PG <<'P'
#include <asm/mshyperv.h>
#if !defined(CONFIG_HYPERV) && !defined(CONFIG_HYPERV_MODULE)
#error no CONFIG_HYPERV
#endif
u64 f(void) { return hv_do_hypercall(0, NULL, NULL) + hv_do_fast_hypercall8(0, 0) + (hv_hypercall_pg != NULL); }
P

# 5.12: hv_setup_vmbus_handler() registers the callback-vector handler
probe HV_SETUP_VMBUS_HANDLER <<'P'
#include <asm/mshyperv.h>
#if !defined(CONFIG_HYPERV) && !defined(CONFIG_HYPERV_MODULE)
#error no CONFIG_HYPERV
#endif
void h(void) { }
void f(void) { hv_setup_vmbus_handler(h); hv_remove_vmbus_handler(); }
P

# 4.x: hv_setup_vmbus_irq() was the name before 5.12
probe HV_SETUP_VMBUS_IRQ <<'P'
#include <asm/mshyperv.h>
#if !defined(CONFIG_HYPERV) && !defined(CONFIG_HYPERV_MODULE)
#error no CONFIG_HYPERV
#endif
void h(void) { }
void f(void) { hv_setup_vmbus_irq(h); hv_remove_vmbus_irq(); }
P

# 2.6.21 (x86): sync_set_bit() and friends: locked even on UP builds
probe SYNC_BITOPS <<'P'
#include <asm/sync_bitops.h>
void f(unsigned long *p) { sync_set_bit(1, p); }
P

# 2.6.30: struct attribute_group.is_visible etc are irrelevant; 3.11 adds
# ATTRIBUTE_GROUPS() and struct attribute_group.bin_attrs
probe ATTRIBUTE_GROUPS <<'P'
#include <linux/sysfs.h>
#include <linux/device.h>
static struct attribute *x_attrs[] = { NULL };
ATTRIBUTE_GROUPS(x);
const struct attribute_group **g = x_groups;
P

# 4.15: ANNOTATE_RETPOLINE_SAFE marks deliberate indirect calls for objtool
probe NOSPEC_BRANCH_H <<'P'
#include <asm/nospec-branch.h>
static const char *s = ANNOTATE_RETPOLINE_SAFE;
P

# 2.6.28: nr_cpu_ids (number of possible CPU ids)
probe NR_CPU_IDS <<'P'
#include <linux/cpumask.h>
unsigned int f(void) { return nr_cpu_ids; }
P

# 4.10: CPU hotplug state machine (cpuhp_setup_state_nocalls with a
# dynamic AP state); CPU notifiers went away in the same release
probe CPUHP_STATES <<'P'
#include <linux/cpuhotplug.h>
static int on(unsigned int cpu) { return 0; }
int f(void) { return cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "x", on, on); }
P

# 2.6.39: syscore_ops, whose shutdown runs after device_shutdown() on
# reboot, power off and kexec; 7.x passes the callbacks a data pointer and
# registers a struct syscore (register_syscore)
probe SYSCORE_OPS <<'P'
#include <linux/syscore_ops.h>
static void sd(void) { }
static struct syscore_ops o = { .shutdown = sd };
void f(void) { register_syscore_ops(&o); unregister_syscore_ops(&o); }
P
probe SYSCORE_DATA <<'P'
#include <linux/syscore_ops.h>
static void sd(void *data) { }
static const struct syscore_ops o = { .shutdown = sd };
static struct syscore s = { .ops = &o };
void f(void) { register_syscore(&s); unregister_syscore(&s); }
P

# 2.6.24: get_online_cpus() replaced lock_cpu_hotplug() (and gave way to
# cpus_read_lock(), probed above, in 4.13)
probe GET_ONLINE_CPUS <<'P'
#include <linux/cpu.h>
void f(void) { get_online_cpus(); put_online_cpus(); }
P

# 6.3: struct bus_attribute.show takes a const struct bus_type *
probe BUS_ATTR_CONST <<'P'
#include <linux/device.h>
HV_PROBE_TYPES(typeof(((struct bus_attribute *)0)->show), ssize_t (*)(const struct bus_type *, char *));
P


# ---- SCSI midlayer, block limits, scatterlists, FC (hv_storvsc) -------

# 2.6.37: queuecommand(Scsi_Host *, scsi_cmnd *) without done() and the
# host lock (DEF_SCSI_QCMD era); before: (scsi_cmnd *, done), lock held
probe SCSI_QUEUECOMMAND_LOCKLESS <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->queuecommand), int (*)(struct Scsi_Host *, struct scsi_cmnd *));
P

# after 6.12 (7.x): queuecommand returns enum scsi_qc_status
probe SCSI_QC_STATUS <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->queuecommand), enum scsi_qc_status (*)(struct Scsi_Host *, struct scsi_cmnd *));
P

# before 2.6.37: queuecommand(scsi_cmnd *, void (*done)(scsi_cmnd *))
probe SCSI_QUEUECOMMAND_DONE <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->queuecommand), int (*)(struct scsi_cmnd *, void (*)(struct scsi_cmnd *)));
P

# 5.16: scsi_done() replaced the scsi_cmnd.scsi_done pointer
probe SCSI_DONE <<'P'
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(&scsi_done), void (*)(struct scsi_cmnd *));
P

# 2.6.25: scsi_cmnd.request_buffer/use_sg/request_bufflen replaced by
# scsi_data_buffer; before, use_sg 0 meant a flat kernel buffer
probe SCSI_CMND_REQUEST_BUFFER <<'P'
#include <scsi/scsi_cmnd.h>
void *f(struct scsi_cmnd *c) { return c->use_sg ? NULL : c->request_buffer; }
unsigned int g(struct scsi_cmnd *c) { return c->request_bufflen; }
P

# 2.6.24: scatterlist chaining: sg_page() and sg_next() (sg->page before)
probe SG_PAGE <<'P'
#include <linux/scatterlist.h>
struct page *f(struct scatterlist *s) { return sg_page(sg_next(s)); }
P

# 2.6.24: scsi_set_resid() (RHEL 5 backported it); scsi_cmnd.resid before
probe SCSI_SET_RESID <<'P'
#include <scsi/scsi_cmnd.h>
void f(struct scsi_cmnd *c) { scsi_set_resid(c, 0); }
P

# 5.15: scsi_cmd_to_rq() (scsi_cmnd.request was removed in 5.16)
probe SCSI_CMD_TO_RQ <<'P'
#include <linux/blkdev.h>
#include <scsi/scsi_cmnd.h>
unsigned long f(struct scsi_cmnd *c) { return scsi_cmd_to_rq(c)->timeout; }
P

# 2.6.28: block-layer timeouts: struct request.timeout (via scsi_cmnd.request)
# is the command's timeout (RHEL 5 has the field, for SG_IO only)
probe SCSI_CMND_REQUEST_TIMEOUT <<'P'
#include <linux/blkdev.h>
#include <scsi/scsi_cmnd.h>
unsigned long f(struct scsi_cmnd *c) { return c->request->timeout; }
P

# 2.6.28 removed scsi_cmnd.timeout_per_command (jiffies)
probe SCSI_CMND_TIMEOUT_PER_COMMAND <<'P'
#include <scsi/scsi_cmnd.h>
int f(struct scsi_cmnd *c) { return c->timeout_per_command; }
P

# 3.17: scsi-mq; Scsi_Host.nr_hw_queues (hardware queues of a blk-mq host)
probe SHOST_NR_HW_QUEUES <<'P'
#include <scsi/scsi_host.h>
void f(struct Scsi_Host *s) { s->nr_hw_queues = 2; }
P

# 3.19: scsi_change_queue_depth(); scsi_adjust_queue_depth(sdev, tag, n) before
probe SCSI_CHANGE_QUEUE_DEPTH <<'P'
#include <scsi/scsi_device.h>
int f(struct scsi_device *s) { return scsi_change_queue_depth(s, 1); }
P

# 2.6.33 .. 3.18: change_queue_depth(sdev, depth, reason)
probe SHT_CHANGE_QUEUE_DEPTH_REASON <<'P'
#include <scsi/scsi_host.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->change_queue_depth), int (*)(struct scsi_device *, int, int));
P

# 6.2: eh_timed_out returns enum scsi_timeout_action
probe SHT_EH_TIMEOUT_ACTION <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->eh_timed_out), enum scsi_timeout_action (*)(struct scsi_cmnd *));
P

# 2.6.28 .. 6.1: eh_timed_out returns enum blk_eh_timer_return
probe SHT_EH_TIMED_OUT_BLK <<'P'
#include <linux/blkdev.h>
#include <scsi/scsi_host.h>
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->eh_timed_out), enum blk_eh_timer_return (*)(struct scsi_cmnd *));
P

# before 2.6.28: eh_timed_out returns enum scsi_eh_timer_return
probe SHT_EH_TIMED_OUT_SCSI <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_cmnd.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->eh_timed_out), enum scsi_eh_timer_return (*)(struct scsi_cmnd *));
P

# 4.18: BLK_EH_NOT_HANDLED became BLK_EH_DONE (from a SCSI eh_timed_out
# both mean "not handled here: run error handling")
probe BLK_EH_DONE <<'P'
#include <linux/blkdev.h>
#include <scsi/scsi_cmnd.h>
int x = BLK_EH_DONE;
P

# 6.14: sdev_init/sdev_configure(sdev, lim)/sdev_destroy replace slave_*
probe SHT_SDEV_INIT <<'P'
#include <linux/blkdev.h>
#include <scsi/scsi_host.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->sdev_configure), int (*)(struct scsi_device *, struct queue_limits *));
void f(struct scsi_host_template *t) { t->sdev_init = NULL; t->sdev_destroy = NULL; }
P

# 2.6.18 .. 6.13: slave_alloc/slave_configure(sdev)/slave_destroy
probe SHT_SLAVE_CONFIGURE <<'P'
#include <scsi/scsi_host.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->slave_configure), int (*)(struct scsi_device *));
void f(struct scsi_host_template *t) { t->slave_alloc = NULL; t->slave_destroy = NULL; }
P

# 5.3: scsi_host_template.virt_boundary_mask (the midlayer sets the limit)
probe SHT_VIRT_BOUNDARY_MASK <<'P'
#include <scsi/scsi_host.h>
void f(struct scsi_host_template *t) { t->virt_boundary_mask = 4095; }
P

# 4.3 .. 6.10: blk_queue_virt_boundary() (queue limits API after)
probe BLK_QUEUE_VIRT_BOUNDARY <<'P'
#include <linux/blkdev.h>
void f(struct request_queue *q) { blk_queue_virt_boundary(q, 4095); }
P

# 3.7: scsi_device.no_write_same (sd issues WRITE SAME)
probe SDEV_NO_WRITE_SAME <<'P'
#include <scsi/scsi_device.h>
void f(struct scsi_device *s) { s->no_write_same = 1; }
P

# 5.0 removed scsi_host_template.use_clustering (clustering by default)
probe SHT_USE_CLUSTERING <<'P'
#include <scsi/scsi_host.h>
void f(struct scsi_host_template *t) { t->use_clustering = ENABLE_CLUSTERING; }
P

# 5.16: scsi_host_template.shost_groups replaced shost_attrs
probe SHT_SHOST_GROUPS <<'P'
#include <scsi/scsi_host.h>
void f(struct scsi_host_template *t) { t->shost_groups = NULL; }
P

# 2.6.26 .. 5.15: shost_attrs is struct device_attribute **
probe SHT_SHOST_ATTRS_DEV <<'P'
#include <scsi/scsi_host.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->shost_attrs), struct device_attribute **);
P

# before 2.6.26: shost_attrs is struct class_device_attribute **
probe SHT_SHOST_ATTRS_CLASSDEV <<'P'
#include <scsi/scsi_host.h>
HV_PROBE_TYPES(typeof(((struct scsi_host_template *)0)->shost_attrs), struct class_device_attribute **);
P

# 2.6.2x: scsi_test_unit_ready() gained a struct scsi_sense_hdr * (RHEL 5's
# 2.6.18 has 3 arguments, 2.6.27 has 4)
probe SCSI_TUR_SSHDR <<'P'
#include <scsi/scsi_device.h>
#include <scsi/scsi_eh.h>
int f(struct scsi_device *s, struct scsi_sense_hdr *h) { return scsi_test_unit_ready(s, 1, 1, h); }
P

# FC transport class (scsi_transport_fc, 2.6.12 API) configured in
# (CONFIG_SCSI_FC_ATTRS): WWNs of synthetic FC hosts go there
probe FC_ATTRS <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_transport_fc.h>
#if !defined(CONFIG_SCSI_FC_ATTRS) && !defined(CONFIG_SCSI_FC_ATTRS_MODULE)
#error "no FC transport class in this kernel's configuration"
#endif
struct scsi_transport_template *f(struct fc_function_template *t) { return fc_attach_transport(t); }
void g(struct Scsi_Host *h) { fc_host_node_name(h) = 0; fc_host_port_name(h) = 0; fc_remove_host(h); }
P

# 4.12: FC_PORT_ROLE_FCP_DUMMY_INITIATOR, an rport that does not scan
probe FC_DUMMY_INITIATOR <<'P'
#include <scsi/scsi_host.h>
#include <scsi/scsi_transport_fc.h>
int x = FC_PORT_ROLE_FCP_DUMMY_INITIATOR;
P

# 2.6.24: struct device.dma_parms (6.12's SCSI WARNs without it)
probe DEVICE_DMA_PARMS <<'P'
#include <linux/device.h>
void f(struct device *d, struct device_dma_parameters *p) { d->dma_parms = p; }
P

# 5.11: kmap_local_page()/kunmap_local()
probe KMAP_LOCAL_PAGE <<'P'
#include <linux/highmem.h>
void f(struct page *p) { void *a = kmap_local_page(p); kunmap_local(a); }
P

# 2.6.37: kmap_atomic(page) without the km_type slot
probe KMAP_ATOMIC_1ARG <<'P'
#include <linux/highmem.h>
void f(struct page *p) { void *a = kmap_atomic(p); kunmap_atomic(a); }
P

# ---- block layer (hv_blkvsc) -------------------------------------------

# 3.13: <linux/blk-mq.h>; from 5.16 it also holds the request accessors
# (blk_rq_pos(), rq_for_each_segment(), req_op()), so the block probes
# include it wherever it exists (a header check, run before them).
blkmq_inc=
names="$names BLK_MQ_H"
# a compiler run of our own: the running probes count against the limit
wait
running=0
# shellcheck disable=SC2086
if echo '#include <linux/blk-mq.h>' | $CC $HV_PROBE_CFLAGS -E -x c - >/dev/null 2>&1; then
	blkmq_inc='#include <linux/blk-mq.h>'
	echo "#define HV_HAVE_BLK_MQ_H 1" > "$dir/probes/BLK_MQ_H.h"
else
	echo "/* HV_HAVE_BLK_MQ_H: no */" > "$dir/probes/BLK_MQ_H.h"
fi

# 4.13: blk-mq queue_rq returns blk_status_t (errno_to_blk_status()); from
# here on hv_blkvsc uses blk-mq, a request_fn queue before
probe BLK_MQ_STATUS <<P
#include <linux/blkdev.h>
$blkmq_inc
HV_PROBE_TYPES(typeof(((struct blk_mq_ops *)0)->queue_rq), blk_status_t (*)(struct blk_mq_hw_ctx *, const struct blk_mq_queue_data *));
blk_status_t f(void) { return errno_to_blk_status(-EIO); }
P

# 5.0 removed blk_init_queue() (request_fn queues)
probe BLK_INIT_QUEUE <<P
#include <linux/blkdev.h>
$blkmq_inc
void rfn(struct request_queue *q) { }
struct request_queue *f(void) { return blk_init_queue(rfn, NULL); }
P

# 6.0: blk_mq_ops.timeout lost its "reserved" argument
probe BLK_MQ_TIMEOUT_1ARG <<P
#include <linux/blkdev.h>
$blkmq_inc
HV_PROBE_TYPES(typeof(((struct blk_mq_ops *)0)->timeout), enum blk_eh_timer_return (*)(struct request *));
P

# 6.14 removed BLK_MQ_F_SHOULD_MERGE (merging is the default)
probe BLK_MQ_F_SHOULD_MERGE <<P
#include <linux/blkdev.h>
$blkmq_inc
int x = BLK_MQ_F_SHOULD_MERGE;
P

# after 5.10 (in 6.1, not in 5.10): BLK_MQ_F_NO_SCHED_BY_DEFAULT (no elevator
# by default for a single-queue disk)
probe BLK_MQ_F_NO_SCHED_BY_DEFAULT <<P
#include <linux/blkdev.h>
$blkmq_inc
int x = BLK_MQ_F_NO_SCHED_BY_DEFAULT;
P

# 6.9: blk_mq_alloc_disk(set, queue_limits, queuedata): limits at allocation
probe BLK_MQ_ALLOC_DISK_LIM <<P
#include <linux/blkdev.h>
$blkmq_inc
struct gendisk *f(struct blk_mq_tag_set *s, struct queue_limits *l) { return blk_mq_alloc_disk(s, l, NULL); }
P

# 5.14: blk_mq_alloc_disk(set, queuedata) (blk_mq_init_queue() + alloc_disk() before)
probe BLK_MQ_ALLOC_DISK <<P
#include <linux/blkdev.h>
$blkmq_inc
struct gendisk *f(struct blk_mq_tag_set *s) { return blk_mq_alloc_disk(s, NULL); }
P

# 5.14 .. 5.19: blk_cleanup_disk() (put_disk() alone from 6.0)
probe BLK_CLEANUP_DISK <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct gendisk *d) { blk_cleanup_disk(d); }
P

# 5.18: blk_mark_disk_dead(): new I/O fails at once
probe BLK_MARK_DISK_DEAD <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct gendisk *d) { blk_mark_disk_dead(d); }
P

# 5.15: device_add_disk() returns int (__must_check)
probe ADD_DISK_INT <<P
#include <linux/blkdev.h>
$blkmq_inc
HV_PROBE_TYPES(typeof(&device_add_disk), int (*)(struct device *, struct gendisk *, const struct attribute_group **));
P

# 4.20: device_add_disk(parent, disk, groups)
probe DEVICE_ADD_DISK_GROUPS <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct device *p, struct gendisk *d) { device_add_disk(p, d, NULL); }
P

# 4.7: device_add_disk(parent, disk) (gendisk.driverfs_dev before)
probe DEVICE_ADD_DISK <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct device *p, struct gendisk *d) { device_add_disk(p, d); }
P

# 6.11: queue_limits.features (BLK_FEAT_WRITE_CACHE, BLK_FEAT_FUA)
probe BLK_FEAT_WRITE_CACHE <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct queue_limits *l) { l->features |= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA; }
P

# 4.7 .. 6.10: blk_queue_write_cache()
probe BLK_QUEUE_WRITE_CACHE <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct request_queue *q) { blk_queue_write_cache(q, 1, 1); }
P

# 2.6.37 .. 4.6: blk_queue_flush(q, REQ_FLUSH | REQ_FUA)
probe BLK_QUEUE_FLUSH <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct request_queue *q) { blk_queue_flush(q, REQ_FLUSH | REQ_FUA); }
P

# before 2.6.36: barriers, blk_queue_ordered(q, mode, prepare_flush_fn)
probe BLK_QUEUE_ORDERED_PREPARE <<P
#include <linux/blkdev.h>
$blkmq_inc
void prep(struct request_queue *q, struct request *rq) { }
int f(struct request_queue *q) { return blk_queue_ordered(q, QUEUE_ORDERED_DRAIN_FLUSH, prep); }
P

# 2.6.31: blk_fetch_request() (elv_next_request() + blkdev_dequeue_request() before)
probe BLK_FETCH_REQUEST <<P
#include <linux/blkdev.h>
$blkmq_inc
struct request *f(struct request_queue *q) { return blk_fetch_request(q); }
P

# 2.6.31: __blk_end_request_all()
probe BLK_END_REQUEST_ALL <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct request *rq) { __blk_end_request_all(rq, -EIO); }
P

# 2.6.25: __blk_end_request(rq, error, bytes) and blk_rq_bytes()
# (end_that_request_first()/_last() before)
probe BLK_END_REQUEST_BYTES <<P
#include <linux/blkdev.h>
$blkmq_inc
int f(struct request *rq) { return __blk_end_request(rq, -EIO, blk_rq_bytes(rq)); }
P

# 2.6.31: blk_rq_pos() (rq->sector before)
probe BLK_RQ_POS <<P
#include <linux/blkdev.h>
$blkmq_inc
sector_t f(struct request *rq) { return blk_rq_pos(rq); }
P

# 3.14: immutable biovecs: rq_for_each_segment() yields a struct bio_vec
probe RQ_SEGMENT_BVEC <<P
#include <linux/blkdev.h>
$blkmq_inc
unsigned int f(struct request *rq) { struct req_iterator it; struct bio_vec bv; unsigned int n = 0; rq_for_each_segment(bv, rq, it) n += bv.bv_len; return n; }
P

# 2.6.24 (backported to RHEL 5.x) .. 3.13: rq_for_each_segment() with a
# struct bio_vec pointer
probe RQ_SEGMENT_BVEC_PTR <<P
#include <linux/blkdev.h>
$blkmq_inc
unsigned int f(struct request *rq) { struct req_iterator it; struct bio_vec *bv; unsigned int n = 0; rq_for_each_segment(bv, rq, it) n += bv->bv_len; return n; }
P

# 4.8: req_op() and REQ_OP_FLUSH / REQ_OP_DISCARD
probe REQ_OP <<P
#include <linux/blkdev.h>
$blkmq_inc
int f(struct request *rq) { return req_op(rq) == REQ_OP_FLUSH || req_op(rq) == REQ_OP_DISCARD || (rq->cmd_flags & REQ_FUA); }
P

# 2.6.37 .. 4.7: REQ_FLUSH / REQ_FUA in request.cmd_flags
probe REQ_FLUSH_FLAG <<P
#include <linux/blkdev.h>
$blkmq_inc
int f(struct request *rq) { return (rq->cmd_flags & REQ_FLUSH) && (rq->cmd_flags & REQ_FUA); }
P

# before 2.6.36: blk_fs_request() tells file-system requests
probe BLK_FS_REQUEST <<P
#include <linux/blkdev.h>
$blkmq_inc
int f(struct request *rq) { return blk_fs_request(rq); }
P

# 2.6.19 .. 4.10: request.cmd_type (REQ_TYPE_FS, REQ_TYPE_BLOCK_PC);
# 2.6.18 has request.flags (REQ_CMD, REQ_BLOCK_PC)
probe RQ_CMD_TYPE <<P
#include <linux/blkdev.h>
$blkmq_inc
int f(struct request *rq) { return rq->cmd_type == REQ_TYPE_FS || rq->cmd_type == REQ_TYPE_BLOCK_PC; }
P

# 2.6.31: blk_queue_logical_block_size()/_physical_block_size()
# (blk_queue_hardsect_size() before)
probe BLK_QUEUE_LOGICAL_BLOCK_SIZE <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct request_queue *q) { blk_queue_logical_block_size(q, 512); blk_queue_physical_block_size(q, 4096); }
P

# 2.6.34: blk_queue_max_segments()/blk_queue_max_hw_sectors()
# (max_phys/hw_segments and blk_queue_max_sectors() before)
probe BLK_QUEUE_MAX_SEGMENTS <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct request_queue *q) { blk_queue_max_segments(q, 2); blk_queue_max_hw_sectors(q, 8); }
P

# 2.6.32 .. 6.10: blk_queue_max_discard_sectors()
probe BLK_QUEUE_MAX_DISCARD <<P
#include <linux/blkdev.h>
$blkmq_inc
void f(struct request_queue *q) { blk_queue_max_discard_sectors(q, 8); q->limits.discard_granularity = 4096; }
P

# 2.6.28 .. 5.18: QUEUE_FLAG_DISCARD must be set besides the limit
probe QUEUE_FLAG_DISCARD <<P
#include <linux/blkdev.h>
$blkmq_inc
int x = QUEUE_FLAG_DISCARD;
P

# 4.17: blk_queue_flag_set() (queue_flag_set_unlocked() before)
probe BLK_QUEUE_FLAG_SET <<P
#include <linux/blkdev.h>
$blkmq_inc
void (*p)(unsigned int, struct request_queue *) = blk_queue_flag_set;
P

wait

# Exports (checked after the compile probes, which they refine)
for sym in hv_hypercall_pg __SCT__hv_hypercall hv_setup_vmbus_handler \
	hv_setup_vmbus_irq; do
	n=$(echo "$sym" | tr '[:lower:]' '[:upper:]' | sed 's/^_*//')
	names="$names EXPORT_$n"
	if exported "$sym"; then
		echo "#define HV_HAVE_EXPORT_$n 1" > "$dir/probes/EXPORT_$n.h"
	else
		echo "/* HV_HAVE_EXPORT_$n: no */" > "$dir/probes/EXPORT_$n.h"
	fi
done

{
	echo "/* Generated by src/compat/conftest.sh: do not edit. */"
	echo "/* release: ${HV_KREL:-unknown} */"
	echo "#ifndef HV_COMPAT_GEN_H"
	echo "#define HV_COMPAT_GEN_H"
	for n in $names; do
		cat "$dir/probes/$n.h"
	done
	echo "#endif"
} > "$out.tmp"
mv "$out.tmp" "$out"
