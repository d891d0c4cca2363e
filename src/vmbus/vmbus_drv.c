// SPDX-License-Identifier: GPL-2.0
/*
 * vmbus_drv.c - the "vmbus" bus: devices for offers, driver binding,
 * uevents/aliases, sysfs, platform attach (sim) and the module itself.
 */
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/err.h>
#include "vmbus_priv.h"

int hv_vmbus_sim;
module_param_named(sim, hv_vmbus_sim, int, 0444);
MODULE_PARM_DESC(sim, "1: wait for a simulated host (hv_hostsim) instead of Hyper-V");

static DEFINE_MUTEX(vmbus_plat_mutex);
static struct hv_platform *vmbus_hyperv_plat;

/* ---- driver matching -------------------------------------------------- */

static int hv_guid_is_null(const struct hv_guid *g)
{
	unsigned int i;

	for (i = 0; i < sizeof(g->b); i++)
		if (g->b[i])
			return 0;
	return 1;
}

static const struct hv_device_id *hv_match_id(const struct hv_driver *drv,
					      const struct hv_device *dev)
{
	const struct hv_device_id *id = drv->id_table;

	if (!id)
		return NULL;
	for (; !hv_guid_is_null(&id->guid); id++)
		if (!memcmp(&id->guid, &dev->class_id, sizeof(id->guid)))
			return id;
	return NULL;
}

static int vmbus_match_fn(struct device *dev, struct device_driver *drv)
{
	return hv_match_id(to_hv_driver(drv), to_hv_device(dev)) != NULL;
}
HV_DEFINE_BUS_MATCH(vmbus_match, vmbus_match_fn)

static int vmbus_probe(struct device *dev)
{
	struct hv_driver *drv = to_hv_driver(dev->driver);
	struct hv_device *hdev = to_hv_device(dev);
	const struct hv_device_id *id = hv_match_id(drv, hdev);

	if (!id || !drv->probe)
		return -ENODEV;
	return drv->probe(hdev, id);
}

static void vmbus_remove_fn(struct device *dev)
{
	struct hv_driver *drv = to_hv_driver(dev->driver);

	if (drv->remove)
		drv->remove(to_hv_device(dev));
}
HV_DEFINE_BUS_REMOVE(vmbus_remove, vmbus_remove_fn)

static void vmbus_shutdown(struct device *dev)
{
	struct hv_driver *drv;

	if (!dev->driver)
		return;
	drv = to_hv_driver(dev->driver);
	if (drv->shutdown)
		drv->shutdown(to_hv_device(dev));
}

/* MODALIAS: "vmbus:" + the class GUID's 16 wire bytes in hex */
static void hv_modalias(const struct hv_device *dev, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	memcpy(out, "vmbus:", 6);
	for (i = 0; i < 16; i++) {
		out[6 + 2 * i] = hex[dev->class_id.b[i] >> 4];
		out[7 + 2 * i] = hex[dev->class_id.b[i] & 15];
	}
	out[38] = '\0';
}

static int vmbus_uevent_fill(struct device *dev, struct hv_uevent *ue)
{
	char alias[40], guid[40];
	int ret;

	hv_modalias(to_hv_device(dev), alias);
	ret = hv_uevent_add(ue, "MODALIAS=%s", alias);
	if (ret)
		return ret;
	return hv_uevent_add(ue, "VMBUS_DEVICE_ID=%s",
			     hv_guid_fmt(&to_hv_device(dev)->device_id, guid));
}
HV_DEFINE_BUS_UEVENT(vmbus_uevent, vmbus_uevent_fill)

/* ---- sysfs ------------------------------------------------------------ */

static ssize_t class_id_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	char g[40];

	return sprintf(buf, "{%s}\n", hv_guid_fmt(&to_hv_device(dev)->class_id, g));
}

static ssize_t device_id_show(struct device *dev, struct device_attribute *a,
			      char *buf)
{
	char g[40];

	return sprintf(buf, "{%s}\n", hv_guid_fmt(&to_hv_device(dev)->device_id, g));
}

