/*
 * Precision of a flush hypercall: does it flush only what it names?
 * Informational: each check is recorded as observed counts, never a FAIL.
 *
 * Checks, PRECISION_ROUNDS rounds each (targets take every command by
 * polling memory, as in the effect probe, so nothing but the hypercall can
 * make them exit):
 *   non-target -- a CPU outside the call's processor set (the CPU after the
 *     last target; needs procs=mask and a spare CPU) primes page 0; the
 *     initiator re-points it without invalidating; the hypercall runs; the
 *     bystander reads page 0: the old frame means its entry was KEPT.
 *   unlisted -- List calls: targets prime pages 0..pages (one more than the
 *     call lists); all are re-pointed; after the call the targets read page
 *     `pages`: the old frame means the unlisted entry was KEPT.
 *   global -- calls with NON_GLOBAL_MAPPINGS_ONLY: page `pages` is mapped
 *     with the G bit; as above, KEPT means the global entry survived (the
 *     flag allows that; the TLFS does not require it).
 *   other-as -- an entry of an address space other than the one the call
 *     names (precision_as.c).  scope=unloaded: the call names a space no
 *     CPU has loaded; the targets' entries of their own space must be
 *     KEPT -- provable without PCID.  scope=cr3 and other: the call names
 *     the targets' loaded space, so the other space's entry can only be in
 *     their TLB with pcid=on (a CR3 switch without PCID empties the TLB):
 *     with pcid=off, or a CPU without PCID (CPUID.1:ECX bit 17), recorded
 *     inconclusive with that reason.  scope=all names every space: no
 *     check.
 * Interpretation: any KEPT read proves the entry can survive the call.  An
 * entry LOST every round is over-flushing only where the platform is known
 * to keep entries across VM exits (the exit-survival probe); elsewhere the
 * exit that delivered the flush may have dropped it, and the result is
 * inconclusive with that reason.
 * Races tolerated: as in verify.c; a lost entry can have many causes,
 * which is why only a kept one is taken as evidence.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include <guest/string.h>
#include "hypercall.h"
#include "measure.h"
#include "precision.h"
#include "probe_frames.h"
#include "shootdown.h"

/* One round: prime [0, primed) on CPUs 1..last_cpu, re-point them, issue
 * the call, then read [read_first, read_first + 1) on those CPUs. */
static bool precision_round(uint32_t last_cpu, uint32_t primed, uint32_t read_first,
                            uint32_t count_cpu_first, struct check_count *k)
{
    struct probe_pages prime = { 0, primed, probe_expect, probe_previous };
    struct probe_pages read = { read_first, 1, probe_expect, probe_previous };
    static char buf[48];
    struct hv_result r;
    struct tally t = { 0, 0, 0 };

    k->problem = "ack-timeout";
    shootdown_set_probe(&prime);
    if (!shootdown_round(SD_FLUSH_ALL) || !shootdown_round(SD_PRIME))
        return false;
    probe_repoint(0, primed);
    probe_clear_slots(1, last_cpu);
    r = hv_config_flush();
    if ((k->problem = hv_result_problem(&r, buf, sizeof(buf))))
        return false;
    k->problem = "ack-timeout";
    shootdown_set_probe(&read);
    if (!shootdown_round(SD_READ))
        return false;
    probe_add_slots(count_cpu_first, last_cpu, &t);
    k->kept += t.stale;
    k->lost += t.fresh;
    k->other += t.other;
    k->rounds++;
    k->problem = NULL;
    return true;
}

void precision_emit(const struct sweep_config *c, const char *check,
                    const struct check_count *k)
{
    const char *result, *reason = "-";

    if (k->rounds == 0 && !k->problem && !strcmp(check, "other-as")) {
        result = "inconclusive";
        reason = (cpuid(1, 0).ecx & (1u << 17)) ? "pcid-off-cr3-switches-empty-the-tlb" :
                 "no-pcid-other-address-spaces-cannot-stay-cached";
    } else if (k->problem) {
        result = "error";
        reason = k->problem;
    } else if (k->other) {
        result = "error";
        reason = "read-matched-neither-frame";
    } else if (k->kept) {
        result = "kept";
    } else if (!platform_facts.stale_observable) {
        result = "inconclusive";
        reason = "stale-reads-not-observable-here";
    } else if (!platform_facts.survives_exits) {
        result = "inconclusive";
        reason = "vm-exits-flush-the-tlb-here";
    } else {
        result = "lost";
    }
    record_begin(&records, "precision");
    record_u64(&records, "id", c->id);
    record_str(&records, "check", check);
    record_u64(&records, "rounds", k->rounds);
    record_u64(&records, "kept", k->kept);
    record_u64(&records, "lost", k->lost);
    record_str(&records, "result", result);
    record_str(&records, "reason", reason);
    record_finish(&records);
}

static void run_check(const struct sweep_config *c, const char *check, uint32_t extra_cpus,
                      uint32_t primed, uint32_t read_first, uint32_t count_cpu_first)
{
    uint32_t last = c->targets + extra_cpus, r;
    struct check_count k = { 0, 0, 0, 0, NULL };
    uint64_t flags;

    if (!shootdown_start(last, c->state, FLUSH_INVLPG, primed, true))
        return;
    flags = irq_save();
    for (r = 0; r < PRECISION_ROUNDS; r++)
        if (!precision_round(last, primed, read_first, count_cpu_first, &k))
            break;
    (void)shootdown_round(SD_FLUSH_ALL);
    irq_restore(flags);
    shootdown_stop();
    precision_emit(c, check, &k);
}

void precision_config(const struct sweep_config *c)
{
    uint32_t extra = c->pages;          /* the page just past the named ones */
    uint32_t window = c->large ? 1 : TEST_WINDOW_PAGES;
    static const struct check_count none = { 0, 0, 0, 0, NULL };

    probe_frames_init();
    if (c->scope == SCOPE_UNLOADED)
        run_check(c, "other-as", 0, 1, 0, 1);
    else if (c->scope != SCOPE_ALL && c->pcid)
        precision_other_as_pcid(c);
    else if (c->scope != SCOPE_ALL)
        precision_emit(c, "other-as", &none);
    if (c->procs == PROCS_MASK && c->targets + 1 < nr_cpus)
        run_check(c, "non-target", 1, 1, 0, c->targets + 1);
    if (strategy_is_list(c->strategy) && extra < window)
        run_check(c, "unlisted", 0, extra + 1, extra, 1);
    if (c->nonglobal && extra < window) {
        volatile uint64_t *pte = pte_of(TEST_WINDOW_VA + extra * PAGE_SIZE);

        *pte |= PTE_G;
        invlpg((const void *)(TEST_WINDOW_VA + extra * PAGE_SIZE));
        run_check(c, "global", 0, extra + 1, extra, 1);
        if (!c->global)                 /* global=on: space_reset() clears it */
            *pte &= ~PTE_G;
        invlpg((const void *)(TEST_WINDOW_VA + extra * PAGE_SIZE));
    }
}
