// SPDX-License-Identifier: GPL-2.0
/*
 * channel_mgmt.c - offers, rescinds and the channel list (fact sheet B.1,
 * B.3, B.4, B.6). Host messages that change the channel set are handled
 * in order on one work queue, in process context.
 */
#include <linux/vmalloc.h>
#include "vmbus_priv.h"

struct vmbus_chmsg_work {
	struct work_struct work;
	u32 size;
	u8 msg[HV_MESSAGE_PAYLOAD_MAX];
};

static void vmbus_relid_set(u32 relid, struct hv_channel *c)
{
	unsigned long flags;

	spin_lock_irqsave(&vmbus_conn.relid_lock, flags);
	vmbus_conn.relid_map[relid] = c;
	spin_unlock_irqrestore(&vmbus_conn.relid_lock, flags);
}

static void vmbus_send_relid_released(struct hv_channel *c)
{
	struct vmbus_chmsg_relid msg;

	if (c->released)
		return;
	c->released = 1;
	memset(&msg, 0, sizeof(msg));
	msg.hdr.msgtype = CHMSG_RELID_RELEASED;
	msg.child_relid = c->relid;
	vmbus_post_msg(&msg, sizeof(msg), 1);
}

/**
 * vmbus_channel_free() - unlink and free a closed channel. Its relid is
 * cleared under relid_lock first, so the interrupt path (which schedules
 * the tasklet under that lock) cannot reach it any more, then its tasklet
 * is killed. Context: process, with channels_mutex held, and for a
 * sub-channel either its primary's sc_mutex or no device on the primary
 * (sysfs readers walk sc_list under sc_mutex).
 */
void vmbus_channel_free(struct hv_channel *c)
{
	/* a released sub-channel's relid may already belong to a new offer */
	if (vmbus_relid_get(c->relid) == c)
		vmbus_relid_set(c->relid, NULL);
	tasklet_kill(&c->tasklet);
	list_del(&c->node);
	if (c->primary)
		list_del(&c->sc_node);
	/* a CPU going offline may be moving it (bounded by a host timeout) */
	wait_event(vmbus_conn.move_wq, !vmbus_channel_moving(c));
	vmbus_put_cpu(c->target_cpu);
	kfree(c);
}

static struct hv_channel *vmbus_find_primary(const struct vmbus_chmsg_offer *o)
{
	struct hv_channel *c;

	list_for_each_entry(c, &vmbus_conn.channels, node) {
		if (c->primary || c->rescinded)
			continue;
		if (!memcmp(&c->offer.if_type, &o->if_type, sizeof(o->if_type)) &&
		    !memcmp(&c->offer.if_instance, &o->if_instance,
			    sizeof(o->if_instance)))
			return c;
	}
	return NULL;
}

/*
 * Sub-channels one primary may have, taken by its driver or not: a host
 * may offer them before (or without) a driver asking, and each costs a
 * channel struct and a relid. Upstream hosts offer at most one per vCPU
 * up to 64 (NVSP and VSTOR multichannel limits).
 */
#define VMBUS_MAX_SUBCHANNELS	64

static unsigned int vmbus_count_subchannels(struct hv_channel *primary)
{
	struct hv_channel *sc;
	unsigned int n = 0;

	mutex_lock(&primary->sc_mutex);
	list_for_each_entry(sc, &primary->sc_list, sc_node)
		n++;
	mutex_unlock(&primary->sc_mutex);
	return n;
}

static void vmbus_channel_tasklet(unsigned long data);
static void vmbus_add_work_fn(struct work_struct *work);
static void vmbus_remove_work_fn(struct work_struct *work);

static struct hv_channel *vmbus_channel_alloc(const struct vmbus_chmsg_offer *o)
{
	struct hv_channel *c;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	INIT_LIST_HEAD(&c->node);
	INIT_LIST_HEAD(&c->sc_list);
	INIT_LIST_HEAD(&c->sc_node);
	mutex_init(&c->lock);
	mutex_init(&c->sc_mutex);
	spin_lock_init(&c->out_lock);
	init_waitqueue_head(&c->space_wq);
	hv_compat_tasklet_init(&c->tasklet, vmbus_channel_tasklet,
			       (unsigned long)c);
	HV_INIT_WORK(&c->add_work, vmbus_add_work_fn);
	HV_INIT_WORK(&c->remove_work, vmbus_remove_work_fn);
	memcpy(&c->offer, o, sizeof(*o));
	c->relid = o->child_relid;
	c->state = HV_CHAN_OFFERED;
	c->dedicated = vmbus_conn.version >= VMBUS_VERSION_WIN7 &&
		(o->is_dedicated_interrupt & 1);
	c->sig_conn_id = vmbus_conn.version >= VMBUS_VERSION_WIN7 ?
		o->connection_id : VMBUS_EVENT_CONNECTION_ID;
	if (o->monitor_allocated & 1) {
		c->monitored = 1;
		c->monitor_grp = o->monitorid / VMBUS_MONITOR_PER_GROUP;
		c->monitor_bit = o->monitorid % VMBUS_MONITOR_PER_GROUP;
	}
	c->target_cpu = vmbus_pick_cpu(c->relid);
	c->target_vp = vmbus_conn.plat->ops->vp_index(vmbus_conn.plat,
						      c->target_cpu);
	return c;
}

