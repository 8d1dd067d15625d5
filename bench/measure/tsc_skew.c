/*
 * Cross-vCPU TSC skew, measured once at boot: every CPU's TSC against CPU
 * 0's, one `tscskew` record per CPU (bench/record-format.md).
 *
 * Algorithm (a ping-pong through one shared cache line): for CPU i, CPU 0
 * and CPU i run TSC_SKEW_ROUNDS rounds.  In round r CPU 0 reads t0 from its
 * TSC and posts ping = r; CPU i, spinning on ping, reads t1 from its TSC and
 * posts pong = r with t1; CPU 0, spinning on pong, reads t2.  t1 was read
 * after t0 and before t2 in real time, so the offset d = TSC_i - TSC_0 obeys
 *     t1 - t2 <= d <= t1 - t0.
 * Intersecting the rounds' bounds gives [lo, hi]: the record's `offset` is
 * its middle and `uncertainty` its half width, at best half the shortest
 * round trip (`rtt_min`).
 *
 * Races tolerated: a vCPU descheduled in the middle of a round only widens
 * that round's bounds, which the intersection discards.  Bounds that
 * exclude each other (lo > hi) mean the two TSCs do not advance together
 * (or one went backwards): the record says `consistent=0` and gives the
 * last round's bounds.  The reads are bracketed with lfence (tsc_begin), so
 * no read moves across the ping or pong accesses.
 */
#include <arch/cpu.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include <guest/platform.h>
#include "measure.h"

#define TSC_SKEW_ROUNDS 128

static struct {
    _Alignas(64) volatile uint64_t ping;   /* round posted by CPU 0 */
    volatile uint64_t pong;                /* round answered by CPU i */
    volatile uint64_t pong_tsc;            /* CPU i's TSC read in that round */
} line;

/* CPU i's side: answer each ping with its own TSC. */
static void skew_responder(void *arg)
{
    (void)arg;
    for (uint64_t r = 1; r <= TSC_SKEW_ROUNDS; r++) {
        uint64_t t1;

        /* Acquire: pairs with CPU 0's release store of ping. */
        while (__atomic_load_n(&line.ping, __ATOMIC_ACQUIRE) != r)
            cpu_relax();
        t1 = tsc_begin();
        line.pong_tsc = t1;
        /* Release: pong_tsc is visible before pong; pairs with the
         * acquire load in skew_one(). */
        __atomic_store_n(&line.pong, r, __ATOMIC_RELEASE);
    }
}

struct skew { int64_t lo, hi; uint64_t rtt_min; bool consistent; };

static void skew_one(unsigned cpu, struct skew *s)
{
    s->lo = INT64_MIN;
    s->hi = INT64_MAX;
    s->rtt_min = UINT64_MAX;
    s->consistent = true;
    line.ping = 0;
    line.pong = 0;
    smp_call(cpu, skew_responder, NULL);
    for (uint64_t r = 1; r <= TSC_SKEW_ROUNDS; r++) {
        uint64_t t0 = tsc_begin(), t1, t2;
        int64_t lo, hi;

        /* Release: pairs with the responder's acquire load of ping. */
        __atomic_store_n(&line.ping, r, __ATOMIC_RELEASE);
        /* Acquire: pairs with the responder's release store of pong. */
        while (__atomic_load_n(&line.pong, __ATOMIC_ACQUIRE) != r)
            cpu_relax();
        t2 = tsc_begin();
        t1 = line.pong_tsc;
        lo = (int64_t)(t1 - t2);
        hi = (int64_t)(t1 - t0);
        if (t2 - t0 < s->rtt_min)
            s->rtt_min = t2 - t0;
        if (lo > s->lo)
            s->lo = lo;
        if (hi < s->hi)
            s->hi = hi;
        if (s->lo > s->hi) {
            s->consistent = false;
            s->lo = lo;
            s->hi = hi;
        }
    }
    smp_wait_idle(cpu);
}

void tsc_skew_measure(void)
{
    int64_t worst = 0;
    uint64_t worst_unc = 0;
    unsigned bad = 0;

    for (unsigned cpu = 1; cpu < nr_cpus; cpu++) {
        struct skew s;
        int64_t offset;
        uint64_t unc;

        if (!cpu_online(cpu))          /* never came up: no record */
            continue;
        skew_one(cpu, &s);
        offset = s.lo + (s.hi - s.lo) / 2;
        unc = (uint64_t)(s.hi - s.lo) / 2;
        record_begin(&records, "tscskew");
        record_u64(&records, "cpu", cpu);
        record_i64(&records, "offset", offset);
        record_u64(&records, "uncertainty", unc);
        record_i64(&records, "lo", s.lo);
        record_i64(&records, "hi", s.hi);
        record_u64(&records, "rtt_min", s.rtt_min);
        record_u64(&records, "rounds", TSC_SKEW_ROUNDS);
        record_u64(&records, "consistent", s.consistent);
        record_finish(&records);
        if ((offset < 0 ? -offset : offset) > (worst < 0 ? -worst : worst))
            worst = offset;
        if (unc > worst_unc)
            worst_unc = unc;
        bad += !s.consistent;
    }
    if (nr_cpus > 1)
        printk("tsc skew vs cpu 0: max |offset| %lld cycles, max uncertainty %llu cycles, "
               "%u inconsistent\n", (long long)(worst < 0 ? -worst : worst),
               (unsigned long long)worst_unc, bad);
}
