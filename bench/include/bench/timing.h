/*
 * Timing arithmetic shared by the guest and the host: one percentile
 * convention (nearest rank), the overhead subtraction with its clamp, the
 * noise-dominated rule and the latency loop's sample gate.  Pure
 * functions, compiled into the freestanding guest and into the host tool
 * (and unit-tested there).
 */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <stdint.h>
#include <stdbool.h>

/* Nearest-rank percentile of sorted[0..n) (ascending, n > 0): the value at
 * rank ceil(pct * n / 100), clamped to [1, n].  pct is 0..100. */
uint64_t timing_percentile(const uint64_t *sorted, uint32_t n, uint32_t pct);

/* One sample: the cycles from t0 to t1 less the timer's overhead, floored
 * at 0.  *clamped says whether the floor applied (the raw interval was
 * shorter than the overhead), so a caller can count such samples. */
uint64_t timing_net(uint64_t t0, uint64_t t1, uint64_t overhead, bool *clamped);

/* A configuration is noise-dominated when its p50 (overhead already
 * subtracted) is no larger than the spread of the empty timer itself,
 * p99 - p1: what it measures cannot be told apart from the bracket's own
 * jitter. */
bool timing_noise_dominated(uint64_t net_p50, uint64_t timer_p1, uint64_t timer_p99);

/* The latency loop's sample gate: which iteration's timing is kept.  An
 * iteration whose targets were not ready (a halted target had not parked
 * when the flush was sent) is excluded and repeated, up to excluded_max
 * exclusions; the first `warmup` ready iterations are discarded; the next
 * `samples` are kept, the k-th kept one going to samples[k]. */
struct sample_gate {
    uint32_t warmup, samples, excluded_max;   /* set by the caller */
    uint32_t ready;                           /* ready iterations so far */
    uint32_t excluded;                        /* excluded iterations so far */
};
enum sample_fate {
    SAMPLE_DISCARD,    /* warm-up */
    SAMPLE_KEEP,       /* store it at index timing_gate_index() */
    SAMPLE_EXCLUDED,   /* targets not ready: repeat the iteration */
    SAMPLE_ABANDON,    /* more than excluded_max exclusions: give up */
};
enum sample_fate timing_gate(struct sample_gate *g, bool targets_ready);
/* Index of the sample SAMPLE_KEEP just accepted. */
static inline uint32_t timing_gate_index(const struct sample_gate *g)
{
    return g->ready - g->warmup - 1;
}
/* True once every sample has been kept. */
static inline bool timing_gate_done(const struct sample_gate *g)
{
    return g->ready >= g->warmup + g->samples;
}

#endif
