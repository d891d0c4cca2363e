// SPDX-License-Identifier: GPL-2.0
/*
 * connection.c - the VMBus connection: per-CPU SynIC pages, the interrupt
 * handler, host message dispatch, version negotiation (fact sheet B.1),
 * request/response matching and signalling the host (B.5).
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/vmalloc.h>
#include "vmbus_priv.h"

struct vmbus_conn vmbus_conn;

static void vmbus_free_page(void *p)
{
	if (p)
		free_page((unsigned long)p);
}

static void *vmbus_zalloc_page(void)
{
	return (void *)get_zeroed_page(GFP_KERNEL);
}

/* ---- waiters ---------------------------------------------------------- */

/**
 * vmbus_waiter_init() - prepare a waiter for host message @resp_type,
 * matching @relid and @key when non-zero. Context: any.
 */
void vmbus_waiter_init(struct vmbus_waiter *w, u32 resp_type, u32 relid,
		       u32 key)
{
	memset(w, 0, sizeof(*w));
	INIT_LIST_HEAD(&w->node);
	w->resp_type = resp_type;
	w->relid = relid;
	w->key = key;
	init_completion(&w->done);
}

void vmbus_waiter_add(struct vmbus_waiter *w)
{
	unsigned long flags;

	spin_lock_irqsave(&vmbus_conn.waiters_lock, flags);
	list_add_tail(&w->node, &vmbus_conn.waiters);
	spin_unlock_irqrestore(&vmbus_conn.waiters_lock, flags);
}

void vmbus_waiter_del(struct vmbus_waiter *w)
{
	unsigned long flags;

	spin_lock_irqsave(&vmbus_conn.waiters_lock, flags);
	if (!list_empty(&w->node))
		list_del_init(&w->node);
	spin_unlock_irqrestore(&vmbus_conn.waiters_lock, flags);
}

/**
 * vmbus_waiter_wait() - wait for the answer, then unlink the waiter.
 * Context: process, sleeps. Return: 0, -ETIMEDOUT, or the error the
 * waiter was cancelled with (-ENODEV).
 */
int vmbus_waiter_wait(struct vmbus_waiter *w, unsigned int timeout_ms)
{
	unsigned long left, flags;
	int answered;

	left = wait_for_completion_timeout(&w->done,
					   msecs_to_jiffies(timeout_ms));
	/* answers and cancels unlink the waiter under the lock, then complete */
	spin_lock_irqsave(&vmbus_conn.waiters_lock, flags);
	answered = list_empty(&w->node);
	if (!answered)
		list_del_init(&w->node);
	spin_unlock_irqrestore(&vmbus_conn.waiters_lock, flags);
	if (!answered)
		return -ETIMEDOUT;
	if (!left)
		wait_for_completion(&w->done);
	return w->error;
}

static void vmbus_waiters_cancel(u32 relid, int all)
{
	struct vmbus_waiter *w, *tmp;
	unsigned long flags;

	spin_lock_irqsave(&vmbus_conn.waiters_lock, flags);
	list_for_each_entry_safe(w, tmp, &vmbus_conn.waiters, node) {
		if (!all && w->relid != relid)
			continue;
		list_del_init(&w->node);
		w->error = -ENODEV;
		complete(&w->done);
	}
	spin_unlock_irqrestore(&vmbus_conn.waiters_lock, flags);
}

/** vmbus_waiters_cancel_relid() - fail every request on a rescinded channel. */
void vmbus_waiters_cancel_relid(u32 relid)
{
	vmbus_waiters_cancel(relid, 0);
}

/** vmbus_waiters_cancel_all() - fail every outstanding request (unload). */
void vmbus_waiters_cancel_all(void)
{
	vmbus_waiters_cancel(0, 1);
}

/* Keys that tie an answer to its request (B.3). */
static void vmbus_resp_keys(const u8 *msg, u32 type, u32 *relid, u32 *key)
{
	*relid = 0;
	*key = 0;
	switch (type) {
	case CHMSG_OPENCHANNEL_RESULT: {
		const struct vmbus_chmsg_open_result *r = (const void *)msg;
		*relid = r->child_relid;
		*key = r->openid;
		break;
	}
	case CHMSG_GPADL_CREATED: {
		const struct vmbus_chmsg_gpadl_created *r = (const void *)msg;
		*relid = r->child_relid;
		*key = r->gpadl;
		break;
	}
	case CHMSG_GPADL_TORNDOWN: {
		const struct vmbus_chmsg_gpadl_torndown *r = (const void *)msg;
		*key = r->gpadl;
		break;
	}
	case CHMSG_MODIFYCHANNEL_RESPONSE: {
		const struct vmbus_chmsg_relid *r = (const void *)msg;
		*relid = r->child_relid;
		break;
	}
	default:
		break;
	}
}

/* Complete the waiter an answer belongs to; 0 if none was waiting. */
static int vmbus_match_response(const u8 *msg, u32 size, u32 type)
{
	struct vmbus_waiter *w;
	unsigned long flags;
	u32 relid, key;
	int found = 0;

	vmbus_resp_keys(msg, type, &relid, &key);
	spin_lock_irqsave(&vmbus_conn.waiters_lock, flags);
	list_for_each_entry(w, &vmbus_conn.waiters, node) {
		if (w->resp_type != type)
			continue;
		if (w->relid && type != CHMSG_GPADL_TORNDOWN && w->relid != relid)
			continue;
		if (w->key && w->key != key)
			continue;
		memcpy(w->resp, msg, size);
		w->resp_len = size;
		w->error = 0;
		list_del_init(&w->node);
		complete(&w->done);
		found = 1;
		break;
	}
	spin_unlock_irqrestore(&vmbus_conn.waiters_lock, flags);
	return found;
}

