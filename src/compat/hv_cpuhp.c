// SPDX-License-Identifier: GPL-2.0
/*
 * hv_cpuhp.c - CPU hotplug for hv_vmbus across kernel versions: the
 * hotplug state machine with a dynamic AP state (4.10+), whose callbacks
 * run on the CPU concerned, or a CPU notifier (2.6.18 .. 4.9), whose
 * callbacks run on the CPU that started the hotplug. Either way the
 * client's callbacks run in process context with hotplug excluded.
 *
 * Also the system shutdown hook (syscore shutdown, 2.6.39+; its callback
 * takes a data pointer from 7.x).
 */
#include <linux/module.h>
#include <linux/cpu.h>
#include <linux/notifier.h>
#ifdef HV_HAVE_CPUHP_STATES
#include <linux/cpuhotplug.h>
#endif
#if defined(HV_HAVE_SYSCORE_OPS) || defined(HV_HAVE_SYSCORE_DATA)
#include <linux/syscore_ops.h>
#endif

static int (*hv_cpuhp_online)(unsigned int cpu);
static int (*hv_cpuhp_offline)(unsigned int cpu);

#ifdef HV_HAVE_CPUHP_STATES

static int hv_cpuhp_state = -1;

static int hv_cpuhp_up(unsigned int cpu)
{
	int ret = hv_cpuhp_online(cpu);

	if (ret)
		pr_warn("%s: CPU %u online setup failed (%d)\n",
			KBUILD_MODNAME, cpu, ret);
	return 0;
}

static int hv_cpuhp_down(unsigned int cpu)
{
	return hv_cpuhp_offline(cpu);
}

int hv_compat_cpuhp_register(const char *name, int (*online)(unsigned int),
			     int (*offline)(unsigned int))
{
	int ret;

	hv_cpuhp_online = online;
	hv_cpuhp_offline = offline;
	ret = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, name,
					hv_cpuhp_up, hv_cpuhp_down);
	if (ret < 0)
		return ret;
	hv_cpuhp_state = ret;
	return 0;
}

void hv_compat_cpuhp_unregister(void)
{
	if (hv_cpuhp_state >= 0)
		cpuhp_remove_state_nocalls(hv_cpuhp_state);
	hv_cpuhp_state = -1;
}

#else /* CPU notifiers */

static int hv_cpuhp_notify(struct notifier_block *nb, unsigned long action,
			   void *hcpu)
{
	unsigned int cpu = (unsigned int)(unsigned long)hcpu;
	int ret;

#ifdef CPU_TASKS_FROZEN
	/* suspend/resume: the same events, flagged (2.6.22+) */
	action &= ~(unsigned long)CPU_TASKS_FROZEN;
#endif
	switch (action) {
	case CPU_ONLINE:
	case CPU_DOWN_FAILED:
		ret = hv_cpuhp_online(cpu);
		if (ret)
			pr_warn("%s: CPU %u online setup failed (%d)\n",
				KBUILD_MODNAME, cpu, ret);
		break;
	case CPU_DOWN_PREPARE:
		if (hv_cpuhp_offline(cpu))
			return NOTIFY_BAD;
		break;
	default:
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block hv_cpuhp_nb = {
	.notifier_call = hv_cpuhp_notify,
};

int hv_compat_cpuhp_register(const char *name, int (*online)(unsigned int),
			     int (*offline)(unsigned int))
{
	(void)name;
	hv_cpuhp_online = online;
	hv_cpuhp_offline = offline;
	return register_cpu_notifier(&hv_cpuhp_nb);
}

void hv_compat_cpuhp_unregister(void)
{
	unregister_cpu_notifier(&hv_cpuhp_nb);
}

#endif

/* ---- system shutdown --------------------------------------------------- */

static void (*hv_shutdown_fn)(void);

#if defined(HV_HAVE_SYSCORE_DATA)

static void hv_syscore_shutdown(void *data)
{
	hv_shutdown_fn();
}

static const struct syscore_ops hv_syscore_ops = {
	.shutdown = hv_syscore_shutdown,
};

static struct syscore hv_syscore = {
	.ops = &hv_syscore_ops,
};

#define hv_syscore_register()	register_syscore(&hv_syscore)
#define hv_syscore_unregister()	unregister_syscore(&hv_syscore)

#elif defined(HV_HAVE_SYSCORE_OPS)

static void hv_syscore_shutdown(void)
{
	hv_shutdown_fn();
}

static struct syscore_ops hv_syscore_ops = {
	.shutdown = hv_syscore_shutdown,
};

#define hv_syscore_register()	register_syscore_ops(&hv_syscore_ops)
#define hv_syscore_unregister()	unregister_syscore_ops(&hv_syscore_ops)

#endif

#if defined(HV_HAVE_SYSCORE_DATA) || defined(HV_HAVE_SYSCORE_OPS)

int hv_compat_shutdown_register(void (*fn)(void))
{
	hv_shutdown_fn = fn;
	hv_syscore_register();
	return 0;
}

void hv_compat_shutdown_unregister(void)
{
	if (hv_shutdown_fn)
		hv_syscore_unregister();
	hv_shutdown_fn = NULL;
}

#else /* before 2.6.39 */

int hv_compat_shutdown_register(void (*fn)(void))
{
	return -EOPNOTSUPP;
}

void hv_compat_shutdown_unregister(void)
{
}

#endif