static ssize_t modalias_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	char alias[40];

	hv_modalias(to_hv_device(dev), alias);
	return sprintf(buf, "%s\n", alias);
}

static ssize_t state_show(struct device *dev, struct device_attribute *a,
			  char *buf)
{
	static const char *const names[] = {
		"offered", "opening", "open", "closing"
	};
	struct hv_channel *c = to_hv_device(dev)->channel;
	int st = c->state;

	return sprintf(buf, "%s%s\n",
		       st >= 0 && st < 4 ? names[st] : "unknown",
		       c->rescinded ? " rescinded" : "");
}

static ssize_t id_show(struct device *dev, struct device_attribute *a,
		       char *buf)
{
	return sprintf(buf, "%u\n", to_hv_device(dev)->channel->relid);
}

static ssize_t monitor_id_show(struct device *dev, struct device_attribute *a,
			       char *buf)
{
	struct hv_channel *c = to_hv_device(dev)->channel;

	if (!c->monitored)
		return sprintf(buf, "none\n");
	return sprintf(buf, "%u\n", c->offer.monitorid);
}

/*
 * "relid:cpu" for the primary and each sub-channel. Under the primary's
 * sc_mutex, which guards sc_list: not channels_mutex, which offer and
 * rescind work hold while device_unregister() waits for this reader.
 */
static ssize_t channel_vp_mapping_show(struct device *dev,
				       struct device_attribute *a, char *buf)
{
	struct hv_channel *c = to_hv_device(dev)->channel, *sc;
	int n;

	mutex_lock(&c->sc_mutex);
	n = sprintf(buf, "%u:%u\n", c->relid, c->target_cpu);
	list_for_each_entry(sc, &c->sc_list, sc_node) {
		if (n > (int)PAGE_SIZE - 32)
			break;
		n += sprintf(buf + n, "%u:%u\n", sc->relid, sc->target_cpu);
	}
	mutex_unlock(&c->sc_mutex);
	return n;
}

static ssize_t counters_show(struct device *dev, struct device_attribute *a,
			     char *buf)
{
	struct hv_channel *c = to_hv_device(dev)->channel;

	return sprintf(buf, "signals %lu\nevents %lu\n", c->n_signals,
		       c->n_events);
}

static struct device_attribute vmbus_dev_attrs[] = {
	__ATTR(class_id, 0444, class_id_show, NULL),
	__ATTR(device_id, 0444, device_id_show, NULL),
	__ATTR(modalias, 0444, modalias_show, NULL),
	__ATTR(state, 0444, state_show, NULL),
	__ATTR(id, 0444, id_show, NULL),
	__ATTR(monitor_id, 0444, monitor_id_show, NULL),
	__ATTR(channel_vp_mapping, 0444, channel_vp_mapping_show, NULL),
	__ATTR(counters, 0444, counters_show, NULL),
	__ATTR_NULL
};
static struct hv_compat_attr_groups vmbus_dev_groups;

struct bus_type hv_bus = {
	.name = "vmbus",
	.match = vmbus_match,
	.probe = vmbus_probe,
	.remove = vmbus_remove,
	.shutdown = vmbus_shutdown,
	.uevent = vmbus_uevent,
};

/* ---- devices ---------------------------------------------------------- */

/* A device and what the bus keeps beside it. */
struct vmbus_device {
	struct hv_device hdev;
	struct hv_compat_bus_dma dma;
	unsigned long flags;		/* VMBUS_DEV_* bits */
	int gone;			/* unregistered (set on dev_wq) */
	unsigned int resets;		/* resets in the current window */
	unsigned long window;		/* jiffies the window began */
};

#define VMBUS_DEV_RESET_PENDING	0

/*
 * A device whose host sent a malformed packet is reset by unbinding its
 * driver (the driver closes its channels, so the rings go back to the
 * host) and binding it again (new rings, a new negotiation). More than
 * VMBUS_MAX_RESETS within VMBUS_RESET_WINDOW leaves it unbound.
 */