/* ---- posting messages ------------------------------------------------- */

static u16 vmbus_post_once(u32 conn_id, const void *msg, u32 size)
{
	struct hv_platform *p = vmbus_conn.plat;

	return p->ops->post_message(p, conn_id, msg, size);
}

/**
 * vmbus_post_msg() - post a channel message to the host (HvPostMessage to
 * the negotiated message connection id, B.1).
 * @msg: message (starts with struct vmbus_chmsg_hdr); @size: <= 240
 * @can_sleep: retry transient failures (INVALID_CONNECTION_ID,
 *	INSUFFICIENT_MEMORY, INSUFFICIENT_BUFFERS) up to 100 times with a
 *	growing delay, as Linux does (A.3)
 * Context: process when @can_sleep, else any.
 * Return: 0, -EINVAL (size), -ENODEV (no platform), -EAGAIN (still busy
 * after the retries) or -EIO (other hypercall status).
 */
int vmbus_post_msg(const void *msg, u32 size, int can_sleep)
{
	unsigned int tries, delay_ms = 1;
	u16 st = HV_STATUS_SUCCESS;

	if (size < sizeof(struct vmbus_chmsg_hdr) || size > HV_MESSAGE_PAYLOAD_MAX)
		return -EINVAL;
	if (!vmbus_conn.plat)
		return -ENODEV;
	for (tries = 0; tries < 100; tries++) {
		st = vmbus_post_once(vmbus_conn.msg_conn_id, msg, size);
		if (st == HV_STATUS_SUCCESS)
			return 0;
		if (st != HV_STATUS_INVALID_CONNECTION_ID &&
		    st != HV_STATUS_INSUFFICIENT_MEMORY &&
		    st != HV_STATUS_INSUFFICIENT_BUFFERS)
			break;
		if (!can_sleep)
			return -EAGAIN;
		msleep(delay_ms);
		if (delay_ms < 256)
			delay_ms *= 2;
	}
	pr_err(VMBUS_MOD ": post message type %u failed: status 0x%x\n",
	       ((const struct vmbus_chmsg_hdr *)msg)->msgtype, st);
	return st == HV_STATUS_SUCCESS ? 0 :
		(tries >= 100 ? -EAGAIN : -EIO);
}

/* ---- signalling the host (B.5) ---------------------------------------- */

/**
 * vmbus_signal_host() - tell the host that @c's send ring has data.
 * Monitored channels: relid bit in the send half of the interrupt page,
 * then the monitor bit in trigger group pending of monitor page 2.
 * Others: relid bit (unless dedicated), then HvSignalEvent on the offer's
 * connection id (event connection 2 on 0.13). Context: any.
 */
void vmbus_signal_host(struct hv_channel *c)
{
	struct vmbus_monitor_page *mp;
	u32 *send_half = (u32 *)((u8 *)vmbus_conn.int_page + VMBUS_INTPAGE_HALF);

	c->n_signals++;
	if (c->monitored) {
		hv_compat_sync_set_bit(c->relid, send_half);
		mp = vmbus_conn.monitor_pages[1];
		hv_compat_sync_set_bit(c->monitor_bit,
				       &mp->trigger_group[c->monitor_grp].pending);
		return;
	}
	if (!c->dedicated)
		hv_compat_sync_set_bit(c->relid, send_half);
	vmbus_conn.plat->ops->signal_event(vmbus_conn.plat, c->sig_conn_id);
}

/* ---- interrupt handling (A.4) ----------------------------------------- */

/**
 * vmbus_relid_get() - channel of @relid, or NULL. Context: process, with
 * channels_mutex held: only the holder of that mutex frees channels, so
 * the result stays valid while it is held. Interrupt context uses
 * vmbus_relid_kick() instead.
 */
struct hv_channel *vmbus_relid_get(u32 relid)
{
	struct hv_channel *c = NULL;
	unsigned long flags;

	if (relid == 0 || relid >= VMBUS_MAX_RELID || !vmbus_conn.relid_map)
		return NULL;
	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	c = vmbus_conn.relid_map[relid];
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	return c;
}

/*
 * The host flagged @relid: schedule its channel's tasklet. Lookup and
 * schedule happen under relid_lock, which vmbus_channel_free() takes to
 * clear the map entry before it kills the tasklet and frees the channel:
 * so either the free sees (and kills) the tasklet scheduled here, or this
 * sees the NULL entry. The channel is never touched after the unlock.
 */
static void vmbus_relid_kick(u32 relid)
{
	struct hv_channel *c;
	unsigned long flags;

	if (relid == 0 || relid >= VMBUS_MAX_RELID || !vmbus_conn.relid_map)
		return;
	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	c = vmbus_conn.relid_map[relid];
	if (c)
		hv_channel_isr(c);
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
}

