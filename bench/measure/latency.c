/*
 * Flush latency of one configuration.
 *
 * Where it runs: the initiator is CPU c->initiator and the targets are the
 * CPUs sweep_placement() chose (run.c passes them).  CPU 0, the driver,
 * starts the targets, hands the sample loop to the initiator with
 * smp_call() and waits for it; when CPU 0 is itself a target it serves as
 * one (shootdown_serve()) until the initiator signals the end.
 *
 * local: the initiator reads its configuration's pages (so their
 *   translations are cached), then times flush_window() on itself.
 * ipi: the targets wait in target_loop (spinning or halted); each sample
 *   times one shootdown_round(SD_FLUSH): from before the first IPI is sent
 *   until the last acknowledgement is seen (see shootdown.c for the exact
 *   sequence on both sides).
 * hv-ipi-invlpg, kvm-pv: as ipi, the targets kicked another way (kick.c,
 *   through shootdown_set_kick()); kvm-pv does not wait for a preempted
 *   target it flagged instead.  targets=self/all: the initiator is a target
 *   too and takes its own IPI inside the timed round (shootdown.c).
 * hv-*: the targets wait the same way (spinning ones poll memory, so they
 *   take no interrupt); each sample times one flush hypercall from issue to
 *   return -- by the TLFS, the flush has happened on every target when the
 *   call returns, so no acknowledgement is needed.  The call's input was
 *   built once per configuration (hv_config_set_targets), outside the timed
 *   region.  A call that fails or faults ends the configuration with an
 *   error record naming the status or the vector and RIP (the fault is
 *   caught by guest/hv/trap.c, so the guest lives on), with the raw status,
 *   vector and RIP as fields; the run goes on with the next configuration.
 *   `inject hv-unknown-status` replaces each timed call's answer with
 *   status 0x7777, after the call and outside the timed region.
 *
 * Baselines (hv-null, hv-invalid, cpuid), on the initiator alone: each
 *   sample times one call prepared outside the timed region (baseline.c)
 *   or one `cpuid` leaf 0; a call answered otherwise than expected ends
 *   the configuration with an error record naming the status.  Nothing
 *   is cached or flushed, so there is nothing to race with.
 *
 * Sequence of one ipi/hv sample (live entries, then the timed flush):
 *   1. shootdown_round(SD_TOUCH), untimed: every target reads the
 *      configuration's pages, so the flush that follows removes
 *      translations that exist (spinning hv targets take it by polling,
 *      halted ones by IPI, as every other command); for hv-* the initiator
 *      reads them too, since procs=all flushes it as well;
 *   2. halted targets: shootdown_wait_parked() -- every target must have
 *      stored the generation of step 1 just before its sti; hlt.  If one
 *      has not within 100 ms, the sample would time a running target: it
 *      is counted as excluded and the iteration repeats (at most
 *      EXCLUDED_MAX(c) times per round, then an error record
 *      `halt-not-reached`);
 *   3. tsc_begin(); the flush; tsc_end().
 *
 * Every sample runs with interrupts off on the initiator; the empty-bracket
 * overhead (timer.c) is subtracted, floored at 0 (timing_net), and the
 * floored samples are counted (`latency` record, `clamped`).  `warmup`
 * valid iterations run first and are discarded.  Races: between step 2's
 * check and hlt a target runs a handful of instructions the check cannot
 * see (see shootdown.c); a target halted in step 2 stays halted through an
 * hv sample, since the hypercall needs no interrupt on it. *
 * Rounds: the loop runs in rounds of c->samples (adaptive.c decides how
 * many: one without the sweep's ci-target); only the first has warm-up.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/timing.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include "measure.h"
#include "adaptive.h"
#include "baseline.h"
#include "hypercall.h"
#include "shootdown.h"

/* Exclusions allowed per configuration before it is abandoned (the gate in
 * bench/timing.c decides, unit-tested on the host). */
#define EXCLUDED_MAX(c) ((c)->warmup + (c)->samples + 64)

