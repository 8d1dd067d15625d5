/*
 * Stale-TLB effect probe: did the shootdown really invalidate?
 *
 * Where it runs: where the latency ran -- the initiator is CPU
 * c->initiator and the targets are the CPUs sweep_placement() chose (run.c
 * passes the same list latency.c used).  CPU 0, the driver, starts the
 * targets, hands the rounds to the initiator with smp_call() and waits;
 * when CPU 0 is itself a target it serves as one (shootdown_serve()) until
 * the initiator signals the end.  Tallies are read from the placed
 * targets' slots only.
 *
 * Algorithm, per round, for the configuration's first `pages` pages of the
 * test window (each page's physical frame alternates between frame A and
 * frame B, whose first quadword holds a marker unique to frame and page):
 *   1. every target reloads CR3 (SD_FLUSH_ALL), then reads each page
 *      (SD_PRIME), so the targets' TLBs hold the current translations;
 *   2. the initiator re-points each page's PTE to the other frame with a
 *      plain store -- deliberately without invalidating on the targets
 *      (it invalidates its own entry only);
 *   3a. shootdown round: SD_FLUSH_READ -- each target flushes exactly as the
 *      configuration does (invlpg per page or CR3 reload), then reads every
 *      page; a read of the new frame's marker is fresh, of the old one stale;
 *   3b. control round: SD_READ -- the same IPI and reads, no invalidation.
 * The targets read in their home space (space.c): for scope=other a second
 * address space, the one the hypercall names, so a pass shows the call
 * reached entries of a space the initiator does not run.
 * For the hypercall strategies step 3a is the configuration's flush
 * hypercall followed by SD_READ, and step 3b the control call (the same
 * call naming only the initiator's own VP, built by hv_config_set_targets()
 * for c->initiator, see hypercall.h) followed by SD_READ, so the initiator
 * exits in both; spinning targets take every command by polling memory (no
 * IPI, hence no VM exit that could flush for the hypercall).  Halted
 * targets must be woken by an IPI, whose exit may flush on its own; the
 * control, woken the same way, measures that.
 * Rounds alternate control and shootdown.  A stale read after a shootdown
 * is a FAIL.  The control measures how often a flush that does nothing
 * shows up as a stale read; the power rule (bench/verdict.c) turns that
 * into P, the chance that such a flush would have passed every shootdown
 * round.  Rounds run in batches of verify-rounds (and as many control
 * rounds) until P <= 1e-3, a stale read, an error, two batches whose
 * control never went stale, or VERIFY_MAX_ROUNDS_FACTOR batches; PASS
 * needs P <= 1e-3, otherwise the verdict is INCONCLUSIVE with P in the
 * reason (e.g. a hypervisor that syncs guest page-table writes through
 * shadow paging, or exits that flush the TLB between the reads).
 * `inject skip-flush`: in shootdown rounds of IPI strategies the targets
 * acknowledge and read without invalidating (SD_READ), a broken shootdown
 * the probe must report as FAIL.
 *
 * Races tolerated: a target may lose its cached translation for reasons of
 * its own (capacity eviction, an exit that flushes) between steps 1 and 3;
 * that only lowers the control's stale rate, which the power rule turns
 * into more rounds or an inconclusive verdict.  CPU 0 serving as a target
 * takes commands exactly as the others (its wait loop is target_loop()).
 * A CPU that is neither initiator nor target may keep a stale entry for
 * the window; no probe step reads on it, and every participant starts each
 * round with SD_FLUSH_ALL.  Between steps nothing is printed (console
 * output would cause exits).  A value that matches neither marker is an
 * ERROR.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include "measure.h"
#include "hypercall.h"
#include "probe_frames.h"
#include "shootdown.h"

enum sweep_inject bench_inject;

/* One configuration's probe, handed to the initiator. */
struct verify_job {
    const struct sweep_config *c;
    const uint32_t *cpus;              /* the placed targets, c->targets of them */
    struct probe_pages probe;
    struct verify_tally vt;
    struct tally shoot, ctl;
};

static const char *round_problem;
static char round_problem_buf[48];

/* One probe round; false (with round_problem set) if it could not finish.
 * *stale: some target read the old frame in this round. */
static bool probe_round(const struct sweep_config *c, const uint32_t *cpus, bool control,
                        struct tally *t, bool *stale)
{
    enum shootdown_cmd check = control ? SD_READ : SD_FLUSH_READ;
    uint64_t stale_before = t->stale;

