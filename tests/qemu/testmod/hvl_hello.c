/*
 * hvl_hello: the test bench's own self-test module.
 *
 * Proves that the bench can build an out-of-tree module in a suite's chroot,
 * put it in the initramfs and load it in the guest. Independent of the
 * hyperv-lic drivers. Kept gnu89-clean so it builds on every kernel we test.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/moduleparam.h>
#include <linux/errno.h>

static int id = 42;
module_param(id, int, 0444);
MODULE_PARM_DESC(id, "number echoed in the load message and in sysfs");

static int fail_init;
module_param(fail_init, int, 0444);
MODULE_PARM_DESC(fail_init, "if non-zero, refuse to load with -EINVAL");

static int __init hvl_hello_init(void)
{
	if (fail_init) {
		printk(KERN_INFO "hvl_hello: refusing to load (fail_init=%d)\n",
		       fail_init);
		return -EINVAL;
	}
	printk(KERN_INFO "hvl_hello: loaded, id=%d\n", id);
	return 0;
}

static void __exit hvl_hello_exit(void)
{
	printk(KERN_INFO "hvl_hello: unloaded, id=%d\n", id);
}

module_init(hvl_hello_init);
module_exit(hvl_hello_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hyperv-lic test bench self-test module");
