/*
 * `hvflush compare` across hypervisor versions and timing classes: two lab
 * runs of tests/sweeps/compare-lab.sweep (--smp 2), L1 on Debian's 6.1 and
 * 6.12 kernels, and a TCG run of tests/sweeps/compare.sweep:
 *  - 6.1 against 6.12: the exit status agrees with the verdicts (1 exactly
 *    when one is `slower`), no timing-class warning, every hypercall line
 *    measured in both;
 *  - the three together: the timing-class WARNING in the text and the HTML
 *    page (nested-emulated vs emulated), the hv-list line only the lab runs
 *    have listed as such (text, compare.csv's present_in, HTML), the
 *    hypercall lines TCG cannot run listed as not measured, and the exit
 *    status agreeing with the verdicts again.
 * The tests skip only when the lab cannot be prepared (no L1 kernel: the
 * run stops before L0 starts, with a "hvflush: lab: " message).
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

static char tmp[] = "/tmp/hvflush-test-compare-lab-XXXXXX";
static char lab61[400], lab612[400], tcg[400];
static char out[16384], err[4096];
static bool lab_unavailable;

/* Runs a shell command; its stdout and stderr (starts) into out and err
 * (tests/integration/harness.h, sh_capture). */
HARNESS_SH(tmp, out, err)

/* One run into tmp/name; its run directory into dir.  -1: the lab could
 * not be prepared; 0 failed; 1 ok. */
static int one_run(const char *name, const char *args, char *dir, size_t cap)
{
    char latest[200], target[256];
    ssize_t n;
    int rc = sh("build/hvflush run %s --smp 2 --quiet --out %s/%s", args, tmp, name);

    snprintf(latest, sizeof(latest), "%s/%s/latest", tmp, name);
    n = readlink(latest, target, sizeof(target) - 1);
    if (rc != 0 && n <= 0 && strstr(err, "hvflush: lab: ")) {
        print_message("the lab cannot be prepared: %s\n", err);
        return -1;
    }
    if (rc != 0 || n <= 0) {
        print_error("run %s exited %d: %s\n", name, rc, err);
        return 0;
    }
    target[n] = '\0';
    snprintf(dir, cap, "%s/%s/%s", tmp, name, target);
    return 1;
}

static int setup(void **state)
{
    int a, b;

    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    a = one_run("lab61", "--accel lab --lab-kernel 6.1 --sweep tests/sweeps/compare-lab.sweep",
                lab61, sizeof(lab61));
    if (a < 0) {
        lab_unavailable = true;
        return 0;
    }
    b = one_run("lab612", "--accel lab --lab-kernel 6.12 --sweep tests/sweeps/compare-lab.sweep",
                lab612, sizeof(lab612));
    if (b < 0) {
        lab_unavailable = true;
        return 0;
    }
    return a && b && one_run("tcg", "--accel tcg --sweep tests/sweeps/compare.sweep", tcg,
                             sizeof(tcg)) > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return getenv("HVFLUSH_KEEP") || sh("rm -rf %s", tmp) == 0 ? 0 : -1;
}

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

static void test_lab_6_1_against_6_12(void **state)
{
    char dir[480];
    struct csv_table t;
    int rc;

    (void)state;
    if (lab_unavailable)
        skip();
    snprintf(dir, sizeof(dir), "%s/cmp-kernels", tmp);
    rc = sh("build/hvflush compare %s %s --out %s", lab61, lab612, dir);
    print_message("%s", out);
    if (rc != 0 && rc != 1)
        fail_msg("compare exited %d: %s", rc, err);
    assert_true(read_compare(dir, &t));
    assert_int_equal(rc, count_verdict(&t, "slower") > 0 ? 1 : 0);
    assert_null(strstr(out, "WARNING"));
    /* compare-lab.sweep's 7 lines, all measured in both kernels' labs. */
    assert_int_equal(t.nrows, 7);
    assert_int_equal(count_verdict(&t, "unsupported") + count_verdict(&t, "missing"), 0);
    for (unsigned i = 0; i < t.nrows; i++)
        assert_string_equal(csv_cell(&t, i, "timing_class"), "nested-emulated");
    csv_free(&t);
}

static void test_lab_and_tcg(void **state)
{
    char dir[480], path[600];
    const char *tcg_name = strrchr(tcg, '/') + 1;
    unsigned lab_only = 0, unsupported = 0;
    struct csv_table t;
    int rc;

    (void)state;
    if (lab_unavailable)
        skip();
    snprintf(dir, sizeof(dir), "%s/cmp-classes", tmp);
    rc = sh("build/hvflush compare %s %s %s --out %s", lab61, lab612, tcg, dir);
    print_message("%s", out);
    if (rc != 0 && rc != 1)
        fail_msg("compare exited %d: %s", rc, err);
    assert_true(read_compare(dir, &t));
    assert_int_equal(rc, count_verdict(&t, "slower") > 0 ? 1 : 0);
    /* Loud: in the text, the page and the body the report inlines. */
    assert_non_null(strstr(out, "WARNING: the runs' timing classes differ "
                                "(nested-emulated vs emulated)"));
    snprintf(path, sizeof(path), "%s/compare.html", dir);
    assert_true(file_contains(path, "class=\"warning\">WARNING: the runs' timing classes differ"));
    snprintf(path, sizeof(path), "%s/compare-body.html", dir);
    assert_true(file_contains(path, "WARNING"));
    snprintf(path, sizeof(path), "%s/compare.svg", dir);
    assert_true(file_contains(path, "nested-emulated vs emulated"));
    /* 7 configurations against the baseline, for two runs. */
    assert_int_equal(t.nrows, 14);
    for (unsigned i = 0; i < t.nrows; i++) {
        bool tcg_row = !strcmp(csv_cell(&t, i, "run"), tcg_name);

        if (!strncmp(csv_cell(&t, i, "label"), "hv-list", 7)) {
            /* In both lab runs, not in the TCG run. */
            assert_null(strstr(csv_cell(&t, i, "present_in"), tcg_name));
            if (tcg_row)
                assert_string_equal(csv_cell(&t, i, "verdict"), "missing");
            else
                assert_true(strcmp(csv_cell(&t, i, "verdict"), "missing") &&
                            strcmp(csv_cell(&t, i, "verdict"), "unsupported"));
            lab_only += tcg_row;
        } else if (tcg_row && !strncmp(csv_cell(&t, i, "label"), "hv-space", 8)) {
            assert_string_equal(csv_cell(&t, i, "verdict"), "unsupported");
            unsupported++;
        }
    }
    assert_int_equal(lab_only, 1);
    assert_int_equal(unsupported, 2);
    assert_non_null(strstr(out, "configurations only in some runs: 1\n  hv-list"));
    assert_non_null(strstr(out, "in A B, not in C"));
    assert_non_null(strstr(out, "not measured (n = 0) in the baseline or the run: 2"));
    snprintf(path, sizeof(path), "%s/compare.html", dir);
    assert_true(file_contains(path, "Configurations only in some runs (1)"));
    csv_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_6_1_against_6_12),
        cmocka_unit_test(test_lab_and_tcg),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