#define VMBUS_MAX_RESETS	3
#define VMBUS_RESET_WINDOW	(600 * HZ)

struct vmbus_reset_work {
	struct work_struct work;
	struct vmbus_device *vd;	/* holds a device reference */
};

static void vmbus_device_release(struct device *dev)
{
	kfree(container_of(to_hv_device(dev), struct vmbus_device, hdev));
}

/**
 * vmbus_device_add() - register the device of primary channel @c; the
 * driver core binds a driver and udev loads one by MODALIAS.
 * Context: process (vmbus_conn.dev_wq), no VMBus lock held: the driver's
 * probe runs here. Return: 0 or -errno.
 */
int vmbus_device_add(struct hv_channel *c)
{
	struct vmbus_device *vd;
	struct hv_device *d;
	char longname[40], shortname[20];
	int ret;

	vd = kzalloc(sizeof(*vd), GFP_KERNEL);
	if (!vd)
		return -ENOMEM;
	d = &vd->hdev;
	memcpy(&d->class_id, &c->offer.if_type, sizeof(d->class_id));
	memcpy(&d->device_id, &c->offer.if_instance, sizeof(d->device_id));
	d->channel = c;
	device_initialize(&d->dev);
	d->dev.bus = &hv_bus;
	d->dev.release = vmbus_device_release;
	hv_compat_bus_dma_init(&d->dev, &vd->dma);
	hv_guid_fmt(&d->device_id, longname);
	snprintf(shortname, sizeof(shortname), "vmbus_%u", c->relid);
	ret = hv_compat_dev_set_name(&d->dev, longname, shortname);
	if (ret)
		goto fail;
	c->device = d;
	ret = device_add(&d->dev);
	if (ret) {
		c->device = NULL;
		goto fail;
	}
	return 0;
fail:
	put_device(&d->dev);
	return ret;
}

/** vmbus_device_remove() - unbind and unregister @c's device. Process. */
void vmbus_device_remove(struct hv_channel *c)
{
	struct hv_device *d = c->device;

	if (!d)
		return;
	/* a reset queued behind us on dev_wq finds it gone */
	container_of(d, struct vmbus_device, hdev)->gone = 1;
	device_unregister(&d->dev);
	c->device = NULL;
}

/*
 * Reset the device: see struct vmbus_device. Runs on dev_wq, ordered with
 * device add and remove, so the device is still registered unless
 * vmbus_device_remove() ran first (gone) or the bus is going down.
 */
static void vmbus_reset_work_fn(struct work_struct *work)
{
	struct vmbus_reset_work *w = container_of(work, struct vmbus_reset_work,
						  work);
	struct vmbus_device *vd = w->vd;
	struct device *dev = &vd->hdev.dev;
	unsigned long now = jiffies;
	int ret;

	if (vmbus_conn.state != VMBUS_CONNECTED || vd->gone || !dev->driver)
		goto out;
	if (!vd->resets || time_after(now, vd->window + VMBUS_RESET_WINDOW)) {
		vd->window = now;
		vd->resets = 0;
	}
	vd->resets++;
	atomic_long_inc(&vmbus_conn.device_resets);
	device_release_driver(dev);
	if (vd->resets > VMBUS_MAX_RESETS) {
		atomic_long_inc(&vmbus_conn.device_unbinds);
		dev_err(dev, "%u resets after malformed packets within %u s: driver left unbound (bind it again through sysfs)\n",
			vd->resets, VMBUS_RESET_WINDOW / HZ);
		goto out;
	}
	ret = device_attach(dev);
	dev_warn(dev, "reset after a malformed packet from the host (%u of %u allowed within %u s): %s\n",
		 vd->resets, VMBUS_MAX_RESETS, VMBUS_RESET_WINDOW / HZ,
		 ret > 0 ? "driver bound again" : "no driver bound");
out:
	clear_bit(VMBUS_DEV_RESET_PENDING, &vd->flags);
	put_device(dev);
	kfree(w);
}

