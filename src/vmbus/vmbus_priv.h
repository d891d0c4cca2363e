/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmbus_priv.h - internals of hv_vmbus.ko shared by its files:
 * hv.c (real Hyper-V platform), connection.c (SynIC, negotiation, message
 * dispatch), channel_mgmt.c (offers, rescinds, devices), channel.c (open,
 * close, GPADL, send/receive), vmbus_drv.c (bus, sysfs, module).
 */
#ifndef VMBUS_PRIV_H
#define VMBUS_PRIV_H

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/mm.h>
#include <asm/io.h>
#include "hv_vmbus.h"
#include "hv_chmsg.h"
#include "hv_platform.h"

#define VMBUS_MOD	KBUILD_MODNAME	/* hv_vmbus, or hvl_vmbus (Kbuild.compat) */

/* Timeouts, in milliseconds */
#define VMBUS_NEGOTIATE_TIMEOUT_MS	5000
#define VMBUS_REQUEST_TIMEOUT_MS	10000
#define VMBUS_UNLOAD_TIMEOUT_MS		5000
#define VMBUS_ALLOFFERS_TIMEOUT_MS	5000
/* 4.1-5.2 hosts do not answer MODIFYCHANNEL: time given to switch */
#define VMBUS_MODIFY_SETTLE_MS		100

enum vmbus_conn_state {
	VMBUS_DISCONNECTED = 0,
	VMBUS_CONNECTING,
	VMBUS_CONNECTED,
	VMBUS_DISCONNECTING,
};

enum hv_channel_state {
	HV_CHAN_OFFERED = 0,
	HV_CHAN_OPENING,
	HV_CHAN_OPEN,
	HV_CHAN_CLOSING,
};

struct hv_channel {
	struct list_head node;		/* vmbus_conn.channels */
	struct list_head sc_list;	/* primary: its sub-channels */
	struct mutex sc_mutex;		/* primary: sc_list and sc_cb */
	struct list_head sc_node;	/* sub-channel: in primary's sc_list */
	struct hv_channel *primary;	/* NULL for a primary */

	struct vmbus_chmsg_offer offer;	/* validated copy */
	u32 relid;
	u32 sig_conn_id;		/* HvSignalEvent connection id */
	int monitored;			/* signal through monitor page 2 */
	u32 monitor_grp, monitor_bit;
	int dedicated;			/* is_dedicated_interrupt */

	struct mutex lock;		/* open/close/state */
	int state;			/* enum hv_channel_state */
	int rescinded;			/* host rescinded the offer */
	int broken;			/* host sent a malformed packet */
	int released;			/* RELID_RELEASED sent */

	struct hv_device *device;	/* primary with a device */
	unsigned int target_cpu;	/* relid_lock for changes */
	u32 target_vp;
	int moving;			/* CPU offline moves it (relid_lock) */

	/* rings: [send header][send data][recv header][recv data] */
	struct page **pages;
	u32 npages, send_npages;
	void *send_va, *recv_va;	/* vmap: header, data, data again */
	struct hv_ring out;		/* guest -> host */
	struct hv_ring in;		/* host -> guest */
	u32 ring_gpadl;
	spinlock_t out_lock;		/* producers on the send ring */
	u32 pending_armed;
	/* send batches (hv_channel_batch_begin/end), under out_lock */
	u32 batch_open;			/* batches open, all callers */
	u32 batch_signal;		/* a batched write owes the host a signal */

	/* primary: device add and remove, on vmbus_conn.dev_wq */
	struct work_struct add_work;
	struct work_struct remove_work;

	hv_channel_cb_t cb;
	void *cb_ctx;
	struct tasklet_struct tasklet;
	wait_queue_head_t space_wq;
	void (*sc_cb)(struct hv_channel *sc);
	/* under lock: hv_channel_set_rescind_cb() */
	void (*rescind_cb)(struct hv_channel *c, void *ctx);
	void *rescind_ctx;
	int polled;			/* the driver unmasks (hv_channel_unmask) */

	/* statistics (sysfs) */
	unsigned long n_signals;	/* signals we sent the host */
	unsigned long n_events;		/* host -> guest events */
	unsigned long n_oversize;	/* host packets too long for the driver */
};

