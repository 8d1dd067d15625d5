/*
 * The guest under this host's KVM, when /dev/kvm works (skipped otherwise).
 * Whatever the KVM is, the verdict must follow the platform: where the
 * negative control never sees a stale read (a KVM that syncs guest page
 * tables through shadow paging), every probe verdict is "inconclusive" with
 * its reason -- never "pass"; where it does, the verdicts are "pass".  A KVM
 * without Hyper-V emulation (KVM_CAP_HYPERV 0, as here) gets every
 * hypercall configuration reported unsupported, and the baselines still run.
 *
 * The hv-* flags are probed against the real QEMU + KVM here: meta.json's
 * hyperv_flags must say which were refused and why (QEMU's own words), the
 * guest's -cpu value must carry exactly the accepted ones, and the terminal
 * gets one line.  Bad --hv and --cpu values stop the run before anything
 * is written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "harness.h"

/* RUN/meta.json, parsed; the caller frees it. */
static json_t *load_meta(const struct run_result *r)
{
    char path[600];
    json_t *meta;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    meta = json_load_file(path, 0, NULL);
    assert_non_null(meta);
    return meta;
}

/* The reason hyperv_flags gives for a refused flag, NULL if not refused. */
static const char *refusal(json_t *hv, const char *flag)
{
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(hv, "refused"), i, v)
        if (!strcmp(json_string_value(json_object_get(v, "flag")), flag))
            return json_string_value(json_object_get(v, "reason"));
    return NULL;
}

static bool accepted(json_t *hv, const char *flag)
{
    json_t *v;
    size_t i;

    json_array_foreach(json_object_get(hv, "accepted"), i, v)
        if (!strcmp(json_string_value(v), flag))
            return true;
    return false;
}

/* The -cpu value QEMU was started with (meta.json's qemu.argv). */
static const char *cpu_arg(json_t *meta)
{
    json_t *argv = json_object_get(json_object_get(meta, "qemu"), "argv");

    for (size_t i = 0; i + 1 < json_array_size(argv); i++)
        if (!strcmp(json_string_value(json_array_get(argv, i)), "-cpu"))
            return json_string_value(json_array_get(argv, i + 1));
    return NULL;
}

/* --hv auto against this host's real QEMU + KVM. */
static void check_hv_flags(const struct run_result *r)
{
    json_t *meta = load_meta(r), *hv = json_object_get(meta, "hyperv_flags");
    json_t *cap = json_object_get(json_object_get(meta, "accelerator"), "kvm_cap_hyperv");
    const char *why, *cpu = cpu_arg(meta);
    size_t n;

    assert_non_null(hv);
    assert_string_equal(json_string_value(json_object_get(hv, "mode")), "auto");
    assert_true(json_is_true(json_object_get(hv, "probed")));
    n = json_array_size(json_object_get(hv, "requested"));
    assert_int_equal(n, 7);
    assert_int_equal(json_array_size(json_object_get(hv, "accepted")) +
                     json_array_size(json_object_get(hv, "refused")), n);
    /* The guest ran with exactly the accepted flags. */
    assert_non_null(cpu);
    assert_string_equal(cpu, json_string_value(json_object_get(hv, "cpu")));
    assert_non_null(strstr(r->err, "hvflush: hv flags: accepted "));
    if (json_integer_value(cap) == 0) {
        /* A KVM without Hyper-V: QEMU itself refuses hv-vpindex, in its
         * words, and what needs it goes with it. */
        why = refusal(hv, "hv-vpindex");
        assert_non_null(why);
        assert_string_equal(why, "kernel doesn't allow setting HyperV VP_INDEX");
        assert_string_equal(refusal(hv, "hv-tlbflush"), "needs hv-vpindex, which was refused");
        assert_false(accepted(hv, "hv-tlbflush"));
        assert_string_equal(cpu, "qemu64");
        assert_non_null(strstr(r->err, "refused hv-vpindex (kernel doesn't allow setting "
                                       "HyperV VP_INDEX)"));
    } else {
        assert_true(accepted(hv, "hv-vpindex"));
        assert_true(accepted(hv, "hv-tlbflush"));
        assert_non_null(strstr(cpu, ",hv-tlbflush"));
    }
    json_decref(meta);
}

