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
#include "shootdown.h"

#define MARKER_A 0x4846415f41000000ull    /* "HFA_A" + page */
#define MARKER_B 0x4846415f42000000ull    /* "HFA_B" + page */

static uint64_t frame_a[TEST_WINDOW_PAGES], frame_b[TEST_WINDOW_PAGES];
static bool on_b[TEST_WINDOW_PAGES];
static volatile uint64_t expect[TEST_WINDOW_PAGES], previous[TEST_WINDOW_PAGES];
static bool frames_ready;

static uint64_t marker(bool b, uint32_t page)
{
    return (b ? MARKER_B : MARKER_A) | page;
}

/* Frame A is the window's own frame; frame B is allocated once. */
static void frames_init(void)
{
    uint8_t *alt = pages_alloc(TEST_WINDOW_PAGES);
    uint32_t i;

    for (i = 0; i < TEST_WINDOW_PAGES; i++) {
        frame_a[i] = *pte_of(TEST_WINDOW_VA + i * PAGE_SIZE) & PTE_ADDR_MASK;
        frame_b[i] = (uint64_t)(uintptr_t)(alt + i * PAGE_SIZE);
        /* Frames are identity-mapped, so their physical address is a pointer. */
        *(volatile uint64_t *)(uintptr_t)frame_a[i] = marker(false, i);
        *(volatile uint64_t *)(uintptr_t)frame_b[i] = marker(true, i);
        on_b[i] = false;
    }
    frames_ready = true;
}

static void repoint(uint32_t pages)
{
    uint32_t i;

    for (i = 0; i < pages; i++) {
        volatile uint64_t *pte = pte_of(TEST_WINDOW_VA + i * PAGE_SIZE);
        uint64_t flags = *pte & ~PTE_ADDR_MASK;

        previous[i] = marker(on_b[i], i);
        on_b[i] = !on_b[i];
        expect[i] = marker(on_b[i], i);
        *pte = (on_b[i] ? frame_b[i] : frame_a[i]) | flags;
        /* The initiator's own TLB is not under test. */
        invlpg((const void *)(TEST_WINDOW_VA + i * PAGE_SIZE));
    }
    /* PTE stores before the IPI that makes targets read; pairs with the
     * acquire in shootdown_irq() via the fence in shootdown_round(). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

struct tally { uint64_t fresh, stale, other; };

static void clear_slots(uint32_t ntargets)
{
    uint32_t t;

    for (t = 1; t <= ntargets; t++) {
        struct percpu *pc = percpu_of(t);

        pc->bench_slot[SLOT_FRESH] = 0;
        pc->bench_slot[SLOT_STALE] = 0;
        pc->bench_slot[SLOT_OTHER] = 0;
    }
}

static void add_slots(uint32_t ntargets, struct tally *t)
{
    uint32_t i;

    for (i = 1; i <= ntargets; i++) {
        struct percpu *pc = percpu_of(i);

        t->fresh += pc->bench_slot[SLOT_FRESH];
        t->stale += pc->bench_slot[SLOT_STALE];
        t->other += pc->bench_slot[SLOT_OTHER];
    }
}

/* One probe round; false on an acknowledgement timeout. */
static bool probe_round(const struct sweep_config *c, bool control, struct tally *t)
{
    if (!shootdown_round(SD_FLUSH_ALL) || !shootdown_round(SD_PRIME))
        return false;
    repoint(c->pages);
    clear_slots(c->targets);
    if (!shootdown_round(control ? SD_READ : SD_FLUSH_READ))
        return false;
    add_slots(c->targets, t);
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
    struct probe_pages probe = { c->pages, expect, previous };
    uint32_t r, done = 0;
    bool ok = true;
    enum verdict v;
    const char *reason;
    uint64_t flags;

    if (!frames_ready)
        frames_init();
    if (!shootdown_start(c->targets, c->state, c->flush, c->pages)) {
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
    ok = shootdown_round(SD_FLUSH_ALL) && ok;
    irq_restore(flags);
    shootdown_stop();

    if (!ok) {
        v = VERDICT_ERROR;
        reason = "ack-timeout";
    } else if (shoot.other || ctl.other) {
        v = VERDICT_ERROR;
        reason = "read-matched-neither-frame";
    } else if (shoot.stale) {
        v = VERDICT_FAIL;
        reason = "stale-read-after-shootdown";
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