/* A guest request waiting for the host's answer. */
struct vmbus_waiter {
	struct list_head node;
	u32 resp_type;		/* CHMSG_* expected */
	u32 relid;		/* 0: any */
	u32 key;		/* gpadl or openid; 0: any */
	struct completion done;
	int error;		/* -ENODEV when cancelled (rescind, unload) */
	u32 resp_len;
	u8 resp[HV_MESSAGE_PAYLOAD_MAX];
};

struct vmbus_percpu {
	struct hv_synic_pages pages;
	struct tasklet_struct msg_tasklet;
	unsigned int cpu;
	int enabled;		/* SynIC on; channels may target it (relid_lock) */
	int leaving;		/* going offline: no new channel (relid_lock) */
	unsigned int nchan;	/* channels targeting this CPU (relid_lock) */
};

struct vmbus_conn {
	struct hv_platform *plat;
	int state;
	u32 version;
	u32 msg_conn_id;

	void *int_page;			/* recv half, send half (B.5) */
	void *monitor_pages[2];		/* [0] parent->child, [1] child->parent */
	struct vmbus_percpu **pcpu;	/* nr_cpu_ids entries */
	unsigned int ncpus;

	struct mutex channels_mutex;	/* lists below, process context */
	struct list_head channels;
	spinlock_t relid_lock;		/* relid_map, from interrupts */
	struct hv_channel **relid_map;	/* VMBUS_MAX_RELID entries */
	/* a channel free waits here while a CPU offline moves it */
	wait_queue_head_t move_wq;

	spinlock_t waiters_lock;
	struct list_head waiters;

	struct workqueue_struct *wq;	/* offers and rescinds, in order */
	/*
	 * Device add (driver probe) and remove, in order, apart from wq and
	 * without channels_mutex: a probe may wait for its sub-channel
	 * offers, which wq goes on handling, and a slow remove holds up no
	 * offer or rescind.
	 */
	struct workqueue_struct *dev_wq;
	struct completion alloffers;
	atomic_t next_gpadl;

	/* counters for sysfs / debugging */
	unsigned long n_msgs, n_bad_msgs, n_unmatched;

	/* memory the host did not give back: set aside, never freed */
	atomic_long_t withheld_pages;
	atomic_long_t withheld_sets;
	/* devices reset after malformed packets; left unbound after too many */
	atomic_long_t device_resets;
	atomic_long_t device_unbinds;
};

extern struct vmbus_conn vmbus_conn;
extern struct bus_type hv_bus;
extern int hv_vmbus_sim;

/* hv.c */
int hv_hyperv_detect(void);
int hv_hyperv_platform_init(struct hv_platform **out);
void hv_hyperv_platform_exit(void);

/* connection.c */
int vmbus_connect(struct hv_platform *p);
void vmbus_shutdown_unload(void);
void vmbus_disconnect(void);
int vmbus_post_msg(const void *msg, u32 size, int can_sleep);
void vmbus_waiter_init(struct vmbus_waiter *w, u32 resp_type, u32 relid,
		       u32 key);
void vmbus_waiter_add(struct vmbus_waiter *w);
void vmbus_waiter_del(struct vmbus_waiter *w);
int vmbus_waiter_wait(struct vmbus_waiter *w, unsigned int timeout_ms);
void vmbus_waiters_cancel_relid(u32 relid);
void vmbus_waiters_cancel_all(void);
struct hv_channel *vmbus_relid_get(u32 relid);
void vmbus_signal_host(struct hv_channel *c);
unsigned int vmbus_pick_cpu(u32 relid);
void vmbus_put_cpu(unsigned int cpu);
int vmbus_channel_moving(struct hv_channel *c);
int vmbus_cpuhp_init(void);
void vmbus_cpuhp_exit(void);

/* channel_mgmt.c */
void vmbus_queue_chmsg(const void *msg, u32 size);
void vmbus_remove_all_channels(void);
void vmbus_channel_free(struct hv_channel *c);

/* vmbus_drv.c: debugfs */
int vmbus_debugfs_init(void);
void vmbus_debugfs_exit(void);

/* channel.c */
void hv_channel_event(struct hv_channel *c);
void hv_channel_isr(struct hv_channel *c);
void hv_channel_close_locked_tree(struct hv_channel *c);
void vmbus_channel_rescind_notify(struct hv_channel *c);

/* vmbus_drv.c */
int vmbus_device_add(struct hv_channel *c);
void vmbus_device_remove(struct hv_channel *c);
void vmbus_device_reset_async(struct hv_channel *c);

#endif /* VMBUS_PRIV_H */
