/*
 * Decomposition baselines under TCG, in one run with a flushing IPI:
 *  - `ipi flush=none` (the IPI round trip, targets acknowledge without
 *    invalidating) and `cpuid` have their samples, verdict `-` in
 *    summary.csv and no verify record or verify.csv row; the IPI round
 *    trip's p50 is > 0 (cpuid does not exit under TCG, so its net p50 may
 *    be floored at 0 by the overhead subtraction);
 *  - hv-null (slow and fast input) and hv-invalid are `unsupported` with a
 *    reason (TCG has no Hyper-V), without samples or verify.csv rows;
 *  - `ipi flush=invlpg` beside them is still verified and passes.
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

#define SWEEP_PATH "/tmp/hvflush-baselines-tcg.sweep"

enum kind { TIMED_BASELINE, UNSUPPORTED_BASELINE, VERIFIED_FLUSH };

static const struct {
    const char *label;
    enum kind kind;
} expected[] = {
    { "ipi/none/p1/t1/spin", TIMED_BASELINE },
    { "ipi/none/p1/t3/spin", TIMED_BASELINE },
    { "cpuid", TIMED_BASELINE },
    { "hv-null/slow", UNSUPPORTED_BASELINE },
    { "hv-null/fast", UNSUPPORTED_BASELINE },
    { "hv-invalid", UNSUPPORTED_BASELINE },
    { "ipi/invlpg/p1/t1/spin", VERIFIED_FLUSH },
};
#define NCONFIGS (sizeof(expected) / sizeof(expected[0]))

static void test_baselines_are_timed_not_verified(void **state)
{
    FILE *f = fopen(SWEEP_PATH, "w");
    struct csv_table summary, verify;
    struct run_result *r;
    unsigned i;

    (void)state;
    assert_non_null(f);
    fprintf(f, "name baselines-tcg\nsamples 100\nwarmup 10\nverify-rounds 8\n"
               "measure ipi flush=none targets=1,3\n"
               "measure cpuid\n"
               "measure hv-null input=slow,fast\n"
               "measure hv-invalid\n"
               "measure ipi flush=invlpg targets=1\n");
    fclose(f);
    r = run_hvflush("run --accel tcg --smp 4 --sweep " SWEEP_PATH);
    unlink(SWEEP_PATH);
    assert_int_equal(r->exit_code, 0);
    assert_int_equal(r->nconfigs, NCONFIGS);
    assert_true(csv_read(r, "summary.csv", &summary));
    assert_int_equal(summary.nrows, NCONFIGS);
    for (i = 0; i < NCONFIGS; i++) {
        const struct run_config *c = &r->cfg[i];

        assert_string_equal(c->label, expected[i].label);
        assert_string_equal(csv_get(&summary, i, "label"), expected[i].label);
        assert_string_equal(c->error, "");
        if (expected[i].kind == UNSUPPORTED_BASELINE) {
            assert_true(c->unsupported[0] != '\0');
            assert_int_equal(c->nsamples, 0);
            assert_false(c->has_verify);
            assert_string_equal(csv_get(&summary, i, "verdict"), "unsupported");
            continue;
        }
        assert_string_equal(c->unsupported, "");
        assert_int_equal(c->nsamples, 100);
        /* cpuid does not exit under TCG: its net p50 may be floored at 0. */
        assert_true(csv_get(&summary, i, "p50_cyc")[0] >= '0' &&
                    csv_get(&summary, i, "p50_cyc")[0] <= '9');
        if (strcmp(expected[i].label, "cpuid") != 0)
            assert_true(strtoull(csv_get(&summary, i, "p50_cyc"), NULL, 10) > 0);
        if (expected[i].kind == TIMED_BASELINE) {
            assert_false(c->has_verify);
            assert_string_equal(csv_get(&summary, i, "verdict"), "-");
        } else {
            assert_measured_and_verified(c);
            assert_string_equal(csv_get(&summary, i, "verdict"), "pass");
        }
    }
    /* verify.csv: the flushing configuration only. */
    assert_true(csv_read(r, "verify.csv", &verify));
    assert_int_equal(verify.nrows, 1);
    assert_string_equal(csv_get(&verify, 0, "label"), "ipi/invlpg/p1/t1/spin");
    csv_free(&verify);
    csv_free(&summary);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baselines_are_timed_not_verified),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
