/*
 * Unit tests of the cost model (host/analysis/costmodel.c): exact
 * recovery of a known a + b*targets + c*pages with R^2 = 1, a noisy fit
 * close to it, a regressor that does not vary dropped and said so, too
 * few points, and that baselines and fail/error configurations stay out
 * of the fit (one with a wild p50 would spoil the exact recovery).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/costmodel.h"

static struct summary_row row(const char *strategy, const char *flush, uint32_t targets,
                              uint32_t pages, uint64_t p50, const char *verdict)
{
    struct summary_row r;

    memset(&r, 0, sizeof(r));
    snprintf(r.label, sizeof(r.label), "%s/%s/p%u/t%u", strategy, flush, pages, targets);
    snprintf(r.strategy, sizeof(r.strategy), "%s", strategy);
    snprintf(r.flush, sizeof(r.flush), "%s", flush);
    snprintf(r.input, sizeof(r.input), "slow");
    snprintf(r.scope, sizeof(r.scope), "cr3");
    snprintf(r.procs, sizeof(r.procs), "mask");
    snprintf(r.state, sizeof(r.state), "spin");
    snprintf(r.verdict, sizeof(r.verdict), "%s", verdict);
    r.targets = targets;
    r.pages = pages;
    r.n = 1000;
    r.p50 = p50;
    return r;
}

static const uint32_t tv[] = { 1, 2, 4, 8 }, pv[] = { 1, 4, 16 };

/* rows: the 12 points of ipi/invlpg, p50 = 1000 + 250 t + 30 p + noise(i). */
static size_t grid(struct summary_row *rows, int (*noise)(unsigned i))
{
    size_t n = 0;

    for (unsigned i = 0; i < 4; i++)
        for (unsigned k = 0; k < 3; k++)
            rows[n] = row("ipi", "invlpg", tv[i], pv[k],
                          (uint64_t)(1000 + 250 * tv[i] + 30 * pv[k] + noise(i * 3 + k)),
                          "pass"), n++;
    return n;
}

static int no_noise(unsigned i) { (void)i; return 0; }
static int some_noise(unsigned i) { static const int e[] = { 40, -25, 10, -60, 35, 0, 15,
                                                            -10, 55, -45, 20, -30 };
                                    return e[i]; }

static void test_exact_recovery(void **state)
{
    struct summary_row rows[32];
    struct cost_fit *fits;
    size_t n = grid(rows, no_noise);
    int m;

    (void)state;
    /* Left out: a failed and an erroneous configuration of the same
     * strategy, and baselines. */
    rows[n++] = row("ipi", "invlpg", 2, 4, 99999999, "fail");
    rows[n++] = row("ipi", "invlpg", 8, 1, 5, "error");
    rows[n++] = row("ipi", "none", 2, 1, 777, "-");
    rows[n++] = row("cpuid", "invlpg", 0, 1, 50, "-");
    m = costmodel_fit(rows, n, &fits);
    assert_int_equal(m, 1);
    assert_string_equal(fits[0].strategy, "ipi/invlpg/spin");
    assert_int_equal(fits[0].points, 12);
    assert_true(fits[0].fitted && fits[0].has_b && fits[0].has_c);
    assert_true(fabs(fits[0].a - 1000) < 1e-6);
    assert_true(fabs(fits[0].b - 250) < 1e-6);
    assert_true(fabs(fits[0].c - 30) < 1e-6);
    assert_true(fabs(fits[0].r2 - 1) < 1e-12);
    assert_true(fits[0].rms < 1e-6);
    free(fits);
}

/* The check above can fail: with the failed configuration counted (as if
 * its verdict were pass), recovery is no longer exact. */
