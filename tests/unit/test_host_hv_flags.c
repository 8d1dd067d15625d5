/*
 * Unit tests of the hv-* flag probe's narrowing (host/hv_flags.c) against
 * a fake QEMU that answers the way QEMU 7.2 does: a refused flag is named
 * in the message ("... (hv-tlbflush-ext) is not supported by kernel"), or
 * not at all ("kernel doesn't allow setting HyperV VP_INDEX"), and a KVM
 * without Hyper-V takes hv-tlbflush without hv-vpindex silently — which the
 * probe must still refuse.  The real QEMU is probed in test_guest_kvm.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "hv_flags.h"

struct fake_qemu {
    const char *refuse;         /* comma-separated flags this "KVM" refuses */
    bool names_flag;            /* the refusal names the flag */
    unsigned starts;
};

static bool listed(const char *list, const char *flag, size_t n)
{
    for (const char *p = list; p && *p; ) {
        size_t m = strcspn(p, ",");

        if (m == n && !strncmp(p, flag, n))
            return true;
        p += m + (p[m] == ',');
    }
    return false;
}

static bool fake_try(void *ctx, const char *cpu, char *reason, size_t cap)
{
    struct fake_qemu *q = ctx;
    size_t model = strcspn(cpu, ",");

    q->starts++;
    if (strncmp(cpu, "qemu64", model) || model != 6) {
        snprintf(reason, cap, "unable to find CPU model '%.*s'", (int)model, cpu);
        return false;
    }
    for (const char *p = cpu + model; *p == ','; ) {
        size_t n = strcspn(p + 1, ",");

        if (listed(q->refuse, p + 1, n)) {
            if (q->names_flag)
                snprintf(reason, cap, "Hyper-V feature (%.*s) is not supported by kernel",
                         (int)n, p + 1);
            else
                snprintf(reason, cap, "kernel doesn't allow setting HyperV VP_INDEX");
            return false;
        }
        p += n + 1;
    }
    return true;
}

static void accepted_names(const struct hv_result *r, char *out, size_t cap)
{
    out[0] = '\0';
    for (unsigned i = 0; i < r->naccepted; i++)
        snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? "," : "",
                 r->accepted[i]->name);
}

static const char *reason_of(const struct hv_result *r, const char *flag)
{
    for (unsigned i = 0; i < r->nrefused; i++)
        if (!strcmp(r->refused[i].flag->name, flag))
            return r->refused[i].reason;
    return NULL;
}

static const struct probe_case {
    const char *refuse;
    bool names_flag;
    const char *accepted;
    unsigned starts;
    const char *refused_flag, *refused_reason;
} cases[] = {
    /* Everything taken: one start. */
    { "", true, "hv-vpindex,hv-relaxed,hv-tlbflush,hv-tlbflush-ext,hv-xmm-input,hv-ipi,"
      "hv-frequencies", 1, NULL, NULL },
    /* The lab's 6.1 kernel: hv-tlbflush-ext named and dropped; hv-tlbflush,
     * whose name is its prefix, stays. */
    { "hv-tlbflush-ext", true, "hv-vpindex,hv-relaxed,hv-tlbflush,hv-xmm-input,hv-ipi,"
      "hv-frequencies", 2, "hv-tlbflush-ext",
      "Hyper-V feature (hv-tlbflush-ext) is not supported by kernel" },
    /* A named hv-vpindex takes what needs it along, without more starts. */
    { "hv-vpindex", true, "hv-relaxed,hv-xmm-input,hv-frequencies", 2, "hv-tlbflush-ext",
      "needs hv-tlbflush, which was refused" },
    /* This machine's KVM: the message names no flag; narrowed down one by
     * one (model, then vpindex, relaxed, xmm-input, frequencies), and
     * hv-tlbflush is refused although the fake would take it alone. */
    { "hv-vpindex", false, "hv-relaxed,hv-xmm-input,hv-frequencies", 6, "hv-tlbflush",
      "needs hv-vpindex, which was refused" },
    { "hv-vpindex,hv-frequencies", false, "hv-relaxed,hv-xmm-input", 6, "hv-frequencies",
      "kernel doesn't allow setting HyperV VP_INDEX" },
};