static void vmbus_scan_flags(volatile u32 *map, unsigned int nbits)
{
	unsigned int w, nwords = nbits / 32;
	u32 word;

	for (w = 0; w < nwords; w++) {
		if (!map[w])
			continue;
		word = hv_compat_xchg32(&map[w], 0);
		while (word) {
			unsigned int bit = __ffs(word);
			u32 relid = w * 32 + bit;

			word &= ~(1U << bit);
			if (relid == 0)
				continue;
			vmbus_relid_kick(relid);
		}
	}
}

static void vmbus_isr_events(struct vmbus_percpu *pc)
{
	u32 *area = (u32 *)(pc->pages.siefp +
			    VMBUS_MESSAGE_SINT * HV_SYNIC_EVENT_AREA_SIZE);

	if (vmbus_conn.version >= VMBUS_VERSION_WIN8) {
		/* relid bits directly in the SIEF area (B.1, 2.4+) */
		vmbus_scan_flags(area, HV_SYNIC_EVENT_AREA_SIZE * 8);
		return;
	}
	/* older hosts: bit 0 says "look at the interrupt page" */
	if (!(HV_READ_ONCE32(area[0]) & 1))
		return;
	hv_compat_sync_clear_bit(0, area);
	vmbus_scan_flags((u32 *)vmbus_conn.int_page, VMBUS_INTPAGE_HALF * 8);
}

static struct vmbus_percpu *vmbus_this_cpu(void)
{
	unsigned int cpu = smp_processor_id();

	if (!vmbus_conn.pcpu || cpu >= vmbus_conn.ncpus)
		return NULL;
	return vmbus_conn.pcpu[cpu];
}

/*
 * The VMBus interrupt: events first, then messages (A.4). Runs in
 * interrupt context on the CPU the host interrupted.
 */
static void vmbus_isr(void)
{
	struct vmbus_percpu *pc = vmbus_this_cpu();
	struct hv_message_slot *slot;

	if (!pc || !pc->enabled)
		return;
	vmbus_isr_events(pc);
	slot = &pc->pages.simp[VMBUS_MESSAGE_SINT];
	if (HV_READ_ONCE32(slot->message_type) != HV_MSG_NONE)
		tasklet_schedule(&pc->msg_tasklet);
}

static void vmbus_handle_msg(const u8 *buf, u32 size)
{
	const struct vmbus_chmsg_hdr *h = (const void *)buf;
	u32 type;

	vmbus_conn.n_msgs++;
	if (hv_chmsg_validate(buf, size, vmbus_conn.version)) {
		vmbus_conn.n_bad_msgs++;
		pr_err_ratelimited(VMBUS_MOD ": dropped malformed host message (type %u, %u bytes)\n",
				   size >= 4 ? h->msgtype : 0, size);
		return;
	}
	type = h->msgtype;
	switch (type) {
	case CHMSG_OFFERCHANNEL:
	case CHMSG_RESCIND_CHANNELOFFER:
	case CHMSG_ALLOFFERS_DELIVERED:
		vmbus_queue_chmsg(buf, size);
		break;
	case CHMSG_VERSION_RESPONSE:
	case CHMSG_OPENCHANNEL_RESULT:
	case CHMSG_GPADL_CREATED:
	case CHMSG_GPADL_TORNDOWN:
	case CHMSG_UNLOAD_RESPONSE:
	case CHMSG_MODIFYCHANNEL_RESPONSE:
		if (!vmbus_match_response(buf, size, type)) {
			vmbus_conn.n_unmatched++;
			pr_warn_ratelimited(VMBUS_MOD ": unexpected host message type %u\n",
					    type);
		}
		break;
	default:
		vmbus_conn.n_bad_msgs++;
		break;
	}
}

/* Message tasklet: copy each message out of SIMP slot 2 and free it. */
static void vmbus_msg_tasklet(unsigned long data)
{
	struct vmbus_percpu *pc = (struct vmbus_percpu *)data;
	struct hv_message_slot *slot = &pc->pages.simp[VMBUS_MESSAGE_SINT];
	u8 buf[HV_MESSAGE_PAYLOAD_MAX];
	u32 type, size;
	unsigned int budget = 64;

	while (budget--) {
		type = HV_READ_ONCE32(slot->message_type);
		if (type == HV_MSG_NONE)
			break;
		hv_compat_rmb();
		size = slot->payload_size;
		if (size > HV_MESSAGE_PAYLOAD_MAX)
			size = HV_MESSAGE_PAYLOAD_MAX;
		memcpy(buf, slot->payload, size);
		/* free the slot, then ask for redelivery if one is queued */
		HV_WRITE_ONCE32(slot->message_type, HV_MSG_NONE);
		hv_compat_mb();
		if (slot->flags & HV_MSG_FLAG_PENDING)
			vmbus_conn.plat->ops->eom(vmbus_conn.plat);
		if (type == HV_POST_MESSAGE_TYPE_VMBUS)
			vmbus_handle_msg(buf, size);
		else
			vmbus_conn.n_bad_msgs++;
	}
	if (HV_READ_ONCE32(slot->message_type) != HV_MSG_NONE)
		tasklet_schedule(&pc->msg_tasklet);
}

/* ---- SynIC setup ------------------------------------------------------ */

struct vmbus_synic_call {
	struct vmbus_percpu *pc;
	int ret;
};

