/*
 * `smoke` under TCG, as a user runs it: `hvflush run --accel tcg --smp 4
 * --sweep smoke` (the sweep by name), then `hvflush plot`, and the shape of
 * every file of the run directory (shapes.h): nothing in it that
 * results/README.md does not document; meta.json's keys by type;
 * summary.csv's exact header and one row per configuration the sweep
 * expands to on 4 CPUs (computed here with bench/sweep.c), each with a
 * verdict from the allowed set, n = 0 when unsupported and whole rounds
 * of its samples otherwise, and a ci_flag (the sweep has a ci-target);
 * samples.csv (the sum of n), verify.csv, ratio.csv, throughput.csv
 * (aggregate = sum of the per-initiator rates), interference.csv,
 * costmodel.csv, decision.csv; no conformance.csv (TCG has no Hyper-V);
 * the logs and plots; exit status 0 and the `verdicts:` line matching
 * summary.csv.  Under TCG every verified configuration that runs passes
 * (TCG keeps stale entries until invalidated and honours every flush),
 * and every hypercall row is unsupported for want of Hyper-V.
 * Then each check is shown to catch its fault on doctored copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "shapes.h"

static const struct shapes_expect expect = {
    .sweep_file = "bench/sweeps/smoke.sweep",
    .sweep_name = "smoke",
    .timing_class = "emulated",
};

static struct run_result *run;

static int run_smoke(void **state)
{
    (void)state;
    run = shapes_run_and_plot("run --accel tcg --smp 4 --sweep smoke",
                              "hvflush run --sweep smoke (TCG, 4 vCPUs)");
    return run ? 0 : -1;
}

static void test_smoke_tcg_shapes(void **state)
{
    (void)state;
    if (run->exit_code != 0)
        fail_msg("hvflush run exited %d: %s", run->exit_code, run->err);
    assert_true(run->stream_ok);
    assert_string_equal(run->end_status, "ok");
    assert_int_equal(run->cpus, 4);
    assert_true(shapes_expand(&expect, (unsigned)run->cpus));
    print_message("smoke expands to %d configurations on 4 CPUs\n", shapes_sw.n);
    assert_int_equal(shapes_check_all(run, &expect), 0);
}

/* What TCG's platform decides: no Hyper-V, so no conformance suite and
 * every hv-* row unsupported with the reason; every IPI row that the
 * effect probe checks passes. */
static void test_smoke_tcg_platform(void **state)
{
    unsigned hv = 0, passed = 0;

    (void)state;
    assert_int_equal(run->nconformance, 0);
    assert_null(strstr(run->out, "conformance:"));
    for (unsigned i = 0; i < run->nconfigs; i++) {
        const struct run_config *c = &run->cfg[i];

        if (!strncmp(c->strategy, "hv-", 3)) {
            hv++;
            if (strcmp(c->unsupported, "no-hv1-interface"))
                fail_msg("%s: '%s' under TCG", c->label, c->unsupported);
        } else if (c->has_verify) {
            if (strcmp(c->verdict, "pass"))
                fail_msg("%s: verdict %s under TCG", c->label, c->verdict);
            passed++;
        }
    }
    print_message("%u hypercall rows unsupported, %u IPI rows pass\n", hv, passed);
    assert_true(hv > 0 && passed > 0);
}

static void test_smoke_tcg_checks_catch_faults(void **state)
{
    (void)state;
    shapes_assert_faults_caught(run, &expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smoke_tcg_shapes),
        cmocka_unit_test(test_smoke_tcg_platform),
        cmocka_unit_test(test_smoke_tcg_checks_catch_faults),
    };

    return cmocka_run_group_tests_name("smoke under TCG: the shape of every output file",
                                       tests, run_smoke, NULL);
}
