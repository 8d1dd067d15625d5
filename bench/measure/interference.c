/*
 * Interference of remote flushes on the targets (state=work).
 *
 * What a target does: it walks a working set -- one 8-byte read from each
 * of the first `working-set` pages of the test window (4 KiB pages, so
 * each needs its own TLB entry; the flushes name the window's first
 * `pages` pages, or all of them: an invlpg flush of p pages evicts
 * min(p, W) of the set, a CR3 reload or a whole-address-space hypercall
 * all W) -- timing each walk with tsc_begin()/tsc_end().
 *
 * Sequence (phases published by initiator 0, throughput.c):
 *   TP_SETUP:  the target walks untimed (its entries become cached);
 *   TP_QUIET:  nobody flushes; it counts its walks and the cycles from the
 *              first walk's start to the last one's end, and keeps the
 *              first WALKS_MAX walk durations: cpw = quiet window / quiet
 *              walks, steady_walk_cycles = their median;
 *   TP_LOADED: the initiators flush back-to-back; it counts walks and
 *              cycles the same way.  received = the flushes of every
 *              initiator that names it (each completed flush reached it:
 *              acknowledged, or returned by the hypercall);
 *              cycles_lost_per_flush = (loaded window - loaded walks * cpw)
 *              / received: the progress it lost per flush, whatever the
 *              cause (interrupt, exit, invalidation, refill);
 *   TP_REFILL: TP_REFILL_ROUNDS rounds with its initiator (share=own: its
 *              own; share=shared: initiator 0 for all targets): the target
 *              walks twice (warm), release-stores the round in `ready`;
 *              the initiator, having acquire-loaded `ready` of each of its
 *              targets, issues one flush and release-stores the round in
 *              `go`; the target, on acquiring `go`, times one walk: the
 *              first after the flush.  refill_cycles = median of those
 *              walks - steady_walk_cycles.
 * One `interference` record per target follows the `throughput` record.
 *
 * Races tolerated: a target's walks straddle the phase changes (a walk
 * that started in TP_QUIET and ended in TP_LOADED counts as quiet); the
 * initiators' windows start a few hundred cycles apart, so the loaded
 * phase also holds moments with fewer initiators flushing -- received
 * counts exactly the flushes that did arrive.  Counts and durations are
 * written by the target alone and read by CPU 0 after smp_wait_idle().
 * A refill round waits at most ten seconds for a target (then the
 * initiator stops with `refill-timeout`, an `error` record).
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/timing.h>
#include <guest/console.h>
#include <guest/platform.h>
#include "measure.h"
#include "throughput.h"

#define WALKS_MAX (PAGE_SIZE / sizeof(uint64_t))   /* quiet walk durations kept */

struct work_target {
    /* ready: written by the target (release), read by its initiator
     * (acquire); go: the other way round. */
    _Alignas(64) volatile uint64_t ready;
    volatile uint64_t go;
    uint64_t quiet_walks, quiet_window, loaded_walks, loaded_window;
    uint32_t nwalk, nrefill;
    uint64_t *walk;                       /* one page per CPU */
    uint64_t refill[TP_REFILL_ROUNDS];
};

static struct work_target wt[MAX_CPUS];
static uint64_t *walk_buf;

