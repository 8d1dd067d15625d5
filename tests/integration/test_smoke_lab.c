/*
 * `smoke` in the nested lab, as a user runs it: `hvflush run --accel lab
 * --sweep smoke` (the default --smp: the host's PUs, 2 to 8; 2-5 min),
 * then `hvflush plot`, and the shape of every file of the run directory
 * (shapes.h: the same checks as under TCG, against the sweep expanded for
 * the CPUs the guest reported), plus what the lab's platform decides:
 *  - the guest has Hyper-V with the hypercall page, so conformance.csv is
 *    there with one row per case the guest ran;
 *  - every hv-* configuration is measured, unless its reason names a
 *    feature whose hv flag L1's KVM refused (meta.json hyperv_flags.refused);
 *  - the flush hypercalls' verdicts are pass, or `-` where no flush is
 *    owed (scope=unloaded) or none is verified; the decomposition
 *    baselines are `-`;
 *  - the verdicts of shootdowns whose targets take an interrupt (ipi,
 *    hv-ipi-invlpg, kvm-pv) are inconclusive: every VM exit of L2 empties
 *    its TLB in the lab, so the negative control never goes stale;
 *  - ratio.csv compares a hypercall and an IPI at 1 target;
 *  - L1's own run exited 0 with status ok.
 * Then each shape check is shown to catch its fault on doctored copies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <jansson.h>
#include "shapes.h"

static struct shapes_expect expect = {
    .sweep_file = "bench/sweeps/smoke.sweep",
    .sweep_name = "smoke",
};
static char timing_class[32];
static struct run_result *run;

/* Reasons an hv-* configuration may be unsupported in the lab, and the hv
 * flag whose refusal by L1's KVM explains each. */
static const struct { const char *reason, *flag; } refusals[] = {
    { "xmm-input-not-advertised", "hv-xmm-input" },
    { "cluster-ipi-not-advertised", "hv-ipi" },
    { "remote-flush-not-advertised", "hv-tlbflush" },
    { "ex-processor-masks-not-advertised", "hv-tlbflush" },
};

static int run_smoke(void **state)
{
    (void)state;
    run = shapes_run_and_plot("run --accel lab --sweep smoke",
                              "hvflush run --accel lab --sweep smoke");
    if (!run)
        return -1;
    meta_value(run, "accelerator", "timing_class", NULL, timing_class, sizeof(timing_class));
    expect.timing_class = timing_class;
    return 0;
}

static void test_smoke_lab_shapes(void **state)
{
    (void)state;
    if (run->exit_code != 0)
        fail_msg("hvflush run exited %d: %s", run->exit_code, run->err);
    assert_true(run->stream_ok);
    assert_string_equal(run->end_status, "ok");
    assert_true(!strcmp(timing_class, "nested-emulated") ||
                !strcmp(timing_class, "nested-hardware"));
    assert_true(shapes_expand(&expect, (unsigned)run->cpus));
    print_message("smoke expands to %d configurations on %llu CPUs\n", shapes_sw.n,
                  (unsigned long long)run->cpus);
    assert_int_equal(shapes_check_all(run, &expect), 0);
}

/* Whether L1's KVM refused the flag that explains reason. */
static bool refused_for(json_t *meta, const char *reason)
{
    json_t *refused = json_object_get(json_object_get(meta, "hyperv_flags"), "refused"), *v;
    size_t i;

    for (size_t k = 0; k < sizeof(refusals) / sizeof(refusals[0]); k++)
        if (!strcmp(reason, refusals[k].reason))
            json_array_foreach(refused, i, v)
                if (!strcmp(json_string_value(json_object_get(v, "flag")) ?: "",
                            refusals[k].flag))
                    return true;
    return false;
}

static void test_smoke_lab_platform(void **state)
{
    unsigned hv_pass = 0, ipi_inconclusive = 0;
    char path[700];
    struct csv_table t;
    json_t *meta;
    int row;

    (void)state;
    snprintf(path, sizeof(path), "%s/meta.json", run->run_dir);
    meta = json_load_file(path, 0, NULL);
    assert_non_null(meta);
    assert_int_equal(run->hv_hypercall, 1);
    assert_true(run->nconformance > 0);
    assert_true(csv_read(run, "conformance.csv", &t));
    assert_int_equal(t.nrows, run->nconformance);
    csv_free(&t);

    for (unsigned i = 0; i < run->nconfigs; i++) {
        const struct run_config *c = &run->cfg[i];
        bool hv = !strncmp(c->strategy, "hv-", 3);
        bool baseline = !strcmp(c->strategy, "hv-null") || !strcmp(c->strategy, "hv-invalid");
        bool interrupted = !strcmp(c->strategy, "ipi") ||
                           !strcmp(c->strategy, "hv-ipi-invlpg") ||
                           !strcmp(c->strategy, "kvm-pv");

        if (c->unsupported[0]) {
            if (hv && !refused_for(meta, c->unsupported))
                fail_msg("%s: unsupported (%s), and L1 refused no hv flag for it", c->label,
                         c->unsupported);
            continue;
        }
        if (c->error[0])
            fail_msg("%s: error %s", c->label, c->error);
        if (baseline && c->has_verify)
            fail_msg("%s: a baseline with a verdict (%s)", c->label, c->verdict);
        if (!c->has_verify)
            continue;
        if (interrupted) {
            if (strcmp(c->verdict, "inconclusive"))
                fail_msg("%s: verdict %s; in the lab every exit flushes L2's TLB", c->label,
                         c->verdict);
            ipi_inconclusive++;
        } else if (hv) {
            if (strcmp(c->verdict, "pass"))
                fail_msg("%s: verdict %s for a flush hypercall", c->label, c->verdict);
            hv_pass++;
        }
    }
    print_message("%u flush hypercall rows pass, %u interrupted shootdowns inconclusive, "
                  "%u conformance cases\n", hv_pass, ipi_inconclusive, run->nconformance);
    assert_true(hv_pass > 0 && ipi_inconclusive > 0);

    assert_true(csv_read(run, "ratio.csv", &t));
    row = -1;
    for (unsigned i = 0; i < t.nrows; i++)
        if (csv_num(&t, i, "targets") == 1)
            row = (int)i;
    assert_true(row >= 0);
    assert_true(*csv_cell(&t, (unsigned)row, "hv_label") &&
                *csv_cell(&t, (unsigned)row, "ipi_label") &&
                csv_num(&t, (unsigned)row, "hv_over_ipi") > 0);
    csv_free(&t);

    assert_int_equal(json_integer_value(json_object_get(
        json_object_get(json_object_get(meta, "lab"), "l1_run"), "exit_status")), 0);
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(json_object_get(meta, "lab"), "l1_run"), "status")) ?: "", "ok");
    json_decref(meta);
}

static void test_smoke_lab_checks_catch_faults(void **state)
{
    (void)state;
    shapes_assert_faults_caught(run, &expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smoke_lab_shapes),
        cmocka_unit_test(test_smoke_lab_platform),
        cmocka_unit_test(test_smoke_lab_checks_catch_faults),
    };

    return cmocka_run_group_tests_name("smoke in the nested lab: the shape of every output "
                                       "file", tests, run_smoke, NULL);
}
