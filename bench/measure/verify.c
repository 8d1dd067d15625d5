/*
 * Stale-TLB effect probe: did the shootdown really invalidate?
 *
 * Algorithm, per round, for the configuration's first `pages` pages of the
 * test window (each page's physical frame alternates between frame A and
 * frame B, whose first quadword holds a marker unique to frame and page):
 *   1. every target reloads CR3 (SD_FLUSH_ALL), then reads each page
 *      (SD_PRIME), so the targets' TLBs hold the current translations;
 *   2. the initiator re-points each page's PTE to the other frame with a
 *      plain store -- deliberately without invalidating on the targets;
 *   3a. shootdown round: SD_FLUSH_READ -- each target flushes exactly as the
 *      configuration does (invlpg per page or CR3 reload), then reads every
 *      page; a read of the new frame's marker is fresh, of the old one stale;
 *   3b. control round: SD_READ -- the same IPI and reads, no invalidation.
 * For the hypercall strategies step 3a is the configuration's flush
 * hypercall followed by SD_READ, and step 3b the control call (the same
 * call naming only the initiator's VP, see hypercall.h) followed by
 * SD_READ, so the initiator exits in both; spinning targets take every
 * command by polling memory (no IPI, hence no VM exit that could flush for
 * the hypercall).  Halted targets must be woken by an IPI, whose exit may
 * flush on its own; the control, woken the same way, measures that.
 * Rounds alternate control and shootdown.  A stale read after a shootdown
 * is a FAIL.  The control measures how often a flush that does nothing
 * shows up as a stale read; the power rule (bench/verdict.c) turns that
 * into P, the chance that such a flush would have passed every shootdown
 * round.  Rounds run in batches of verify-rounds (and as many control
 * rounds) until P <= 1e-3, a stale read, an error, two batches whose
 * control never went stale, or VERIFY_MAX_ROUNDS_FACTOR batches; PASS needs P <= 1e-3, otherwise the
 * verdict is INCONCLUSIVE with P in the reason (e.g. a hypervisor that
 * syncs guest page-table writes through shadow paging, or exits that flush
 * the TLB between the reads).
 * `inject skip-flush`: in shootdown rounds of IPI strategies the targets
 * acknowledge and read without invalidating (SD_READ), a broken shootdown
 * the probe must report as FAIL.
 *
 * Races tolerated: a target may lose its cached translation for reasons of
 * its own (capacity eviction, an exit that flushes) between steps 1 and 3;
 * that only lowers the control's stale rate, which the power rule turns
 * into more rounds or an inconclusive verdict.  Between steps nothing is
 * printed (console output would cause exits).  A value that matches
 * neither marker is an ERROR.
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

static const char *round_problem;
static char round_problem_buf[48];

/* One probe round; false (with round_problem set) if it could not finish.
 * *stale: some target read the old frame in this round. */
static bool probe_round(const struct sweep_config *c, bool control, struct tally *t,
                        bool *stale)
{
    enum shootdown_cmd check = control ? SD_READ : SD_FLUSH_READ;
    uint64_t stale_before = t->stale;

    round_problem = "ack-timeout";
    if (!shootdown_round(SD_FLUSH_ALL) || !shootdown_round(SD_PRIME))
        return false;
    probe_repoint(0, c->pages);
    probe_clear_slots(1, c->targets);
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
    probe_add_slots(1, c->targets, t);
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

/* Runs one batch of `rounds` control + shootdown round pairs into vt. */
static void run_batch(const struct sweep_config *c, uint32_t rounds, struct verify_tally *vt,
                      struct tally *shoot, struct tally *ctl)
{
    bool stale;

    for (uint32_t r = 0; r < rounds && !vt->problem; r++) {
        if (!probe_round(c, true, ctl, &stale)) {
            vt->problem = round_problem;
            break;
        }
        vt->control_rounds++;
        vt->control_stale_rounds += stale;
        if (!probe_round(c, false, shoot, &stale)) {
            vt->problem = round_problem;
            break;
        }
        vt->rounds++;
        if (stale)
            break;                    /* a FAIL needs no more rounds */
    }
    vt->stale = shoot->stale;
    vt->other = shoot->other + ctl->other;
}

enum verdict verify_config(const struct sweep_config *c)
{
    struct tally shoot = { 0, 0, 0 }, ctl = { 0, 0, 0 };
    struct probe_pages probe = { 0, c->pages, probe_expect, probe_previous };
    struct verify_tally vt = { 0, 0, 0, 0, 0, NULL };
    struct verify_judgement j;
    uint32_t max_rounds = c->verify_rounds * VERIFY_MAX_ROUNDS_FACTOR;
    uint64_t flags;

    probe_frames_init();
    if (!shootdown_start(c->targets, c->state, c->flush, c->pages,
                         strategy_is_hv(c->strategy))) {
        vt.problem = "not-enough-cpus";
        verify_judge(&vt, strategy_is_hv(c->strategy), &j);
        emit(c, &vt, &shoot, &ctl, &j);
        return j.verdict;
    }
    shootdown_set_probe(&probe);
    flags = irq_save();
    do
        run_batch(c, c->verify_rounds, &vt, &shoot, &ctl);
    while (verify_wants_more(&vt, c->verify_rounds, max_rounds));
    /* Leave no stale translation behind for the next configuration. */
    if (!shootdown_round(SD_FLUSH_ALL) && !vt.problem)
        vt.problem = "ack-timeout";
    irq_restore(flags);
    shootdown_stop();

    verify_judge(&vt, strategy_is_hv(c->strategy), &j);
    emit(c, &vt, &shoot, &ctl, &j);
    return j.verdict;
}