static void vmbus_synic_enable_on_cpu(void *arg)
{
	struct vmbus_synic_call *call = arg;
	struct hv_platform *p = vmbus_conn.plat;

	call->ret = p->ops->synic_enable(p, call->pc->cpu, &call->pc->pages);
}

static void vmbus_synic_disable_on_cpu(void *arg)
{
	struct vmbus_percpu *pc = arg;
	struct hv_platform *p = vmbus_conn.plat;

	p->ops->synic_disable(p, pc->cpu);
}

/* SynIC off on @pc's CPU (online while enabled); nothing targets it. */
static void vmbus_percpu_disable(struct vmbus_percpu *pc)
{
	if (pc->enabled)
		hv_compat_call_on_cpu(pc->cpu, vmbus_synic_disable_on_cpu, pc);
	pc->enabled = 0;
}

static void vmbus_percpu_free(void)
{
	unsigned int cpu;
	struct vmbus_percpu *pc;

	hv_compat_cpus_read_lock();
	if (!vmbus_conn.pcpu)
		goto out;
	for (cpu = 0; cpu < vmbus_conn.ncpus; cpu++) {
		pc = vmbus_conn.pcpu[cpu];
		if (!pc)
			continue;
		/* a CPU that went offline had its SynIC turned off then */
		vmbus_percpu_disable(pc);
		tasklet_kill(&pc->msg_tasklet);
		vmbus_free_page(pc->pages.simp);
		vmbus_free_page(pc->pages.siefp);
		kfree(pc);
		vmbus_conn.pcpu[cpu] = NULL;
	}
	kfree(vmbus_conn.pcpu);
	vmbus_conn.pcpu = NULL;
out:
	hv_compat_cpus_read_unlock();
}

/*
 * SynIC on for @cpu (online): its pages allocated on first use, kept
 * across offline/online until disconnect. Hotplug excluded by the caller.
 */
static int vmbus_percpu_enable(unsigned int cpu)
{
	struct vmbus_percpu *pc = vmbus_conn.pcpu[cpu];
	struct vmbus_synic_call call;
	unsigned long flags;
	int ret;

	if (!pc) {
		pc = kzalloc(sizeof(*pc), GFP_KERNEL);
		if (!pc)
			return -ENOMEM;
		vmbus_conn.pcpu[cpu] = pc;
		pc->cpu = cpu;
		hv_compat_tasklet_init(&pc->msg_tasklet, vmbus_msg_tasklet,
				       (unsigned long)pc);
	}
	if (pc->enabled)
		return 0;
	if (!pc->pages.simp)
		pc->pages.simp = vmbus_zalloc_page();
	if (!pc->pages.siefp)
		pc->pages.siefp = vmbus_zalloc_page();
	if (!pc->pages.simp || !pc->pages.siefp)
		return -ENOMEM;
	call.pc = pc;
	call.ret = -EIO;
	ret = hv_compat_call_on_cpu(cpu, vmbus_synic_enable_on_cpu, &call);
	if (ret)
		return ret;
	if (call.ret)
		return call.ret;
	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	pc->enabled = 1;
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	return 0;
}

static int vmbus_percpu_init(void)
{
	unsigned int cpu;
	int ret = 0;

	vmbus_conn.ncpus = hv_compat_nr_cpu_ids();
	vmbus_conn.pcpu = kcalloc(vmbus_conn.ncpus, sizeof(*vmbus_conn.pcpu),
				  GFP_KERNEL);
	if (!vmbus_conn.pcpu)
		return -ENOMEM;
	hv_compat_cpus_read_lock();
	for_each_online_cpu(cpu) {
		ret = vmbus_percpu_enable(cpu);
		if (ret)
			break;
	}
	hv_compat_cpus_read_unlock();
	return ret;
}

/*
 * CPU hotplug: a CPU that comes online gets its SynIC while the bus is
 * connected. One that goes offline must serve no channel (the host keeps
 * interrupting a channel's target_vp) and not be CPU 0, where the host
 * delivers channel messages (target_vcpu of INITIATE_CONTACT): its
 * channels move to other CPUs first (vmbus_move_channels()). Both run with
 * hotplug excluded; vmbus_conn.pcpu only changes under
 * hv_compat_cpus_read_lock(), so it is stable here.
 */
static int vmbus_cpu_online(unsigned int cpu)
{
	unsigned long flags;

	if (!vmbus_conn.pcpu || cpu >= vmbus_conn.ncpus)
		return 0;
	if (vmbus_conn.pcpu[cpu]) {
		spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
		vmbus_conn.pcpu[cpu]->leaving = 0;
		spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	}
	return vmbus_percpu_enable(cpu);
}

/* CPU for a channel: spread by relid over the CPUs that take channels. */
static unsigned int vmbus_spread_cpu_locked(u32 relid)
{
	struct vmbus_percpu *pc;
	unsigned int n = 0, i = 0, cpu, want;

	for (cpu = 0; cpu < vmbus_conn.ncpus; cpu++) {
		pc = vmbus_conn.pcpu[cpu];
		if (pc && pc->enabled && !pc->leaving)
			n++;
	}
	want = n ? relid % n : 0;
	for (cpu = 0; cpu < vmbus_conn.ncpus; cpu++) {
		pc = vmbus_conn.pcpu[cpu];
		if (!pc || !pc->enabled || pc->leaving)
			continue;
		if (i++ == want)
			return cpu;
	}
	return 0;
}