static inline uint64_t load_acquire(const volatile uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline uint32_t phase_now(void)
{
    /* Pairs with the release stores of tp.phase in throughput.c. */
    return __atomic_load_n(&tp.phase, __ATOMIC_ACQUIRE);
}

static inline bool stopped(void)
{
    return __atomic_load_n(&tp.stop, __ATOMIC_ACQUIRE);
}

static void walk(uint32_t pages)
{
    uint32_t i;

    for (i = 0; i < pages; i++)
        (void)*(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);
}

static uint64_t timed_walk(uint32_t pages, uint64_t *start)
{
    uint64_t t0 = tsc_begin(), t1;

    walk(pages);
    t1 = tsc_end();
    *start = t0;
    return t1;
}

/* Walks while tp.phase == p; counts the walks and their span. */
static void count_phase(struct work_target *w, uint32_t p, uint32_t pages, uint64_t *walks,
                        uint64_t *window, bool keep)
{
    uint64_t first = 0, t0, t1;

    while (phase_now() == p && !stopped()) {
        t1 = timed_walk(pages, &t0);
        if (!first)
            first = t0;
        if (keep && w->nwalk < WALKS_MAX)
            w->walk[w->nwalk++] = t1 - t0;
        (*walks)++;
        *window = t1 - first;
    }
}

void interference_target(uint32_t cpu)
{
    struct work_target *w = &wt[cpu];
    uint32_t pages = tp.c->working_set, r;
    uint64_t t0, t1;

    while (phase_now() < TP_QUIET && !stopped())
        walk(pages);
    count_phase(w, TP_QUIET, pages, &w->quiet_walks, &w->quiet_window, true);
    count_phase(w, TP_LOADED, pages, &w->loaded_walks, &w->loaded_window, false);
    tp_wait_phase(TP_REFILL);
    for (r = 1; r <= TP_REFILL_ROUNDS && !stopped(); r++) {
        walk(pages);
        walk(pages);
        /* Pairs with the acquire load in interference_refill(). */
        __atomic_store_n(&w->ready, r, __ATOMIC_RELEASE);
        /* Pairs with the release store of go in interference_refill(). */
        while (load_acquire(&w->go) < r && !stopped())
            cpu_relax();
        if (load_acquire(&w->go) < r)   /* stopped: the initiator gave up */
            break;
        t1 = timed_walk(pages, &t0);
        w->refill[w->nrefill++] = t1 - t0;
    }
    while (!stopped())
        cpu_relax();
}

void interference_refill(uint32_t i)
{
    struct tp_initiator *ini = &tp.init[i];
    uint64_t flags, deadline;
    uint32_t r, t;

    if (ini->problem || (tp.c->share == SHARE_SHARED && i != 0))
        return;
    flags = irq_save();
    for (r = 1; r <= TP_REFILL_ROUNDS && !ini->problem; r++) {
        deadline = rdtsc() + 10 * tsc_info.hz;
        for (t = ini->first; t < ini->first + ini->ntargets && !ini->problem; t++)
            while (load_acquire(&wt[tp.targets[t]].ready) < r)
                if (rdtsc() > deadline) {
                    ini->problem = "refill-timeout";
                    break;
                }
        if (ini->problem || !tp_flush_once(i))
            break;
        for (t = ini->first; t < ini->first + ini->ntargets; t++)
            __atomic_store_n(&wt[tp.targets[t]].go, r, __ATOMIC_RELEASE);
    }
    irq_restore(flags);
}

void interference_reset(void)
{
    uint32_t t;

    if (!walk_buf)
        walk_buf = pages_alloc(nr_cpus);
    for (t = 0; t < tp.ntargets; t++) {
        uint32_t cpu = tp.targets[t];
        struct work_target *w = &wt[cpu];

        w->ready = w->go = 0;
        w->quiet_walks = w->quiet_window = w->loaded_walks = w->loaded_window = 0;
        w->nwalk = w->nrefill = 0;
        w->walk = walk_buf + (uint64_t)cpu * WALKS_MAX;
    }
}

/* The flushes that reached cpu: those of every initiator naming it. */
static uint64_t received(uint32_t cpu)
{
    uint64_t n = 0;
    uint32_t i;

    for (i = 0; i < tp.k; i++)
        if (tp.names[cpu] & (1u << i))
            n += tp.init[i].flushes;
    return n;
}

static uint64_t median(uint64_t *v, uint32_t n)
{
    u64_sort(v, n);
    return n ? timing_percentile(v, n, 50) : 0;
}

void interference_emit(void)
{
    int64_t lost_sum = 0, refill_sum = 0;
    uint64_t got_sum = 0;
    uint32_t t;

    for (t = 0; t < tp.ntargets; t++) {
        uint32_t cpu = tp.targets[t];
        struct work_target *w = &wt[cpu];
        uint64_t got = received(cpu), steady = median(w->walk, w->nwalk);
        uint64_t refill_walk = median(w->refill, w->nrefill);
        int64_t lost = 0, per_flush = 0, refill = w->nrefill ? (int64_t)(refill_walk - steady) : 0;

        if (w->quiet_walks)     /* loaded window less its walks at the quiet pace */
            lost = (int64_t)w->loaded_window -
                   (int64_t)((unsigned __int128)w->loaded_walks * w->quiet_window /
                             w->quiet_walks);
        if (got)
            per_flush = lost / (int64_t)got;
        record_begin(&records, "interference");
        record_u64(&records, "id", tp.c->id);
        record_u64(&records, "cpu", cpu);
        record_u64(&records, "working_set", tp.c->working_set);
        record_u64(&records, "quiet_walks", w->quiet_walks);
        record_u64(&records, "quiet_cycles", w->quiet_window);
        record_u64(&records, "loaded_walks", w->loaded_walks);
        record_u64(&records, "loaded_cycles", w->loaded_window);
        record_u64(&records, "received", got);
        record_i64(&records, "cycles_lost_per_flush", per_flush);
        record_u64(&records, "steady_walk_cycles", steady);
        record_u64(&records, "refill_walk_cycles", refill_walk);
        record_i64(&records, "refill_cycles", refill);
        record_u64(&records, "refill_rounds", w->nrefill);
        record_finish(&records);
        lost_sum += lost;
        got_sum += got;
        refill_sum += refill;
    }
    printk("      interference: %lld cycles lost per flush received, refill %lld cycles "
           "(%u targets, working set %u pages)\n",
           (long long)(got_sum ? lost_sum / (int64_t)got_sum : 0),
           (long long)(tp.ntargets ? refill_sum / (int64_t)tp.ntargets : 0), tp.ntargets,
           tp.c->working_set);
}