static void vmbus_channel_tasklet(unsigned long data)
{
	struct hv_channel *c = (struct hv_channel *)data;

	hv_channel_event(c);
}

static void vmbus_process_offer(const u8 *buf, u32 size)
{
	struct vmbus_chmsg_offer o;
	struct hv_channel *c, *primary = NULL;
	char gs[40];

	/* a 0.13 offer has no is_dedicated_interrupt / connection_id */
	memset(&o, 0, sizeof(o));
	memcpy(&o, buf, size < sizeof(o) ? size : sizeof(o));
	if (vmbus_conn.version < VMBUS_VERSION_WIN7) {
		o.is_dedicated_interrupt = 0;
		o.connection_id = 0;
	}
	if (hv_offer_validate(&o, vmbus_conn.version)) {
		pr_err(VMBUS_MOD ": rejected invalid offer (relid %u, monitor %u)\n",
		       o.child_relid, o.monitorid);
		return;
	}
	if (vmbus_relid_get(o.child_relid)) {
		pr_err(VMBUS_MOD ": rejected offer for relid %u: already in use\n",
		       o.child_relid);
		return;
	}
	primary = vmbus_find_primary(&o);
	if (!o.sub_channel_index && primary) {
		/* one device per instance: a second primary would be a twin */
		pr_err(VMBUS_MOD ": rejected offer for relid %u: instance %s already offered as relid %u\n",
		       o.child_relid, hv_guid_fmt(&o.if_instance, gs),
		       primary->relid);
		return;
	}
	if (o.sub_channel_index) {
		if (!primary) {
			pr_err(VMBUS_MOD ": sub-channel offer %u without primary %s\n",
			       o.child_relid, hv_guid_fmt(&o.if_instance, gs));
			return;
		}
		if (vmbus_count_subchannels(primary) >= VMBUS_MAX_SUBCHANNELS) {
			pr_err(VMBUS_MOD ": rejected sub-channel offer %u: primary relid %u already has %u\n",
			       o.child_relid, primary->relid,
			       VMBUS_MAX_SUBCHANNELS);
			return;
		}
	}
	c = vmbus_channel_alloc(&o);
	if (!c)
		return;
	list_add_tail(&c->node, &vmbus_conn.channels);
	vmbus_relid_set(c->relid, c);
	if (primary) {
		/* the driver's callback runs under sc_mutex: it cannot race
		 * with hv_channel_set_subchannel_cb() or with closing */
		c->primary = primary;
		mutex_lock(&primary->sc_mutex);
		list_add_tail(&c->sc_node, &primary->sc_list);
		if (primary->sc_cb)
			primary->sc_cb(c);
		mutex_unlock(&primary->sc_mutex);
		return;
	}
	/* the device (and the driver's probe) comes on dev_wq, unlocked */
	queue_work(vmbus_conn.dev_wq, &c->add_work);
}

/*
 * Add the device of primary channel @c: the driver core probes a driver
 * here, with no VMBus lock held, while wq goes on handling offers (the
 * driver's sub-channels among them). A channel rescinded meanwhile gets
 * no device; its remove work, queued after this one, frees it.
 * Context: dev_wq.
 */
static void vmbus_add_work_fn(struct work_struct *work)
{
	struct hv_channel *c = container_of(work, struct hv_channel, add_work);
	int ret;

	if (vmbus_conn.state != VMBUS_CONNECTED || READ_ONCE(c->rescinded))
		return;
	ret = vmbus_device_add(c);
	if (ret)
		/* kept without a device until the host rescinds it */
		pr_err(VMBUS_MOD ": could not add device for relid %u (%d)\n",
		       c->relid, ret);
}

/*
 * A rescinded primary: remove its device (the driver closes its channels)
 * with no VMBus lock held, then close what is left, give the relids back
 * and free the channels. Queued after the add work: never runs before it.
 * Context: dev_wq.
 */
static void vmbus_remove_work_fn(struct work_struct *work)
{
	struct hv_channel *c = container_of(work, struct hv_channel,
					    remove_work);
	struct hv_channel *sc, *tmp;

	if (c->device)
		vmbus_device_remove(c);
	mutex_lock(&vmbus_conn.channels_mutex);
	mutex_lock(&c->sc_mutex);
	list_for_each_entry_safe(sc, tmp, &c->sc_list, sc_node) {
		hv_channel_close(sc);
		vmbus_send_relid_released(sc);
		vmbus_channel_free(sc);
	}
	mutex_unlock(&c->sc_mutex);
	hv_channel_close(c);
	vmbus_send_relid_released(c);
	vmbus_channel_free(c);
	mutex_unlock(&vmbus_conn.channels_mutex);
}