/**
 * vmbus_channel_moving() - is a CPU offline moving @c right now?
 * vmbus_channel_free() waits until it is not. Context: any.
 */
int vmbus_channel_moving(struct hv_channel *c)
{
	unsigned long flags;
	int moving;

	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	moving = c->moving;
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	return moving;
}

/*
 * Tell the host to interrupt @vp for @c from now on (MODIFYCHANNEL, 4.1+,
 * B.3). A 5.3+ host answers MODIFYCHANNEL_RESPONSE (relid @8, status @12;
 * 0 is success), read from the private copy the waiter holds; an older one
 * does not answer, and *@unacked is set. Context: process, sleeps, with
 * c->lock held and the channel open.
 */
static int vmbus_modify_channel(struct hv_channel *c, u32 vp, int *unacked)
{
	struct vmbus_chmsg_modifychannel msg;
	struct vmbus_waiter *w = NULL;
	u32 status;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.hdr.msgtype = CHMSG_MODIFYCHANNEL;
	msg.child_relid = c->relid;
	msg.target_vp = vp;
	if (vmbus_conn.version < VMBUS_VERSION_WIN10_V5_3) {
		*unacked = 1;
		return vmbus_post_msg(&msg, sizeof(msg), 1);
	}
	/* a waiter holds a whole message: too big for the cpuhp stack */
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	vmbus_waiter_init(w, CHMSG_MODIFYCHANNEL_RESPONSE, c->relid, 0);
	vmbus_waiter_add(w);
	ret = vmbus_post_msg(&msg, sizeof(msg), 1);
	if (ret) {
		vmbus_waiter_del(w);
		goto out;
	}
	ret = vmbus_waiter_wait(w, VMBUS_REQUEST_TIMEOUT_MS);
	if (ret)
		goto out;
	memcpy(&status, w->resp + 12, sizeof(status));
	if (status) {
		pr_warn(VMBUS_MOD ": relid %u: host refused MODIFYCHANNEL to VP %u (status 0x%x)\n",
			c->relid, vp, status);
		ret = -EIO;
	}
out:
	kfree(w);
	return ret;
}

/*
 * Move every channel that targets @cpu (marked leaving, so none is added)
 * to another CPU, one at a time: an open channel with MODIFYCHANNEL on
 * 4.1+ hosts, one not open by changing the target its OPENCHANNEL will
 * carry, a rescinded one by bookkeeping only. A channel is held against
 * vmbus_channel_free() while it moves (moving, move_wq), and c->lock keeps
 * open and close out. Stops at the first channel that cannot move (host
 * before 4.1, refusal, no answer within the request timeout: that channel
 * stays where the host last put it). Context: process, CPU hotplug held.
 * Return: 0, or -EBUSY with *@left the channels still on @cpu.
 */
static int vmbus_move_channels(unsigned int cpu, int *unacked,
			       unsigned int *moved, unsigned int *left)
{
	struct vmbus_percpu *pc = vmbus_conn.pcpu[cpu];
	struct hv_channel *c;
	unsigned long flags;
	unsigned int dest;
	u32 relid, vp;
	int ret = 0, need_msg;

	for (;;) {
		c = NULL;
		spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
		for (relid = 1; relid < VMBUS_MAX_RELID; relid++) {
			c = vmbus_conn.relid_map[relid];
			if (c && c->target_cpu == cpu)
				break;
			c = NULL;
		}
		if (c)
			c->moving = 1;
		dest = c ? vmbus_spread_cpu_locked(c->relid) : 0;
		spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
		if (!c)
			break;

		vp = vmbus_conn.plat->ops->vp_index(vmbus_conn.plat, dest);
		mutex_lock(&c->lock);
		need_msg = c->state == HV_CHAN_OPEN &&
			   !READ_ONCE(c->rescinded);
		if (need_msg && vmbus_conn.version < VMBUS_VERSION_WIN10_RS3)
			ret = -EOPNOTSUPP;
		else if (need_msg)
			ret = vmbus_modify_channel(c, vp, unacked);
		spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
		if (!ret && c->target_cpu == cpu) {
			pc->nchan--;
			if (vmbus_conn.pcpu[dest])
				vmbus_conn.pcpu[dest]->nchan++;
			WRITE_ONCE(c->target_cpu, dest);
			c->target_vp = vp;
			(*moved)++;
		}
		c->moving = 0;
		spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
		mutex_unlock(&c->lock);
		wake_up_all(&vmbus_conn.move_wq);
		if (ret) {
			if (ret == -EOPNOTSUPP)
				pr_info(VMBUS_MOD ": relid %u on CPU %u cannot move: host VMBus %u.%u has no MODIFYCHANNEL (4.1+)\n",
					relid, cpu,
					VMBUS_VERSION_MAJOR(vmbus_conn.version),
					VMBUS_VERSION_MINOR(vmbus_conn.version));
			else
				pr_warn(VMBUS_MOD ": relid %u: could not move it off CPU %u (%d)\n",
					relid, cpu, ret);
			break;
		}
	}
	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	*left = 0;
	for (relid = 1; relid < VMBUS_MAX_RELID; relid++) {
		c = vmbus_conn.relid_map[relid];
		if (c && c->target_cpu == cpu)
			(*left)++;
	}
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	return ret || *left ? -EBUSY : 0;
}

