/*
 * `hvflush compare` on two real TCG runs of tests/sweeps/compare.sweep
 * (--smp 2), as a user runs it:
 *  - the exit status agrees with the verdicts (1 exactly when one is
 *    `slower`), compare.csv has its columns and one row per configuration,
 *    the hypercall lines (unsupported under TCG) are listed as not
 *    measured, every file is written, the table reaches stdout;
 *  - fault injection: a copy of run B with its samples (cycles, ns) and
 *    summary p50 doubled makes every measured configuration `slower` by
 *    twice the ratio it had, and exit 1;
 *  - a directory that is not a run exits 2 and writes nothing, as do an
 *    unknown metric and a baseline that is not among the runs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

static char tmp[] = "/tmp/hvflush-test-compare-XXXXXX";
static char run_a[400], run_b[400];
static char out[16384], err[4096];

/* Runs a shell command; its stdout and stderr (starts) into out and err
 * (tests/integration/harness.h, sh_capture). */
HARNESS_SH(tmp, out, err)

/* One TCG run into tmp/name; its run directory into dir.  The label makes
 * the run ids differ even when two runs start in the same second (the
 * test names the baseline by base name). */
static bool tcg_run(const char *name, char *dir, size_t cap)
{
    char latest[200], target[256];
    ssize_t n;

    if (sh("build/hvflush run --accel tcg --smp 2 --sweep tests/sweeps/compare.sweep "
           "--quiet --label %s --out %s/%s", name, tmp, name) != 0) {
        print_error("run %s failed: %s\n", name, err);
        return false;
    }
    snprintf(latest, sizeof(latest), "%s/%s/latest", tmp, name);
    n = readlink(latest, target, sizeof(target) - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    snprintf(dir, cap, "%s/%s/%s", tmp, name, target);
    return true;
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    return tcg_run("a", run_a, sizeof(run_a)) && tcg_run("b", run_b, sizeof(run_b)) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", tmp) == 0 ? 0 : -1;
}

/* Reads DIR/compare.csv into t. */
static bool read_compare(const char *dir, struct csv_table *t)
{
    static struct run_result r;

    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    return csv_read(&r, "compare.csv", t);
}

static unsigned count_verdict(const struct csv_table *t, const char *v)
{
    unsigned n = 0;

    for (unsigned i = 0; i < t->nrows; i++)
        n += !strcmp(csv_cell(t, i, "verdict"), v);
    return n;
}

static const char *const columns[] = {
    "label", "run", "baseline", "metric", "unit", "n_baseline", "n_run", "value_baseline",
    "value_run", "ratio", "ci_lo", "ci_hi", "verdict", "threshold_pct", "timing_class",
    "present_in", "boots_baseline", "boots_run", "interval",
};

static void test_compare_two_runs(void **state)
{
    char dir[480], path[800];
    struct csv_table t;
    int rc;

    (void)state;
    snprintf(dir, sizeof(dir), "%s/cmp-ab", tmp);
    rc = sh("build/hvflush compare %s %s --out %s", run_a, run_b, dir);
    if (rc != 0 && rc != 1)
        fail_msg("compare exited %d: %s", rc, err);
    assert_true(read_compare(dir, &t));
    assert_int_equal(t.ncols, sizeof(columns) / sizeof(columns[0]));
    for (unsigned c = 0; c < t.ncols; c++)
        assert_string_equal(t.cols[c], columns[c]);
    /* compare.sweep: local p1, p8; ipi spin, halt; hv-space slow, fast. */
    assert_int_equal(t.nrows, 6);
    assert_int_equal(rc, count_verdict(&t, "slower") > 0 ? 1 : 0);
    assert_int_equal(count_verdict(&t, "unsupported"), 2);
    for (unsigned i = 0; i < t.nrows; i++) {
        const char *v = csv_cell(&t, i, "verdict");

        assert_non_null(strstr(run_b, csv_cell(&t, i, "run")));
        assert_non_null(strstr(run_a, csv_cell(&t, i, "baseline")));
        assert_string_equal(csv_cell(&t, i, "timing_class"), "emulated");
        if (!strncmp(csv_cell(&t, i, "label"), "hv-space", 8)) {
            assert_string_equal(v, "unsupported");
            continue;
        }
        /* 200 samples each: every measured configuration has an interval. */
        assert_true(!strcmp(v, "same") || !strcmp(v, "faster") || !strcmp(v, "slower") ||
                    !strcmp(v, "within-noise"));
        assert_true(csv_num(&t, i, "ratio") > 0);
        assert_true(csv_num(&t, i, "ci_lo") <= csv_num(&t, i, "ci_hi"));
        assert_true(csv_num(&t, i, "n_run") == 200 && csv_num(&t, i, "n_baseline") == 200);
    }
    csv_free(&t);
    assert_non_null(strstr(out, "run / baseline A"));
    assert_non_null(strstr(out, "not measured (n = 0) in the baseline or the run: 2"));
    for (const char *const *f = (const char *const[]){ "compare.txt", "compare.html",
             "compare-body.html", "compare.svg", "compare.png", NULL }; *f; f++) {
        snprintf(path, sizeof(path), "%s/%s", dir, *f);
        if (access(path, R_OK) != 0)
            fail_msg("no %s", path);
    }
    snprintf(path, sizeof(path), "%s/compare.svg", dir);
    assert_true(file_contains(path, "timing class: emulated"));
}

/* Multiplies column col of every row of DIR/name by 2. */
static void double_column(const char *dir, const char *name, const char *const *cols)
{
    static struct run_result r;
    struct csv_table t;
    char path[800], v[64];

    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    assert_true(csv_read(&r, name, &t));
    for (unsigned i = 0; i < t.nrows; i++)
        for (const char *const *c = cols; *c; c++)
            if (*csv_cell(&t, i, *c)) {
                snprintf(v, sizeof(v), "%.1f", 2 * csv_num(&t, i, *c));
                csv_set(&t, i, *c, v);
            }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(csv_write(path, &t));
    csv_free(&t);
}

static void test_doubled_samples_are_slower(void **state)
{
    char slow[480], dir[480], base_dir[480];
    struct csv_table t, base;

    (void)state;
    snprintf(slow, sizeof(slow), "%s/b-doubled", tmp);
    assert_int_equal(sh("cp -r %s %s", run_b, slow), 0);
    double_column(slow, "samples.csv", (const char *const[]){ "cycles", "ns", NULL });
    double_column(slow, "summary.csv", (const char *const[]){ "p50_cyc", "p50_ns", NULL });
    snprintf(base_dir, sizeof(base_dir), "%s/cmp-ab-again", tmp);
    snprintf(dir, sizeof(dir), "%s/cmp-slow", tmp);
    assert_true(sh("build/hvflush compare %s %s --out %s --quiet", run_a, run_b, base_dir) <= 1);
    assert_int_equal(sh("build/hvflush compare %s %s --out %s --quiet", run_a, slow, dir), 1);
    assert_string_equal(out, "");        /* --quiet */
    assert_true(read_compare(dir, &t) && read_compare(base_dir, &base));
    assert_int_equal(t.nrows, base.nrows);
    assert_int_equal(count_verdict(&t, "slower"), 4);
    for (unsigned i = 0; i < t.nrows; i++) {
        if (!strcmp(csv_cell(&t, i, "verdict"), "unsupported"))
            continue;
        assert_string_equal(csv_cell(&t, i, "verdict"), "slower");
        /* Twice the ratio the unmodified run had (to the CSV's 6 digits). */
        assert_true(fabs(csv_num(&t, i, "ratio") / csv_num(&base, i, "ratio") - 2) < 1e-3);
    }
    csv_free(&t);
    csv_free(&base);
}

static void test_bad_input_writes_nothing(void **state)
{
    char notrun[480], dir[480];

    (void)state;
    snprintf(notrun, sizeof(notrun), "%s/not-a-run", tmp);
    snprintf(dir, sizeof(dir), "%s/cmp-bad", tmp);
    assert_int_equal(sh("mkdir -p %s && echo x > %s/summary.csv", notrun, notrun), 0);
    assert_int_equal(sh("build/hvflush compare %s %s --out %s", run_a, notrun, dir), 2);
    assert_non_null(strstr(err, "hvflush: compare: "));
    assert_non_null(strstr(err, ": not a run directory (no readable meta.json"));
    assert_int_equal(access(dir, F_OK), -1);
    assert_int_equal(sh("build/hvflush compare %s %s --metric p90 --out %s", run_a, run_b, dir),
                     2);
    assert_int_equal(sh("build/hvflush compare %s %s --baseline %s --out %s", run_a, run_b,
                        notrun, dir), 2);
    assert_non_null(strstr(err, "is not one of the runs compared"));
    assert_int_equal(access(dir, F_OK), -1);
    /* --baseline by base name, --metric p99: a valid comparison. */
    assert_true(sh("build/hvflush compare %s %s --baseline %s --metric p99 --out %s --quiet",
                   run_a, run_b, strrchr(run_b, '/') + 1, dir) <= 1);
    assert_true(access(dir, F_OK) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare_two_runs),
        cmocka_unit_test(test_doubled_samples_are_slower),
        cmocka_unit_test(test_bad_input_writes_nothing),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
