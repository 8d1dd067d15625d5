/*
 * Unit tests of the CPU model a KVM run gives a sweep with kvm-pv lines
 * (host/kvm_pv.c): kvm-pv-tlb-flush=on added to a model that lacks it,
 * never to host/max or a model that names it, never without kvm-pv.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "kvm_pv.h"

static void test_model(void **state)
{
    struct sweep_config c[2] = { { .strategy = STRATEGY_IPI }, { .strategy = STRATEGY_KVM_PV } };
    char buf[128];

    (void)state;
    assert_string_equal(kvm_pv_cpu_model("qemu64", c, 2, buf, sizeof(buf)),
                        "qemu64,kvm-pv-tlb-flush=on");
    assert_string_equal(kvm_pv_cpu_model("qemu64,hv-vpindex", c, 2, buf, sizeof(buf)),
                        "qemu64,hv-vpindex,kvm-pv-tlb-flush=on");
    assert_string_equal(kvm_pv_cpu_model("qemu64", c, 1, buf, sizeof(buf)), "qemu64");
    assert_string_equal(kvm_pv_cpu_model("host", c, 2, buf, sizeof(buf)), "host");
    assert_string_equal(kvm_pv_cpu_model("max,+pdpe1gb", c, 2, buf, sizeof(buf)),
                        "max,+pdpe1gb");
    assert_string_equal(kvm_pv_cpu_model("qemu64,kvm-pv-tlb-flush=off", c, 2, buf,
                                         sizeof(buf)), "qemu64,kvm-pv-tlb-flush=off");
    /* Too long for the buffer: the model unchanged, never a cut string. */
    assert_string_equal(kvm_pv_cpu_model("qemu64", c, 2, buf, 10), "qemu64");
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_model) };

    return cmocka_run_group_tests_name("kvm-pv cpu model", tests, NULL, NULL);
}
