/*
 * CPUs that never came up (guest/arch/x86/smp.c: the bring-up wait timed
 * out on them) and the configurations that need them.
 *
 * The guest keeps every CPU the VM lists (nr_cpus: the MADT's), so the
 * sweep expands to the same configurations as on the host; a CPU that is
 * not online is reported in the `platform` record (`missing`) and in its
 * `cpu` record (`online=0`).  Before a configuration runs,
 * config_missing_cpu() looks at every CPU it would use -- the initiator,
 * the placed targets, the precision checks' CPUs 1..targets and the
 * throughput measurement's initiators and targets -- and names the first
 * one that is offline; run.c then ends the configuration with an `error`
 * record (`cpu-N-never-came-up`) instead of handing work to a CPU that
 * would never take it, and the next configuration runs.
 *
 * bench_early() runs on the BSP before smp_init(): it reads the sweep
 * once (sweep_source.c keeps it for bench_run()) so that `inject
 * ap-never-starts` can keep the last AP from being started.
 */
#include <stdint.h>
#include <guest/console.h>
#include <guest/main.h>
#include <guest/percpu.h>
#include <bench/sweep.h>
#include "measure.h"
#include "portable.h"

static const char *offline_word(uint32_t cpu, char *buf, unsigned cap)
{
    snprintk(buf, cap, "cpu-%u-never-came-up", cpu);
    return buf;
}

static const char *first_offline(const uint32_t *cpus, uint32_t n, char *buf, unsigned cap)
{
    for (uint32_t i = 0; i < n; i++)
        if (!cpu_online(cpus[i]))
            return offline_word(cpus[i], buf, cap);
    return NULL;
}

const char *config_missing_cpu(const struct sweep_config *c, const uint32_t *targets,
                               uint32_t ntargets, char *buf, unsigned cap)
{
    static uint32_t inits[SWEEP_INITIATORS_MAX], tp_targets[MAX_CPUS];
    const char *why;

    if (nr_cpus_online == nr_cpus)
        return NULL;
    if (!cpu_online(c->initiator))
        return offline_word(c->initiator, buf, cap);
    if ((why = first_offline(targets, ntargets, buf, cap)))
        return why;
    if (config_has_precision(c))           /* precision.c: CPUs 1..targets */
        for (uint32_t t = 1; t <= c->targets && t < nr_cpus; t++)
            if (!cpu_online(t))
                return offline_word(t, buf, cap);
    if (c->throughput && sweep_throughput_placement(c, nr_cpus, inits, tp_targets) &&
        ((why = first_offline(inits, c->initiators, buf, cap)) ||
         (why = first_offline(tp_targets, sweep_throughput_target_count(c), buf, cap))))
        return why;
    return NULL;
}

void cpus_missing_list(char *buf, unsigned cap)
{
    static uint32_t missing[MAX_CPUS];
    uint32_t n = 0;

    for (unsigned cpu = 0; cpu < nr_cpus; cpu++)
        if (!cpu_online(cpu))
            missing[n++] = cpu;
    cpu_list_format(missing, n, buf, cap);
}

void bench_early(void)
{
    static char text[SWEEP_TEXT_MAX + 1];
    static struct sweep sw;
    struct sweep_error err;
    long len = sweep_source_read(text, SWEEP_TEXT_MAX);

    /* A sweep that does not parse is reported by bench_run(). */
    if (len < 0 || !sweep_parse(text, (size_t)len, &sw, &err))
        return;
    smp_withhold_last_ap = sw.inject == INJECT_AP_NEVER_STARTS;
}
