/*
 * `hvflush import` on real records: a direct TCG run of
 * tests/sweeps/compare.sweep (--smp 2) writes records.txt; its lines, with
 * console lines between them and `\r\n` endings as a serial console gives
 * them, are a serial log as a guest of the portable image writes it (that
 * guest's log is tested by test_image_run.c).  The direct guest sends no
 * sweeptext records, so the sweep comes from the run's sweep.txt through
 * --sweep FILE, as for logs of older guests.
 *  - the import exits as the direct run did, status ok, accelerator
 *    `import`, timing class foreign-tcg (the hypervisor record), the same
 *    configurations with the same verdicts in summary.csv;
 *  - `hvflush runs` lists it; `hvflush compare` of the direct and the
 *    imported run joins every configuration (present in both); `plot` and
 *    `report` work on it;
 *  - fault: the same log less one samples record exits 1, status failed,
 *    reason named; an unreadable log exits 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

static char tmp[] = "/tmp/hvflush-test-import-XXXXXX";
static char direct[512], imported[512];
static int direct_rc;
static char out[16384], err[4096];

/* Runs a shell command; its stdout and stderr (starts) into out and err
 * (tests/integration/harness.h, sh_capture). */
HARNESS_SH(tmp, out, err)

static bool latest(const char *out_dir, char *dir, size_t cap)
{
    char link[600], target[256];
    ssize_t n;

    snprintf(link, sizeof(link), "%s/latest", out_dir);
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 0)
        return false;
    target[n] = '\0';
    snprintf(dir, cap, "%s/%s", out_dir, target);
    return true;
}

/* RUN/records.txt as a serial log: console lines between the records,
 * `\r\n` endings; skip_samples > 0 leaves out that samples record. */
static void write_log(const char *path, unsigned skip_samples)
{
    char rec[600], line[RECORD_LINE_MAX + 8];
    FILE *in, *f;
    unsigned n = 0, samples = 0;

    snprintf(rec, sizeof(rec), "%s/records.txt", direct);
    in = fopen(rec, "r");
    f = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(f);
    fputs("SeaBIOS (version test)\r\nBooting from DVD/CD...\r\n", f);
    while (fgets(line, sizeof(line), in)) {
        line[strcspn(line, "\n")] = '\0';
        if (strstr(line, " samples ") && ++samples == skip_samples)
            continue;
        if (n++ % 7 == 3)
            fprintf(f, "[progress] %u records\r\n", n);
        fprintf(f, "%s\r\n", line);
    }
    fputs("hvflush: done\r\n", f);
    fclose(f);
    fclose(in);
}

static int import_log(const char *log, const char *out_dir)
{
    return sh("build/hvflush import %s --sweep %s/sweep.txt --platform 'QEMU TCG, test' "
              "--label imp --out %s", log, direct, out_dir);
}