/* Schedule every channel flagged in @pc's SIEF area (its SynIC is off). */
static void vmbus_kick_flagged(struct vmbus_percpu *pc)
{
	if (vmbus_conn.version >= VMBUS_VERSION_WIN8 && pc->pages.siefp)
		vmbus_scan_flags((u32 *)(pc->pages.siefp +
				 VMBUS_MESSAGE_SINT * HV_SYNIC_EVENT_AREA_SIZE),
				 HV_SYNIC_EVENT_AREA_SIZE * 8);
}

/* Schedule every channel once: what an unanswered move may have lost. */
static void vmbus_kick_all(void)
{
	u32 relid;

	for (relid = 1; relid < VMBUS_MAX_RELID; relid++)
		if (READ_ONCE(vmbus_conn.relid_map[relid]))
			vmbus_relid_kick(relid);
}

static int vmbus_cpu_offline(unsigned int cpu)
{
	struct vmbus_percpu *pc;
	unsigned long flags;
	unsigned int moved = 0, left = 0;
	int unacked = 0;

	if (!vmbus_conn.pcpu || cpu >= vmbus_conn.ncpus)
		return 0;
	pc = vmbus_conn.pcpu[cpu];
	if (!pc || !pc->enabled)
		return 0;
	if (cpu == 0) {
		pr_info(VMBUS_MOD ": CPU 0 receives the host's VMBus messages; it stays online\n");
		return -EBUSY;
	}
	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	pc->leaving = 1;		/* vmbus_pick_cpu() skips it from now */
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	if (vmbus_move_channels(cpu, &unacked, &moved, &left)) {
		spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
		pc->leaving = 0;
		spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
		pr_info(VMBUS_MOD ": CPU %u handles %u VMBus channel(s); it stays online\n",
			cpu, left);
		if (unacked)
			vmbus_kick_all();
		return -EBUSY;
	}
	if (moved)
		pr_info(VMBUS_MOD ": CPU %u going offline: %u channel(s) moved to other CPUs%s\n",
			cpu, moved, unacked ? " (host does not acknowledge)" : "");
	/*
	 * A host that does not answer MODIFYCHANNEL may still interrupt this
	 * CPU for a moment: the interrupt path serves any channel on any
	 * CPU, so give it time, then look at what the SynIC caught last and
	 * at every channel once after it is off.
	 */
	if (unacked)
		msleep(VMBUS_MODIFY_SETTLE_MS);
	hv_compat_call_on_cpu(cpu, vmbus_synic_disable_on_cpu, pc);
	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	pc->enabled = 0;
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	vmbus_kick_flagged(pc);
	if (unacked)
		vmbus_kick_all();
	return 0;
}

/**
 * vmbus_cpuhp_init() - follow CPU hotplug (SynIC per CPU, A.4) for the
 * life of the module. Context: module init, may sleep.
 * Return: 0 or -errno.
 */
int vmbus_cpuhp_init(void)
{
	return hv_compat_cpuhp_register("hv_vmbus:online", vmbus_cpu_online,
					vmbus_cpu_offline);
}

/** vmbus_cpuhp_exit() - stop following CPU hotplug. Context: module exit. */
void vmbus_cpuhp_exit(void)
{
	hv_compat_cpuhp_unregister();
}

/* ---- negotiation (B.1) ------------------------------------------------ */

/**
 * vmbus_pick_cpu() - CPU for a channel's interrupts: spread by relid over
 * the CPUs whose SynIC is on and that are not going offline, on hosts that
 * honour target_vp (2.4+), else CPU 0. The CPU counts the channel until
 * vmbus_put_cpu(); before it goes offline the channel is moved
 * (vmbus_cpu_offline()). Context: any.
 * @relid: the channel's relid
 * Return: a Linux CPU number.
 */
unsigned int vmbus_pick_cpu(u32 relid)
{
	unsigned long flags;
	unsigned int pick = 0;

	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	if (vmbus_conn.version >= VMBUS_VERSION_WIN8 && vmbus_conn.pcpu)
		pick = vmbus_spread_cpu_locked(relid);
	if (vmbus_conn.pcpu && pick < vmbus_conn.ncpus && vmbus_conn.pcpu[pick])
		vmbus_conn.pcpu[pick]->nchan++;
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
	return pick;
}

/**
 * vmbus_put_cpu() - a channel that targeted @cpu (vmbus_pick_cpu()) is
 * gone. Context: any.
 */
void vmbus_put_cpu(unsigned int cpu)
{
	unsigned long flags;

	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	if (vmbus_conn.pcpu && cpu < vmbus_conn.ncpus && vmbus_conn.pcpu[cpu] &&
	    vmbus_conn.pcpu[cpu]->nchan)
		vmbus_conn.pcpu[cpu]->nchan--;
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
}

