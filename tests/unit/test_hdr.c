/*
 * Unit tests of the log-linear histogram (bench/hdr.c): the bucket error
 * bound over the whole 64-bit range, nearest-rank quantiles against the
 * exact sorted quantiles of known distributions, merge, and the exact
 * mean and standard deviation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include <bench/hdr.h>
#include <bench/timing.h>

#include "analysis/stats.h"

/* The documented bound: lowest(v) <= v and v - lowest(v) < v / 128. */
static bool within_bound(uint64_t v, uint64_t rep)
{
    return rep <= v && (v - rep) * HDR_SUB <= v;
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void test_bucket_error_bound(void **state)
{
    uint64_t seed = 1, v;
    unsigned i, b;

    (void)state;
    for (v = 0; v < 100000; v++)
        if (!within_bound(v, hdr_lowest(v)))
            fail_msg("value %llu reported as %llu", (unsigned long long)v,
                     (unsigned long long)hdr_lowest(v));
    /* Every power of two and its neighbours, up to 2^63. */
    for (b = 1; b < 64; b++) {
        uint64_t p = 1ull << b;

        assert_true(within_bound(p, hdr_lowest(p)));
        assert_true(within_bound(p - 1, hdr_lowest(p - 1)));
        assert_true(within_bound(p + 1, hdr_lowest(p + 1)));
    }
    assert_true(within_bound(UINT64_MAX, hdr_lowest(UINT64_MAX)));
    assert_true(hdr_index(UINT64_MAX) == HDR_BUCKETS - 1);
    /* Random values of random magnitude. */
    for (i = 0; i < 1000000; i++) {
        v = splitmix(&seed) >> (splitmix(&seed) % 64);
        if (!within_bound(v, hdr_lowest(v)))
            fail_msg("value %llu reported as %llu", (unsigned long long)v,
                     (unsigned long long)hdr_lowest(v));
    }
}

/* Bucket indexes grow with the value and every bucket's lowest value maps
 * back to it: the layout has no gaps and no overlaps. */
static void test_buckets_are_contiguous(void **state)
{
    unsigned i;

    (void)state;
    for (i = 0; i < HDR_BUCKETS; i++) {
        assert_int_equal(hdr_index(hdr_bucket_lowest(i)), i);
        if (i > 0)
            assert_int_equal(hdr_index(hdr_bucket_lowest(i) - 1), i - 1);
    }
}

/* The fault the bound guards against: 64 sub-buckets per power of two
 * would give up to 1.56 %; the check sees it. */
static void test_bound_catches_coarse_buckets(void **state)
{
    /* 2^17 + 2^11 - 1: with 64 sub-buckets its bucket starts at 2^17. */
    uint64_t v = (1u << 17) + (1u << 11) - 1, coarse = (v >> 11) << 11;

    (void)state;
    assert_true(within_bound(v, hdr_lowest(v)));
    assert_false(within_bound(v, coarse));
}

/* hdr quantiles within the bound of the exact nearest-rank quantiles. */
static void check_quantiles(uint64_t *v, size_t n)
{
    static struct hdr h;
    static const uint32_t q[] = { 0, 10000, 100000, 250000, 500000, 900000, 990000,
                                  999000, 1000000 };

    hdr_init(&h);
    hdr_record_n(&h, v, n);
    stats_sort(v, n);
    assert_int_equal(hdr_count(&h), n);
    assert_int_equal(h.min, v[0]);
    assert_int_equal(h.max, v[n - 1]);
    for (unsigned i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
        uint64_t exact = v[hdr_rank(n, q[i]) - 1], got = hdr_value_at_quantile(&h, q[i]);

        if (!within_bound(exact, got))
            fail_msg("q=%u ppm: hdr %llu, exact %llu", q[i], (unsigned long long)got,
                     (unsigned long long)exact);
    }
    /* The same rank as bench/timing.c's percentiles. */
    for (unsigned pct = 0; pct <= 100; pct++)
        assert_int_equal(v[hdr_rank(n, pct * 10000) - 1], timing_percentile(v, (uint32_t)n, pct));
}

static void test_quantiles_uniform(void **state)
{
    static uint64_t v[100000];
    uint64_t seed = 7;

    (void)state;
    for (size_t i = 0; i < 100000; i++)
        v[i] = 1000 + splitmix(&seed) % 9000;
    check_quantiles(v, 100000);
}

static void test_quantiles_exponential_and_heavy_tail(void **state)
{
    static uint64_t v[50000];
    uint64_t seed = 11;

    (void)state;
    for (size_t i = 0; i < 50000; i++) {
        double u = ((double)(splitmix(&seed) >> 11) + 0.5) / 9007199254740992.0;

        v[i] = (uint64_t)(2000.0 * -log(u));                 /* exponential */
    }
    check_quantiles(v, 50000);
    for (size_t i = 0; i < 50000; i++) {
        double u = ((double)(splitmix(&seed) >> 11) + 0.5) / 9007199254740992.0;

        v[i] = (uint64_t)(500.0 / pow(u, 1.0 / 1.2));        /* Pareto, alpha 1.2 */
    }
    check_quantiles(v, 50000);
}

static void test_quantiles_small_and_exact(void **state)
{
    uint64_t v[10] = { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    static struct hdr h;

    (void)state;
    check_quantiles(v, 10);
    hdr_init(&h);
    assert_int_equal(hdr_value_at_quantile(&h, 500000), 0);
    hdr_record(&h, 123456789);
    assert_int_equal(hdr_value_at_quantile(&h, 0), 123456789);    /* clamped to min */
    assert_int_equal(hdr_value_at_quantile(&h, 1000000), 123456789);
}

static void test_merge_and_moments(void **state)
{
    static struct hdr a, b, all;
    static uint64_t v[2000];
    uint64_t seed = 3;
    double mean, sd;

    (void)state;
    hdr_init(&a);
    hdr_init(&b);
    hdr_init(&all);
    for (size_t i = 0; i < 2000; i++) {
        v[i] = 100000 + splitmix(&seed) % 50000;
        hdr_record(i < 700 ? &a : &b, v[i]);
        hdr_record(&all, v[i]);
    }
    hdr_merge(&a, &b);
    assert_int_equal(a.count, 2000);
    assert_int_equal(a.min, all.min);
    assert_int_equal(a.max, all.max);
    assert_memory_equal(a.counts, all.counts, sizeof(a.counts));
    mean = stats_mean(v, 2000);
    sd = stats_stddev(v, 2000, mean);
    assert_true(fabs(hdr_mean(&a) - mean) < 1e-6);
    assert_true(fabs(hdr_stddev(&a) - sd) < 1e-6 * sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket_error_bound),
        cmocka_unit_test(test_buckets_are_contiguous),
        cmocka_unit_test(test_bound_catches_coarse_buckets),
        cmocka_unit_test(test_quantiles_uniform),
        cmocka_unit_test(test_quantiles_exponential_and_heavy_tail),
        cmocka_unit_test(test_quantiles_small_and_exact),
        cmocka_unit_test(test_merge_and_moments),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
