/*
 * Adaptive sampling and the run's statistics end to end under TCG: the
 * real host tool boots the real guest on tests/sweeps/stats.sweep
 * (`ci-target 1%`, `time-cap 2000`, one line with an unreachable 0.01 %
 * target and a 1 ms cap), and the test checks from the run directory:
 *  - records: every configuration's samples came in whole rounds of its
 *    `samples`, as many as summary.csv's n; the run's exit status 0 says
 *    the collector found each latency record's n, rounds, ci_lo, ci_hi and
 *    ci_wide equal to what the host computes from the same samples
 *    (host/analysis/latency_ci.c fails the run otherwise);
 *  - summary.csv: the histogram and CI columns (FIGURES_HEADER) filled in
 *    and consistent (hdr_p90 within 1/128 below p90, ci_lo <= p50 <=
 *    ci_hi, ci_rel = half-width / p50, ci_flag ok exactly when the
 *    half-width is within 1 % of p50), and the unreachable line reads
 *    ci-wide;
 *  - costmodel.csv and decision.csv: their headers, one fit per strategy
 *    (baselines left out, local's constant target count dropped), one
 *    decision per (targets, pages, state) cell, calls from the known set;
 *  - hvflush plot draws plots/decision.svg.
 * Then each check is shown to catch the fault it guards against, on
 * doctored copies of the tables in memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <math.h>

#include "harness.h"

#define problem(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), 1u)

#define WIDE_LABEL "ipi/invlpg/p2/t1/spin"

static struct run_result *run;

static const char *const figure_cols[] = {
    "hdr_p90_cyc", "hdr_p999_cyc", "hdr_mean_cyc", "hdr_stddev_cyc", "hdr_p90_ns",
    "hdr_p999_ns", "hdr_mean_ns", "hdr_stddev_ns", "ci_lo_cyc", "ci_hi_cyc", "ci_rel",
    "ci_flag",
};

static unsigned check_summary(const struct csv_table *t)
{
    unsigned n = 0;

    for (size_t c = 0; c < sizeof(figure_cols) / sizeof(figure_cols[0]); c++)
        if (!csv_get(t, 0, figure_cols[c]))
            n += problem("summary.csv: no column %s", figure_cols[c]);
    if (n)
        return n;
    for (unsigned r = 0; r < t->nrows; r++) {
        const char *label = csv_cell(t, r, "label"), *flag = csv_cell(t, r, "ci_flag");
        double p50 = csv_num(t, r, "p50_cyc"), p90 = csv_num(t, r, "p90_cyc");
        double hp90 = csv_num(t, r, "hdr_p90_cyc"), lo = csv_num(t, r, "ci_lo_cyc");
        double hi = csv_num(t, r, "ci_hi_cyc"), rel = csv_num(t, r, "ci_rel");
        double mean = csv_num(t, r, "mean_cyc"), hmean = csv_num(t, r, "hdr_mean_cyc");

        if (csv_num(t, r, "n") <= 0) {
            n += problem("summary.csv %s: no samples", label);
            continue;
        }
        if (!(hp90 <= p90 && (p90 - hp90) * 128 <= p90))
            n += problem("summary.csv %s: hdr_p90 %.0f not within 1/128 below p90 %.0f",
                         label, hp90, p90);
        if (fabs(hmean - mean) > 0.06)
            n += problem("summary.csv %s: hdr_mean %.1f, mean %.1f", label, hmean, mean);
        if (!(lo >= 0 && lo <= p50 && p50 <= hi))
            n += problem("summary.csv %s: CI [%.0f, %.0f] misses p50 %.0f", label, lo, hi, p50);
        if (p50 > 0 && fabs(rel - (hi - lo) / 2 / p50) > 1e-6)
            n += problem("summary.csv %s: ci_rel %g is not (hi - lo) / 2 / p50", label, rel);
        if (strcmp(flag, "ok") && strcmp(flag, "ci-wide"))
            n += problem("summary.csv %s: ci_flag '%s'", label, flag);
        /* ok exactly when (hi - lo) / 2 <= 1 % of p50 (integers, exact in double). */
        if (!strcmp(label, WIDE_LABEL) ? strcmp(flag, "ci-wide") :
            ((hi - lo) * 10000 <= 2 * 100 * p50) != !strcmp(flag, "ok"))
            n += problem("summary.csv %s: ci_flag %s with ci_rel %g", label, flag, rel);
    }
    return n;
}

/* The records and summary.csv agree on n and on the interval. */
static unsigned check_records(const struct csv_table *t)
{
    unsigned n = 0;

    for (unsigned i = 0; i < run->nconfigs; i++) {
        const struct run_config *c = &run->cfg[i];
        int r = csv_row_of(t, c->label);

        if (r < 0) {
            n += problem("summary.csv: no row for %s", c->label);
            continue;
        }
        if (c->nsamples < c->samples_declared || c->nsamples % c->samples_declared)
            n += problem("%s: %llu samples, not whole rounds of %llu", c->label,
                         (unsigned long long)c->nsamples,
                         (unsigned long long)c->samples_declared);
        if (csv_num(t, (unsigned)r, "n") != (double)c->nsamples)
            n += problem("%s: summary n %s, records %llu", c->label, csv_cell(t, r, "n"),
                         (unsigned long long)c->nsamples);
    }
    return n;
}

