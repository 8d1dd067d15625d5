/*
 * Unit tests of the effect probe's verdict ladder and power rule
 * (bench/verdict.c), compiled for the host exactly as the guest runs it:
 *  - the lower confidence bound on the control's stale rate is
 *    conservative: for a range of true rates, the exact binomial chance
 *    that it lies above the true rate stays within 5%;
 *  - P = (1 - q)^n against libm, and the 1e-3 boundary (q = 1/2: 9 rounds
 *    are not enough, 10 are);
 *  - the ladder: fail beats error beats inconclusive beats pass; a
 *    control that never went stale and a weak control are inconclusive
 *    with their reasons; the rounds loop stops at fail, error, power or cap.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bench/verdict.h>

static double q_lower(uint32_t k, uint32_t m)
{
    return (double)verify_control_rate_lower_q32(k, m) / 4294967296.0;
}

static double binom_pmf(unsigned m, unsigned k, double q)
{
    return exp(lgamma(m + 1.0) - lgamma(k + 1.0) - lgamma(m - k + 1.0) +
               k * log(q) + (m - k) * log1p(-q));
}

static void test_lower_bound_is_conservative(void **state)
{
    static const unsigned ms[] = { 8, 32, 128, 512 };
    static const double qs[] = { 0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 0.99 };

    (void)state;
    assert_true(q_lower(0, 32) == 0.0);
    assert_true(q_lower(5, 0) == 0.0);
    for (unsigned i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
        for (unsigned j = 0; j < sizeof(qs) / sizeof(qs[0]); j++) {
            double over = 0;

            /* The chance that the bound claims more than the truth. */
            for (unsigned k = 0; k <= ms[i]; k++)
                if (q_lower(k, ms[i]) > qs[j])
                    over += binom_pmf(ms[i], k, qs[j]);
            assert_true(over <= 0.05);
        }
    /* Monotone in k, below the observed rate, and not uselessly low. */
    for (unsigned k = 1; k < 32; k++)
        assert_true(q_lower(k, 32) <= q_lower(k + 1, 32));
    assert_true(q_lower(32, 32) < 1.0);
    assert_true(q_lower(32, 32) > 0.55);
    assert_true(q_lower(16, 32) < 0.5);
}

static bool p_of(double q, uint32_t n, char *buf)
{
    return verify_noop_pass_p((uint64_t)(q * 4294967296.0), n, buf, 16);
}

static void test_noop_pass_p_against_libm(void **state)
{
    static const double qs[] = { 0.001, 0.02, 0.1, 0.25, 0.65, 0.9 };
    static const uint32_t ns[] = { 1, 7, 32, 100, 513, 4000 };
    char buf[16];

    (void)state;
    for (unsigned i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
        for (unsigned j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
            double want = pow(1.0 - qs[i], ns[j]);
            bool powerful = p_of(qs[i], ns[j], buf);

            if (want < 1e-99) {
                assert_string_equal(buf, "<1e-99");
            } else {
                double got = strtod(buf, NULL);

                /* rounded up to 3 digits, never below the truth */
                assert_true(got >= want * (1 - 1e-9));
                assert_true(got <= want * 1.011);
            }
            if (fabs(want - 1e-3) > 1e-6)
                assert_true(powerful == (want <= 1e-3));
        }
}

static void test_boundary_at_1e3(void **state)
{
    char buf[16];

    (void)state;
    assert_false(p_of(0.5, 9, buf));          /* 1.95e-3 */
    assert_string_equal(buf, "1.96e-03");
    assert_true(p_of(0.5, 10, buf));          /* 9.77e-4 */
    assert_string_equal(buf, "9.77e-04");
    assert_false(p_of(0.0, 100000, buf));
    assert_string_equal(buf, "1");
    assert_true(p_of(1.0, 1, buf));
    assert_string_equal(buf, "0");
}

static void judge(uint32_t rounds, uint32_t ctl, uint32_t ctl_stale, uint64_t stale,
                  uint64_t other, const char *problem, struct verify_judgement *j)
{
    struct verify_tally t = { rounds, ctl, ctl_stale, stale, other, problem };

    verify_judge(&t, false, j);
}

static void test_ladder(void **state)
{
    struct verify_judgement j;

    (void)state;
    judge(32, 32, 32, 0, 0, NULL, &j);
    assert_int_equal(j.verdict, VERDICT_PASS);
    assert_string_equal(j.reason, "-");
    assert_true(j.powerful);
    /* fail beats error beats inconclusive */
    judge(32, 32, 0, 1, 3, "ack-timeout", &j);
    assert_int_equal(j.verdict, VERDICT_FAIL);
    assert_string_equal(j.reason, "stale-read-after-shootdown");
    judge(32, 32, 0, 0, 3, "ack-timeout", &j);
    assert_int_equal(j.verdict, VERDICT_ERROR);
    assert_string_equal(j.reason, "ack-timeout");
    judge(32, 32, 0, 0, 3, NULL, &j);
    assert_int_equal(j.verdict, VERDICT_ERROR);
    assert_string_equal(j.reason, "read-matched-neither-frame");
    judge(32, 32, 0, 0, 0, NULL, &j);
    assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
    assert_string_equal(j.reason, "negative-control-never-stale");
    assert_string_equal(j.noop_pass_p, "1");
    /* a weak control: 3 of 32 control rounds stale is not enough for 32 rounds */
    judge(32, 32, 3, 0, 0, NULL, &j);
    assert_int_equal(j.verdict, VERDICT_INCONCLUSIVE);
    assert_false(j.powerful);
    assert_non_null(strstr(j.reason, "noop-pass-p-"));
    assert_non_null(strstr(j.reason, j.noop_pass_p));
    /* ... but the same rate over ten times the rounds is */
    judge(320, 320, 30, 0, 0, NULL, &j);
    assert_int_equal(j.verdict, VERDICT_PASS);
    verify_judge(&(struct verify_tally){ 8, 8, 8, 1, 0, NULL }, true, &j);
    assert_string_equal(j.reason, "stale-read-after-successful-hypercall");
    assert_string_equal(verdict_name(VERDICT_INCONCLUSIVE), "inconclusive");
    assert_string_equal(verdict_name((enum verdict)42), "error");
}

static void test_wants_more(void **state)
{
    struct verify_tally t = { 32, 32, 3, 0, 0, NULL };

    (void)state;
    assert_true(verify_wants_more(&t, 32, 512));       /* weak: more rounds */
    assert_false(verify_wants_more(&t, 32, 32));       /* the cap */
    t.stale = 1;
    assert_false(verify_wants_more(&t, 32, 512));      /* fail */
    t.stale = 0;
    t.problem = "ack-timeout";
    assert_false(verify_wants_more(&t, 32, 512));      /* error */
    t.problem = NULL;
    t.control_stale_rounds = 32;
    assert_false(verify_wants_more(&t, 32, 512));      /* powerful enough */
    t.control_stale_rounds = 0;                        /* never stale ... */
    assert_true(verify_wants_more(&t, 32, 512));       /* ... after one batch: try one more */
    t.rounds = t.control_rounds = 64;
    assert_false(verify_wants_more(&t, 32, 512));      /* ... after two: stop */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lower_bound_is_conservative),
        cmocka_unit_test(test_noop_pass_p_against_libm),
        cmocka_unit_test(test_boundary_at_1e3),
        cmocka_unit_test(test_ladder),
        cmocka_unit_test(test_wants_more),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