struct latency_job {
    const struct sweep_config *c;
    uint64_t *samples;         /* the current round's (adaptive.c) */
    uint32_t warmup;           /* the current round's warm-up */
    struct latency_counts counts;
    const char *problem;       /* NULL, or why the configuration was abandoned */
    char problem_buf[48];
    bool hv_failed;            /* the problem is hv_last's (a hypercall's answer) */
    struct hv_result hv_last;
};

static void touch_window(uint32_t pages)
{
    uint32_t i;

    for (i = 0; i < pages; i++)
        (void)*(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);
}

/* Stores the sample the gate accepted (warm-up ones are dropped). */
static void keep(struct latency_job *j, struct sample_gate *g, bool ready, uint64_t t0,
                 uint64_t t1)
{
    bool clamped;
    uint64_t v = timing_net(t0, t1, timer_overhead_cycles(), &clamped);

    switch (timing_gate(g, ready)) {
    case SAMPLE_KEEP:
        j->samples[timing_gate_index(g)] = v;
        j->counts.clamped += clamped;
        break;
    case SAMPLE_EXCLUDED:
        j->counts.excluded++;
        break;
    case SAMPLE_ABANDON:
        j->counts.excluded++;
        j->problem = "halt-not-reached";
        break;
    case SAMPLE_DISCARD:
        break;
    }
}

static void gate_init(struct sample_gate *g, const struct latency_job *j)
{
    const struct sweep_config *c = j->c;

    g->warmup = j->warmup;
    g->samples = c->samples;
    g->excluded_max = EXCLUDED_MAX(c);
    g->ready = g->excluded = 0;
}

static void measure_local(struct latency_job *j)
{
    const struct sweep_config *c = j->c;
    struct sample_gate g;

    gate_init(&g, j);
    while (!timing_gate_done(&g)) {
        uint64_t t0, t1;

        touch_window(c->pages);
        t0 = tsc_begin();
        flush_window(c->flush, c->pages);
        t1 = tsc_end();
        keep(j, &g, true, t0, t1);
    }
}

/* The sample loop of a baseline (hv-null, hv-invalid, cpuid). */
static void measure_baseline(struct latency_job *j)
{
    const struct sweep_config *c = j->c;
    struct sample_gate g;

    gate_init(&g, j);
    while (!timing_gate_done(&g) && !j->problem) {
        struct hv_result r;
        uint64_t t0, t1;

        if (c->strategy == STRATEGY_CPUID) {
            t0 = tsc_begin();
            (void)cpuid(0, 0);
            t1 = tsc_end();
        } else {
            t0 = tsc_begin();
            r = hv_baseline_issue();
            t1 = tsc_end();
            j->problem = hv_baseline_problem(c, &r, j->problem_buf, sizeof(j->problem_buf));
            if (j->problem) {
                j->hv_failed = true;
                j->hv_last = r;
                return;
            }
        }
        keep(j, &g, true, t0, t1);
    }
}

/* One timed flush for ipi or hv-*; false with j->problem set on failure. */
static bool timed_flush(struct latency_job *j, uint64_t *t0, uint64_t *t1)
{
    struct hv_result r;

    if (!strategy_is_hv(j->c->strategy)) {
        bool acked;

        *t0 = tsc_begin();
        acked = shootdown_round(SD_FLUSH);
        *t1 = tsc_end();
        if (!acked)
            j->problem = shootdown_problem();   /* ack-timeout, or the kick's */
        return acked;
    }
    *t0 = tsc_begin();
    r = hv_config_flush();
    *t1 = tsc_end();
    if (bench_inject == INJECT_HV_UNKNOWN_STATUS && !r.refused)
        r = hv_result_with_status(r, HV_INJECTED_STATUS);
    j->problem = hv_result_problem(&r, j->problem_buf, sizeof(j->problem_buf));
    j->hv_failed = j->problem != NULL;
    j->hv_last = r;
    return !j->problem;
}

