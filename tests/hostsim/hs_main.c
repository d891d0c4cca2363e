// SPDX-License-Identifier: GPL-2.0
/*
 * hs_main.c - hv_hostsim.ko: a simulated Hyper-V host for hv_vmbus (loaded
 * with sim=1). Module parameters, the device inventory, debugfs (counters,
 * violations, rescind, hot-add, fault injection) and module init/exit.
 * See tests/hostsim/README.md.
 */
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/ctype.h>
#include "hostsim.h"

struct hs_host hs;

static char *version = "5.3";
module_param(version, charp, 0444);
MODULE_PARM_DESC(version, "host VMBus version: 0.13 1.1 2.4 3.0 4.0 4.1 5.0 5.1 5.2 5.3 (default 5.3)");

static char *devices = "loop,loop,scsi,ide,net,heartbeat,kvp";
module_param(devices, charp, 0444);
MODULE_PARM_DESC(devices, "comma-separated inventory offered at connect: loop scsi ide fc net heartbeat shutdown timesync kvp vss fcopy");

static unsigned int poll_us = 500;
module_param(poll_us, uint, 0444);
MODULE_PARM_DESC(poll_us, "monitor page poll interval in microseconds while a monitored channel is open (default 500)");

static char *vstor = "6.2";
module_param(vstor, charp, 0444);
MODULE_PARM_DESC(vstor, "VSTOR version of the storage controllers: 2.0 4.2 5.1 6.0 6.2 (default 6.2)");

static unsigned int max_channels = 4;
module_param(max_channels, uint, 0444);
MODULE_PARM_DESC(max_channels, "QUERY_PROPERTIES max_channel_cnt: sub-channels a controller offers at most (0-64, default 4)");

static unsigned int max_transfer_kb = 2048;
module_param(max_transfer_kb, uint, 0444);
MODULE_PARM_DESC(max_transfer_kb, "QUERY_PROPERTIES max_transfer_bytes in KiB (4-8192, default 2048)");

static unsigned int disk_mb = 64;
module_param(disk_mb, uint, 0444);
MODULE_PARM_DESC(disk_mb, "size of the LUN each storage controller starts with, MiB (1-1048576, default 64; RAM is used only for what is written)");

/*
 * A real host stops serving a channel some time before its RESCIND reaches
 * the guest, which goes on signalling meanwhile. This widens that window
 * so tests can show the accounting does not call those signals violations.
 */
unsigned int hs_rescind_gap_ms;
module_param_named(rescind_gap_ms, hs_rescind_gap_ms, uint, 0644);
MODULE_PARM_DESC(rescind_gap_ms, "pause between stopping a channel's I/O and sending its RESCIND, ms (0-1000, default 0)");

/* X-macro expanders (checkpatch's COMPLEX_MACRO does not apply) */
#define HS_NAME(n)	#n,
const char *const hs_violation_names[HS_V_COUNT] = { HS_VIOLATIONS(HS_NAME) };
const char *const hs_counter_names[HS_C_COUNT] = { HS_COUNTERS(HS_NAME) };
#undef HS_NAME

const char *const hs_fault_names[HS_F_COUNT] = {
	"malformed_offer", "fail_gpadl", "fail_open", "no_answer",
	"rescind_busy", "check_condition", "srb_error", "delay_completion",
	"drop_completion", "malformed_packet", "fail_reset",
};

/* ---- versions (B.1) ---------------------------------------------------------- */

static const u32 hs_versions[] = {
	VMBUS_VERSION_WS2008, VMBUS_VERSION_WIN7, VMBUS_VERSION_WIN8,
	VMBUS_VERSION_WIN8_1, VMBUS_VERSION_WIN10, VMBUS_VERSION_WIN10_RS3,
	VMBUS_VERSION_WIN10_V5, VMBUS_VERSION_WIN10_V5_1,
	VMBUS_VERSION_WIN10_V5_2, VMBUS_VERSION_WIN10_V5_3,
};