static int vmbus_try_version(u32 version)
{
	struct vmbus_chmsg_initiate_contact msg;
	const struct vmbus_chmsg_version_response *resp;
	struct vmbus_waiter w;
	struct hv_platform *p = vmbus_conn.plat;
	u32 conn_id = VMBUS_MESSAGE_CONNECTION_ID;
	u16 st;
	int ret;

	memset(&msg, 0, sizeof(msg));
	msg.hdr.msgtype = CHMSG_INITIATE_CONTACT;
	msg.version = version;
	/* target_vcpu honoured from 3.0; must be 0 below (B.1) */
	msg.target_vcpu = version >= VMBUS_VERSION_WIN8_1 ?
		p->ops->vp_index(p, 0) : 0;
	if (version >= VMBUS_VERSION_WIN10_V5) {
		msg.u.s.sint = VMBUS_MESSAGE_SINT;
		msg.u.s.vtl = 0;
		conn_id = VMBUS_MESSAGE_CONNECTION_ID_4;
	} else {
		msg.u.interrupt_page = virt_to_phys(vmbus_conn.int_page);
	}
	msg.monitor_page1 = virt_to_phys(vmbus_conn.monitor_pages[0]);
	msg.monitor_page2 = virt_to_phys(vmbus_conn.monitor_pages[1]);

	vmbus_waiter_init(&w, CHMSG_VERSION_RESPONSE, 0, 0);
	vmbus_waiter_add(&w);
	st = vmbus_post_once(conn_id, &msg, sizeof(msg));
	if (st != HV_STATUS_SUCCESS) {
		vmbus_waiter_del(&w);
		/* a <= 4.0 host has no connection 4: not supported (B.1) */
		if (st == HV_STATUS_INVALID_CONNECTION_ID &&
		    conn_id == VMBUS_MESSAGE_CONNECTION_ID_4)
			return -EPROTONOSUPPORT;
		pr_err(VMBUS_MOD ": INITIATE_CONTACT %u.%u: hypercall status 0x%x\n",
		       VMBUS_VERSION_MAJOR(version), VMBUS_VERSION_MINOR(version),
		       st);
		return -EIO;
	}
	ret = vmbus_waiter_wait(&w, VMBUS_NEGOTIATE_TIMEOUT_MS);
	if (ret) {
		pr_err(VMBUS_MOD ": no VERSION_RESPONSE from the host for %u.%u\n",
		       VMBUS_VERSION_MAJOR(version), VMBUS_VERSION_MINOR(version));
		return ret;
	}
	resp = (const void *)w.resp;
	if (!resp->version_supported)
		return -EPROTONOSUPPORT;
	if (resp->connection_state != VMBUS_CONN_STATE_OK) {
		pr_err(VMBUS_MOD ": host refused the connection (state %u)\n",
		       resp->connection_state);
		return -ECONNREFUSED;
	}
	if (version >= VMBUS_VERSION_WIN10_V5) {
		if (resp->msg_conn_id == 0 || resp->msg_conn_id > 0xffffff) {
			pr_err(VMBUS_MOD ": host gave invalid msg_conn_id %u\n",
			       resp->msg_conn_id);
			return -EPROTO;
		}
		vmbus_conn.msg_conn_id = resp->msg_conn_id;
	} else {
		vmbus_conn.msg_conn_id = VMBUS_MESSAGE_CONNECTION_ID;
	}
	vmbus_conn.version = version;
	return 0;
}

static int vmbus_negotiate(void)
{
	unsigned int i;
	int ret = -EPROTONOSUPPORT;

	for (i = 0; i < hv_vmbus_nversions; i++) {
		ret = vmbus_try_version(hv_vmbus_versions[i]);
		if (ret != -EPROTONOSUPPORT)
			break;
	}
	if (ret == -EPROTONOSUPPORT)
		pr_err(VMBUS_MOD ": the host supports none of our VMBus versions\n");
	return ret;
}

static void vmbus_free_conn_pages(void)
{
	vmbus_free_page(vmbus_conn.int_page);
	vmbus_free_page(vmbus_conn.monitor_pages[0]);
	vmbus_free_page(vmbus_conn.monitor_pages[1]);
	vmbus_conn.int_page = NULL;
	vmbus_conn.monitor_pages[0] = NULL;
	vmbus_conn.monitor_pages[1] = NULL;
}

static void vmbus_teardown(void)
{
	struct hv_platform *p = vmbus_conn.plat;

	vmbus_waiters_cancel_all();
	if (p)
		p->ops->irq_disable(p);
	vmbus_percpu_free();
	if (vmbus_conn.wq) {
		destroy_workqueue(vmbus_conn.wq);
		vmbus_conn.wq = NULL;
	}
	if (vmbus_conn.dev_wq) {
		destroy_workqueue(vmbus_conn.dev_wq);
		vmbus_conn.dev_wq = NULL;
	}
	vmbus_free_conn_pages();
	vfree(vmbus_conn.relid_map);
	vmbus_conn.relid_map = NULL;
	vmbus_conn.version = 0;
	vmbus_conn.plat = NULL;
	vmbus_conn.state = VMBUS_DISCONNECTED;
}

/**
 * vmbus_connect() - bring the bus up on platform @p: pages, SynIC,
 * interrupt, negotiation, REQUESTOFFERS, then wait (bounded) for
 * ALLOFFERS_DELIVERED so devices exist when this returns.
 * Context: process, sleeps. Return: 0 or -errno (everything undone).
 */