static void measure_remote(struct latency_job *j)
{
    struct sample_gate g;

    gate_init(&g, j);
    while (!timing_gate_done(&g) && !j->problem) {
        uint64_t t0, t1;
        bool parked;

        if (!shootdown_round(SD_TOUCH)) {
            j->problem = shootdown_problem();
            return;
        }
        /* A hypercall may flush the initiator too (procs=all). */
        if (strategy_is_hv(j->c->strategy))
            touch_window(j->c->pages);
        parked = shootdown_wait_parked();
        if (!timed_flush(j, &t0, &t1))
            return;
        keep(j, &g, parked, t0, t1);
    }
}

/* One round of samples into dst (adaptive.c decides how many rounds). */
static bool run_round(void *arg, uint64_t *dst, uint32_t warmup)
{
    struct latency_job *j = arg;

    j->samples = dst;
    j->warmup = warmup;
    if (j->c->strategy == STRATEGY_LOCAL)
        measure_local(j);
    else if (strategy_is_baseline(j->c->strategy))
        measure_baseline(j);
    else
        measure_remote(j);
    return !j->problem;
}

/* The sample loop, on the initiator (directly or through smp_call()). */
static void run_job(void *arg)
{
    struct latency_job *j = arg;
    uint64_t flags = irq_save();

    if (!adaptive_sample(j->c, j->samples, run_round, j, &j->counts.ci) && !j->problem)
        j->problem = "no-memory-for-adaptive-sampling";
    irq_restore(flags);
    if (strategy_has_targets(j->c->strategy))
        shootdown_signal_stop();
}

/* The error record; for a hypercall's answer (r not NULL) with the raw
 * status, the vector and the RIP of a fault at its end. */
static void emit_error(const struct sweep_config *c, const char *what,
                       const struct hv_result *r)
{
    record_begin(&records, "error");
    record_u64(&records, "id", c->id);
    record_str(&records, "what", what);
    if (r) {
        char hex[24];

        snprintk(hex, sizeof(hex), "0x%x", r->status);
        record_str(&records, "status", r->faulted || r->refused ? "-" : hex);
        record_u64(&records, "vector", r->faulted ? r->vector : 0);
        snprintk(hex, sizeof(hex), "0x%llx", (unsigned long long)r->fault_rip);
        record_str(&records, "rip", r->faulted ? hex : "-");
    }
    record_finish(&records);
    printk("config %u: %s\n", c->id, what);
}

bool latency_measure(const struct sweep_config *c, const uint32_t *cpus,
                     uint64_t *samples, struct latency_counts *counts)
{
    static struct latency_job job;
    bool remote = strategy_has_targets(c->strategy), hv = strategy_is_hv(c->strategy);
    uint32_t self = smp_processor_id();

    job.c = c;
    job.samples = samples;
    job.counts.clamped = job.counts.excluded = 0;
    job.problem = NULL;
    job.hv_failed = false;
    if (remote)             /* targets=self, all: the initiator is one of them */
        shootdown_set_initiator(c->initiator);
    if (c->initiator >= nr_cpus || (remote && c->target_set == TARGETS_OTHERS &&
                                    cpu_list_has(cpus, c->targets, c->initiator)) ||
        (remote && !shootdown_start_cpus(cpus, c->targets, c->state,
                                         hv ? FLUSH_INVLPG : c->flush, c->pages, hv))) {
        shootdown_set_initiator(UINT32_MAX);
        emit_error(c, "not-enough-cpus", NULL);
        return false;
    }
    if (c->initiator == self) {
        run_job(&job);
    } else {
        smp_call(c->initiator, run_job, &job);
        if (remote && cpu_list_has(cpus, c->targets, self))
            shootdown_serve();
        smp_wait_idle(c->initiator);
    }
    if (remote)
        shootdown_stop();
    *counts = job.counts;
    if (job.problem)
        emit_error(c, job.problem, job.hv_failed ? &job.hv_last : NULL);
    return !job.problem;
}
