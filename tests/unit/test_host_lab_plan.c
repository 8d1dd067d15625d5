/*
 * Unit tests of where a run goes (host/accel.c, host/lab/run.c):
 * --accel auto's choice and its one-line reason for every combination that
 * matters, the default guest CPU model per timing class, and the lab's L0
 * choice (nested-hardware only with VMX/SVM, a usable KVM and nested=1).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "accel.h"
#include "lab/lab.h"

static const struct auto_case {
    bool kvm_usable, hv_off, tlbflush, sweep_hv;
    const char *accel, *why;
} auto_cases[] = {
    { true, false, true, true, "kvm",
      "--accel auto: kvm, with Hyper-V enlightenments (the local KVM accepts hv-tlbflush)" },
    { true, false, true, false, "kvm",
      "--accel auto: kvm, with Hyper-V enlightenments (the local KVM accepts hv-tlbflush)" },
    /* This machine: KVM refuses hv-*, the sweep wants hypercalls. */
    { true, false, false, true, "lab",
      "--accel auto: lab, the sweep has hv-* configurations and the local KVM refuses "
      "hv-tlbflush (needs hv-vpindex, which was refused)" },
    { false, false, false, true, "lab",
      "--accel auto: lab, the sweep has hv-* configurations and KVM is not usable here "
      "(cannot open /dev/kvm: No such file or directory)" },
    { true, false, false, false, "kvm",
      "--accel auto: kvm, /dev/kvm works and the sweep has no hv-* configurations" },
    { true, true, false, true, "kvm",
      "--accel auto: kvm, /dev/kvm works and --hv off asks for no hypercalls" },
    { false, false, false, false, "tcg",
      "--accel auto: tcg, KVM is not usable here (cannot open /dev/kvm: No such file or "
      "directory) and the sweep has no hv-* configurations" },
    { false, true, false, true, "tcg",
      "--accel auto: tcg, KVM is not usable here (cannot open /dev/kvm: No such file or "
      "directory) and --hv off asks for no hypercalls" },
};

static void test_accel_auto(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(auto_cases) / sizeof(auto_cases[0]); i++) {
        const struct auto_case *c = &auto_cases[i];
        struct accel_auto_input in = {
            .kvm_usable = c->kvm_usable,
            .kvm_reason = "cannot open /dev/kvm: No such file or directory",
            .hv_off = c->hv_off, .kvm_hv_tlbflush = c->tlbflush,
            .hv_tlbflush_refusal = "needs hv-vpindex, which was refused",
            .sweep_has_hv = c->sweep_hv,
        };
        char why[512];
        const char *a = accel_auto_choose(&in, why, sizeof(why));

        if (strcmp(a, c->accel) || strcmp(why, c->why))
            fail_msg("case %zu: %s '%s', wanted %s '%s'", i, a, why, c->accel, c->why);
    }
}

static void test_default_cpu(void **state)
{
    (void)state;
    assert_string_equal(accel_default_cpu("kvm", timing_class_for("kvm", true)), "host");
    assert_string_equal(accel_default_cpu("kvm", timing_class_for("kvm", false)), "qemu64");
    /* L1's run: svm in L1's cpuinfo, but the outer timing class is nested. */
    assert_string_equal(accel_default_cpu("kvm", timing_class_by_name("nested-emulated")),
                        "qemu64");
    assert_string_equal(accel_default_cpu("kvm", timing_class_by_name("nested-hardware")),
                        "qemu64");
    assert_string_equal(accel_default_cpu("tcg", timing_class_for("tcg", true)),
                        "qemu64,+rdtscp");
}

static const struct l0_case {
    bool kvm_usable, vmx, svm, nested;
    const char *accel, *cpu, *module, *timing_class;
} l0_cases[] = {
    { true, true, false, true, "kvm", "host", "kvm_intel", "nested-hardware" },
    { true, false, true, true, "kvm", "host", "kvm_amd", "nested-hardware" },
    { true, true, false, false, "tcg", "qemu64,+svm,+npt", "kvm_amd", "nested-emulated" },
    { false, false, true, true, "tcg", "qemu64,+svm,+npt", "kvm_amd", "nested-emulated" },
    /* This machine: a usable KVM without VMX or SVM. */
    { true, false, false, false, "tcg", "qemu64,+svm,+npt", "kvm_amd", "nested-emulated" },
};

static void test_lab_l0_choice(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(l0_cases) / sizeof(l0_cases[0]); i++) {
        const struct l0_case *c = &l0_cases[i];
        struct lab_plan lab;
        const struct timing_class *tc;

        memset(&lab, 0, sizeof(lab));
        lab_choose_l0(c->kvm_usable, c->vmx, c->svm, c->nested, &lab);
        tc = timing_class_for("lab", !strcmp(lab.l0_accel, "kvm"));
        if (strcmp(lab.l0_accel, c->accel) || strcmp(lab.l0_cpu, c->cpu) ||
            strcmp(lab.kvm_module, c->module) || strcmp(tc->name, c->timing_class))
            fail_msg("case %zu: %s %s %s %s", i, lab.l0_accel, lab.l0_cpu, lab.kvm_module,
                     tc->name);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accel_auto),
        cmocka_unit_test(test_default_cpu),
        cmocka_unit_test(test_lab_l0_choice),
    };

    return cmocka_run_group_tests_name("run placement", tests, NULL, NULL);
}