static void test_exact_recovery_catches_a_stray_point(void **state)
{
    struct summary_row rows[32];
    struct cost_fit *fits;
    size_t n = grid(rows, no_noise);

    (void)state;
    rows[n++] = row("ipi", "invlpg", 2, 4, 99999999, "pass");
    assert_int_equal(costmodel_fit(rows, n, &fits), 1);
    assert_false(fabs(fits[0].a - 1000) < 1e-6 && fabs(fits[0].r2 - 1) < 1e-12);
    free(fits);
}

static void test_noisy_fit(void **state)
{
    struct summary_row rows[32];
    struct cost_fit *fits;
    size_t n = grid(rows, some_noise);
    double ss = 0;

    (void)state;
    assert_int_equal(costmodel_fit(rows, n, &fits), 1);
    assert_true(fabs(fits[0].b - 250) < 10);
    assert_true(fabs(fits[0].c - 30) < 3);
    assert_true(fits[0].r2 > 0.99 && fits[0].r2 < 1);
    for (unsigned i = 0; i < 12; i++)
        ss += some_noise(i) * some_noise(i);
    /* The residual of the best fit is no larger than the noise itself. */
    assert_true(fits[0].rms > 0 && fits[0].rms <= sqrt(ss / 12));
    free(fits);
}

static void test_constant_regressor_dropped(void **state)
{
    struct summary_row rows[8];
    struct cost_fit *fits;
    char buf[1024] = "";
    FILE *f;

    (void)state;
    /* local: no targets; pages vary.  hv-list: two points, three
     * parameters. */
    rows[0] = row("local", "invlpg", 0, 1, 400, "-");
    rows[1] = row("local", "invlpg", 0, 4, 1300, "-");
    rows[2] = row("local", "invlpg", 0, 16, 4900, "-");
    rows[3] = row("hv-list", "invlpg", 3, 1, 9000, "pass");
    rows[4] = row("hv-list", "invlpg", 5, 4, 9500, "pass");
    assert_int_equal(costmodel_fit(rows, 5, &fits), 2);
    assert_string_equal(fits[0].strategy, "local/invlpg/spin");
    assert_true(fits[0].fitted && !fits[0].has_b && fits[0].has_c);
    assert_true(fabs(fits[0].a - 100) < 1e-6 && fabs(fits[0].c - 300) < 1e-6);
    assert_non_null(strstr(fits[0].note, "targets constant, dropped"));
    assert_string_equal(fits[1].strategy, "hv-list/slow/cr3/mask/spin");
    assert_false(fits[1].fitted);
    assert_non_null(strstr(fits[1].note, "too few points"));
    f = fmemopen(buf, sizeof(buf), "w");
    costmodel_put_csv(f, fits, 2);
    fclose(f);
    assert_non_null(strstr(buf, COSTMODEL_HEADER "\n"));
    print_message("%s", buf);
    assert_non_null(strstr(buf, "local/invlpg/spin,3,100.00,-,300.00,1.000000,0.00,"
                                "\"targets constant, dropped\"\n"));
    assert_non_null(strstr(buf, "hv-list/slow/cr3/mask/spin,2,-,-,-,-,-,too few points for 3 "
                                "parameters\n"));
    free(fits);
    /* Nothing varies (two placements of one point): the mean, R^2 = 0. */
    rows[0] = row("hv-space", "invlpg", 2, 1, 1000, "pass");
    rows[1] = row("hv-space", "invlpg", 2, 1, 1100, "pass");
    assert_int_equal(costmodel_fit(rows, 2, &fits), 1);
    assert_true(fits[0].fitted && !fits[0].has_b && !fits[0].has_c);
    assert_true(fabs(fits[0].a - 1050) < 1e-9 && fits[0].r2 == 0 &&
                fabs(fits[0].rms - 50) < 1e-9);
    assert_string_equal(fits[0].note, "targets constant, dropped; pages constant, dropped");
    free(fits);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_recovery),
        cmocka_unit_test(test_exact_recovery_catches_a_stray_point),
        cmocka_unit_test(test_noisy_fit),
        cmocka_unit_test(test_constant_regressor_dropped),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