/**
 * hs_version_known() - is @v a VMBus version of the table in B.1?
 * @v: (major << 16) | minor
 */
int hs_version_known(u32 v)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hs_versions); i++)
		if (hs_versions[i] == v)
			return 1;
	return 0;
}

/**
 * hs_version_str() - text form of a version.
 * @v: (major << 16) | minor
 * @buf: output
 * @len: size of @buf
 *
 * Return: @buf, holding "major.minor".
 */
char *hs_version_str(u32 v, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u", VMBUS_VERSION_MAJOR(v),
		 VMBUS_VERSION_MINOR(v));
	return buf;
}

/**
 * hs_version_parse() - "5.3" -> 0x50003, only versions of the table.
 * @s: text
 * @v: out, the version
 *
 * Return: 0 or -EINVAL.
 */
int hs_version_parse(const char *s, u32 *v)
{
	unsigned int maj, min;
	char end;

	if (sscanf(s, "%u.%u%c", &maj, &min, &end) != 2 || maj > 0xffff ||
	    min > 0xffff)
		return -EINVAL;
	*v = VMBUS_MAKE_VERSION(maj, min);
	return hs_version_known(*v) ? 0 : -EINVAL;
}

/* ---- device types (fact sheet D, E, F; loopback: hv_loopback.h) ------------- */

static const struct hs_devtype hs_types[] = {
	{ "loop", "loopback (test)", HV_LOOPBACK_GUID_TEXT, 1, HS_BE_LOOP },
	{ "scsi", "synthetic SCSI", HV_SCSI_GUID, 2, HS_BE_VSTOR },
	{ "ide", "synthetic IDE", HV_IDE_GUID, 3, HS_BE_VSTOR },
	{ "fc", "synthetic FC", HV_FC_GUID, 4, HS_BE_VSTOR },
	{ "net", "network", "f8615163-df3e-46c5-913f-f2d2f965ed0e", 5, HS_BE_NULL },
	{ "heartbeat", "heartbeat IC", "57164f39-9115-4e78-ab55-382f3bd5422d", 6, HS_BE_NULL },
	{ "shutdown", "shutdown IC", "0e0b6031-5213-4934-818b-38d90ced39db", 7, HS_BE_NULL },
	{ "timesync", "time sync IC", "9527e630-d0ae-497b-adce-e80ab0175caf", 8, HS_BE_NULL },
	{ "kvp", "KVP IC", "a9a0f4e7-5a45-4d96-b827-8a841e8c03e6", 9, HS_BE_NULL },
	{ "vss", "VSS IC", "35fa2e29-ea23-4236-96ae-3a6ebacba440", 10, HS_BE_NULL },
	{ "fcopy", "file copy IC", "34d14be3-dee4-41c8-9ae7-6b174977c192", 11, HS_BE_NULL },
};

/**
 * hs_devtype_find() - device type by its devices= name, or NULL.
 * @name: "loop", "scsi", ...
 */
const struct hs_devtype *hs_devtype_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hs_types); i++)
		if (!strcmp(hs_types[i].name, name))
			return &hs_types[i];
	return NULL;
}

/* ---- channels (inventory) -------------------------------------------------------- */

/**
 * hs_chan_by_relid() - the channel with a relid, or NULL.
 * @relid: child relid
 *
 * Context: hs.lock held.
 */
struct hs_chan *hs_chan_by_relid(u32 relid)
{
	if (relid == 0 || relid >= HS_MAX_RELID)
		return NULL;
	return hs.relid_map[relid];
}

/*
 * Instance GUID, unique and deterministic: bytes 0-3 the inventory
 * sequence number, 4-5 the type code, a version-4 marker, then "hostsim".
 * IDE channels carry their disk's address instead (E: bytes 0-3 path,
 * 4-5 target): the n-th IDE channel is path n / 2, target n % 2.
 */
