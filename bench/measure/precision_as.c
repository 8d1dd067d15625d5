/*
 * Precision check `other-as` with PCID: does a flush hypercall that names
 * the targets' loaded address space keep their entries of another space?
 *
 * Runs for scope=cr3 and scope=other with pcid=on (the targets run with
 * CR4.PCIDE, space k under PCID k + 1, switching with CR3 bit 63 set so a
 * switch keeps every PCID's entries; space.c).  The named space is the
 * targets' home (space 0 for cr3, 1 for other); the bystander is the other
 * of the two.  CPU 0 initiates, CPUs 1..targets are the targets (as every
 * precision check), commanded by polling, so nothing but the hypercall can
 * make a spinning target exit.  PRECISION_ROUNDS rounds of:
 *   1. SD_FLUSH_ALL (every PCID emptied); SD_SWITCH to the bystander,
 *      SD_PRIME page 0; SD_SWITCH home, SD_PRIME page 0: each target now
 *      caches page 0 under both PCIDs;
 *   2. the initiator re-points page 0 (the spaces share the PTE) without
 *      invalidating on the targets;
 *   3. the configuration's hypercall, naming the home space;
 *   4. SD_SWITCH to the bystander (no flush), SD_READ page 0: the old
 *      frame means the bystander's entry was KEPT; SD_SWITCH home.
 * Without PCID this check cannot be run (precision.c records it
 * inconclusive): a CR3 switch would empty the TLB in step 1 already.
 * Races tolerated: as in precision.c -- a target may lose the entry for
 * reasons of its own (capacity, an exit), which reads as lost; only a
 * kept read is taken as evidence, and `lost` is claimed only where entries
 * are known to survive VM exits (precision_emit()).
 */
#include <arch/cpu.h>
#include <guest/percpu.h>
#include "hypercall.h"
#include "measure.h"
#include "precision.h"
#include "probe_frames.h"
#include "shootdown.h"
#include "space.h"

static bool switch_to(unsigned k)
{
    space_set_switch(k);
    return shootdown_round(SD_SWITCH);
}

/* One round on CPUs 1..last; false with k->problem set if it broke. */
static bool other_as_round(uint32_t last, unsigned home, unsigned bystander,
                           struct check_count *k)
{
    static const struct probe_pages page0 = { 0, 1, probe_expect, probe_previous };
    static char buf[48];
    struct tally t = { 0, 0, 0 };
    struct hv_result r;

    k->problem = "ack-timeout";
    shootdown_set_probe(&page0);
    if (!shootdown_round(SD_FLUSH_ALL) || !switch_to(bystander) ||
        !shootdown_round(SD_PRIME) || !switch_to(home) || !shootdown_round(SD_PRIME))
        return false;
    probe_repoint(0, 1);
    probe_clear_slots(1, last);
    r = hv_config_flush();
    if ((k->problem = hv_result_problem(&r, buf, sizeof(buf))))
        return false;
    k->problem = "ack-timeout";
    if (!switch_to(bystander) || !shootdown_round(SD_READ) || !switch_to(home))
        return false;
    probe_add_slots(1, last, &t);
    k->kept += t.stale;
    k->lost += t.fresh;
    k->other += t.other;
    k->rounds++;
    k->problem = NULL;
    return true;
}

void precision_other_as_pcid(const struct sweep_config *c)
{
    struct check_count k = { 0, 0, 0, 0, NULL };
    unsigned home = space_home(), bystander = home == 0 ? 1 : 0;
    uint64_t flags;
    uint32_t r;

    if (!shootdown_start(c->targets, c->state, FLUSH_INVLPG, 1, true))
        return;
    flags = irq_save();
    for (r = 0; r < PRECISION_ROUNDS; r++)
        if (!other_as_round(c->targets, home, bystander, &k))
            break;
    (void)shootdown_round(SD_FLUSH_ALL);
    irq_restore(flags);
    shootdown_stop();
    precision_emit(c, "other-as", &k);
}
