/*
 * Unit tests of the conformance judgement (bench/conformance_cases.c and
 * host/analysis/conformance.c): the case table is well formed, the hypervisor and
 * its version come from meta.json, every expected answer reads `match`, a
 * changed answer reads `deviation` (in conformance.csv and on the
 * terminal), a case the guest refused is never judged, and a
 * version-specific row picks the entry of the version that answered.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bench/conformance.h>
#include "analysis/conformance.h"

static const struct conformance_env kvm61 = { .kvm = true, .major = 6, .minor = 1,
                                              .release = "6.1.0-56-amd64" };

/* A conformance record as the guest writes it (status name or fault). */
static json_t *record(const char *kase, const char *status, int fault, const char *tlfs,
                      const char *refused)
{
    json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:i, s:s}", "case", kase, "call", "hv-space",
                          "input", "slow", "status", status, "fault", fault, "tlfs", tlfs);

    if (refused)
        json_object_set_new(r, "refused", json_string(refused));
    return r;
}

/* The record a KVM that answers as the table expects would produce. */
static json_t *expected_record(const struct conf_case *k)
{
    const char *o = k->kvm[0].outcome;
    int fault = !strcmp(o, "fault-gp") ? 13 : !strcmp(o, "fault-ud") ? 6 : 0;

    return record(k->name, fault ? "-" : o, fault, conf_tlfs_expected(k, true, true), NULL);
}

static void test_table_well_formed(void **state)
{
    unsigned i, j, refused_by_guest = 0;

    (void)state;
    assert_true(conf_ncases > 30);
    for (i = 0; i < conf_ncases; i++) {
        const struct conf_case *k = &conf_cases[i];
        const char *tlfs = conf_tlfs_expected(k, true, true);

        assert_non_null(k->tlfs);
        assert_ptr_equal(conf_case_find(k->name), k);
        for (j = i + 1; j < conf_ncases; j++)
            assert_string_not_equal(k->name, conf_cases[j].name);
        if (!k->kvm[0].outcome) {
            /* Only a call the guest never issues has no KVM answer. */
            assert_string_equal(k->name, "list-fast-no-fit");
            refused_by_guest++;
            continue;
        }
        for (j = 0; j < CONF_KVM_EXPECT_MAX && k->kvm[j].outcome; j++) {
            /* Where KVM does not answer as the TLFS does, the row says why. */
            if (strcmp(k->kvm[j].outcome, tlfs))
                assert_non_null(k->kvm[j].reason);
            if (j)
                assert_true(k->kvm[j].since_major > k->kvm[j - 1].since_major ||
                            (k->kvm[j].since_major == k->kvm[j - 1].since_major &&
                             k->kvm[j].since_minor > k->kvm[j - 1].since_minor));
        }
    }
    assert_int_equal(refused_by_guest, 1);
    assert_null(conf_case_find("no-such-case"));
}

static void test_tlfs_follows_features(void **state)
{
    const struct conf_case *unchecked = conf_case_find("space-fast-unchecked");
    const struct conf_case *ex = conf_case_find("space-ex-one");

    (void)state;
    assert_string_equal(conf_tlfs_expected(unchecked, true, true), "SUCCESS");
    assert_string_equal(conf_tlfs_expected(unchecked, false, true), "fault-ud");
    assert_string_equal(conf_tlfs_expected(ex, true, true), "SUCCESS");
    assert_string_equal(conf_tlfs_expected(ex, true, false), CONF_TLFS_NONE);
}

static void test_env_from_meta(void **state)
{
    struct conformance_env env;
    json_t *lab = json_pack("{s:{s:s}, s:{s:{s:s}}, s:{s:s}}", "accelerator", "name", "lab",
                            "lab", "l1", "kernel_release", "6.12.38+deb13-amd64",
                            "host", "kernel", "Linux 6.1.0-9-amd64 #1 SMP x86_64");
    json_t *kvm = json_pack("{s:{s:s}, s:{s:s}}", "accelerator", "name", "kvm",
                            "host", "kernel", "Linux 6.1.0-56-amd64 #1 SMP PREEMPT x86_64");
    json_t *tcg = json_pack("{s:{s:s}}", "accelerator", "name", "tcg");
    json_t *bare = json_pack("{s:{s:s}}", "accelerator", "name", "kvm");

    (void)state;
    conformance_env_from_meta(lab, &env);       /* L1's kernel, not the host's */
    assert_true(env.kvm);
    assert_int_equal(env.major, 6);
    assert_int_equal(env.minor, 12);
    assert_string_equal(env.release, "6.12.38+deb13-amd64");
    conformance_env_from_meta(kvm, &env);
    assert_true(env.kvm);
    assert_int_equal(env.minor, 1);
    assert_string_equal(env.release, "6.1.0-56-amd64");
    conformance_env_from_meta(tcg, &env);
    assert_false(env.kvm);
    conformance_env_from_meta(bare, &env);      /* KVM, version unknown */
    assert_true(env.kvm);
    assert_int_equal(env.major, 0);
    assert_string_equal(env.release, "");
    conformance_env_from_meta(NULL, &env);
    assert_false(env.kvm);
    json_decref(lab);
    json_decref(kvm);
    json_decref(tcg);
    json_decref(bare);
}