static void test_probe_narrowing(void **state)
{
    struct hv_request auto_req = { .mode = HV_AUTO };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct probe_case *c = &cases[i];
        struct fake_qemu q = { .refuse = c->refuse, .names_flag = c->names_flag };
        struct hv_result r;
        char err[256], got[512], cpu[520];

        assert_true(hv_probe(&auto_req, "qemu64", fake_try, &q, &r, err, sizeof(err)));
        accepted_names(&r, got, sizeof(got));
        if (strcmp(got, c->accepted) || q.starts != c->starts || r.probes != q.starts)
            fail_msg("case %zu: accepted '%s' in %u starts, wanted '%s' in %u", i, got,
                     q.starts, c->accepted, c->starts);
        assert_int_equal(r.nrequested, 7);
        assert_int_equal(r.naccepted + r.nrefused, 7);
        snprintf(cpu, sizeof(cpu), "qemu64%s%s", got[0] ? "," : "", got);
        assert_string_equal(r.cpu, cpu);
        if (c->refused_flag) {
            const char *why = reason_of(&r, c->refused_flag);

            assert_non_null(why);
            assert_string_equal(why, c->refused_reason);
        }
        assert_true(hv_result_accepted(&r, "hv-relaxed"));
    }
}

/* A model QEMU does not know is the caller's bad input, named by QEMU. */
static void test_model_refused(void **state)
{
    struct hv_request auto_req = { .mode = HV_AUTO }, none = { .mode = HV_OFF };
    struct fake_qemu q = { .refuse = "", .names_flag = true };
    struct hv_result r;
    char err[256];

    (void)state;
    assert_false(hv_probe(&auto_req, "nonsense-model", fake_try, &q, &r, err, sizeof(err)));
    assert_string_equal(err, "unable to find CPU model 'nonsense-model'");
    assert_int_equal(r.naccepted, 0);
    assert_false(hv_probe(&none, "nonsense-model", fake_try, &q, &r, err, sizeof(err)));
    assert_true(hv_probe(&none, "qemu64", fake_try, &q, &r, err, sizeof(err)));
    assert_string_equal(r.cpu, "qemu64");
}

static void test_line_and_json(void **state)
{
    struct hv_request req;
    struct fake_qemu q = { .refuse = "hv-ipi", .names_flag = true };
    struct hv_result r;
    char err[256], line[1024];
    json_t *j;

    (void)state;
    assert_true(hv_request_parse("hv-vpindex,hv-ipi", &req, err, sizeof(err)));
    assert_true(hv_probe(&req, "qemu64", fake_try, &q, &r, err, sizeof(err)));
    hv_result_line(&r, line, sizeof(line));
    assert_string_equal(line, "hv flags: accepted hv-vpindex; refused hv-ipi (Hyper-V feature "
                              "(hv-ipi) is not supported by kernel)");
    j = hv_result_json(&req, &r);
    assert_string_equal(json_string_value(json_object_get(j, "mode")), "hv-vpindex,hv-ipi");
    assert_int_equal(json_array_size(json_object_get(j, "accepted")), 1);
    assert_string_equal(json_string_value(json_object_get(
        json_array_get(json_object_get(j, "refused"), 0), "flag")), "hv-ipi");
    assert_string_equal(json_string_value(json_object_get(j, "cpu")), "qemu64,hv-vpindex");
    json_decref(j);
    hv_result_refuse_all(&r, "qemu64", "KVM_CAP_HYPERV is 0");
    assert_int_equal(r.naccepted, 0);
    assert_int_equal(r.nrefused, 2);
    assert_string_equal(r.cpu, "qemu64");
    hv_result_unused(&req, "qemu64,+rdtscp", "TCG has no Hyper-V", &r);
    hv_result_line(&r, line, sizeof(line));
    assert_string_equal(line, "hv flags: none used (TCG has no Hyper-V)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_narrowing),
        cmocka_unit_test(test_model_refused),
        cmocka_unit_test(test_line_and_json),
    };

    return cmocka_run_group_tests_name("hv flags", tests, NULL, NULL);
}
