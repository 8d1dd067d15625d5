/*
 * Unit tests of the latency statistics (host/analysis/stats.c): nearest-rank
 * percentiles of known arrays, mean and sample standard deviation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <bench/timing.h>

#include "analysis/stats.h"

/* cmocka 1.1.5 compares floats only in single precision. */
#define assert_double_equal(a, b, eps) do { \
        double a_ = (a), b_ = (b); \
        if (!(fabs(a_ - b_) <= (eps))) \
            fail_msg("%s = %.15g, expected %.15g", #a, a_, b_); \
    } while (0)

static void test_percentiles_one_to_ten(void **state)
{
    uint64_t v[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

    (void)state;
    assert_int_equal(stats_percentile(v, 10, 0), 1);
    assert_int_equal(stats_percentile(v, 10, 10), 1);
    assert_int_equal(stats_percentile(v, 10, 11), 2);
    assert_int_equal(stats_percentile(v, 10, 50), 5);
    assert_int_equal(stats_percentile(v, 10, 90), 9);
    assert_int_equal(stats_percentile(v, 10, 99), 10);
    assert_int_equal(stats_percentile(v, 10, 100), 10);
}

/* The textbook nearest-rank example: 15, 20, 35, 40, 50. */
static void test_percentiles_textbook(void **state)
{
    uint64_t v[5] = { 15, 20, 35, 40, 50 };

    (void)state;
    assert_int_equal(stats_percentile(v, 5, 5), 15);
    assert_int_equal(stats_percentile(v, 5, 30), 20);
    assert_int_equal(stats_percentile(v, 5, 40), 20);
    assert_int_equal(stats_percentile(v, 5, 50), 35);
    assert_int_equal(stats_percentile(v, 5, 100), 50);
}

static void test_percentiles_of_1000(void **state)
{
    static uint64_t v[1000];

    (void)state;
    for (int i = 0; i < 1000; i++)
        v[i] = (uint64_t)(1000 - i);        /* unsorted on purpose */
    stats_sort(v, 1000);
    assert_int_equal(v[0], 1);
    assert_int_equal(stats_percentile(v, 1000, 10), 100);
    assert_int_equal(stats_percentile(v, 1000, 50), 500);
    assert_int_equal(stats_percentile(v, 1000, 90), 900);
    assert_int_equal(stats_percentile(v, 1000, 99), 990);
}

static void test_mean_and_sample_stddev(void **state)
{
    uint64_t v[8] = { 2, 4, 4, 4, 5, 5, 7, 9 };
    double m;

    (void)state;
    m = stats_mean(v, 8);
    assert_double_equal(m, 5.0, 1e-12);
    /* Sum of squared deviations is 32; the sample variance divides by 7. */
    assert_double_equal(stats_stddev(v, 8, m), 2.1380899352993950, 1e-12);
}

static void test_compute(void **state)
{
    uint64_t v[4] = { 10, 20, 30, 40 };
    struct latency_stats s;

    (void)state;
    stats_compute(v, 4, &s);
    assert_int_equal(s.n, 4);
    assert_int_equal(s.min, 10);
    assert_int_equal(s.p10, 10);
    assert_int_equal(s.p50, 20);
    assert_int_equal(s.p90, 40);
    assert_int_equal(s.p99, 40);
    assert_int_equal(s.max, 40);
    assert_double_equal(s.mean, 25.0, 1e-12);
    assert_double_equal(s.stddev, 12.909944487358056, 1e-12);
}

/* The guest's convention (bench/timing.c) is the host's: n = 1, n = 2,
 * p50/p99 of 100 and 1000 values, and stats_percentile() agrees. */
static void test_guest_percentile_convention(void **state)
{
    static uint64_t v[1000];
    uint64_t one = 42, two[2] = { 10, 20 };

    (void)state;
    assert_int_equal(timing_percentile(&one, 1, 0), 42);
    assert_int_equal(timing_percentile(&one, 1, 50), 42);
    assert_int_equal(timing_percentile(&one, 1, 100), 42);
    assert_int_equal(timing_percentile(two, 2, 1), 10);
    assert_int_equal(timing_percentile(two, 2, 50), 10);    /* rank ceil(1.0) = 1 */
    assert_int_equal(timing_percentile(two, 2, 51), 20);
    assert_int_equal(timing_percentile(two, 2, 99), 20);
    for (unsigned i = 0; i < 1000; i++)
        v[i] = i + 1;
    assert_int_equal(timing_percentile(v, 100, 50), 50);
    assert_int_equal(timing_percentile(v, 100, 99), 99);
    assert_int_equal(timing_percentile(v, 100, 1), 1);
    assert_int_equal(timing_percentile(v, 1000, 50), 500);
    assert_int_equal(timing_percentile(v, 1000, 99), 990);
    assert_int_equal(timing_percentile(v, 1000, 1), 10);
    for (unsigned p = 0; p <= 100; p++) {
        assert_int_equal(stats_percentile(v, 1000, p), timing_percentile(v, 1000, p));
        assert_int_equal(stats_percentile(v, 7, p), timing_percentile(v, 7, p));
    }
}

/* The overhead subtraction floors at 0 and says when it did. */
static void test_overhead_clamp(void **state)
{
    bool clamped = true;

    (void)state;
    assert_int_equal(timing_net(100, 150, 30, &clamped), 20);
    assert_false(clamped);
    assert_int_equal(timing_net(100, 130, 30, &clamped), 0);
    assert_false(clamped);                 /* exactly the overhead: 0, not floored */
    assert_int_equal(timing_net(100, 120, 30, &clamped), 0);
    assert_true(clamped);
    /* A TSC that wraps between the reads still gives the interval. */
    assert_int_equal(timing_net(UINT64_MAX - 9, 40, 30, &clamped), 20);
    assert_false(clamped);
}

/* p50 within the timer's p99 - p1 spread is noise-dominated. */
static void test_noise_dominated(void **state)
{
    (void)state;
    assert_true(timing_noise_dominated(0, 20, 20));
    assert_true(timing_noise_dominated(14, 20, 34));
    assert_false(timing_noise_dominated(15, 20, 34));
    assert_false(timing_noise_dominated(1, 20, 20));
    assert_false(timing_noise_dominated(1000, 28, 44));
}

/* The latency loop's gate: warm-up discarded, kept samples indexed from 0,
 * an iteration whose targets were not ready excluded (and repeated), the
 * configuration abandoned past the cap. */
static void test_sample_gate(void **state)
{
    struct sample_gate g = { .warmup = 2, .samples = 3, .excluded_max = 2 };

    (void)state;
    assert_int_equal(timing_gate(&g, true), SAMPLE_DISCARD);
    assert_int_equal(timing_gate(&g, false), SAMPLE_EXCLUDED);   /* not counted as warm-up */
    assert_int_equal(timing_gate(&g, true), SAMPLE_DISCARD);
    assert_int_equal(timing_gate(&g, true), SAMPLE_KEEP);
    assert_int_equal(timing_gate_index(&g), 0);
    assert_int_equal(timing_gate(&g, false), SAMPLE_EXCLUDED);
    assert_int_equal(timing_gate(&g, true), SAMPLE_KEEP);
    assert_int_equal(timing_gate_index(&g), 1);
    assert_false(timing_gate_done(&g));
    assert_int_equal(timing_gate(&g, true), SAMPLE_KEEP);
    assert_int_equal(timing_gate_index(&g), 2);
    assert_true(timing_gate_done(&g));
    assert_int_equal(g.excluded, 2);
    assert_int_equal(timing_gate(&g, false), SAMPLE_ABANDON);   /* the third exclusion */
}

static void test_degenerate(void **state)
{
    uint64_t one = 7;
    struct latency_stats s;

    (void)state;
    stats_compute(&one, 1, &s);
    assert_int_equal(s.p50, 7);
    assert_int_equal(s.p99, 7);
    assert_double_equal(s.stddev, 0.0, 0);
    stats_compute(NULL, 0, &s);
    assert_int_equal(s.n, 0);
    assert_int_equal(s.max, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_percentiles_one_to_ten),
        cmocka_unit_test(test_percentiles_textbook),
        cmocka_unit_test(test_percentiles_of_1000),
        cmocka_unit_test(test_mean_and_sample_stddev),
        cmocka_unit_test(test_compute),
        cmocka_unit_test(test_guest_percentile_convention),
        cmocka_unit_test(test_overhead_clamp),
        cmocka_unit_test(test_noise_dominated),
        cmocka_unit_test(test_sample_gate),
        cmocka_unit_test(test_degenerate),
    };

    return cmocka_run_group_tests_name("host_stats", tests, NULL, NULL);
}