    round_problem = "ack-timeout";
    if (!shootdown_round(SD_FLUSH_ALL) || !shootdown_round(SD_PRIME))
        return false;
    probe_repoint(0, c->pages);
    probe_clear_cpus(cpus, c->targets);
    if (!control && bench_inject == INJECT_SKIP_FLUSH)
        check = SD_READ;
    if (strategy_is_hv(c->strategy)) {
        struct hv_result r = control ? hv_config_control_flush() : hv_config_flush();

        check = SD_READ;
        round_problem = hv_result_problem(&r, round_problem_buf, sizeof(round_problem_buf));
        if (round_problem)
            return false;
        round_problem = "ack-timeout";
    }
    if (!shootdown_round(check))
        return false;
    probe_add_cpus(cpus, c->targets, t);
    *stale = t->stale > stale_before;
    return true;
}

static void emit(const struct sweep_config *c, const struct verify_tally *vt,
                 const struct tally *shoot, const struct tally *ctl,
                 const struct verify_judgement *j)
{
    record_begin(&records, "verify");
    record_u64(&records, "id", c->id);
    record_str(&records, "verdict", verdict_name(j->verdict));
    record_u64(&records, "rounds", vt->rounds);
    record_u64(&records, "fresh", shoot->fresh);
    record_u64(&records, "stale", shoot->stale);
    record_u64(&records, "control_rounds", vt->control_rounds);
    record_u64(&records, "control_stale", ctl->stale);
    record_u64(&records, "control_stale_rounds", vt->control_stale_rounds);
    record_str(&records, "noop_pass_p", j->noop_pass_p);
    record_str(&records, "reason", j->reason);
    record_finish(&records);
}

/* Runs one batch of `rounds` control + shootdown round pairs into j->vt. */
static void run_batch(struct verify_job *j, uint32_t rounds)
{
    struct verify_tally *vt = &j->vt;
    bool stale;

    for (uint32_t r = 0; r < rounds && !vt->problem; r++) {
        if (!probe_round(j->c, j->cpus, true, &j->ctl, &stale)) {
            vt->problem = round_problem;
            break;
        }
        vt->control_rounds++;
        vt->control_stale_rounds += stale;
        if (!probe_round(j->c, j->cpus, false, &j->shoot, &stale)) {
            vt->problem = round_problem;
            break;
        }
        vt->rounds++;
        if (stale)
            break;                    /* a FAIL needs no more rounds */
    }
    vt->stale = j->shoot.stale;
    vt->other = j->shoot.other + j->ctl.other;
}

/* The rounds, on the initiator (directly or through smp_call()). */
static void run_probe(void *arg)
{
    struct verify_job *j = arg;
    uint32_t max_rounds = j->c->verify_rounds * VERIFY_MAX_ROUNDS_FACTOR;
    uint64_t flags = irq_save();

    do
        run_batch(j, j->c->verify_rounds);
    while (verify_wants_more(&j->vt, j->c->verify_rounds, max_rounds));
    /* Leave no stale translation behind for the next configuration. */
    if (!shootdown_round(SD_FLUSH_ALL) && !j->vt.problem)
        j->vt.problem = "ack-timeout";
    irq_restore(flags);
    shootdown_signal_stop();
}

enum verdict verify_config(const struct sweep_config *c, const uint32_t *cpus)
{
    static struct verify_job job;
    const struct tally zero = { 0, 0, 0 };
    const struct verify_tally none = { 0, 0, 0, 0, 0, NULL };
    bool hv = strategy_is_hv(c->strategy);
    uint32_t self = smp_processor_id();
    struct verify_judgement j;

    job.c = c;
    job.cpus = cpus;
    job.shoot = job.ctl = zero;
    job.vt = none;
    job.probe.first = 0;
    job.probe.count = c->pages;
    job.probe.expect = probe_expect;
    job.probe.previous = probe_previous;
    probe_frames_init();
    if (c->initiator >= nr_cpus || cpu_list_has(cpus, c->targets, c->initiator) ||
        !shootdown_start_cpus(cpus, c->targets, c->state, c->flush, c->pages, hv)) {
        job.vt.problem = "not-enough-cpus";
    } else {
        shootdown_set_probe(&job.probe);
        if (c->initiator == self) {
            run_probe(&job);
        } else {
            /* job goes to the initiator with smp_call() and its tallies
             * come back through smp_wait_idle(): the acquire there pairs
             * with the initiator's release of its busy flag when
             * run_probe() returns (guest/percpu.h). */
            smp_call(c->initiator, run_probe, &job);
            if (cpu_list_has(cpus, c->targets, self))
                shootdown_serve();
            smp_wait_idle(c->initiator);
        }
        shootdown_stop();
    }
    verify_judge(&job.vt, hv, &j);
    emit(c, &job.vt, &job.shoot, &job.ctl, &j);
    return j.verdict;
}
