/*
 * Unit tests of the latency statistics (host/stats.c): nearest-rank
 * percentiles of known arrays, mean and sample standard deviation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "stats.h"

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
        cmocka_unit_test(test_degenerate),
    };

    return cmocka_run_group_tests_name("host_stats", tests, NULL, NULL);
}
