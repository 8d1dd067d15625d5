/*
 * `hvflush compare` on two real TCG runs of tests/sweeps/compare.sweep made
 * with --repeat 3 (--smp 2): boot 1 in RUN/, boots 2 and 3 in RUN/boot-N.
 *  - compare.csv ends with boots_baseline, boots_run and interval; every
 *    measured configuration rests on 3 + 3 boots with a between-boot
 *    interval, the hypercall lines (unsupported under TCG) have none; the
 *    exit status agrees with the verdicts; no single-boot note;
 *  - the same run B with its boot-N folders removed (one boot): the
 *    intervals are within-boot, boots_run is 1, the note is printed, and
 *    under --min-boots 3 no `slower` fails the gate (exit 0);
 *  - fault injection: run B with every boot's samples made 4 times longer
 *    (samples.csv of boot 1, the TSC rate in boots 2 and 3's records
 *    divided by 4) is `slower` with a between-boot interval in every
 *    measured configuration, and exit 1 under --min-boots 3.  (4x, not 2x:
 *    TCG on a loaded host moves an IPI's p50 by ~30 % from boot to boot,
 *    and the interval of 3 + 3 boots rightly holds that; the 2x case with
 *    steadier boots is tests/unit/test_compare_boots.c's.)
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

static char tmp[] = "/tmp/hvflush-test-boots-XXXXXX";
static char run_a[400], run_b[400];
static char out[16384], err[4096];

/* Runs a shell command; its stdout and stderr (starts) into out and err
 * (tests/integration/harness.h, sh_capture). */
HARNESS_SH(tmp, out, err)