static void test_expected_answers_match(void **state)
{
    unsigned i;

    (void)state;
    for (i = 0; i < conf_ncases; i++) {
        struct conformance_verdict v;
        json_t *r;

        if (!conf_cases[i].kvm[0].outcome)
            continue;
        r = expected_record(&conf_cases[i]);
        conformance_judge(r, &kvm61, &v);
        if (strcmp(v.kvm_verdict, "match"))
            fail_msg("%s: %s", conf_cases[i].name, v.kvm_verdict);
        assert_false(v.refused);
        json_decref(r);
    }
}

static void test_changed_answer_is_deviation(void **state)
{
    static const struct { const char *kase, *status; int fault; const char *tlfs, *tlfs_verdict; }
    changed[] = {
        /* KVM began to check alignment: the TLFS's answer, not KVM's. */
        { "space-gpa-misaligned", "INVALID_ALIGNMENT", 0, "INVALID_ALIGNMENT", "match" },
        /* A rep count on a simple call accepted. */
        { "space-rep-count-1", "SUCCESS", 0, "INVALID_HYPERCALL_INPUT", "deviation" },
        /* A valid call refused. */
        { "list-one", "INVALID_PARAMETER", 0, "SUCCESS", "deviation" },
        /* VP_INDEX writable, or #UD instead of #GP. */
        { "vp-index-wrmsr", "SUCCESS", 0, "-", "-" },
        { "vp-index-wrmsr", "-", 6, "-", "-" },
    };
    unsigned i;

    (void)state;
    for (i = 0; i < sizeof(changed) / sizeof(changed[0]); i++) {
        struct conformance_verdict v;
        json_t *r = record(changed[i].kase, changed[i].status, changed[i].fault,
                           changed[i].tlfs, NULL);

        conformance_judge(r, &kvm61, &v);
        assert_string_equal(v.kvm_verdict, "deviation");
        assert_string_equal(v.tlfs_verdict, changed[i].tlfs_verdict);
        json_decref(r);
    }
}

static void test_refused_is_not_judged(void **state)
{
    struct conformance_verdict v;
    json_t *r = record("list-fast-no-fit", "-", 0, "-", "does-not-fit-fast-input");

    (void)state;
    conformance_judge(r, &kvm61, &v);
    assert_true(v.refused);
    assert_string_equal(v.outcome, "refused");
    assert_string_equal(v.kvm_verdict, "refused-by-guest");
    assert_string_equal(v.tlfs_verdict, "refused-by-guest");
    assert_string_equal(v.reason, "does-not-fit-fast-input");
    json_decref(r);
}

static void test_unknown_hypervisor_or_case(void **state)
{
    struct conformance_env none = { 0 };
    struct conformance_verdict v;
    json_t *known = record("space-one", "SUCCESS", 0, "SUCCESS", NULL);
    json_t *unknown = record("space-from-elsewhere", "SUCCESS", 0, "SUCCESS", NULL);

    (void)state;
    conformance_judge(known, &none, &v);
    assert_string_equal(v.kvm_verdict, "unknown");
    assert_string_equal(v.tlfs_verdict, "match");
    conformance_judge(unknown, &kvm61, &v);
    assert_string_equal(v.kvm_verdict, "unknown");
    json_decref(known);
    json_decref(unknown);
}

static void test_version_specific_row(void **state)
{
    static const struct conf_case row = {
        .name = "versioned", .tlfs = "INVALID_ALIGNMENT",
        .kvm = { { .outcome = "SUCCESS", .reason = "old KVM does not check" },
                 { .outcome = "INVALID_ALIGNMENT", .since_major = 6, .since_minor = 2 } },
    };
    static const struct conf_case same = {
        .name = "unversioned", .tlfs = "SUCCESS", .kvm = { { .outcome = "SUCCESS" } },
    };

    (void)state;
    assert_string_equal(conf_kvm_expected(&row, 6, 1)->outcome, "SUCCESS");
    assert_string_equal(conf_kvm_expected(&row, 5, 15)->outcome, "SUCCESS");
    assert_string_equal(conf_kvm_expected(&row, 6, 2)->outcome, "INVALID_ALIGNMENT");
    assert_string_equal(conf_kvm_expected(&row, 6, 12)->outcome, "INVALID_ALIGNMENT");
    assert_null(conf_kvm_expected(&row, 0, 0));     /* which one: unknown */
    assert_string_equal(conf_kvm_expected(&same, 0, 0)->outcome, "SUCCESS");
}

