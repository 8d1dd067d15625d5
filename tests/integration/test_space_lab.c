/*
 * Address spaces with real flush hypercalls (nested lab, Debian 6.1 KVM,
 * 4 vCPUs, tests/sweeps/space-lab.sweep):
 *  - scope=other: the targets run in a second address space and the call
 *    names its root; they must see the re-pointed page: `pass`, with a
 *    control that went stale (so their entries were cached in that space);
 *    scope=cr3 and all pass too;
 *  - scope=unloaded names a space loaded nowhere: measured, never verified
 *    (verdict `-` in summary.csv, no verify record, the terminal's note
 *    `no-flush-owed:unloaded-space`), and its `other-as`
 *    precision check ran its rounds (kept, lost or inconclusive, not error);
 *  - pcid=on: L2 runs -cpu qemu64, without PCID: `unsupported` with reason
 *    `no-pcid`, while the rest of the sweep runs (where a CPU has PCID, the
 *    configurations must pass instead);
 *  - global=on passes; with nonglobal=on it is not verified and its
 *    `global` precision check ran; a List call over the one 2 MiB page of
 *    large=on passes;
 *  - with `inject hv-wrong-mask` (the call names only the initiator)
 *    scope=other never passes: the probe through the other space catches
 *    a call that leaves the targets' entries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include "harness.h"

#define WRONG_MASK_SWEEP "/tmp/hvflush-space-lab-wrong-mask.sweep"

static const struct run_config *config_labelled(const struct run_result *r, const char *label)
{
    for (unsigned i = 0; i < r->nconfigs; i++)
        if (!strcmp(r->cfg[i].label, label))
            return &r->cfg[i];
    fail_msg("no configuration labelled %s", label);
    return NULL;
}

/* Asserts that configuration id has a `check` precision record that ran
 * its rounds without error; returns its result. */
static const char *precision_ran(const struct run_result *r, uint64_t id, const char *check)
{
    static char result[24];
    char path[700];
    json_t *meta, *p;
    size_t i;
    bool found = false;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    meta = json_load_file(path, 0, NULL);
    assert_non_null(meta);
    json_array_foreach(json_object_get(json_object_get(meta, "guest"), "precision"), i, p) {
        if ((uint64_t)json_integer_value(json_object_get(p, "id")) != id ||
            strcmp(json_string_value(json_object_get(p, "check")) ?: "", check))
            continue;
        found = true;
        snprintf(result, sizeof(result), "%s",
                 json_string_value(json_object_get(p, "result")) ?: "");
        assert_true(json_integer_value(json_object_get(p, "rounds")) > 0);
    }
    json_decref(meta);
    if (!found)
        fail_msg("configuration %" PRIu64 ": no %s precision record", id, check);
    assert_true(!strcmp(result, "kept") || !strcmp(result, "lost") ||
                !strcmp(result, "inconclusive"));
    return result;
}

static void test_space_lab(void **state)
{
    static const char *const verified[] = {
        "hv-space/slow/cr3/p1/t3/spin", "hv-space/slow/other-as/p1/t3/spin",
        "hv-space/slow/all-as/p1/t3/spin", "hv-space/slow/cr3/p1/t3/spin/global",
        "hv-list/slow/cr3/p1/t3/spin/large",
    };
    static const char *const pcid[] = {
        "hv-space/slow/cr3/p1/t3/spin/pcid", "hv-space/slow/other-as/p1/t3/spin/pcid",
    };
    const struct run_config *c;
    struct run_result *r;
    struct csv_table t;
    unsigned i;

    (void)state;
    r = run_hvflush("run --accel lab --smp 4 --sweep tests/sweeps/space-lab.sweep");
    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_int_equal(r->hv_hypercall, 1);
    for (i = 0; i < sizeof(verified) / sizeof(verified[0]); i++)
        assert_measured_and_verified(config_labelled(r, verified[i]));
    for (i = 0; i < sizeof(pcid) / sizeof(pcid[0]); i++) {
        c = config_labelled(r, pcid[i]);
        if (c->unsupported[0])
            assert_string_equal(c->unsupported, "no-pcid");
        else
            assert_measured_and_verified(c);
    }

    assert_true(csv_read(r, "summary.csv", &t));
    c = config_labelled(r, "hv-space/slow/unloaded-as/p1/t3/spin");
    assert_int_equal(c->nsamples, c->samples_declared);
    assert_false(c->has_verify);
    assert_string_equal(csv_cell(&t, (unsigned)csv_row_of(&t, c->label), "verdict"), "-");
    assert_string_equal(csv_cell(&t, (unsigned)csv_row_of(&t, c->label), "scope"), "unloaded");
    /* The terminal says why there is no verdict. */
    assert_true(strstr(r->out, "no-flush-owed:unloaded-space") ||
                strstr(r->err, "no-flush-owed:unloaded-space"));
    precision_ran(r, c->id, "other-as");
    c = config_labelled(r, "hv-space/slow/cr3/p1/t3/spin/nonglobal/global");
    assert_int_equal(c->nsamples, c->samples_declared);
    assert_false(c->has_verify);
    assert_string_equal(csv_cell(&t, (unsigned)csv_row_of(&t, c->label), "global"), "1");
    precision_ran(r, c->id, "global");
    csv_free(&t);
}

/* The same probe catches a call that leaves the other space's entries on
 * the targets: `inject hv-wrong-mask` names only the initiator's VP, so
 * scope=other must never read `pass`. */
static void test_other_space_wrong_mask_never_passes(void **state)
{
    FILE *f = fopen(WRONG_MASK_SWEEP, "w");
    const struct run_config *c;
    struct run_result *r;

    (void)state;
    assert_non_null(f);
    fputs("name space-lab-wrong-mask\nsamples 20\nwarmup 2\ninject hv-wrong-mask\n"
          "measure hv-space targets=3 scope=other\n", f);
    fclose(f);
    r = run_hvflush("run --accel lab --smp 4 --sweep " WRONG_MASK_SWEEP);
    unlink(WRONG_MASK_SWEEP);
    assert_true(r->stream_ok);
    c = config_labelled(r, "hv-space/slow/other-as/p1/t3/spin");
    assert_true(c->has_verify);
    if (!strcmp(c->verdict, "fail"))
        assert_true(c->stale > 0);
    else if (strcmp(c->verdict, "inconclusive"))
        fail_msg("verdict %s with a flush that names only the initiator", c->verdict);
    assert_int_equal(r->exit_code, strcmp(c->verdict, "fail") ? 0 : 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space_lab),
        cmocka_unit_test(test_other_space_wrong_mask_never_passes),
    };

    return cmocka_run_group_tests_name("address spaces in the nested lab", tests, NULL, NULL);
}
