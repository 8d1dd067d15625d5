/*
 * Address spaces, global entries and the large window under TCG
 * (tests/sweeps/space-tcg.sweep, 4 vCPUs):
 *  - ipi flushes of a global window and of the one-2-MiB-page window are
 *    verified `pass` with a control that went stale (so the probe did read
 *    cached global and 2 MiB entries); `ipi flush=cr3 global=on` is a plain
 *    CR3 reload: it passes exactly where the global-cr3 probe says a CR3
 *    load empties global entries (TCG does), and must fail where it says
 *    they survive;
 *  - spaces=3 (targets switch through three address spaces before every
 *    sample) is verified `pass`; pcid=on is `unsupported` with reason
 *    `no-pcid` (TCG has no PCID) while the rest of the sweep runs;
 *    hv-space scope=other and unloaded are `unsupported` (no Hyper-V);
 *  - summary.csv carries spaces, pcid, global and large per row;
 *  - with `inject skip-flush` the global, large and spaces=3 shootdowns
 *    read `fail` (exit 3): the probe catches a flush that misses global or
 *    2 MiB entries, or the home space's entries after the switches.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "harness.h"

#define INJECT_SWEEP "/tmp/hvflush-space-tcg-inject.sweep"

static const struct run_config *config_labelled(const struct run_result *r, const char *label)
{
    for (unsigned i = 0; i < r->nconfigs; i++)
        if (!strcmp(r->cfg[i].label, label))
            return &r->cfg[i];
    fail_msg("no configuration labelled %s", label);
    return NULL;
}

/* The result of meta.json's guest probe `name` ("" if absent). */
static void probe_result(const struct run_result *r, const char *name, char *out, size_t n)
{
    char path[700];
    json_t *meta, *probes, *p;
    size_t i;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    out[0] = '\0';
    meta = json_load_file(path, 0, NULL);
    assert_non_null(meta);
    probes = json_object_get(json_object_get(meta, "guest"), "probes");
    json_array_foreach(probes, i, p)
        if (!strcmp(json_string_value(json_object_get(p, "name")) ?: "", name))
            snprintf(out, n, "%s", json_string_value(json_object_get(p, "result")) ?: "");
    json_decref(meta);
}

static void assert_space_columns(const struct csv_table *t, const char *label,
                                 const char *spaces, const char *pcid, const char *global,
                                 const char *large)
{
    int row = csv_row_of(t, label);

    if (row < 0)
        fail_msg("summary.csv has no row %s", label);
    assert_string_equal(csv_cell(t, (unsigned)row, "spaces"), spaces);
    assert_string_equal(csv_cell(t, (unsigned)row, "pcid"), pcid);
    assert_string_equal(csv_cell(t, (unsigned)row, "global"), global);
    assert_string_equal(csv_cell(t, (unsigned)row, "large"), large);
}

static void test_space_sweep(void **state)
{
    struct run_result *r;
    const struct run_config *c;
    struct csv_table t;
    char global_cr3[24];
    bool survives;

    (void)state;
    r = run_hvflush("run --accel tcg --smp 4 --sweep tests/sweeps/space-tcg.sweep");
    assert_true(r->stream_ok);
    probe_result(r, "global-cr3", global_cr3, sizeof(global_cr3));
    assert_true(!strcmp(global_cr3, "survives") || !strcmp(global_cr3, "flushed") ||
                !strcmp(global_cr3, "unknown"));
    survives = !strcmp(global_cr3, "survives");
    if (r->exit_code != (survives ? 3 : 0))
        fail_msg("exit %d with global-cr3 %s: %s", r->exit_code, global_cr3, r->err);

    assert_measured_and_verified(config_labelled(r, "ipi/invlpg/p1/t2/spin/global"));
    assert_measured_and_verified(config_labelled(r, "ipi/invlpg/p1/t2/spin/large"));
    assert_measured_and_verified(config_labelled(r, "ipi/cr3/p1/t2/spin/large"));
    assert_measured_and_verified(config_labelled(r, "ipi/invlpg/p1/t2/spin/s3"));
    c = config_labelled(r, "ipi/cr3/p1/t2/spin/global");
    assert_true(c->has_verify);
    assert_string_equal(c->verdict, survives ? "fail" : "pass");
    for (const char *l = "local/invlpg/p1/global"; l; l = strcmp(l, "local/invlpg/p1/large") ?
                                                         "local/invlpg/p1/large" : NULL) {
        c = config_labelled(r, l);
        assert_int_equal(c->nsamples, c->samples_declared);
        assert_false(c->has_verify);
    }
    c = config_labelled(r, "ipi/invlpg/p1/t2/spin/pcid");
    assert_string_equal(c->unsupported, "no-pcid");
    assert_int_equal(c->nsamples, 0);
    assert_true(config_labelled(r, "hv-space/slow/other-as/p1/t2/spin")->unsupported[0]);
    assert_true(config_labelled(r, "hv-space/slow/unloaded-as/p1/t2/spin")->unsupported[0]);

    assert_true(csv_read(r, "summary.csv", &t));
    assert_space_columns(&t, "ipi/invlpg/p1/t2/spin/global", "1", "0", "1", "0");
    assert_space_columns(&t, "ipi/cr3/p1/t2/spin/large", "1", "0", "0", "1");
    assert_space_columns(&t, "ipi/invlpg/p1/t2/spin/s3", "3", "0", "0", "0");
    assert_space_columns(&t, "ipi/invlpg/p1/t2/spin/pcid", "1", "1", "0", "0");
    assert_space_columns(&t, "hv-space/slow/unloaded-as/p1/t2/spin", "1", "0", "0", "0");
    assert_string_equal(csv_cell(&t, (unsigned)csv_row_of(&t, "ipi/invlpg/p1/t2/spin/pcid"),
                                 "verdict"), "unsupported");
    csv_free(&t);
}

static void test_skip_flush_misses_global_large_and_spaces(void **state)
{
    static const char *const labels[] = {
        "ipi/invlpg/p1/t1/spin/global", "ipi/invlpg/p1/t1/spin/large",
        "ipi/invlpg/p1/t1/spin/s3",
    };
    FILE *f = fopen(INJECT_SWEEP, "w");
    struct run_result *r;

    (void)state;
    assert_non_null(f);
    fputs("name space-tcg-inject\nsamples 20\nwarmup 2\nverify-rounds 8\ninject skip-flush\n"
          "measure ipi targets=1 global=on\nmeasure ipi targets=1 large=on\n"
          "measure ipi targets=1 spaces=3\n", f);
    fclose(f);
    r = run_hvflush("run --accel tcg --smp 2 --sweep " INJECT_SWEEP);
    unlink(INJECT_SWEEP);
    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3): %s", r->exit_code, r->err);
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        const struct run_config *c = config_labelled(r, labels[i]);

        if (!c->has_verify || strcmp(c->verdict, "fail"))
            fail_msg("%s: verdict %s, wanted fail", labels[i], c->verdict);
        assert_true(c->stale > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space_sweep),
        cmocka_unit_test(test_skip_flush_misses_global_large_and_spaces),
    };

    return cmocka_run_group_tests_name("address spaces, global and large entries under TCG",
                                       tests, NULL, NULL);
}
