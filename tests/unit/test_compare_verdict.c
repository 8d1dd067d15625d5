/*
 * "hvflush compare"'s verdicts (host/analysis/compare_join.c): a table of
 * 95 % intervals against thresholds, for latency (above 1 is slower) and
 * throughput (above 1 is faster), the edges included; and the regression
 * gate's exit status over a table of cells.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/compare_internal.h"

static const struct {
    double lo, hi, t;
    bool higher_is_faster;
    enum cmp_verdict want;
} cases[] = {
    /* latency */
    { 0.98, 1.02, 0.05, false, CMP_SAME },
    { 0.95, 1.05, 0.05, false, CMP_SAME },          /* edges are within */
    { 1.06, 1.20, 0.05, false, CMP_SLOWER },
    { 1.0501, 1.06, 0.05, false, CMP_SLOWER },
    { 0.50, 0.90, 0.05, false, CMP_FASTER },
    { 1.04, 1.10, 0.05, false, CMP_WITHIN_NOISE },  /* across the upper edge */
    { 0.90, 0.97, 0.05, false, CMP_WITHIN_NOISE },  /* across the lower edge */
    { 0.80, 1.30, 0.05, false, CMP_WITHIN_NOISE },  /* wider than the band */
    { 1.06, 1.20, 0.25, false, CMP_SAME },          /* a wider threshold */
    { 1.06, 1.20, 0.10, false, CMP_WITHIN_NOISE },
    /* throughput: higher is faster */
    { 1.06, 1.20, 0.05, true, CMP_FASTER },
    { 0.50, 0.90, 0.05, true, CMP_SLOWER },
    { 0.98, 1.02, 0.05, true, CMP_SAME },
    { 0.90, 1.02, 0.05, true, CMP_WITHIN_NOISE },
};

static void test_verdict_table(void **state)
{
    (void)state;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        enum cmp_verdict v = compare_verdict(cases[i].lo, cases[i].hi, cases[i].t,
                                             cases[i].higher_is_faster);

        if (v != cases[i].want)
            fail_msg("case %u [%g, %g] t=%g: %s, want %s", i, cases[i].lo, cases[i].hi,
                     cases[i].t, compare_verdict_name(v), compare_verdict_name(cases[i].want));
    }
    assert_string_equal(compare_verdict_name(CMP_WITHIN_NOISE), "within-noise");
    assert_string_equal(compare_verdict_name(CMP_NO_CI), "no-ci");
}

/* The gate: 1 exactly when some non-baseline cell is slower. */
static int gate(enum cmp_verdict a, enum cmp_verdict b, enum cmp_verdict in_baseline)
{
    const char *runs[3] = { "A", "B", "C" };
    struct compare_opts o = { .runs = runs, .nruns = 3, .baseline = 0 };
    struct cmp_cell cells[2][3];
    struct cmp_row rows[2];
    struct cmp_table t = { .o = &o, .rows = rows, .nrows = 2 };

    memset(cells, 0, sizeof(cells));
    cells[0][0].verdict = in_baseline;  /* the baseline's own cell is never read */
    cells[0][1].verdict = a;
    cells[1][2].verdict = b;
    cells[0][2].verdict = CMP_SAME;
    cells[1][1].verdict = CMP_MISSING;
    rows[0] = (struct cmp_row){ .label = "x", .cell = cells[0] };
    rows[1] = (struct cmp_row){ .label = "y", .cell = cells[1] };
    return compare_exit_status(&t);
}

static void test_exit_status(void **state)
{
    (void)state;
    assert_int_equal(gate(CMP_SAME, CMP_SAME, CMP_SAME), 0);
    assert_int_equal(gate(CMP_SLOWER, CMP_SAME, CMP_SAME), 1);
    assert_int_equal(gate(CMP_SAME, CMP_SLOWER, CMP_SAME), 1);
    assert_int_equal(gate(CMP_FASTER, CMP_WITHIN_NOISE, CMP_SAME), 0);
    /* Never decisive: no interval, not measured, not in both. */
    assert_int_equal(gate(CMP_NO_CI, CMP_UNSUPPORTED, CMP_SAME), 0);
    assert_int_equal(gate(CMP_MISSING, CMP_WITHIN_NOISE, CMP_SLOWER), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_table),
        cmocka_unit_test(test_exit_status),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
