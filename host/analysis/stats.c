/*
 * Descriptive statistics of latency samples (see stats.h).
 */
#include "analysis/stats.h"

#include <bench/timing.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

void stats_sort(uint64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp_u64);
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, unsigned pct)
{
    /* The one convention the guest's console lines use too. */
    return timing_percentile(sorted, (uint32_t)n, pct);
}

double stats_mean(const uint64_t *v, size_t n)
{
    double sum = 0;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    return sum / (double)n;
}

double stats_stddev(const uint64_t *v, size_t n, double mean)
{
    double sq = 0;

    if (n < 2)
        return 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)v[i] - mean;

        sq += d * d;
    }
    return sqrt(sq / (double)(n - 1));
}

void stats_compute(const uint64_t *sorted, size_t n, struct latency_stats *s)
{
    memset(s, 0, sizeof(*s));
    if (n == 0)
        return;
    s->n = n;
    s->min = sorted[0];
    s->max = sorted[n - 1];
    s->p10 = stats_percentile(sorted, n, 10);
    s->p50 = stats_percentile(sorted, n, 50);
    s->p90 = stats_percentile(sorted, n, 90);
    s->p99 = stats_percentile(sorted, n, 99);
    s->mean = stats_mean(sorted, n);
    s->stddev = stats_stddev(sorted, n, s->mean);
}