static int setup(void **state)
{
    char log[600], out_dir[600];

    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    direct_rc = sh("build/hvflush run --accel tcg --smp 2 --sweep tests/sweeps/compare.sweep "
                   "--quiet --label direct --out %s/direct", tmp);
    snprintf(out_dir, sizeof(out_dir), "%s/direct", tmp);
    if ((direct_rc != 0 && direct_rc != 3) || !latest(out_dir, direct, sizeof(direct))) {
        print_error("direct run failed (%d): %s\n", direct_rc, err);
        return -1;
    }
    snprintf(log, sizeof(log), "%s/serial.log", tmp);
    write_log(log, 0);
    snprintf(out_dir, sizeof(out_dir), "%s/imp", tmp);
    if (import_log(log, out_dir) != direct_rc || !latest(out_dir, imported, sizeof(imported))) {
        print_error("import failed: %s\n%s\n", err, out);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static void meta_at(const char *dir, const char *a, const char *b, char *o, size_t n)
{
    struct run_result r;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    meta_value(&r, a, b, NULL, o, n);
}

static void test_import_is_a_run(void **state)
{
    char v[256], path[700];

    (void)state;
    meta_at(imported, "status", NULL, v, sizeof(v));
    assert_string_equal(v, "ok");
    meta_at(imported, "accelerator", "name", v, sizeof(v));
    assert_string_equal(v, "import");
    /* the guest's hypervisor record (sig0 TCGTCGTCGTCG) names the class */
    meta_at(imported, "accelerator", "timing_class", v, sizeof(v));
    assert_string_equal(v, "foreign-tcg");
    meta_at(imported, "platform", NULL, v, sizeof(v));
    assert_string_equal(v, "QEMU TCG, test");
    meta_at(imported, "import", "source", v, sizeof(v));
    assert_non_null(strstr(v, "serial.log"));
    assert_non_null(strstr(imported, "-import-2cpu-imp"));
    snprintf(path, sizeof(path), "%s/serial.log", imported);
    assert_true(file_contains(path, "hvflush: done"));
}

/* Same labels, same verdicts, same sample counts as the direct run. */
static void test_same_configurations_and_verdicts(void **state)
{
    struct run_result a, b;
    struct csv_table ta, tb;

    (void)state;
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    snprintf(a.run_dir, sizeof(a.run_dir), "%s", direct);
    snprintf(b.run_dir, sizeof(b.run_dir), "%s", imported);
    assert_true(csv_read(&a, "summary.csv", &ta));
    assert_true(csv_read(&b, "summary.csv", &tb));
    assert_int_equal(ta.nrows, tb.nrows);
    assert_true(ta.nrows >= 5);
    for (unsigned i = 0; i < ta.nrows; i++) {
        assert_string_equal(csv_cell(&ta, i, "label"), csv_cell(&tb, i, "label"));
        assert_string_equal(csv_cell(&ta, i, "verdict"), csv_cell(&tb, i, "verdict"));
        assert_string_equal(csv_cell(&ta, i, "n"), csv_cell(&tb, i, "n"));
        assert_string_equal(csv_cell(&ta, i, "p50_cyc"), csv_cell(&tb, i, "p50_cyc"));
    }
    csv_free(&ta);
    csv_free(&tb);
}

static void test_runs_compare_plot_report(void **state)
{
    char path[700];
    const char *base = strrchr(imported, '/') + 1;

    (void)state;
    assert_int_equal(sh("build/hvflush runs %s/imp", tmp), 0);
    assert_non_null(strstr(out, base));
    assert_non_null(strstr(out, "foreign-tcg"));
    /* Every configuration in both runs, none present in one only. */
    int rc = sh("build/hvflush compare %s %s --out %s/cmp", direct, imported, tmp);
    if (rc != 0 && rc != 1)
        fail_msg("compare exit %d: %s", rc, err);
    snprintf(path, sizeof(path), "%s/cmp/compare.csv", tmp);
    struct run_result r;
    struct csv_table t;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s/cmp", tmp);
    assert_true(csv_read(&r, "compare.csv", &t));
    assert_true(t.nrows >= 5);
    for (unsigned i = 0; i < t.nrows; i++)
        if (!strchr(csv_cell(&t, i, "present_in"), ' '))
            fail_msg("%s present in %s only", csv_cell(&t, i, "label"),
                     csv_cell(&t, i, "present_in"));
    csv_free(&t);
    assert_int_equal(sh("build/hvflush plot %s", imported), 0);
    assert_int_equal(sh("build/hvflush report %s --out %s/r.html", imported, tmp), 0);
    snprintf(path, sizeof(path), "%s/r.html", tmp);
    assert_true(file_contains(path, "foreign"));
}

static void test_faults(void **state)
{
    char log[600], out_dir[600], dir[600], v[600];

    (void)state;
    snprintf(log, sizeof(log), "%s/short.log", tmp);
    write_log(log, 2);
    snprintf(out_dir, sizeof(out_dir), "%s/bad", tmp);
    assert_int_equal(import_log(log, out_dir), 1);
    assert_true(latest(out_dir, dir, sizeof(dir)));
    meta_at(dir, "status", NULL, v, sizeof(v));
    assert_string_equal(v, "failed");
    meta_at(dir, "reason", NULL, v, sizeof(v));
    assert_non_null(strstr(v, "out of order"));
    assert_int_equal(import_log("/nonexistent/serial.log", out_dir), 2);
    assert_non_null(strstr(err, "cannot read"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_is_a_run),
        cmocka_unit_test(test_same_configurations_and_verdicts),
        cmocka_unit_test(test_runs_compare_plot_report),
        cmocka_unit_test(test_faults),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
