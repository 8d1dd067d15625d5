/*
 * The bootstrap of "hvflush compare" (host/analysis/compare_bootstrap.c):
 *  - coverage: on synthetic runs whose true p50 (and p99) ratio is known, the
 *    95 % interval covers it in roughly 90-99 % of many replications, and an
 *    interval checked against a wrong ratio (10 % off) covers it far less
 *    often, so the check can fail;
 *  - the drawn percentile has the distribution of an explicit resample with
 *    replacement (total variation distance), and a different percentile is
 *    told apart by the same measure;
 *  - the throughput interval (Poisson flush counts) covers a known rate ratio;
 *  - the ratio interval of identical replicates is [1, 1], and a zero
 *    denominator gives none.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "analysis/compare_internal.h"

#define REPLICATIONS 200
#define N_SAMPLES    400
#define THRU_REPLICATIONS 1000

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* n lognormal latencies (median scale * 1000 ns), sorted. */
static void draw_run(gsl_rng *r, double scale, double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = scale * gsl_ran_lognormal(r, log(1000.0), 0.4);
    qsort(v, n, sizeof(*v), cmp_double);
}

/* Fraction of REPLICATIONS whose interval of the pct-percentile ratio
 * covers claimed, the true ratio being true_ratio. */
static double coverage(unsigned pct, double true_ratio, double claimed)
{
    gsl_rng *data = gsl_rng_alloc(gsl_rng_mt19937), *boot = gsl_rng_alloc(gsl_rng_mt19937);
    double base[N_SAMPLES], run[N_SAMPLES];
    double *base_rep = malloc(COMPARE_BOOT_REPS * sizeof(double));
    double *run_rep = malloc(COMPARE_BOOT_REPS * sizeof(double));
    unsigned covered = 0;

    gsl_rng_set(data, 12345);
    gsl_rng_set(boot, COMPARE_BOOT_SEED);
    for (unsigned k = 0; k < REPLICATIONS; k++) {
        double lo, hi;

        draw_run(data, 1.0, base, N_SAMPLES);
        draw_run(data, true_ratio, run, N_SAMPLES);
        assert_true(compare_boot_quantile(boot, base, N_SAMPLES, pct, base_rep,
                                          COMPARE_BOOT_REPS));
        assert_true(compare_boot_quantile(boot, run, N_SAMPLES, pct, run_rep,
                                          COMPARE_BOOT_REPS));
        assert_true(compare_boot_ratio_ci(run_rep, base_rep, COMPARE_BOOT_REPS, &lo, &hi));
        assert_true(lo <= hi);
        covered += lo <= claimed && claimed <= hi;
    }
    gsl_rng_free(data);
    gsl_rng_free(boot);
    free(base_rep);
    free(run_rep);
    return (double)covered / REPLICATIONS;
}

static void test_p50_ratio_coverage(void **state)
{
    double c = coverage(50, 1.3, 1.3);

    (void)state;
    print_message("p50 coverage of a true ratio 1.3: %.3f\n", c);
    assert_true(c >= 0.90 && c <= 0.99);
    /* The same intervals against a ratio 10 % off: the check can fail. */
    c = coverage(50, 1.3, 1.3 * 1.1);
    print_message("p50 coverage of a wrong ratio 1.43: %.3f\n", c);
    assert_true(c < 0.5);
}

static void test_p99_ratio_coverage(void **state)
{
    double c = coverage(99, 0.8, 0.8);

    (void)state;
    print_message("p99 coverage of a true ratio 0.8: %.3f\n", c);
    assert_true(c >= 0.88 && c <= 0.99);
    c = coverage(99, 0.8, 0.8 * 1.25);
    assert_true(c < 0.5);
}

/* Total variation distance between the drawn percentile's distribution and
 * an explicit resample-and-select's, over the n sorted values' indices. */
