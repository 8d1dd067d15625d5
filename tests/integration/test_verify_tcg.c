/*
 * The effect probe can fail, and the run's exit status follows it (TCG):
 *  - an IPI sweep (spinning and halted targets, invlpg and CR3 reload)
 *    passes: exit 0, every verdict `pass` with noop_pass_p <= 1e-3 in
 *    verify.csv, verdict counts in meta.json;
 *  - the same sweep with `inject skip-flush` (targets acknowledge without
 *    invalidating) reads `fail` for every configuration: exit 3, while the
 *    run itself is complete (meta.json status ok, results/latest, verify.csv
 *    written).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

#define SWEEP_PATH "/tmp/hvflush-verify-tcg.sweep"
#define NCONFIGS 3

static struct run_result *run_ipi_sweep(const char *inject)
{
    FILE *f = fopen(SWEEP_PATH, "w");
    struct run_result *r;

    assert_non_null(f);
    fprintf(f, "name verify-tcg\nsamples 50\nwarmup 5\nverify-rounds 8\n%s%s%s"
               "measure ipi flush=invlpg,cr3 pages=1 targets=1 state=spin\n"
               "measure ipi flush=invlpg pages=2 targets=1 state=halt\n",
            inject ? "inject " : "", inject ? inject : "", inject ? "\n" : "");
    fclose(f);
    r = run_hvflush("run --accel tcg --smp 2 --sweep " SWEEP_PATH);
    unlink(SWEEP_PATH);
    return r;
}

struct csv_row { char verdict[16], noop[16], reason[96]; unsigned long rounds, control_rounds; };

/* Reads verify.csv's rows (in id order); returns how many. */
static unsigned read_verify_csv(const struct run_result *r, struct csv_row *rows, unsigned max)
{
    char path[700], line[512];
    unsigned n = 0;
    FILE *f;

    snprintf(path, sizeof(path), "%s/verify.csv", r->run_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_non_null(strstr(line, "control_rounds,control_stale,control_stale_rounds,"
                                 "noop_pass_p,reason"));
    while (n < max && fgets(line, sizeof(line), f)) {
        struct csv_row *w = &rows[n];

        /* id,label,verdict,rounds,fresh,stale,control_rounds,control_stale,
         * control_stale_rounds,noop_pass_p,reason */
        w->reason[0] = '\0';              /* empty for pass */
        if (sscanf(line, "%*u,%*[^,],%15[^,],%lu,%*u,%*u,%lu,%*u,%*u,%15[^,],%95[^\n]",
                   w->verdict, &w->rounds, &w->control_rounds, w->noop, w->reason) >= 4)
            n++;
    }
    fclose(f);
    return n;
}

static double noop_value(const char *s)
{
    return s[0] == '<' ? 0.0 : strtod(s, NULL);
}

static void test_ipi_sweep_passes(void **state)
{
    struct run_result *r = run_ipi_sweep(NULL);
    struct csv_row rows[NCONFIGS];
    char v[32];

    (void)state;
    if (r->exit_code != 0)
        fail_msg("exit %d, stderr %s", r->exit_code, r->err);
    assert_int_equal(read_verify_csv(r, rows, NCONFIGS), NCONFIGS);
    for (unsigned i = 0; i < NCONFIGS; i++) {
        if (strcmp(rows[i].verdict, "pass"))
            fail_msg("config %u: %s (%s)", i, rows[i].verdict, rows[i].reason);
        assert_true(noop_value(rows[i].noop) <= 1e-3);
        assert_true(rows[i].rounds >= 8);
        assert_true(rows[i].control_rounds >= rows[i].rounds);
    }
    meta_value(r, "verdicts", "pass", NULL, v, sizeof(v));
    assert_string_equal(v, "3");
    meta_value(r, "verdicts", "fail", NULL, v, sizeof(v));
    assert_string_equal(v, "0");
}

static void test_skip_flush_fails_with_exit_3(void **state)
{
    struct run_result *r = run_ipi_sweep("skip-flush");
    struct csv_row rows[NCONFIGS];
    char v[32];

    (void)state;
    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3), stderr %s", r->exit_code, r->err);
    assert_non_null(strstr(r->err, "failed verification"));
    assert_true(r->run_dir[0] != '\0');          /* results/latest was updated */
    assert_true(r->stream_ok);
    meta_string(r, "status", v, sizeof(v));
    assert_string_equal(v, "ok");
    assert_int_equal(read_verify_csv(r, rows, NCONFIGS), NCONFIGS);
    for (unsigned i = 0; i < NCONFIGS; i++) {
        if (strcmp(rows[i].verdict, "fail"))
            fail_msg("config %u: %s (%s), wanted fail", i, rows[i].verdict, rows[i].reason);
        assert_string_equal(rows[i].reason, "stale-read-after-shootdown");
    }
    meta_value(r, "verdicts", "fail", NULL, v, sizeof(v));
    assert_string_equal(v, "3");
    meta_value(r, "sweep", "inject", NULL, v, sizeof(v));
    assert_string_equal(v, "skip-flush");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipi_sweep_passes),
        cmocka_unit_test(test_skip_flush_fails_with_exit_3),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