static void hs_make_instance(struct hs_chan *ch, unsigned int nide)
{
	static const u8 tail[7] = { 'h', 'o', 's', 't', 's', 'i', 'm' };
	u8 *b = ch->instance.b;
	u32 first = ch->seq;
	u16 second = ch->type->code;

	if (!strcmp(ch->type->name, "ide")) {
		hs_vstor_ide_address(nide, &ch->ide_path, &ch->ide_target);
		first = ch->ide_path;
		second = ch->ide_target;
	}
	memset(b, 0, 16);
	b[0] = (u8)first;
	b[1] = (u8)(first >> 8);
	b[2] = (u8)(first >> 16);
	b[3] = (u8)(first >> 24);
	b[4] = (u8)second;
	b[5] = (u8)(second >> 8);
	b[6] = 0x00;
	b[7] = 0x40;
	b[8] = 0x80;
	memcpy(b + 9, tail, sizeof(tail));
}

/**
 * hs_chan_create_sub() - add a device or a sub-channel to the inventory:
 * lowest free relid, a monitor id (all but the second loopback device are
 * monitored, so both signalling paths run), connection id HS_CONN_BASE +
 * relid. A storage controller gets its controller state and LUNs.
 * @t: device type
 * @primary: for a sub-channel (B.6) its primary, else NULL
 * @sub_index: 1..n for a sub-channel, else 0
 *
 * Context: hs.lock held (or module init). Return: the channel or NULL.
 */
struct hs_chan *hs_chan_create_sub(const struct hs_devtype *t,
				   struct hs_chan *primary, u16 sub_index)
{
	struct hs_chan *ch, *c;
	unsigned long flags;
	unsigned int nloop = 0, nide = 0;
	u32 relid;
	int mon;

	for (relid = 1; relid < HS_MAX_RELID; relid++)
		if (!hs.relid_map[relid])
			break;
	if (relid >= HS_MAX_RELID)
		return NULL;
	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return NULL;
	ch->cursor_hdr = kzalloc(sizeof(*ch->cursor_hdr), GFP_KERNEL);
	ch->desc_buf = kmalloc(HS_DESC_COPY_MAX, GFP_KERNEL);
	ch->gpa = kzalloc(sizeof(*ch->gpa), GFP_KERNEL);
	if (!ch->cursor_hdr || !ch->desc_buf || !ch->gpa)
		goto nomem;
	list_for_each_entry(c, &hs.chans, node) {
		if (c->type == t && t->be == HS_BE_LOOP)
			nloop++;
		if (c->type == t && !c->primary)
			nide++;
	}
	ch->type = t;
	ch->seq = ++hs.next_seq;
	ch->relid = relid;
	ch->conn_id = HS_CONN_BASE + relid;
	ch->primary = primary;
	ch->sub_index = sub_index;
	if (primary) {
		ch->instance = primary->instance;	/* B.6 */
		ch->ide_path = primary->ide_path;
		ch->ide_target = primary->ide_target;
	} else {
		hs_make_instance(ch, nide);
	}
	INIT_WORK(&ch->io_work, hs_io_work_fn);
	if (hs_vstor_chan_init(ch))
		goto nomem;
	atomic64_set(&ch->packets_in, 0);
	atomic64_set(&ch->completions_out, 0);
	atomic64_set(&ch->guest_signals, 0);
	atomic64_set(&ch->host_signals, 0);
	if (t->be == HS_BE_VSTOR) {
		if (primary)
			ch->vs = primary->vs;
		else if (hs_vstor_create(ch))
			goto nomem;
	}

	mon = !(t->be == HS_BE_LOOP && nloop == 1);
	if (mon) {
		mon = 0;
		for (relid = 0; relid < VMBUS_MAX_MONITOR_ID; relid++) {
			if (!hs.mon_map[relid]) {
				ch->monitored = 1;
				ch->monitorid = (u8)relid;
				mon = 1;
				break;
			}
		}
	}
	spin_lock_irqsave(&hs.chan_lock, flags);
	hs.relid_map[ch->relid] = ch;
	if (ch->monitored)
		hs.mon_map[ch->monitorid] = ch;
	spin_unlock_irqrestore(&hs.chan_lock, flags);
	list_add_tail(&ch->node, &hs.chans);
	return ch;

nomem:
	kfree(ch->vbuf);
	kfree(ch->cursor_hdr);
	kfree(ch->desc_buf);
	kfree(ch->gpa);
	kfree(ch);
	return NULL;
}

