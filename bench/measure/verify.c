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
 *   3b. control round: SD_READ -- the same reads with no invalidation.
 * For the hypercall strategies step 3a is the configuration's flush
 * hypercall followed by SD_READ, and spinning targets take every command by
 * polling memory (no IPI, hence no VM exit that could flush for the
 * hypercall); a call that returns success while a target still reads the
 * old frame is a FAIL.  Halted targets must be woken by an IPI, whose exit
 * may flush on its own; the control shows whether that happened.
 * Rounds alternate control and shootdown.  A stale read after a shootdown is
 * a FAIL.  The control shows whether this platform can reveal a stale
 * translation at all: if no control read was ever stale (e.g. a hypervisor
 * that syncs guest page-table writes through shadow paging, or exits that
 * flush the TLB between the reads), the probe cannot distinguish a working
 * flush from a missing one and the verdict is INCONCLUSIVE, never PASS.
 *
 * Races tolerated: a target may lose its cached translation for reasons of
 * its own (capacity eviction, an exit that flushes) between steps 1 and 3;
 * that only makes the control less likely to see a stale read, which the
 * verdict accounts for.  Between steps nothing is printed (console output
 * would cause exits).  A value that matches neither marker is an ERROR.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include "measure.h"
#include "hypercall.h"
#include "probe_frames.h"
#include "shootdown.h"

static const char *round_problem;
static char round_problem_buf[48];

/* One probe round; false (with round_problem set) if it could not finish. */
static bool probe_round(const struct sweep_config *c, bool control, struct tally *t)
{
    enum shootdown_cmd check = control ? SD_READ : SD_FLUSH_READ;

    round_problem = "ack-timeout";
    if (!shootdown_round(SD_FLUSH_ALL) || !shootdown_round(SD_PRIME))
        return false;
    probe_repoint(0, c->pages);
    probe_clear_slots(1, c->targets);
    if (strategy_is_hv(c->strategy)) {
        check = SD_READ;
        if (!control) {
            struct hv_result r = hv_config_flush();

            round_problem = hv_result_problem(&r, round_problem_buf,
                                              sizeof(round_problem_buf));
            if (round_problem)
                return false;
            round_problem = "ack-timeout";
        }
    }
    if (!shootdown_round(check))
        return false;
    probe_add_slots(1, c->targets, t);
    return true;
}

static void emit(const struct sweep_config *c, enum verdict v, uint32_t rounds,
                 const struct tally *shoot, const struct tally *ctl, const char *reason)
{
    record_begin(&records, "verify");
    record_u64(&records, "id", c->id);
    record_str(&records, "verdict", verdict_name(v));
    record_u64(&records, "rounds", rounds);
    record_u64(&records, "fresh", shoot->fresh);
    record_u64(&records, "stale", shoot->stale);
    record_u64(&records, "control_rounds", rounds);
    record_u64(&records, "control_stale", ctl->stale);
    record_str(&records, "reason", reason);
    record_finish(&records);
}

enum verdict verify_config(const struct sweep_config *c)
{
    struct tally shoot = { 0, 0, 0 }, ctl = { 0, 0, 0 };
    struct probe_pages probe = { 0, c->pages, probe_expect, probe_previous };
    uint32_t r, done = 0;
    bool ok = true;
    enum verdict v;
    const char *reason;
    uint64_t flags;

    probe_frames_init();
    if (!shootdown_start(c->targets, c->state, c->flush, c->pages,
                         strategy_is_hv(c->strategy))) {
        emit(c, VERDICT_ERROR, 0, &shoot, &ctl, "not-enough-cpus");
        return VERDICT_ERROR;
    }
    shootdown_set_probe(&probe);
    flags = irq_save();
    for (r = 0; r < c->verify_rounds && ok; r++) {
        ok = probe_round(c, true, &ctl) && probe_round(c, false, &shoot);
        done += ok;
    }
    /* Leave no stale translation behind for the next configuration. */
    if (!shootdown_round(SD_FLUSH_ALL) && ok) {
        ok = false;
        round_problem = "ack-timeout";
    }
    irq_restore(flags);
    shootdown_stop();

    if (!ok) {
        v = VERDICT_ERROR;
        reason = round_problem;
    } else if (shoot.other || ctl.other) {
        v = VERDICT_ERROR;
        reason = "read-matched-neither-frame";
    } else if (shoot.stale) {
        v = VERDICT_FAIL;
        reason = strategy_is_hv(c->strategy) ? "stale-read-after-successful-hypercall" :
                 "stale-read-after-shootdown";
    } else if (!ctl.stale) {
        v = VERDICT_INCONCLUSIVE;
        reason = "negative-control-never-stale";
    } else {
        v = VERDICT_PASS;
        reason = "-";
    }
    emit(c, v, done, &shoot, &ctl, reason);
    return v;
}
