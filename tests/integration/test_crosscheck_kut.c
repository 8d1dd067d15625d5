/*
 * "hvflush crosscheck vmexit" end to end.
 *
 * Always: bad input exits 2 with one "hvflush: crosscheck: ..." line and
 * writes nothing -- a missing --kut directory, a directory that is not a
 * kvm-unit-tests tree, and a tree whose vmexit.flat cannot be built (its
 * ./configure fails).
 *
 * With HVFLUSH_KUT_DIR (a kvm-unit-tests source tree; vmexit.flat is built
 * there if missing), under TCG: crosscheck.csv has the three checks, each
 * with vmexit's figure and hvflush's p50 and ratio, and the consoles of
 * the three boots of each vmexit test are kept.  Without it the test reports SKIP.
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
#include "harness.h"

/* One line on stderr, starting with prefix; exit 2; nothing under --out. */
static void assert_refused(const struct run_result *r, const char *prefix)
{
    assert_int_equal(r->exit_code, 2);
    if (strncmp(r->err, prefix, strlen(prefix)) != 0)
        fail_msg("stderr '%s' does not start with '%s'", r->err, prefix);
    assert_non_null(strchr(r->err, '\n'));
    assert_string_equal(strchr(r->err, '\n'), "\n");
    assert_int_equal(count_entries(r->out_dir), 0);
}

static void test_bad_kut_dir(void **state)
{
    char tree[] = "/tmp/hvflush-kut-fake-XXXXXX", path[128], args[256];
    struct run_result *r;
    FILE *f;

    (void)state;
    assert_refused(run_hvflush("crosscheck vmexit --kut /nonexistent/kvm-unit-tests"),
                   "hvflush: crosscheck: --kut /nonexistent/kvm-unit-tests: not a directory");
    assert_non_null(mkdtemp(tree));
    snprintf(args, sizeof(args), "crosscheck vmexit --kut %s --accel tcg", tree);
    r = run_hvflush(args);
    assert_refused(r, "hvflush: crosscheck: --kut /tmp/hvflush-kut-fake-");
    assert_non_null(strstr(r->err, "not a kvm-unit-tests tree"));
    /* A tree with x86/vmexit.c whose ./configure fails: no way to build. */
    snprintf(path, sizeof(path), "%s/x86", tree);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/x86/vmexit.c", tree);
    assert_non_null(f = fopen(path, "w"));
    fclose(f);
    snprintf(path, sizeof(path), "%s/configure", tree);
    assert_non_null(f = fopen(path, "w"));
    fputs("#!/bin/sh\necho 'this tree cannot be configured' >&2\nexit 1\n", f);
    fclose(f);
    assert_int_equal(chmod(path, 0755), 0);
    r = run_hvflush(args);
    assert_refused(r, "hvflush: crosscheck: cannot build ");
    assert_non_null(strstr(r->err, "./configure failed"));
    snprintf(args, sizeof(args), "rm -rf %s", tree);
    assert_int_equal(system(args), 0);
}

static void test_crosscheck_tcg(void **state)
{
    static const char *const names[] = { "ipi-halt", "ipi-spin", "cpuid" };
    const char *kut = getenv("HVFLUSH_KUT_DIR");
    struct csv_table t;
    struct run_result *r;
    char args[1024], path[768];

    (void)state;
    if (!kut || !*kut)
        skip();
    snprintf(args, sizeof(args), "crosscheck vmexit --kut %s --accel tcg --smp 2", kut);
    r = run_hvflush(args);
    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(csv_read(r, "crosscheck.csv", &t));
    assert_int_equal(t.nrows, 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_string_equal(csv_cell(&t, i, "name"), names[i]);
        assert_true(strtoull(csv_cell(&t, i, "kut_cycles"), NULL, 10) > 0);
        assert_true(strtoull(csv_cell(&t, i, "hvflush_n"), NULL, 10) > 0);
        assert_string_equal(csv_cell(&t, i, "accel"), "tcg,thread=multi");
        assert_string_equal(csv_cell(&t, i, "timing_class"), "emulated");
        assert_string_equal(csv_cell(&t, i, "kut_runs"), "3");
        assert_true(strtoull(csv_cell(&t, i, "kut_worst_cycles"), NULL, 10) >=
                    strtoull(csv_cell(&t, i, "kut_cycles"), NULL, 10));
    }
    /* The IPI round trip takes time under TCG; cpuid may net to 0 there. */
    for (unsigned i = 0; i < 2; i++) {
        assert_string_equal(csv_cell(&t, i, "kut_figure"), "bracket-mean");
        assert_true(strtoull(csv_cell(&t, i, "hvflush_p50_cyc"), NULL, 10) > 0);
        assert_true(strtod(csv_cell(&t, i, "ratio_kut_p50"), NULL) > 0);
        assert_true(strtod(csv_cell(&t, i, "ratio_kut_mean"), NULL) > 0);
    }
    assert_string_equal(csv_cell(&t, 2, "kut_figure"), "loop-mean");
    csv_free(&t);
    for (unsigned boot = 1; boot <= 3; boot++) {
        snprintf(path, sizeof(path), "%s/kut-ipi-%u.log", r->run_dir, boot);
        assert_true(file_contains(path, "  ipi ipi "));
        snprintf(path, sizeof(path), "%s/kut-cpuid-%u.log", r->run_dir, boot);
        assert_true(file_contains(path, "cpuid "));
    }
    assert_non_null(strstr(r->out, "== crosscheck: kvm-unit-tests vmexit vs hvflush"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_kut_dir),
        cmocka_unit_test(test_crosscheck_tcg),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