/**
 * hs_chan_create() - add a device (a primary channel) to the inventory.
 * @t: device type
 *
 * Context: hs.lock held (or module init). Return: the channel or NULL.
 */
struct hs_chan *hs_chan_create(const struct hs_devtype *t)
{
	return hs_chan_create_sub(t, NULL, 0);
}

/**
 * hs_chan_destroy() - close a channel and drop it from the inventory; a
 * primary's sub-channels go first.
 * @ch: the channel
 *
 * Context: process, hs.lock held.
 */
void hs_chan_destroy(struct hs_chan *ch)
{
	struct hs_chan *c, *tmp;
	unsigned long flags;

	if (!ch->primary)
		list_for_each_entry_safe(c, tmp, &hs.chans, node)
			if (c->primary == ch)
				hs_chan_destroy(c);
	hs_chan_close(ch);
	spin_lock_irqsave(&hs.chan_lock, flags);
	if (hs.relid_map[ch->relid] == ch)
		hs.relid_map[ch->relid] = NULL;
	if (ch->monitored && hs.mon_map[ch->monitorid] == ch)
		hs.mon_map[ch->monitorid] = NULL;
	spin_unlock_irqrestore(&hs.chan_lock, flags);
	cancel_work_sync(&ch->io_work);
	list_del(&ch->node);
	hs_vstor_chan_free(ch);
	if (ch->vs && !ch->primary)
		hs_vstor_destroy(ch);
	kfree(ch->cursor_hdr);
	kfree(ch->desc_buf);
	kfree(ch->gpa);
	kfree(ch);
}