/* Bad --hv and --cpu values: one line naming the problem, exit status 2,
 * no run directory. */
static const struct bad_case {
    bool needs_kvm;
    const char *args, *line;
} bad_cases[] = {
    { false, "run --accel kvm --hv hv-bogus --sweep tests/sweeps/boot.sweep",
      "hvflush: --hv: unknown flag 'hv-bogus' (known: " },
    { true, "run --accel kvm --cpu nonsense-model --sweep tests/sweeps/boot.sweep",
      "hvflush: --cpu nonsense-model: QEMU refuses it under KVM: unable to find CPU model "
      "'nonsense-model'\n" },
    { false, "run --accel tcg --cpu nonsense-model --sweep tests/sweeps/boot.sweep",
      "hvflush: --cpu nonsense-model: QEMU refuses it: unable to find CPU model "
      "'nonsense-model'\n" },
    { false, "run --accel lab --cpu nonsense-model --sweep tests/sweeps/boot.sweep",
      "hvflush: --cpu nonsense-model: QEMU refuses it: unable to find CPU model "
      "'nonsense-model'\n" },
    /* --accel auto picks the lab for a sweep with hypercalls where KVM
     * refuses hv-tlbflush, and says why, before the lab's own check stops
     * the run. */
    { true, "run --accel auto --smp 4 --memory 2000 --sweep tests/sweeps/lab.sweep",
      "hvflush: --accel auto: lab, the sweep has hv-* configurations and the local KVM "
      "refuses hv-tlbflush (needs hv-vpindex, which was refused)\n"
      "hvflush: --memory 2000 MiB does not fit L1's --lab-memory 2048 MiB" },
    /* The lab's options go with --accel auto, but only where it picks the
     * lab: a sweep without hypercalls runs on this host's KVM. */
    { true, "run --accel auto --lab-kernel 6.12 --sweep tests/sweeps/boot.sweep",
      "hvflush: --lab-kernel, --lab-memory and --lab-vcpus apply to the lab, and --accel "
      "auto chose kvm here\n" },
};

static void test_bad_hv_and_cpu(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        struct run_result *r;

        if (c->needs_kvm && !kvm_usable())
            continue;
        r = run_hvflush(c->args);
        if (r->exit_code != 2 || !strstr(r->err, c->line))
            fail_msg("%s: exit %d, stderr:\n%s", c->args, r->exit_code, r->err);
        assert_int_equal(count_entries(r->out_dir), 0);
    }
}

static void test_kvm_verdicts_follow_the_platform(void **state)
{
    struct run_result *r;
    unsigned i, probed = 0;

    (void)state;
    if (!kvm_usable())
        skip();
    r = run_hvflush("run --accel kvm --smp 2 --sweep tests/sweeps/ci.sweep");
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    check_hv_flags(r);
    assert_true(r->stream_ok);
    assert_int_equal(r->cpus, 2);
    assert_true(r->stale_read[0] != '\0');
    for (i = 0; i < r->nconfigs; i++) {
        struct run_config *c = &r->cfg[i];

        if (!strncmp(c->strategy, "hv-", 3)) {
            /* QEMU was given no hv-* flags: the guest finds no Hyper-V. */
            if (!c->unsupported[0])
                fail_msg("%s: expected unsupported", c->label);
            continue;
        }
        assert_int_equal(c->nsamples, c->samples_declared);
        if (!c->has_verify)
            continue;
        probed++;
        assert_int_equal(c->stale, 0);
        if (c->control_stale == 0)
            assert_string_equal(c->verdict, "inconclusive");
        else
            assert_string_equal(c->verdict, "pass");
    }
    assert_true(probed > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_hv_and_cpu),
        cmocka_unit_test(test_kvm_verdicts_follow_the_platform),
    };

    return cmocka_run_group_tests_name("guest under KVM", tests, NULL, NULL);
}
