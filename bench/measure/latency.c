/*
 * Flush latency of one configuration.
 *
 * local: the initiator reads its configuration's pages (so their
 *   translations are cached), then times flush_window() on itself.
 * ipi: targets 1..n wait in target_loop (spinning or halted); each sample
 *   times one shootdown_round(SD_FLUSH): from before the first IPI is sent
 *   until the last acknowledgement is seen (see shootdown.c for the exact
 *   sequence on both sides).
 * hv-*: targets 1..n wait the same way (spinning ones poll memory, so they
 *   take no interrupt); each sample times one flush hypercall from issue to
 *   return -- by the TLFS, the flush has happened on every target when the
 *   call returns, so no acknowledgement is needed.  A call that fails or
 *   faults ends the configuration with an error record naming the status
 *   or the vector; the run goes on.
 *
 * Every sample runs with interrupts off on the initiator and is bracketed
 * by tsc_begin()/tsc_end(); the empty-bracket overhead (timer.c) is
 * subtracted, floored at 0.  `warmup` iterations run first and are
 * discarded.  Races: targets of the halt state may not have re-entered hlt
 * when the next sample starts (shootdown_wait_parked narrows that window).
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include "measure.h"
#include "hypercall.h"
#include "shootdown.h"

static void touch_window(uint32_t pages)
{
    uint32_t i;

    for (i = 0; i < pages; i++)
        (void)*(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);
}

static uint64_t net(uint64_t t0, uint64_t t1)
{
    uint64_t d = t1 - t0, o = timer_overhead_cycles();

    return d > o ? d - o : 0;
}

static void emit_error(const struct sweep_config *c, const char *what)
{
    record_begin(&records, "error");
    record_u64(&records, "id", c->id);
    record_str(&records, "what", what);
    record_finish(&records);
    printk("config %u: %s\n", c->id, what);
}

static bool measure_local(const struct sweep_config *c, uint64_t *samples)
{
    uint32_t i, total = c->warmup + c->samples;
    uint64_t flags = irq_save();

    for (i = 0; i < total; i++) {
        uint64_t t0, t1;

        touch_window(c->pages);
        t0 = tsc_begin();
        flush_window(c->flush, c->pages);
        t1 = tsc_end();
        if (i >= c->warmup)
            samples[i - c->warmup] = net(t0, t1);
    }
    irq_restore(flags);
    return true;
}

static bool measure_ipi(const struct sweep_config *c, uint64_t *samples)
{
    uint32_t i, total = c->warmup + c->samples;
    bool ok = true;
    uint64_t flags;

    if (!shootdown_start(c->targets, c->state, c->flush, c->pages, false)) {
        emit_error(c, "not-enough-cpus");
        return false;
    }
    flags = irq_save();
    for (i = 0; i < total && ok; i++) {
        uint64_t t0, t1;

        shootdown_wait_parked();
        t0 = tsc_begin();
        ok = shootdown_round(SD_FLUSH);
        t1 = tsc_end();
        if (i >= c->warmup)
            samples[i - c->warmup] = net(t0, t1);
    }
    irq_restore(flags);
    shootdown_stop();
    if (!ok)
        emit_error(c, "ack-timeout");
    return ok;
}

static bool measure_hv(const struct sweep_config *c, uint64_t *samples)
{
    uint32_t i, total = c->warmup + c->samples;
    const char *problem = NULL;
    char buf[48];
    uint64_t flags;

    if (!shootdown_start(c->targets, c->state, FLUSH_INVLPG, c->pages, true)) {
        emit_error(c, "not-enough-cpus");
        return false;
    }
    flags = irq_save();
    for (i = 0; i < total && !problem; i++) {
        struct hv_result r;
        uint64_t t0, t1;

        shootdown_wait_parked();
        t0 = tsc_begin();
        r = hv_config_flush();
        t1 = tsc_end();
        problem = hv_result_problem(&r, buf, sizeof(buf));
        if (i >= c->warmup)
            samples[i - c->warmup] = net(t0, t1);
    }
    irq_restore(flags);
    shootdown_stop();
    if (problem)
        emit_error(c, problem);
    return !problem;
}

bool latency_measure(const struct sweep_config *c, uint64_t *samples)
{
    if (c->strategy == STRATEGY_LOCAL)
        return measure_local(c, samples);
    if (strategy_is_hv(c->strategy))
        return measure_hv(c, samples);
    return measure_ipi(c, samples);
}