static int hs_inventory_init(const char *list)
{
	char word[32];
	const struct hs_devtype *t;
	const char *p = list;
	size_t n;

	while (*p) {
		n = strcspn(p, ",");
		if (n == 0 || n >= sizeof(word)) {
			pr_err(HS_MOD ": bad devices= entry near '%s'\n", p);
			return -EINVAL;
		}
		memcpy(word, p, n);
		word[n] = '\0';
		t = hs_devtype_find(strim(word));
		if (!t) {
			pr_err(HS_MOD ": unknown device type '%s'\n", word);
			return -EINVAL;
		}
		if (!hs_chan_create(t))
			return -ENOMEM;
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* ---- debugfs -------------------------------------------------------------------- */

static int hs_violations_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	for (i = 0; i < HS_V_COUNT; i++)
		seq_printf(s, "%s %d\n", hs_violation_names[i],
			   atomic_read(&hs.viol[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hs_violations);

static int hs_counters_show(struct seq_file *s, void *unused)
{
	struct hs_chan *ch;
	unsigned int i;

	for (i = 0; i < HS_C_COUNT; i++)
		seq_printf(s, "%s %lld\n", hs_counter_names[i],
			   (long long)atomic64_read(&hs.cnt[i]));
	mutex_lock(&hs.lock);
	list_for_each_entry(ch, &hs.chans, node) {
		seq_printf(s, "relid%u.packets_in %lld\n", ch->relid,
			   (long long)atomic64_read(&ch->packets_in));
		seq_printf(s, "relid%u.completions_out %lld\n", ch->relid,
			   (long long)atomic64_read(&ch->completions_out));
		seq_printf(s, "relid%u.guest_signals %lld\n", ch->relid,
			   (long long)atomic64_read(&ch->guest_signals));
		seq_printf(s, "relid%u.host_signals %lld\n", ch->relid,
			   (long long)atomic64_read(&ch->host_signals));
		/* guest signals the checker would still take as explained */
		seq_printf(s, "relid%u.signal_credit %d\n", ch->relid,
			   atomic_read(&ch->allow_empty) +
			   atomic_read(&ch->allow_pend) -
			   atomic_read(&ch->sig_seen));
	}
	mutex_unlock(&hs.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hs_counters);

static int hs_status_show(struct seq_file *s, void *unused)
{
	char v1[16], v2[16];

	mutex_lock(&hs.lock);
	seq_printf(s, "host_version %s\n",
		   hs_version_str(hs.host_version, v1, sizeof(v1)));
	seq_printf(s, "negotiated %s\n", hs.connected ?
		   hs_version_str(hs.version, v2, sizeof(v2)) : "none");
	seq_printf(s, "msg_conn_id %u\n", hs.connected ? hs.msg_conn_id : 0);
	seq_printf(s, "msg_cpu %u\n", hs.msg_cpu);
	seq_printf(s, "offers_requested %d\n", hs.offers_requested);
	seq_printf(s, "poll_us %u\n", hs.poll_us);
	mutex_unlock(&hs.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hs_status);

/*
 * held: pages of GPADLs the host kept without answering (fault no_answer)
 * and how many of them the guest freed anyway; reading counts each freed
 * page as a freed_host_owned_page violation.
 */
static int hs_held_show(struct seq_file *s, void *unused)
{
	u32 n, f;

	hs_held_check(&n, &f);
	seq_printf(s, "pages %u\nfreed %u\n", n, f);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hs_held);

static int hs_channels_show(struct seq_file *s, void *unused)
{
	struct hs_chan *ch;
	char inst[40], mon[8];

	seq_puts(s, "relid type instance state monitorid conn_id target_cpu packets_in completions_out\n");
	mutex_lock(&hs.lock);
	list_for_each_entry(ch, &hs.chans, node) {
		if (ch->monitored)
			snprintf(mon, sizeof(mon), "%u", ch->monitorid);
		else
			strscpy(mon, "-", sizeof(mon));
		seq_printf(s, "%u %s %s %s %s %u %u %lld %lld\n", ch->relid,
			   ch->type->name, hv_guid_fmt(&ch->instance, inst),
			   ch->rescinded ? "rescinded" : ch->open ? "open" :
			   ch->offered ? "offered" : "not-offered",
			   mon, ch->conn_id, ch->target_cpu,
			   (long long)atomic64_read(&ch->packets_in),
			   (long long)atomic64_read(&ch->completions_out));
	}
	mutex_unlock(&hs.lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hs_channels);

/* Copy one line written to a debugfs file, without the newline. */
static int hs_get_word(const char __user *ubuf, size_t len, char *buf,
		       size_t size)
{
	if (len == 0 || len >= size)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);
	return 0;
}

static ssize_t hs_reset_write(struct file *f, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct hs_chan *ch;
	char buf[8];
	unsigned int i;
	int ret = hs_get_word(ubuf, len, buf, sizeof(buf));

	if (ret)
		return ret;
	if (strcmp(buf, "1"))
		return -EINVAL;
	for (i = 0; i < HS_V_COUNT; i++)
		atomic_set(&hs.viol[i], 0);
	for (i = 0; i < HS_C_COUNT; i++)
		atomic64_set(&hs.cnt[i], 0);
	mutex_lock(&hs.lock);
	list_for_each_entry(ch, &hs.chans, node) {
		atomic64_set(&ch->packets_in, 0);
		atomic64_set(&ch->completions_out, 0);
		atomic64_set(&ch->guest_signals, 0);
		atomic64_set(&ch->host_signals, 0);
	}
	mutex_unlock(&hs.lock);
	return len;
}

static const struct file_operations hs_reset_fops = {
	.owner = THIS_MODULE,
	.write = hs_reset_write,
};

static ssize_t hs_rescind_write(struct file *f, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	struct hs_chan *ch;
	char buf[16];
	u32 relid;
	int ret = hs_get_word(ubuf, len, buf, sizeof(buf));

	if (ret)
		return ret;
	if (kstrtou32(buf, 0, &relid))
		return -EINVAL;
	mutex_lock(&hs.lock);
	ch = hs_chan_by_relid(relid);
	ret = ch ? hs_rescind(ch) : -ENOENT;
	mutex_unlock(&hs.lock);
	return ret ? ret : (ssize_t)len;
}

static const struct file_operations hs_rescind_fops = {
	.owner = THIS_MODULE,
	.write = hs_rescind_write,
};

static ssize_t hs_offer_write(struct file *f, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	const struct hs_devtype *t;
	struct hs_chan *ch;
	char buf[32];
	int ret = hs_get_word(ubuf, len, buf, sizeof(buf));

	if (ret)
		return ret;
	t = hs_devtype_find(buf);
	if (!t)
		return -EINVAL;
	mutex_lock(&hs.lock);
	ch = hs_chan_create(t);
	if (!ch) {
		ret = -ENOSPC;
	} else {
		if (hs_fault_take(HS_F_MALFORMED_OFFER)) {
			ch->malformed = 1;
			pr_info(HS_MOD ": fault malformed_offer: relid %u offered with monitorid 200\n",
				ch->relid);
		}
		if (hs.connected && hs.offers_requested)
			ret = hs_offer_send(ch);
	}
	mutex_unlock(&hs.lock);
	return ret ? ret : (ssize_t)len;
}

static const struct file_operations hs_offer_fops = {
	.owner = THIS_MODULE,
	.write = hs_offer_write,
};

/*
 * "signal RELID": act as a guest that signals RELID without reason
 * (HvSignalEvent on its connection id, or on 0.13 the relid bit in the
 * send half of the interrupt page plus connection 2), to check the checker.
 */
static ssize_t hs_inject_write(struct file *f, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	struct hs_chan *ch;
	char buf[32];
	u32 relid, conn = 0;
	int ret = hs_get_word(ubuf, len, buf, sizeof(buf));

	if (ret)
		return ret;
	if (strncmp(buf, "signal ", 7) || kstrtou32(buf + 7, 0, &relid))
		return -EINVAL;
	mutex_lock(&hs.lock);
	ch = hs_chan_by_relid(relid);
	if (!ch || !hs.connected) {
		ret = -ENOENT;
	} else if (hs.version >= VMBUS_VERSION_WIN7) {
		conn = ch->conn_id;
	} else if (hs.int_page) {
		hv_compat_sync_set_bit(relid, (u32 *)((u8 *)hs.int_page +
						      VMBUS_INTPAGE_HALF));
		conn = VMBUS_EVENT_CONNECTION_ID;
	}
	mutex_unlock(&hs.lock);
	if (ret)
		return ret;
	hs_platform_ops.signal_event(&hs.plat, conn);
	return len;
}

static const struct file_operations hs_inject_fops = {
	.owner = THIS_MODULE,
	.write = hs_inject_write,
};

static int hs_luns_open_rw(struct inode *inode, struct file *f)
{
	return single_open(f, hs_luns_show, NULL);
}

/* "add RELID TARGET LUN SIZE_MB" or "remove RELID TARGET LUN" */
static ssize_t hs_luns_write(struct file *f, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	char buf[64];
	int ret = hs_get_word(ubuf, len, buf, sizeof(buf));

	if (ret)
		return ret;
	ret = hs_luns_cmd(buf);
	return ret ? ret : (ssize_t)len;
}

static const struct file_operations hs_luns_rw_fops = {
	.owner = THIS_MODULE,
	.open = hs_luns_open_rw,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = hs_luns_write,
};

static int hs_hostile_open(struct inode *inode, struct file *f)
{
	return single_open(f, hs_hostile_show, NULL);
}

static const struct file_operations hs_hostile_fops = {
	.owner = THIS_MODULE,
	.open = hs_hostile_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int hs_fault_show(struct seq_file *s, void *unused)
{
	unsigned int i;

	for (i = 0; i < HS_F_COUNT; i++)
		seq_printf(s, "%s %d\n", hs_fault_names[i],
			   test_bit(i, &hs.faults) ? 1 : 0);
	return 0;
}

static int hs_fault_open(struct inode *inode, struct file *f)
{
	return single_open(f, hs_fault_show, NULL);
}

static ssize_t hs_fault_write(struct file *f, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	char buf[40], name[32];
	unsigned int i, n = 1;
	int ret = hs_get_word(ubuf, len, buf, sizeof(buf));

	if (ret)
		return ret;
	/* "NAME" or "NAME COUNT": fire on the next COUNT events (1-1000) */
	ret = sscanf(buf, "%31s %u", name, &n);
	if (ret < 1 || n < 1 || n > 1000)
		return -EINVAL;
	for (i = 0; i < HS_F_COUNT; i++) {
		if (!strcmp(name, hs_fault_names[i])) {
			atomic_set(&hs.fault_left[i], n);
			set_bit(i, &hs.faults);
			pr_info(HS_MOD ": fault %s armed (%u event(s))\n", name, n);
			return len;
		}
	}
	if (!strcmp(name, "none") && ret == 1) {
		hs.faults = 0;
		return len;
	}
	return -EINVAL;
}

static const struct file_operations hs_fault_fops = {
	.owner = THIS_MODULE,
	.open = hs_fault_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = hs_fault_write,
};

static void hs_debugfs_init(void)
{
	struct dentry *d = debugfs_create_dir(HS_MOD, NULL);

	if (IS_ERR_OR_NULL(d)) {
		pr_warn(HS_MOD ": no debugfs; counters and controls unavailable\n");
		hs.dbg = NULL;
		return;
	}
	hs.dbg = d;
	debugfs_create_file("violations", 0444, d, NULL, &hs_violations_fops);
	debugfs_create_file("counters", 0444, d, NULL, &hs_counters_fops);
	debugfs_create_file("status", 0444, d, NULL, &hs_status_fops);
	debugfs_create_file("channels", 0444, d, NULL, &hs_channels_fops);
	debugfs_create_file("held", 0444, d, NULL, &hs_held_fops);
	debugfs_create_file("reset", 0200, d, NULL, &hs_reset_fops);
	debugfs_create_file("rescind", 0200, d, NULL, &hs_rescind_fops);
	debugfs_create_file("offer", 0200, d, NULL, &hs_offer_fops);
	debugfs_create_file("fault", 0600, d, NULL, &hs_fault_fops);
	debugfs_create_file("inject", 0200, d, NULL, &hs_inject_fops);
	debugfs_create_file("luns", 0600, d, NULL, &hs_luns_rw_fops);
	debugfs_create_file("hostile", 0444, d, NULL, &hs_hostile_fops);
}

/* ---- module --------------------------------------------------------------------- */

/*
 * Tear the host down once the guest is gone (or never came): handle what
 * the guest still posted, close and free everything, then stop the
 * workers. Process context.
 */
static void hs_shutdown(void)
{
	struct hs_gmsg *m, *mt;

	if (hs.wq)
		flush_workqueue(hs.wq);
	cancel_work_sync(&hs.subch_work);
	mutex_lock(&hs.lock);
	hs_forget_all();
	/* a primary takes its sub-channels along: always the first entry */
	while (!list_empty(&hs.chans))
		hs_chan_destroy(list_first_entry(&hs.chans, struct hs_chan,
						 node));
	hs_held_forget();
	mutex_unlock(&hs.lock);
	/* no channel is open now: nothing queues I/O or fault rescinds */
	cancel_work_sync(&hs.rescind_work);
	if (hs.io_wq)
		flush_workqueue(hs.io_wq);
	hs_poller_stop();
	list_for_each_entry_safe(m, mt, &hs.gmsgs, node) {
		list_del(&m->node);
		kfree(m);
	}
	if (hs.io_wq)
		destroy_workqueue(hs.io_wq);
	if (hs.wq)
		destroy_workqueue(hs.wq);
	hs.io_wq = NULL;
	hs.wq = NULL;
}

static int __init hs_init(void)
{
	char vs[16];
	int ret;

	memset(&hs, 0, sizeof(hs));
	mutex_init(&hs.lock);
	spin_lock_init(&hs.chan_lock);
	spin_lock_init(&hs.gmsg_lock);
	INIT_LIST_HEAD(&hs.chans);
	INIT_LIST_HEAD(&hs.gpadls);
	INIT_LIST_HEAD(&hs.held);
	INIT_LIST_HEAD(&hs.gmsgs);
	INIT_WORK(&hs.msg_work, hs_msg_work_fn);
	INIT_WORK(&hs.rescind_work, hs_rescind_work_fn);
	INIT_WORK(&hs.subch_work, hs_vstor_subch_work_fn);
	atomic_set(&hs.nmon_open, 0);
	hs.poll_us = poll_us;
	if (hs_vstor_version_parse(vstor, &hs.vstor_version)) {
		pr_err(HS_MOD ": vstor=%s is not a VSTOR version (2.0 4.2 5.1 6.0 6.2)\n",
		       vstor);
		return -EINVAL;
	}
	if (max_channels > 64 || max_transfer_kb < 4 || max_transfer_kb > 8192 ||
	    disk_mb < 1 || disk_mb > (1U << 20)) {
		pr_err(HS_MOD ": max_channels, max_transfer_kb or disk_mb out of range\n");
		return -EINVAL;
	}
	ret = hs_hostile_init();
	if (ret)
		return ret;
	hs.vstor_max_channels = max_channels;
	hs.vstor_max_xfer = max_transfer_kb << 10;
	hs.disk_mb = disk_mb;

	if (hs_version_parse(version, &hs.host_version)) {
		pr_err(HS_MOD ": version=%s is not a VMBus version (0.13 1.1 2.4 3.0 4.0 4.1 5.0 5.1 5.2 5.3)\n",
		       version);
		return -EINVAL;
	}
	ret = hs_synic_init();
	if (ret)
		return ret;
	ret = hs_inventory_init(devices);
	if (ret)
		goto fail;
	ret = -ENOMEM;
	hs.wq = alloc_ordered_workqueue("hv_hostsim", 0);
	/* per-CPU: hs_kick() chooses the CPU of each channel's service */
	hs.io_wq = alloc_workqueue("hv_hostsim_io",
				    HV_COMPAT_WQ_PERCPU | WQ_HIGHPRI, 0);
	if (!hs.wq || !hs.io_wq)
		goto fail;
	ret = hs_poller_start();
	if (ret)
		goto fail;
	hs_debugfs_init();

	hs.plat.name = "sim";
	hs.plat.ops = &hs_platform_ops;
	hs.plat.priv = &hs;
	pr_info(HS_MOD ": simulated Hyper-V host, VMBus %s, VSTOR %u.%u, devices=%s\n",
		hs_version_str(hs.host_version, vs, sizeof(vs)),
		hs.vstor_version >> 8, hs.vstor_version & 0xff, devices);
	ret = hv_platform_register(&hs.plat);
	if (ret) {
		pr_err(HS_MOD ": hv_vmbus refused the simulated host (%d)%s\n", ret,
		       ret == -ENODEV ? ": load hv_vmbus with sim=1" : "");
		goto fail;
	}
	return 0;

fail:
	debugfs_remove_recursive(hs.dbg);
	hs.dbg = NULL;
	hs_shutdown();
	hs_synic_exit();
	return ret;
}

static void __exit hs_exit(void)
{
	debugfs_remove_recursive(hs.dbg);
	hs.dbg = NULL;
	hv_platform_unregister(&hs.plat);
	hs_shutdown();
	hs_synic_exit();
	pr_info(HS_MOD ": unloaded\n");
}

module_init(hs_init);
module_exit(hs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Simulated Hyper-V host for hv_vmbus tests (hyperv-lic)");
MODULE_AUTHOR("hyperv-lic developers");