/**
 * vmbus_device_reset_async() - queue a reset of primary @c's device (see
 * struct vmbus_device) after its host broke the rules on one of its
 * channels. At most one is queued at a time; nothing happens without a
 * device. Context: any (the channel callback); the caller's channel is
 * open, which keeps the device registered until this returns.
 */
void vmbus_device_reset_async(struct hv_channel *c)
{
	struct hv_device *d = READ_ONCE(c->device);
	struct vmbus_device *vd;
	struct vmbus_reset_work *w;

	if (!d || READ_ONCE(c->rescinded) || !vmbus_conn.dev_wq)
		return;
	vd = container_of(d, struct vmbus_device, hdev);
	if (test_and_set_bit(VMBUS_DEV_RESET_PENDING, &vd->flags))
		return;
	w = kzalloc(sizeof(*w), GFP_ATOMIC);
	if (!w) {
		clear_bit(VMBUS_DEV_RESET_PENDING, &vd->flags);
		pr_err(VMBUS_MOD ": relid %u: out of memory, device not reset\n",
		       c->relid);
		return;
	}
	get_device(&d->dev);
	w->vd = vd;
	HV_INIT_WORK(&w->work, vmbus_reset_work_fn);
	queue_work(vmbus_conn.dev_wq, &w->work);
}

/* ---- drivers ---------------------------------------------------------- */

/** __hv_driver_register() - see hv_vmbus.h. */
int __hv_driver_register(struct hv_driver *drv, struct module *owner,
			 const char *mod_name)
{
	drv->driver.name = drv->name;
	drv->driver.owner = owner;
	drv->driver.bus = &hv_bus;
	hv_compat_driver_set_mod_name(&drv->driver, mod_name);
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__hv_driver_register);

/** hv_driver_unregister() - see hv_vmbus.h. */
void hv_driver_unregister(struct hv_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(hv_driver_unregister);

/** hv_vmbus_version() - see hv_vmbus.h. */
u32 hv_vmbus_version(void)
{
	return vmbus_conn.state == VMBUS_CONNECTED ? vmbus_conn.version : 0;
}
EXPORT_SYMBOL_GPL(hv_vmbus_version);

/* ---- platform attach -------------------------------------------------- */

/** hv_platform_register() - see hv_platform.h. */
int hv_platform_register(struct hv_platform *p)
{
	int ret;

	if (!p || !p->ops)
		return -EINVAL;
	if (!hv_vmbus_sim)
		return -ENODEV;
	mutex_lock(&vmbus_plat_mutex);
	if (vmbus_conn.plat || vmbus_conn.state != VMBUS_DISCONNECTED) {
		mutex_unlock(&vmbus_plat_mutex);
		return -EBUSY;
	}
	ret = vmbus_connect(p);
	mutex_unlock(&vmbus_plat_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(hv_platform_register);

/** hv_platform_unregister() - see hv_platform.h. */
void hv_platform_unregister(struct hv_platform *p)
{
	mutex_lock(&vmbus_plat_mutex);
	if (vmbus_conn.plat == p)
		vmbus_disconnect();
	mutex_unlock(&vmbus_plat_mutex);
}
EXPORT_SYMBOL_GPL(hv_platform_unregister);

/* ---- sysfs: bus-wide version ------------------------------------------ */

/* /sys/module/hv_vmbus/parameters/... is static; the negotiated version
 * is shown by each device's driver and in the log; user space reads it
 * from /sys/bus/vmbus/version via a bus attribute below.
 */
static ssize_t vmbus_version_fill(char *buf)
{
	u32 v = hv_vmbus_version();

	return sprintf(buf, "%u.%u\n", VMBUS_VERSION_MAJOR(v),
		       VMBUS_VERSION_MINOR(v));
}
HV_DEFINE_BUS_ATTR_SHOW(version_show, vmbus_version_fill)

static struct bus_attribute vmbus_attr_version =
	__ATTR(version, 0444, version_show, NULL);

/* ---- debugfs ---------------------------------------------------------- */

/*
 * <debugfs>/hv_vmbus/ (or hvl_vmbus/): one value per file.
 * withheld_pages: pages shared with the host that it never gave back
 * (kept allocated for good); withheld_sets: how many times that happened;
 * device_resets: devices reset after a malformed packet; device_unbinds:
 * devices left unbound after too many resets.
 */
static struct dentry *vmbus_dbg_dir, *vmbus_dbg_files[4];

/* a dentry debugfs really made: NULL or ERR_PTR when it has no debugfs */
static int vmbus_dbg_ok(const struct dentry *d)
{
	return d && !IS_ERR(d);
}

/* one show function per file: inode->i_private is 2.6.19+ */
static int vmbus_dbg_pages_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%ld\n", atomic_long_read(&vmbus_conn.withheld_pages));
	return 0;
}

static int vmbus_dbg_sets_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%ld\n", atomic_long_read(&vmbus_conn.withheld_sets));
	return 0;
}

static int vmbus_dbg_resets_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%ld\n", atomic_long_read(&vmbus_conn.device_resets));
	return 0;
}

