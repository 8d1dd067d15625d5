/*
 * "hvflush compare" on hand-made run directories (meta.json, summary.csv,
 * samples.csv written here):
 *  - the join by label: configurations in some runs only, a label repeated
 *    in one run, runs with nothing in common, directories that are not runs;
 *  - unsupported (n = 0) and interval-less (no samples.csv) configurations;
 *  - compare_runs() end to end: the same run twice is `same` and exit 0,
 *    a configuration twice as slow is `slower` and exit 1, twice as fast is
 *    `faster` and exit 0; bad input exits 2 and writes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/compare_internal.h"
#include "util.h"

static char tmp[256];

struct fx_config {
    const char *label;
    unsigned n;                 /* samples (0: unsupported) */
    double scale;               /* the samples' factor */
};

/* Writes run directory tmp/name with the configurations given. */
static const char *make_run(const char *name, const struct fx_config *c, unsigned nc,
                            bool with_samples)
{
    static char dirs[8][512];
    static unsigned next;
    char *dir = dirs[next++ % 8], path[600];
    FILE *sum, *smp;
    static const char meta[] = "{\"status\": \"ok\", \"accelerator\": {\"timing_class\": "
                               "\"emulated\", \"label\": \"TCG\"}}\n";

    snprintf(dir, 512, "%s/%s", tmp, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    assert_true(write_file(path, meta, strlen(meta)));
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    sum = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    smp = with_samples ? fopen(path, "w") : NULL;
    assert_non_null(sum);
    fputs("id,label,strategy,n,p50_ns,p99_ns\n", sum);
    if (smp)
        fputs("id,label,index,cycles,ns\n", smp);
    for (unsigned i = 0; i < nc; i++) {
        double v[400];

        assert_true(c[i].n <= 400);
        /* A spread of 1000..1199 ns, shuffled by a stride, times scale. */
        for (unsigned k = 0; k < c[i].n; k++)
            v[k] = c[i].scale * (1000 + (k * 37) % 200);
        fprintf(sum, "%u,%s,ipi,%u,", i, c[i].label, c[i].n);
        if (c[i].n)
            fprintf(sum, "%.1f,%.1f\n", c[i].scale * 1100, c[i].scale * 1198);
        else
            fputs(",\n", sum);
        for (unsigned k = 0; smp && k < c[i].n; k++)
            fprintf(smp, "%u,%s,%u,%.0f,%.1f\n", i, c[i].label, k, v[k] * 2, v[k]);
    }
    fclose(sum);
    if (smp)
        fclose(smp);
    return dir;
}

static int setup(void **state)
{
    char cwd[200];

    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/hvflush-test-compare-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    /* The plot script lives in the source tree: tests run from its root. */
    if (!getenv("HVFLUSH_ROOT") && getcwd(cwd, sizeof(cwd)))
        setenv("HVFLUSH_ROOT", cwd, 1);
    hv_set_quiet(true);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    return getenv("KEEP") || system(cmd) == 0 ? 0 : -1;
}

static const struct cmp_row *row(const struct cmp_table *t, const char *label)
{
    for (unsigned i = 0; i < t->nrows; i++)
        if (!strcmp(t->rows[i].label, label))
            return &t->rows[i];
    fail_msg("no row %s", label);
    return NULL;
}

static void test_join_partial_and_repeated(void **state)
{
    const struct fx_config a[] = { { "a", 100, 1 }, { "b", 100, 1 }, { "c", 100, 1 },
                                   { "c", 100, 1 }, { "u", 100, 1 } };
    const struct fx_config b[] = { { "b", 100, 1 }, { "c", 100, 1 }, { "d", 100, 1 },
                                   { "u", 0, 1 } };
    const struct fx_config c[] = { { "a", 100, 1 }, { "c", 100, 1 } };
    const char *dirs[3] = { make_run("join-a", a, 5, true), make_run("join-b", b, 4, true),
                            make_run("join-c", c, 2, false) };
    struct compare_opts o = { .runs = dirs, .nruns = 3, .baseline = 0, .threshold_pct = 5,
                              .metric = COMPARE_P50 };
    struct cmp_run runs[3];
    struct cmp_table t;
    char err[256];

    (void)state;
    for (unsigned r = 0; r < 3; r++)
        assert_true(compare_load_run(dirs[r], &runs[r], err, sizeof(err)));
    assert_string_equal(runs[0].lat[3].label, "c#2");
    assert_true(compare_join(&o, runs, &t, err, sizeof(err)));
    compare_evaluate(&t);
    /* The baseline's order first, then what the others add. */
    assert_int_equal(t.nrows, 6);
    assert_string_equal(t.rows[0].label, "a");
    assert_string_equal(t.rows[3].label, "c#2");
    assert_string_equal(t.rows[5].label, "d");
    assert_int_equal(row(&t, "a")->present, 2);
    assert_null(row(&t, "a")->e[1]);
    assert_int_equal(row(&t, "a")->cell[1].verdict, CMP_MISSING);
    assert_int_equal(row(&t, "d")->cell[1].verdict, CMP_MISSING);   /* not in the baseline */
    assert_int_equal(row(&t, "c#2")->present, 1);
    assert_int_equal(row(&t, "b")->cell[1].verdict, CMP_SAME);
    assert_int_equal(row(&t, "u")->cell[1].verdict, CMP_UNSUPPORTED);
    /* C has no samples.csv: a ratio, no interval, never decisive. */
    assert_int_equal(row(&t, "c")->cell[2].verdict, CMP_NO_CI);
    assert_true(row(&t, "c")->cell[2].has_ratio && !row(&t, "c")->cell[2].has_ci);
    assert_int_equal(row(&t, "c")->cell[1].verdict, CMP_SAME);
    assert_int_equal(t.counts[CMP_MISSING], 7);
    compare_free_table(&t);
    for (unsigned r = 0; r < 3; r++)
        compare_free_run(&runs[r]);
}

static void test_nothing_in_common_and_not_runs(void **state)
{
    const struct fx_config a[] = { { "a", 50, 1 } }, z[] = { { "z", 50, 1 } };
    const char *dirs[2] = { make_run("common-a", a, 1, true), make_run("common-z", z, 1, true) };
    struct compare_opts o = { .runs = dirs, .nruns = 2, .threshold_pct = 5 };
    struct cmp_run runs[2];
    struct cmp_table t;
    char err[256], dir[300], path[400];

    (void)state;
    for (unsigned r = 0; r < 2; r++)
        assert_true(compare_load_run(dirs[r], &runs[r], err, sizeof(err)));
    assert_false(compare_join(&o, runs, &t, err, sizeof(err)));
    assert_non_null(strstr(err, "no configuration in common"));
    for (unsigned r = 0; r < 2; r++)
        compare_free_run(&runs[r]);
    /* An empty directory, then one with meta.json only. */
    snprintf(dir, sizeof(dir), "%s/not-a-run", tmp);
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_false(compare_load_run(dir, &runs[0], err, sizeof(err)));
    assert_non_null(strstr(err, "meta.json"));
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    assert_true(write_file(path, "{}", 2));
    assert_false(compare_load_run(dir, &runs[0], err, sizeof(err)));
    assert_non_null(strstr(err, "summary.csv"));
}

static bool exists(const char *dir, const char *name)
{
    char path[600];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

/* compare_runs() on A and B into tmp/out-NAME; returns its exit status. */
static int compare_two(const char *name, const char *a, const char *b, char *out, size_t cap)
{
    const char *dirs[2] = { a, b };
    struct compare_opts o = { .runs = dirs, .nruns = 2, .threshold_pct = 5,
                              .metric = COMPARE_P50, .out_dir = out };

    snprintf(out, cap, "%s/out-%s", tmp, name);
    return compare_runs(&o);
}

static void test_compare_runs_exit_status(void **state)
{
    const struct fx_config base[] = { { "x", 300, 1 }, { "y", 300, 1 } };
    const struct fx_config slow[] = { { "x", 300, 1 }, { "y", 300, 2 } };
    const struct fx_config fast[] = { { "x", 300, 0.5 }, { "y", 300, 1 } };
    const char *a = make_run("gate-a", base, 2, true), *same = make_run("gate-same", base, 2, true);
    const char *s = make_run("gate-slow", slow, 2, true), *f = make_run("gate-fast", fast, 2, true);
    char out[400], path[500], *csv;
    size_t len;

    (void)state;
    assert_int_equal(compare_two("same", a, same, out, sizeof(out)), 0);
    assert_true(exists(out, "compare.csv") && exists(out, "compare.txt") &&
                exists(out, "compare.html") && exists(out, "compare-body.html") &&
                exists(out, "compare.svg") && exists(out, "compare.png"));
    snprintf(path, sizeof(path), "%s/compare-body.html", out);
    assert_true(read_file(path, &csv, &len, 0));
    assert_null(strstr(csv, "<html"));
    assert_non_null(strstr(csv, "<img src=\"compare.svg\""));
    free(csv);

    assert_int_equal(compare_two("slow", a, s, out, sizeof(out)), 1);
    snprintf(path, sizeof(path), "%s/compare.csv", out);
    assert_true(read_file(path, &csv, &len, 0));
    /* p50 of 1000..1199 ns (each value 1.5 times): 1099. */
    assert_non_null(strstr(csv, "\ny,gate-slow,gate-a,p50,ns,300,300,1099,2198,2,"));
    assert_non_null(strstr(csv, ",slower,5,emulated,gate-a gate-slow,1,1,within-boot\n"));
    assert_non_null(strstr(csv, "\nx,gate-slow,gate-a,p50,ns,300,300,1099,1099,1,"));
    assert_non_null(strstr(csv, ",same,5,emulated,gate-a gate-slow,1,1,within-boot\n"));
    free(csv);

    assert_int_equal(compare_two("fast", a, f, out, sizeof(out)), 0);
    snprintf(path, sizeof(path), "%s/compare.csv", out);
    assert_true(read_file(path, &csv, &len, 0));
    assert_non_null(strstr(csv, ",faster,"));
    free(csv);
}

static void test_bad_input_writes_nothing(void **state)
{
    const struct fx_config base[] = { { "x", 30, 1 } };
    const char *a = make_run("bad-a", base, 1, true);
    char out[400], notrun[300], path[500];

    (void)state;
    snprintf(notrun, sizeof(notrun), "%s/bad-not-a-run", tmp);
    assert_int_equal(mkdir(notrun, 0755), 0);
    assert_int_equal(compare_two("bad", a, notrun, out, sizeof(out)), 2);
    assert_int_equal(access(out, F_OK), -1);
    /* An existing, non-empty --out is refused and left as it was. */
    assert_int_equal(mkdir(out, 0755), 0);
    snprintf(path, sizeof(path), "%s/keep", out);
    assert_true(write_file(path, "x", 1));
    assert_int_equal(compare_two("bad", a, a, out, sizeof(out)), 2);
    assert_true(exists(out, "keep") && !exists(out, "compare.csv"));
    /* An existing empty one is used. */
    unlink(path);
    assert_int_equal(compare_two("bad", a, a, out, sizeof(out)), 0);
    assert_true(exists(out, "compare.csv"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_partial_and_repeated),
        cmocka_unit_test(test_nothing_in_common_and_not_runs),
        cmocka_unit_test(test_compare_runs_exit_status),
        cmocka_unit_test(test_bad_input_writes_nothing),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
