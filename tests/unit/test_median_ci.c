/*
 * Unit tests of the median's confidence interval (bench/median_ci.c):
 * exact small-n ranks against a direct binomial computation and published
 * values, the normal-approximation ranks, the coverage of the interval
 * over many seeded samples of known distributions (about 95 %), a
 * deliberately wrong rank rule that the coverage check must catch, and
 * the adaptive stop rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <bench/median_ci.h>

#include "analysis/stats.h"

/* P(B <= k) for B ~ Binomial(n, 1/2), in double (log space: no
 * overflow for large n). */
static double binom_cdf(uint32_t n, int k)
{
    double sum = 0;

    for (int i = 0; i <= k; i++)
        sum += exp(lgamma(n + 1.0) - lgamma(i + 1.0) - lgamma(n - i + 1.0) - n * log(2.0));
    return sum;
}

/* The interval's true coverage for ranks j, n - j + 1. */
static double coverage_of(uint32_t n, uint32_t j)
{
    return 1.0 - 2.0 * binom_cdf(n, (int)j - 1);
}

static void test_exact_small_n(void **state)
{
    uint32_t j, k, n;

    (void)state;
    for (n = 0; n < MEDIAN_CI_MIN_N; n++)
        assert_false(median_ci_ranks(n, &j, &k));
    for (n = MEDIAN_CI_MIN_N; n <= MEDIAN_CI_EXACT_MAX; n++) {
        assert_true(median_ci_ranks(n, &j, &k));
        assert_int_equal(k, n - j + 1);
        /* j reaches 95 %, and j + 1 would not: the largest such rank. */
        if (coverage_of(n, j) < 0.95 || coverage_of(n, j + 1) >= 0.95)
            fail_msg("n=%u: j=%u covers %.4f, j+1 covers %.4f", n, j, coverage_of(n, j),
                     coverage_of(n, j + 1));
    }
    /* Published values (e.g. Conover, Practical Nonparametric Statistics). */
    median_ci_ranks(6, &j, &k);   assert_int_equal(j, 1);  assert_int_equal(k, 6);
    median_ci_ranks(10, &j, &k);  assert_int_equal(j, 2);  assert_int_equal(k, 9);
    median_ci_ranks(20, &j, &k);  assert_int_equal(j, 6);  assert_int_equal(k, 15);
    median_ci_ranks(30, &j, &k);  assert_int_equal(j, 10); assert_int_equal(k, 21);
    median_ci_ranks(50, &j, &k);  assert_int_equal(j, 18); assert_int_equal(k, 33);
}

static void test_normal_approximation(void **state)
{
    uint32_t j, k, n;

    (void)state;
    median_ci_ranks(100, &j, &k);
    assert_int_equal(j, 40);
    assert_int_equal(k, 61);
    median_ci_ranks(1000, &j, &k);
    assert_int_equal(j, 469);          /* round(500 - 0.98 * 31.62) */
    assert_int_equal(k, 532);
    for (n = MEDIAN_CI_EXACT_MAX + 1; n < 200000; n += 1 + n / 50) {
        double want = floor(n / 2.0 - 0.98 * sqrt((double)n) + 0.5);

        assert_true(median_ci_ranks(n, &j, &k));
        assert_true(fabs((double)j - want) <= 1.0);
        assert_int_equal(k, n - j + 1);
        /* The approximation stays close to 95 %. */
        if (n <= 5000)
            assert_true(coverage_of(n, j) > 0.94);
    }
    assert_int_equal(median_ci_isqrt(0), 0);
    assert_int_equal(median_ci_isqrt(99), 9);
    assert_int_equal(median_ci_isqrt(100), 10);
    assert_int_equal(median_ci_isqrt(UINT64_MAX), 4294967295u);
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

typedef bool rank_rule(uint32_t n, uint32_t *j, uint32_t *k);

/* A wrong rule, the fault the coverage check guards against: one sigma
 * (0.5 sqrt(n)) instead of 1.96 sigma around n/2. */
static bool one_sigma_ranks(uint32_t n, uint32_t *j, uint32_t *k)
{
    *j = (uint32_t)floor(n / 2.0 - 0.5 * sqrt((double)n) + 0.5);
    *k = n - *j + 1;
    return n >= MEDIAN_CI_MIN_N;
}

/* Share of `trials` seeded samples of n continuous uniform values in
 * [0, 2^32) whose interval covers the true median 2^31. */
static double simulated_coverage(rank_rule *rule, uint32_t n, unsigned trials, uint64_t seed)
{
    static uint64_t v[4096];
    unsigned hit = 0;

    for (unsigned t = 0; t < trials; t++) {
        uint32_t j, k;

        for (uint32_t i = 0; i < n; i++)
            v[i] = splitmix(&seed) >> 32;
        stats_sort(v, n);
        assert_true(rule(n, &j, &k));
        hit += v[j - 1] <= (1ull << 31) && v[k - 1] >= (1ull << 31);
    }
    return (double)hit / trials;
}

/* Coverage within four binomial standard errors of the rule's own
 * theoretical coverage, and that at least 95 % less the same margin. */
static bool coverage_ok(rank_rule *rule, uint32_t n, unsigned trials, uint64_t seed)
{
    uint32_t j, k;
    double cov, want, se;

    rule(n, &j, &k);
    cov = simulated_coverage(rule, n, trials, seed);
    want = coverage_of(n, j);
    se = sqrt(0.95 * 0.05 / trials);
    print_message("n=%u ranks %u..%u: simulated %.4f, theory %.4f\n", n, j, k, cov, want);
    return fabs(cov - want) <= 4 * se && cov >= 0.95 - 4 * se;
}

static void test_coverage_uniform(void **state)
{
    static const uint32_t ns[] = { 9, 25, 60, 61, 200, 1000, 4000 };

    (void)state;
    for (unsigned i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
        assert_true(coverage_ok(median_ci_ranks, ns[i], 4000, 100 + i));
}

static void test_coverage_catches_wrong_ranks(void **state)
{
    (void)state;
    assert_false(coverage_ok(one_sigma_ranks, 1000, 4000, 5));
    assert_false(coverage_ok(one_sigma_ranks, 200, 4000, 6));
}

static void test_interval_and_stop_rule(void **state)
{
    uint64_t v[100], lo, hi;

    (void)state;
    for (int i = 0; i < 100; i++)
        v[i] = 1000 + (uint64_t)i;
    assert_true(median_ci(v, 100, &lo, &hi));
    assert_int_equal(lo, 1039);
    assert_int_equal(hi, 1060);
    assert_false(median_ci(v, 5, &lo, &hi));
    /* half-width 10.5 of median 1049: 1.001 %. */
    assert_false(median_ci_within(lo, hi, 1049, 100));
    assert_true(median_ci_within(lo, hi, 1049, 101));
    assert_true(median_ci_within(990, 1010, 1000, 100));       /* exactly 1 % */
    assert_false(median_ci_within(990, 1011, 1000, 100));
    assert_true(median_ci_within(5, 5, 0, 100));
    assert_false(median_ci_within(5, 6, 0, 100));
    assert_false(median_ci_within(0, UINT64_MAX, UINT64_MAX / 2, 100));
    assert_true(median_ci_within(0, UINT64_MAX, UINT64_MAX, 5000));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_small_n),
        cmocka_unit_test(test_normal_approximation),
        cmocka_unit_test(test_coverage_uniform),
        cmocka_unit_test(test_coverage_catches_wrong_ranks),
        cmocka_unit_test(test_interval_and_stop_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