/* One TCG run of 3 boots into tmp/name; its run directory into dir. */
static bool tcg_run(const char *name, char *dir, size_t cap)
{
    char latest[200], target[256];
    ssize_t n;

    if (sh("build/hvflush run --accel tcg --smp 2 --sweep tests/sweeps/compare.sweep "
           "--repeat 3 --quiet --out %s/%s", tmp, name) != 0) {
        print_error("run %s failed: %s\n", name, out);
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
    return getenv("KEEP") || sh("rm -rf %s", tmp) == 0 ? 0 : -1;
}

/* compare A B [extra] into tmp/name; its exit status, compare.csv into t. */
static int compare(const char *name, const char *b, const char *extra, struct csv_table *t)
{
    static struct run_result r;
    int rc;

    snprintf(r.run_dir, sizeof(r.run_dir), "%s/%s", tmp, name);
    rc = sh("build/hvflush compare %s %s %s --out %s", run_a, b, extra, r.run_dir);
    if (rc != 0 && rc != 1)
        fail_msg("compare exited %d: %s", rc, out);
    assert_true(csv_read(&r, "compare.csv", t));
    return rc;
}

static bool measured(const struct csv_table *t, unsigned i)
{
    return strncmp(csv_cell(t, i, "label"), "hv-space", 8) != 0;
}

static unsigned count_prefix(const struct csv_table *t, const char *v)
{
    unsigned n = 0;

    for (unsigned i = 0; i < t->nrows; i++)
        n += !strncmp(csv_cell(t, i, "verdict"), v, strlen(v));
    return n;
}

static void test_three_boots_between_boot(void **state)
{
    struct csv_table t;
    int rc;

    (void)state;
    rc = compare("cmp-3", run_b, "", &t);
    assert_string_equal(t.cols[t.ncols - 3], "boots_baseline");
    assert_string_equal(t.cols[t.ncols - 2], "boots_run");
    assert_string_equal(t.cols[t.ncols - 1], "interval");
    assert_int_equal(t.nrows, 6);
    assert_int_equal(rc, count_prefix(&t, "slower") > 0 ? 1 : 0);
    for (unsigned i = 0; i < t.nrows; i++) {
        if (!measured(&t, i)) {
            assert_string_equal(csv_cell(&t, i, "verdict"), "unsupported");
            assert_string_equal(csv_cell(&t, i, "interval"), "");
            continue;
        }
        assert_string_equal(csv_cell(&t, i, "boots_baseline"), "3");
        assert_string_equal(csv_cell(&t, i, "boots_run"), "3");
        assert_string_equal(csv_cell(&t, i, "interval"), "between-boot");
        assert_true(csv_num(&t, i, "ci_lo") <= csv_num(&t, i, "ratio") &&
                    csv_num(&t, i, "ratio") <= csv_num(&t, i, "ci_hi"));
    }
    csv_free(&t);
    assert_null(strstr(out, "note: "));
    assert_non_null(strstr(out, "3 boots"));
}

static void test_single_boot_marked(void **state)
{
    char single[480];
    struct csv_table t;
    int rc;

    (void)state;
    snprintf(single, sizeof(single), "%s/b-single", tmp);
    assert_int_equal(sh("cp -r %s %s && rm -r %s/boot-2 %s/boot-3", run_b, single, single,
                        single), 0);
    rc = compare("cmp-1", single, "", &t);
    assert_int_equal(rc, count_prefix(&t, "slower") > 0 ? 1 : 0);
    for (unsigned i = 0; i < t.nrows; i++)
        if (measured(&t, i)) {
            assert_string_equal(csv_cell(&t, i, "boots_run"), "1");
            assert_string_equal(csv_cell(&t, i, "interval"), "within-boot");
        }
    csv_free(&t);
    assert_non_null(strstr(out, "note: 4 interval(s) come from a single boot"));
    /* --min-boots 3: whatever is slower is reported, never gating. */
    assert_int_equal(compare("cmp-1-min3", single, "--min-boots 3", &t), 0);
    for (unsigned i = 0; i < t.nrows; i++)
        assert_string_not_equal(csv_cell(&t, i, "verdict"), "slower");
    csv_free(&t);
}

/* Multiplies the ns and cycles of DIR/samples.csv by 4. */
static void quadruple_samples(const char *dir)
{
    static struct run_result r;
    struct csv_table t;
    char path[800], v[64];

    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    assert_true(csv_read(&r, "samples.csv", &t));
    for (unsigned i = 0; i < t.nrows; i++)
        for (const char *const *c = (const char *const[]){ "cycles", "ns", NULL }; *c; c++) {
            snprintf(v, sizeof(v), "%.1f", 4 * csv_num(&t, i, *c));
            csv_set(&t, i, *c, v);
        }
    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    assert_true(csv_write(path, &t));
    csv_free(&t);
}

/* Divides tsc_hz in the platform record of DIR/records.txt by 4 (its CRC
 * recomputed), which makes every sample 4 times longer in ns: the records
 * of a boot whose flushes took 4 times as long at the same cycle counts. */
static void quarter_tsc_hz(const char *dir)
{
    char path[600], line[2600], *tsc, *hash;
    FILE *in, *outf;
    char tmp_path[620];

    snprintf(path, sizeof(path), "%s/records.txt", dir);
    snprintf(tmp_path, sizeof(tmp_path), "%s.new", path);
    in = fopen(path, "r");
    outf = fopen(tmp_path, "w");
    assert_true(in && outf);
    while (fgets(line, sizeof(line), in)) {
        if (strstr(line, " platform ") && (tsc = strstr(line, " tsc_hz=")) &&
            (hash = strstr(line, " #"))) {
            unsigned long long hz = strtoull(tsc + 8, NULL, 10);
            char rest[1100], head[2400];

            snprintf(rest, sizeof(rest), "%s", strchr(tsc + 8, ' '));
            snprintf(head, sizeof(head), "%.*s tsc_hz=%llu%s", (int)(tsc - line), line, hz / 4,
                     rest);
            *strstr(head, " #") = '\0';
            snprintf(line, sizeof(line), "%s #%08x\n", head,
                     (unsigned)bench_crc32(head, strlen(head)));
        }
        fputs(line, outf);
    }
    fclose(in);
    assert_int_equal(fclose(outf), 0);
    assert_int_equal(rename(tmp_path, path), 0);
}

static void test_slowed_boots_are_slower(void **state)
{
    char slow[480], boot[520];
    struct csv_table t;

    (void)state;
    snprintf(slow, sizeof(slow), "%s/b-slowed", tmp);
    assert_int_equal(sh("cp -r %s %s", run_b, slow), 0);
    quadruple_samples(slow);
    for (unsigned b = 2; b <= 3; b++) {
        snprintf(boot, sizeof(boot), "%s/boot-%u", slow, b);
        quarter_tsc_hz(boot);
    }
    assert_int_equal(compare("cmp-slow", slow, "--min-boots 3", &t), 1);
    for (unsigned i = 0; i < t.nrows; i++)
        if (measured(&t, i)) {
            assert_string_equal(csv_cell(&t, i, "verdict"), "slower");
            assert_string_equal(csv_cell(&t, i, "interval"), "between-boot");
        }
    csv_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_boots_between_boot),
        cmocka_unit_test(test_single_boot_marked),
        cmocka_unit_test(test_slowed_boots_are_slower),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