static double tv_distance(unsigned pct_drawn, unsigned pct_explicit)
{
    enum { N = 61, B = 40000 };
    double v[N], tmp[N], out[B];
    double p_drawn[N] = { 0 }, p_explicit[N] = { 0 }, tv = 0;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

    gsl_rng_set(r, 7);
    for (unsigned i = 0; i < N; i++)
        v[i] = i / 3;           /* ties, as quantised timings have */
    assert_true(compare_boot_quantile(r, v, N, pct_drawn, out, B));
    for (unsigned b = 0; b < B; b++)
        p_drawn[(size_t)out[b]] += 1.0 / B;
    for (unsigned b = 0; b < B; b++) {
        for (unsigned i = 0; i < N; i++)
            tmp[i] = v[gsl_rng_uniform_int(r, N)];
        qsort(tmp, N, sizeof(*tmp), cmp_double);
        p_explicit[(size_t)compare_percentile(tmp, N, pct_explicit)] += 1.0 / B;
    }
    for (unsigned i = 0; i < N; i++)
        tv += fabs(p_drawn[i] - p_explicit[i]) / 2;
    gsl_rng_free(r);
    return tv;
}

static void test_drawn_percentile_is_a_resample(void **state)
{
    double same50 = tv_distance(50, 50), same99 = tv_distance(99, 99);
    double off = tv_distance(50, 45);

    (void)state;
    print_message("TV distance p50 %.4f, p99 %.4f, p50 vs p45 %.4f\n", same50, same99, off);
    assert_true(same50 < 0.02);
    assert_true(same99 < 0.02);
    assert_true(off > 0.2);
}

static void test_throughput_coverage(void **state)
{
    gsl_rng *data = gsl_rng_alloc(gsl_rng_mt19937), *boot = gsl_rng_alloc(gsl_rng_mt19937);
    double *a = malloc(COMPARE_BOOT_REPS * sizeof(double));
    double *b = malloc(COMPARE_BOOT_REPS * sizeof(double));
    unsigned covered = 0, covered_wrong = 0;

    (void)state;
    gsl_rng_set(data, 99);
    gsl_rng_set(boot, COMPARE_BOOT_SEED);
    /* Flushes counted in a 50 ms window at 8000/s and at 6000/s: ratio 0.75. */
    for (unsigned k = 0; k < THRU_REPLICATIONS; k++) {
        double fa = gsl_ran_poisson(data, 400), fb = gsl_ran_poisson(data, 300), lo, hi;

        compare_boot_rate(boot, fa / 0.05, fa, a, COMPARE_BOOT_REPS);
        compare_boot_rate(boot, fb / 0.05, fb, b, COMPARE_BOOT_REPS);
        assert_true(compare_boot_ratio_ci(b, a, COMPARE_BOOT_REPS, &lo, &hi));
        covered += lo <= 0.75 && 0.75 <= hi;
        covered_wrong += lo <= 0.75 * 1.2 && 0.75 * 1.2 <= hi;
    }
    print_message("throughput coverage %u/%u, of a ratio 20 %% off %u\n", covered,
                  THRU_REPLICATIONS, covered_wrong);
    assert_true(covered >= 0.90 * THRU_REPLICATIONS && covered <= 0.99 * THRU_REPLICATIONS);
    assert_true(covered_wrong < 0.5 * THRU_REPLICATIONS);
    gsl_rng_free(data);
    gsl_rng_free(boot);
    free(a);
    free(b);
}

static void test_ratio_interval_edges(void **state)
{
    double num[4] = { 2, 2, 2, 2 }, den[4] = { 2, 2, 2, 2 }, zero[4] = { 1, 0, 1, 1 };
    double lo = -1, hi = -1, v[5] = { 1, 2, 3, 4, 5 };

    (void)state;
    assert_true(compare_boot_ratio_ci(num, den, 4, &lo, &hi));
    assert_true(lo == 1 && hi == 1);
    assert_false(compare_boot_ratio_ci(num, zero, 4, &lo, &hi));
    /* Nearest rank as bench/timing.c: ceil(pct * n / 100), clamped. */
    assert_true(compare_percentile(v, 5, 50) == 3);
    assert_true(compare_percentile(v, 5, 99) == 5);
    assert_true(compare_percentile(v, 5, 0) == 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p50_ratio_coverage),
        cmocka_unit_test(test_p99_ratio_coverage),
        cmocka_unit_test(test_drawn_percentile_is_a_resample),
        cmocka_unit_test(test_throughput_coverage),
        cmocka_unit_test(test_ratio_interval_edges),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