static void vmbus_process_rescind(u32 relid)
{
	struct hv_channel *c, *sc;

	c = vmbus_relid_get(relid);
	if (!c) {
		pr_warn(VMBUS_MOD ": rescind of unknown relid %u\n", relid);
		return;
	}
	if (c->rescinded) {
		/* its removal is queued or running: once is enough */
		pr_warn(VMBUS_MOD ": second rescind of relid %u ignored\n",
			relid);
		return;
	}
	WRITE_ONCE(c->rescinded, 1);
	/* sc_list changes only in this work item: no lock needed to walk it */
	list_for_each_entry(sc, &c->sc_list, sc_node) {
		WRITE_ONCE(sc->rescinded, 1);
		/* an open waiting for its answer holds sc->lock: end it */
		vmbus_waiters_cancel_relid(sc->relid);
		wake_up_all(&sc->space_wq);
	}
	vmbus_waiters_cancel_relid(relid);
	wake_up_all(&c->space_wq);
	/* drivers hear of it before anything is closed: sub-channels first */
	list_for_each_entry(sc, &c->sc_list, sc_node)
		vmbus_channel_rescind_notify(sc);
	vmbus_channel_rescind_notify(c);

	if (c->primary) {
		/*
		 * A sub-channel alone: close it and give the relid back, but
		 * keep the struct until its primary goes: the driver may hold
		 * it, and every call on it now fails with -ENODEV.
		 */
		hv_channel_close(c);
		vmbus_send_relid_released(c);
		vmbus_relid_set(c->relid, NULL);
		tasklet_kill(&c->tasklet);
		return;
	}
	/* primary: its driver closes it and its sub-channels, on dev_wq */
	queue_work(vmbus_conn.dev_wq, &c->remove_work);
}

static void vmbus_chmsg_work_fn(struct work_struct *work)
{
	struct vmbus_chmsg_work *w = container_of(work, struct vmbus_chmsg_work,
						  work);
	const struct vmbus_chmsg_hdr *h = (const void *)w->msg;

	mutex_lock(&vmbus_conn.channels_mutex);
	if (vmbus_conn.state == VMBUS_CONNECTED) {
		switch (h->msgtype) {
		case CHMSG_OFFERCHANNEL:
			vmbus_process_offer(w->msg, w->size);
			break;
		case CHMSG_RESCIND_CHANNELOFFER:
			vmbus_process_rescind(((const struct vmbus_chmsg_relid *)
					       w->msg)->child_relid);
			break;
		case CHMSG_ALLOFFERS_DELIVERED:
			complete(&vmbus_conn.alloffers);
			break;
		default:
			break;
		}
	}
	mutex_unlock(&vmbus_conn.channels_mutex);
	kfree(w);
}

/**
 * vmbus_queue_chmsg() - queue an offer, rescind or ALLOFFERS_DELIVERED
 * (already validated by hv_chmsg_validate()) for the work queue.
 * Context: any (called from the message tasklet).
 */
void vmbus_queue_chmsg(const void *msg, u32 size)
{
	struct vmbus_chmsg_work *w;

	if (!vmbus_conn.wq || size > HV_MESSAGE_PAYLOAD_MAX)
		return;
	w = kzalloc(sizeof(*w), GFP_ATOMIC);
	if (!w) {
		pr_err(VMBUS_MOD ": out of memory, host message dropped\n");
		return;
	}
	memcpy(w->msg, msg, size);
	w->size = size;
	HV_INIT_WORK(&w->work, vmbus_chmsg_work_fn);
	queue_work(vmbus_conn.wq, &w->work);
}

/**
 * vmbus_remove_all_channels() - unload path: remove every device (drivers
 * close their channels), close what is left and free all channels.
 * Context: process; the connection state is no longer CONNECTED.
 */
void vmbus_remove_all_channels(void)
{
	struct hv_channel *c, *tmp;

	/* adds and removes in flight end first (adds now add nothing) */
	if (vmbus_conn.dev_wq)
		flush_workqueue(vmbus_conn.dev_wq);
	mutex_lock(&vmbus_conn.channels_mutex);
	list_for_each_entry(c, &vmbus_conn.channels, node) {
		if (!c->primary && c->device)
			vmbus_device_remove(c);
	}
	/* sub-channels first, then primaries */
	list_for_each_entry_safe(c, tmp, &vmbus_conn.channels, node) {
		if (c->primary) {
			hv_channel_close(c);
			vmbus_channel_free(c);
		}
	}
	list_for_each_entry_safe(c, tmp, &vmbus_conn.channels, node) {
		hv_channel_close(c);
		vmbus_channel_free(c);
	}
	mutex_unlock(&vmbus_conn.channels_mutex);
}
