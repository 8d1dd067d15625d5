/*
 * The bootstrap behind "hvflush compare"'s intervals (percentile
 * bootstrap, B = COMPARE_BOOT_REPS replicates, gsl_rng_mt19937 with a fixed
 * seed, so the same runs always give the same intervals).
 *
 * Latency (p50, p99): each replicate resamples a run's samples with
 * replacement (as many as it has) and takes the nearest-rank percentile of
 * the resample; baseline and run are resampled independently and the
 * replicate's ratio is run / baseline.  The 2.5th and 97.5th percentiles of
 * the B ratios are the 95 % interval.
 *
 * Throughput: samples.csv holds no per-flush record of a load window, and
 * the initiators of one configuration are not exchangeable (each has its
 * own CPU and targets), so the resampling unit is the flush: the aggregate
 * rate is F flushes counted in a fixed window, and a replicate redraws the
 * count as Poisson(F) (a parametric bootstrap of the counting process):
 * rate * Poisson(F) / F.  Flushes issued back to back are more regular than
 * a Poisson process, so the interval is conservative (wider), never
 * falsely decisive.  F = 0 gives no interval.
 */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "analysis/compare_internal.h"

static size_t nearest_rank(size_t n, unsigned pct)
{
    size_t rank = ((size_t)pct * n + 99) / 100;

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return rank;
}

double compare_percentile(const double *sorted, size_t n, unsigned pct)
{
    return sorted[nearest_rank(n, pct) - 1];
}

/*
 * The percentile of a resample, drawn without building the resample.  The
 * rank-r value of n draws with replacement from sorted[0..n) lies at or
 * below sorted[j] exactly when at least r of the n draws fall in 0..j, an
 * event of probability P(Binomial(n, (j + 1) / n) >= r).  That is the CDF of
 * the resample's percentile over the index j; each replicate inverts it at
 * one uniform variate (binary search).  This is the distribution the
 * explicit resample-and-select gives (tests/unit/test_compare_bootstrap.c
 * checks the two against each other), at O(n + B log n) instead of O(B n).
 */
bool compare_boot_quantile(gsl_rng *r, const double *sorted, size_t n, unsigned pct,
                           double *out, unsigned reps)
{
    size_t rank = nearest_rank(n, pct);
    double *cdf = malloc(n * sizeof(*cdf));

    if (!cdf)
        return false;
    for (size_t j = 0; j < n; j++) {
        double p = (double)(j + 1) / (double)n;

        /* P(X >= rank) = P(X > rank - 1); exactly 1 at j = n - 1. */
        cdf[j] = j + 1 == n ? 1.0
                            : gsl_cdf_binomial_Q((unsigned)(rank - 1), p, (unsigned)n);
    }
    for (unsigned b = 0; b < reps; b++) {
        double u = gsl_rng_uniform(r);
        size_t lo = 0, hi = n - 1;

        /* The smallest j with cdf[j] > u (cdf is non-decreasing). */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (cdf[mid] > u)
                hi = mid;
            else
                lo = mid + 1;
        }
        out[b] = sorted[lo];
    }
    free(cdf);
    return true;
}

void compare_boot_rate(gsl_rng *r, double rate, double flushes, double *out, unsigned reps)
{
    for (unsigned b = 0; b < reps; b++)
        out[b] = rate * (double)gsl_ran_poisson(r, flushes) / flushes;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

bool compare_boot_ratio_ci(const double *num, const double *den, unsigned reps,
                           double *lo, double *hi)
{
    double *ratio = malloc(reps * sizeof(*ratio));
    size_t ilo, ihi;

    if (!ratio || reps == 0) {
        free(ratio);
        return false;
    }
    for (unsigned b = 0; b < reps; b++) {
        if (den[b] == 0) {
            free(ratio);
            return false;
        }
        ratio[b] = num[b] / den[b];
    }
    qsort(ratio, reps, sizeof(*ratio), cmp_double);
    /* 2.5th and 97.5th percentiles, nearest rank. */
    ilo = (size_t)floor(0.025 * reps);
    ihi = (size_t)ceil(0.975 * reps) - 1;
    *lo = ratio[ilo];
    *hi = ratio[ihi < reps ? ihi : reps - 1];
    free(ratio);
    return true;
}
