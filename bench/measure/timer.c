/*
 * Empty-timer overhead: the cost of the timing bracket itself.
 *
 * Algorithm: with interrupts off, time an empty region with exactly the
 * bracket every measurement uses (tsc_begin: lfence; rdtsc; lfence ...
 * tsc_end: rdtscp; lfence, or lfence; rdtsc; lfence where RDTSCP is
 * missing) 4096 times after 256 discarded warm-up iterations.  The median
 * (nearest rank, bench/timing.c) is the overhead subtracted from every
 * sample; min, p1 and p99 are reported beside it so a reader sees how
 * stable the bracket is on this platform, and the host flags a
 * configuration whose p50 is within the p1-p99 spread (noise-dominated).
 * Races: none (one CPU, interrupts off).  Under a hypervisor that traps
 * RDTSC the numbers include the exits; that is what samples pay too.
 */
#include <arch/cpu.h>
#include <bench/timing.h>
#include "measure.h"

#define TIMER_SAMPLES 4096
#define TIMER_WARMUP 256

static uint64_t overhead_p50;
static uint64_t timer_buf[TIMER_SAMPLES];

/* Insertion sort below 16, otherwise an in-place heapsort: no allocation,
 * O(n log n) for the largest sample arrays. */
static void sift_down(uint64_t *v, uint32_t root, uint32_t n)
{
    for (;;) {
        uint32_t child = 2 * root + 1;
        uint64_t tmp;

        if (child >= n)
            return;
        if (child + 1 < n && v[child + 1] > v[child])
            child++;
        if (v[root] >= v[child])
            return;
        tmp = v[root];
        v[root] = v[child];
        v[child] = tmp;
        root = child;
    }
}

void u64_sort(uint64_t *v, uint32_t n)
{
    uint32_t i;

    if (n < 2)
        return;
    for (i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (i = n - 1; i > 0; i--) {
        uint64_t tmp = v[0];

        v[0] = v[i];
        v[i] = tmp;
        sift_down(v, 0, i);
    }
}

void timer_measure_overhead(struct timer_overhead *out)
{
    uint64_t flags = irq_save();
    uint32_t i;

    for (i = 0; i < TIMER_WARMUP + TIMER_SAMPLES; i++) {
        uint64_t t0 = tsc_begin();
        uint64_t t1 = tsc_end();

        if (i >= TIMER_WARMUP)
            timer_buf[i - TIMER_WARMUP] = t1 - t0;
    }
    irq_restore(flags);
    u64_sort(timer_buf, TIMER_SAMPLES);
    out->n = TIMER_SAMPLES;
    out->min = timer_buf[0];
    out->p1 = timing_percentile(timer_buf, TIMER_SAMPLES, 1);
    out->p50 = timing_percentile(timer_buf, TIMER_SAMPLES, 50);
    out->p99 = timing_percentile(timer_buf, TIMER_SAMPLES, 99);
    overhead_p50 = out->p50;
}

uint64_t timer_overhead_cycles(void)
{
    return overhead_p50;
}