/* conformance.csv and the terminal lines of a run whose KVM answered one
 * case differently. */
static void test_write_and_print(void **state)
{
    char dir[] = "/tmp/hvflush-conf-XXXXXX", path[128], *text = NULL, line[1024];
    struct conformance_counts c;
    struct run_data d;
    json_t *cases = json_array(), *meta;
    size_t len = 0;
    unsigned i, rows = 0, deviations = 0;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    meta = json_pack("{s:{s:s}, s:{s:{s:s}}}", "accelerator", "name", "lab", "lab", "l1",
                     "kernel_release", "6.1.0-56-amd64");
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    assert_int_equal(json_dump_file(meta, path, 0), 0);
    for (i = 0; i < conf_ncases; i++) {
        const struct conf_case *k = &conf_cases[i];

        if (!k->kvm[0].outcome)
            json_array_append_new(cases, record(k->name, "-", 0, "-", "does-not-fit-fast-input"));
        else if (!strcmp(k->name, "space-ex-varhead-mismatch"))
            json_array_append_new(cases, record(k->name, "SUCCESS", 0, "-", NULL));
        else
            json_array_append_new(cases, expected_record(k));
    }
    memset(&d, 0, sizeof(d));
    d.guest = json_pack("{s:o}", "conformance", cases);
    assert_true(conformance_write(dir, &d, line, sizeof(line)));
    snprintf(path, sizeof(path), "%s/conformance.csv", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f));
    assert_string_equal(line, "case,call,input,status,code,reps,fault,outcome,tlfs,"
                              "tlfs_verdict,kvm_version,kvm,kvm_verdict,reason\n");
    while (fgets(line, sizeof(line), f)) {
        rows++;
        if (strstr(line, ",deviation,"))
            deviations++;
        if (!strncmp(line, "space-ex-varhead-mismatch,", 26))
            assert_non_null(strstr(line, ",6.1.0-56-amd64,INVALID_HYPERCALL_INPUT,deviation,"));
    }
    fclose(f);
    assert_int_equal(rows, conf_ncases);
    /* The changed case, and the two inputs KVM does not check alignment of
     * (TLFS deviations). */
    assert_int_equal(deviations, 3);

    f = open_memstream(&text, &len);
    conformance_print(f, dir, &d, &c);
    fclose(f);
    assert_int_equal(c.cases, conf_ncases - 1);
    assert_int_equal(c.refused, 1);
    assert_int_equal(c.kvm_deviation, 1);
    assert_int_equal(c.kvm_match, conf_ncases - 2);
    assert_int_equal(c.tlfs_deviation, 2);
    assert_int_equal(c.tlfs_match + c.tlfs_deviation + c.tlfs_none, c.cases);
    snprintf(line, sizeof(line), "conformance: %u cases — TLFS: %u match, 2 deviate, %u not "
             "prescribed; KVM 6.1: %u as expected, 1 unexpected, 0 unknown; 1 refused by the "
             "guest (not issued)\n", conf_ncases - 1, c.tlfs_match, c.tlfs_none,
             conf_ncases - 2);
    assert_non_null(strstr(text, line));
    assert_non_null(strstr(text, "conformance: unexpected: space-ex-varhead-mismatch "
                                 "(hv-space, slow input): SUCCESS, expected of KVM 6.1: "
                                 "INVALID_HYPERCALL_INPUT\n"));
    free(text);
    json_decref(d.guest);
    json_decref(meta);
    snprintf(line, sizeof(line), "rm -rf '%s'", dir);
    assert_int_equal(system(line), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_well_formed),
        cmocka_unit_test(test_tlfs_follows_features),
        cmocka_unit_test(test_env_from_meta),
        cmocka_unit_test(test_expected_answers_match),
        cmocka_unit_test(test_changed_answer_is_deviation),
        cmocka_unit_test(test_refused_is_not_judged),
        cmocka_unit_test(test_unknown_hypervisor_or_case),
        cmocka_unit_test(test_version_specific_row),
        cmocka_unit_test(test_write_and_print),
    };

    return cmocka_run_group_tests_name("conformance judgement", tests, NULL, NULL);
}
