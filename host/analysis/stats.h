/*
 * Descriptive statistics of one configuration's latency samples:
 * nearest-rank percentiles, mean and sample standard deviation.
 */
#ifndef HOST_STATS_H
#define HOST_STATS_H

#include <stddef.h>
#include <stdint.h>

struct latency_stats {
    size_t n;
    uint64_t min, p10, p50, p90, p99, max;
    double mean;
    double stddev;              /* sample standard deviation (n - 1); 0 when n < 2 */
};

/* Sorts v in place (ascending). */
void stats_sort(uint64_t *v, size_t n);

/* Nearest-rank percentile of sorted[0..n): the value at rank
 * ceil(pct / 100 * n), clamped to [1, n].  pct in [0, 100]; n must be > 0
 * (and below 2^32).  bench/timing.c's timing_percentile(), the convention
 * the guest uses too. */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, unsigned pct);

double stats_mean(const uint64_t *v, size_t n);
double stats_stddev(const uint64_t *v, size_t n, double mean);

/* Fills s from sorted[0..n).  All fields are zero when n == 0. */
void stats_compute(const uint64_t *sorted, size_t n, struct latency_stats *s);

#endif