static unsigned check_costmodel(const struct csv_table *t)
{
    static const char *const want[] = { "local/invlpg/spin", "local/cr3/spin",
                                        "ipi/invlpg/spin", "ipi/cr3/spin" };
    unsigned n = 0;

    if (t->ncols != 8 || strcmp(t->cols[0], "strategy") || strcmp(t->cols[7], "note"))
        n += problem("costmodel.csv: header");
    if (t->nrows != 4)
        n += problem("costmodel.csv: %u rows, want 4 (no baselines)", t->nrows);
    for (size_t i = 0; i < 4; i++) {
        bool found = false;

        for (unsigned r = 0; r < t->nrows; r++)
            if (!strcmp(csv_cell(t, r, "strategy"), want[i])) {
                found = true;
                if (!strncmp(want[i], "local", 5) &&
                    (strcmp(csv_cell(t, r, "b_cyc_per_target"), "-") ||
                     !strstr(csv_cell(t, r, "note"), "targets constant, dropped")))
                    n += problem("costmodel.csv %s: targets not dropped", want[i]);
            }
        if (!found)
            n += problem("costmodel.csv: no row for %s", want[i]);
    }
    return n;
}

static unsigned check_decision(const struct csv_table *t)
{
    static const char *const cells[] = { "0,1", "1,1", "1,2", "0,4", "1,4" };   /* by pages */
    unsigned n = 0;

    if (t->ncols != 17 || strcmp(t->cols[0], "targets") || strcmp(t->cols[15], "call"))
        n += problem("decision.csv: header");
    if (t->nrows != 5)
        n += problem("decision.csv: %u cells, want 5", t->nrows);
    for (unsigned r = 0; r < t->nrows && r < 5; r++) {
        char cell[32];
        const char *call = csv_cell(t, r, "call");
        bool lone = !strcmp(csv_cell(t, r, "pages"), "2");

        snprintf(cell, sizeof(cell), "%s,%s", csv_cell(t, r, "targets"),
                 csv_cell(t, r, "pages"));
        if (strcmp(cell, cells[r]) || strcmp(csv_cell(t, r, "state"), "spin"))
            n += problem("decision.csv row %u: cell %s", r, cell);
        /* (1, 2): ipi/invlpg alone; elsewhere two strategies compete. */
        if (lone ? strcmp(call, "only-one") :
            strcmp(call, "decisive") && strcmp(call, "within-noise"))
            n += problem("decision.csv %s: call %s", cell, call);
    }
    return n;
}

static int setup(void **state)
{
    (void)state;
    run = run_hvflush("run --accel tcg --smp 2 --sweep tests/sweeps/stats.sweep");
    return 0;
}

static void test_stats_outputs(void **state)
{
    struct csv_table sum, cost, dec;
    char cmd[1200], path[700];
    unsigned wide = 0, ok = 0;

    (void)state;
    if (run->exit_code != 0)
        fail_msg("hvflush run: exit %d: %s", run->exit_code, run->err);
    assert_true(run->stream_ok);
    assert_true(csv_read(run, "summary.csv", &sum));
    assert_true(csv_read(run, "costmodel.csv", &cost));
    assert_true(csv_read(run, "decision.csv", &dec));
    assert_int_equal(check_summary(&sum) + check_records(&sum) + check_costmodel(&cost) +
                     check_decision(&dec), 0);
    for (unsigned r = 0; r < sum.nrows; r++) {
        ok += !strcmp(csv_cell(&sum, r, "ci_flag"), "ok");
        wide += !strcmp(csv_cell(&sum, r, "ci_flag"), "ci-wide");
        print_message("%-24s n=%-6s p50=%-8s ci=[%s, %s] rel=%s %s\n",
                      csv_cell(&sum, r, "label"), csv_cell(&sum, r, "n"),
                      csv_cell(&sum, r, "p50_cyc"), csv_cell(&sum, r, "ci_lo_cyc"),
                      csv_cell(&sum, r, "ci_hi_cyc"), csv_cell(&sum, r, "ci_rel"),
                      csv_cell(&sum, r, "ci_flag"));
    }
    print_message("median CI within 1 %%: %u of %u configurations\n", ok, ok + wide);
    assert_non_null(strstr(run->out, "median CI within the ci-target:"));
    snprintf(cmd, sizeof(cmd), "build/hvflush plot %s >/dev/null", run->run_dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof(path), "%s/plots/decision.svg", run->run_dir);
    assert_true(file_contains(path, "<svg"));

    /* Each check catches its fault (on copies in memory). */
    csv_set(&sum, (unsigned)csv_row_of(&sum, WIDE_LABEL), "ci_flag", "ok");
    assert_int_not_equal(check_summary(&sum), 0);
    csv_set(&sum, (unsigned)csv_row_of(&sum, WIDE_LABEL), "ci_flag", "ci-wide");
    csv_set(&sum, 0, "hdr_p90_cyc", "1e12");
    assert_int_not_equal(check_summary(&sum), 0);
    csv_set(&sum, 0, "n", "1");
    assert_int_not_equal(check_records(&sum), 0);
    csv_set(&cost, 0, "b_cyc_per_target", "12.5");
    assert_int_not_equal(check_costmodel(&cost), 0);
    csv_set(&dec, 2, "call", "decisive");           /* the only-one cell */
    assert_int_not_equal(check_decision(&dec), 0);
    csv_free(&sum);
    csv_free(&cost);
    csv_free(&dec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_outputs),
    };

    return cmocka_run_group_tests(tests, setup, NULL);
}