int vmbus_connect(struct hv_platform *p)
{
	struct vmbus_chmsg_hdr req;
	int ret;

	vmbus_conn.plat = p;
	vmbus_conn.state = VMBUS_CONNECTING;
	vmbus_conn.version = 0;
	vmbus_conn.n_msgs = vmbus_conn.n_bad_msgs = vmbus_conn.n_unmatched = 0;
	init_completion(&vmbus_conn.alloffers);
	atomic_set(&vmbus_conn.next_gpadl, 0xe1e10);

	ret = -ENOMEM;
	vmbus_conn.relid_map = vmalloc(sizeof(struct hv_channel *) * VMBUS_MAX_RELID);
	if (!vmbus_conn.relid_map)
		goto fail;
	memset(vmbus_conn.relid_map, 0, sizeof(struct hv_channel *) * VMBUS_MAX_RELID);
	vmbus_conn.int_page = vmbus_zalloc_page();
	vmbus_conn.monitor_pages[0] = vmbus_zalloc_page();
	vmbus_conn.monitor_pages[1] = vmbus_zalloc_page();
	if (!vmbus_conn.int_page || !vmbus_conn.monitor_pages[0] ||
	    !vmbus_conn.monitor_pages[1])
		goto fail;
	vmbus_conn.wq = create_singlethread_workqueue("hv_vmbus_con");
	vmbus_conn.dev_wq = create_singlethread_workqueue("hv_vmbus_dev");
	if (!vmbus_conn.wq || !vmbus_conn.dev_wq)
		goto fail;

	ret = p->ops->irq_enable(p, vmbus_isr);
	if (ret)
		goto fail;
	ret = vmbus_percpu_init();
	if (ret)
		goto fail;

	ret = vmbus_negotiate();
	if (ret)
		goto fail;
	pr_info(VMBUS_MOD ": VMBus version %u.%u negotiated with the %s host\n",
		VMBUS_VERSION_MAJOR(vmbus_conn.version),
		VMBUS_VERSION_MINOR(vmbus_conn.version), p->name);
	vmbus_conn.state = VMBUS_CONNECTED;

	memset(&req, 0, sizeof(req));
	req.msgtype = CHMSG_REQUESTOFFERS;
	ret = vmbus_post_msg(&req, sizeof(req), 1);
	if (ret)
		goto fail_connected;
	if (!wait_for_completion_timeout(&vmbus_conn.alloffers,
				msecs_to_jiffies(VMBUS_ALLOFFERS_TIMEOUT_MS)))
		pr_warn(VMBUS_MOD ": host did not send ALLOFFERS_DELIVERED\n");
	/* offers handled, then their devices added (probes done) */
	flush_workqueue(vmbus_conn.wq);
	flush_workqueue(vmbus_conn.dev_wq);
	return 0;

fail_connected:
	vmbus_conn.state = VMBUS_DISCONNECTING;
	flush_workqueue(vmbus_conn.wq);
	vmbus_remove_all_channels();
fail:
	pr_err(VMBUS_MOD ": connection to the host failed (%d)\n", ret);
	vmbus_teardown();
	return ret;
}

/**
 * vmbus_disconnect() - remove every device and channel, UNLOAD (3.0+,
 * B.3), then free the SynIC and connection pages. Context: process.
 */
/*
 * UNLOAD (3.0+, B.3): the host lets go of every channel, GPADL and ring,
 * and a later connection (this kernel again, or one started by kexec or
 * kdump) starts clean. Context: process, sleeps up to
 * VMBUS_UNLOAD_TIMEOUT_MS.
 */
static void vmbus_send_unload(void)
{
	struct vmbus_chmsg_hdr msg;
	struct vmbus_waiter w;

	if (vmbus_conn.version < VMBUS_VERSION_WIN8_1)
		return;
	memset(&msg, 0, sizeof(msg));
	msg.msgtype = CHMSG_UNLOAD;
	vmbus_waiter_init(&w, CHMSG_UNLOAD_RESPONSE, 0, 0);
	vmbus_waiter_add(&w);
	if (vmbus_post_msg(&msg, sizeof(msg), 1) == 0) {
		if (vmbus_waiter_wait(&w, VMBUS_UNLOAD_TIMEOUT_MS))
			pr_warn(VMBUS_MOD ": no UNLOAD_RESPONSE from the host\n");
	} else {
		vmbus_waiter_del(&w);
	}
}

void vmbus_disconnect(void)
{
	if (vmbus_conn.state == VMBUS_DISCONNECTED)
		return;
	vmbus_conn.state = VMBUS_DISCONNECTING;
	flush_workqueue(vmbus_conn.wq);
	vmbus_remove_all_channels();
	vmbus_send_unload();
	vmbus_teardown();
}

/**
 * vmbus_shutdown_unload() - the system is going down (reboot, power off,
 * kexec) and every device is shut down already: UNLOAD (3.0+, B.3), so
 * the host stops writing into our rings and a kernel started by kexec or
 * kdump can connect. Nothing is closed or freed: the memory goes with the
 * kernel, and a host that gave nothing back cannot write into a reused
 * page of this one. Offers and rescinds after this are ignored.
 * Context: syscore shutdown (hv_compat_shutdown_register()), process,
 * sleeps up to VMBUS_UNLOAD_TIMEOUT_MS.
 */
void vmbus_shutdown_unload(void)
{
	if (vmbus_conn.state != VMBUS_CONNECTED)
		return;
	WRITE_ONCE(vmbus_conn.state, VMBUS_DISCONNECTING);
	vmbus_send_unload();
	pr_info(VMBUS_MOD ": system going down: host told to unload VMBus\n");
}