static int vmbus_dbg_unbinds_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "%ld\n", atomic_long_read(&vmbus_conn.device_unbinds));
	return 0;
}

static int vmbus_dbg_resets_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmbus_dbg_resets_show, NULL);
}

static int vmbus_dbg_unbinds_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmbus_dbg_unbinds_show, NULL);
}

static const struct file_operations vmbus_dbg_resets_fops = {
	.owner = THIS_MODULE,
	.open = vmbus_dbg_resets_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations vmbus_dbg_unbinds_fops = {
	.owner = THIS_MODULE,
	.open = vmbus_dbg_unbinds_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static int vmbus_dbg_pages_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmbus_dbg_pages_show, NULL);
}

static int vmbus_dbg_sets_open(struct inode *inode, struct file *file)
{
	return single_open(file, vmbus_dbg_sets_show, NULL);
}

static const struct file_operations vmbus_dbg_pages_fops = {
	.owner = THIS_MODULE,
	.open = vmbus_dbg_pages_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

static const struct file_operations vmbus_dbg_sets_fops = {
	.owner = THIS_MODULE,
	.open = vmbus_dbg_sets_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/**
 * vmbus_debugfs_init() - create the debugfs files. A kernel without
 * debugfs, or a failure, only loses the files. Context: process.
 * Return: 0.
 */
int vmbus_debugfs_init(void)
{
	struct dentry *d;

	d = debugfs_create_dir(VMBUS_MOD, NULL);
	if (!vmbus_dbg_ok(d))
		return 0;
	vmbus_dbg_dir = d;
	vmbus_dbg_files[0] = debugfs_create_file("withheld_pages", 0444, d,
						 NULL, &vmbus_dbg_pages_fops);
	vmbus_dbg_files[1] = debugfs_create_file("withheld_sets", 0444, d,
						 NULL, &vmbus_dbg_sets_fops);
	vmbus_dbg_files[2] = debugfs_create_file("device_resets", 0444, d,
						 NULL, &vmbus_dbg_resets_fops);
	vmbus_dbg_files[3] = debugfs_create_file("device_unbinds", 0444, d,
						 NULL, &vmbus_dbg_unbinds_fops);
	return 0;
}

/** vmbus_debugfs_exit() - remove what vmbus_debugfs_init() made. */
void vmbus_debugfs_exit(void)
{
	unsigned int i;

	/* one by one: debugfs_remove_recursive() is 2.6.27+ */
	for (i = 0; i < ARRAY_SIZE(vmbus_dbg_files); i++)
		if (vmbus_dbg_ok(vmbus_dbg_files[i]))
			debugfs_remove(vmbus_dbg_files[i]);
	if (vmbus_dbg_ok(vmbus_dbg_dir))
		debugfs_remove(vmbus_dbg_dir);
	vmbus_dbg_dir = NULL;
}

/* ---- module ----------------------------------------------------------- */

/*
 * Reboot, power off or kexec, after every device's shutdown: UNLOAD, so
 * that a kernel started by kexec or kdump finds the host ready for a new
 * connection (connection.c). Context: syscore shutdown, process.
 */
static void vmbus_shutdown_hook(void)
{
	mutex_lock(&vmbus_plat_mutex);
	vmbus_shutdown_unload();
	mutex_unlock(&vmbus_plat_mutex);
}

static int __init vmbus_init(void)
{
	int ret;

	mutex_init(&vmbus_conn.channels_mutex);
	INIT_LIST_HEAD(&vmbus_conn.channels);
	spin_lock_init(&vmbus_conn.relid_lock);
	init_waitqueue_head(&vmbus_conn.move_wq);
	spin_lock_init(&vmbus_conn.waiters_lock);
	INIT_LIST_HEAD(&vmbus_conn.waiters);

	if (!hv_vmbus_sim && !hv_hyperv_detect()) {
		pr_info(VMBUS_MOD ": not a Hyper-V guest (load with sim=1 for the simulator)\n");
		return -ENODEV;
	}
	if (!hv_vmbus_sim && hv_compat_kernel_vmbus_builtin()) {
		pr_info(VMBUS_MOD ": the kernel's built-in VMBus driver runs this guest; not taking over\n");
		return -ENODEV;
	}
	hv_compat_bus_set_dev_attrs(&hv_bus, vmbus_dev_attrs, &vmbus_dev_groups);
	ret = vmbus_cpuhp_init();
	if (ret)
		return ret;
	ret = bus_register(&hv_bus);
	if (ret)
		goto fail_cpuhp;
	ret = bus_create_file(&hv_bus, &vmbus_attr_version);
	if (ret)
		goto fail_bus;
	vmbus_debugfs_init();
	if (hv_compat_shutdown_register(vmbus_shutdown_hook))
		pr_info(VMBUS_MOD ": this kernel has no shutdown hook for modules (2.6.39+): no UNLOAD before kexec or kdump\n");
	if (hv_vmbus_sim) {
		pr_info(VMBUS_MOD ": simulator mode: waiting for hv_hostsim\n");
		return 0;
	}
	ret = hv_hyperv_platform_init(&vmbus_hyperv_plat);
	if (ret)
		goto fail_file;
	mutex_lock(&vmbus_plat_mutex);
	ret = vmbus_connect(vmbus_hyperv_plat);
	mutex_unlock(&vmbus_plat_mutex);
	if (ret)
		goto fail_plat;
	return 0;

fail_plat:
	hv_hyperv_platform_exit();
fail_file:
	hv_compat_shutdown_unregister();
	vmbus_debugfs_exit();
	bus_remove_file(&hv_bus, &vmbus_attr_version);
fail_bus:
	bus_unregister(&hv_bus);
fail_cpuhp:
	vmbus_cpuhp_exit();
	return ret;
}

static void __exit vmbus_exit(void)
{
	hv_compat_shutdown_unregister();
	mutex_lock(&vmbus_plat_mutex);
	vmbus_disconnect();
	mutex_unlock(&vmbus_plat_mutex);
	if (vmbus_hyperv_plat)
		hv_hyperv_platform_exit();
	vmbus_debugfs_exit();
	bus_remove_file(&hv_bus, &vmbus_attr_version);
	bus_unregister(&hv_bus);
	vmbus_cpuhp_exit();
}

module_init(vmbus_init);
module_exit(vmbus_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(HV_LIC_VERSION);
/* udev loads us for the ACPI VMBus device on Hyper-V (both spellings) */
MODULE_ALIAS("acpi*:VMBUS:*");
MODULE_ALIAS("acpi*:VMBus:*");
MODULE_DESCRIPTION("Hyper-V VMBus (hyperv-lic)");
MODULE_AUTHOR("hyperv-lic developers");
