/*
 * An Ex flush call whose target has VP index 65 (the case the KVM selftest
 * hyperv_tlb_flush covers): 66 L2 vCPUs on 66 L1 vCPUs in the nested lab
 * (L0 is TCG on a few host cores, so L1 is overcommitted), the initiator
 * CPU 0 and, with placement=last, the one target CPU 65.  Its sparse VP set
 * needs bank 1, which a 64-bit ProcessorMask cannot name.  A correctness
 * check (timings in the lab are emulated): the guest read VP index 65 on
 * CPU 65, and HvCallFlushVirtualAddressSpaceEx and ...ListEx both verify
 * `pass` against that target.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

static void test_ex_calls_reach_vp_65(void **state)
{
    struct run_result *r = run_hvflush("run --accel lab --lab-vcpus 66 --smp 66 "
                                       "--sweep tests/sweeps/vp64.sweep --quiet "
                                       "--timeout 900");
    char path[600], v[64];

    (void)state;
    if (lab_l2_stalled(r)) {
        print_message("SKIP: the lab's L2 stalled before its first output\n");
        skip();
    }
    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_int_equal(r->cpus, 66);
    assert_int_equal(r->hv_hypercall, 1);
    meta_value(r, "accelerator", "timing_class", NULL, v, sizeof(v));
    assert_true(!strncmp(v, "nested-", 7));
    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    assert_true(file_contains(path, " vp idx=65 apic_id=65 vp_index=65 "));
    assert_int_equal(r->nconfigs, 2);
    for (unsigned i = 0; i < r->nconfigs; i++) {
        const struct run_config *c = &r->cfg[i];

        assert_true(!strcmp(c->strategy, "hv-space-ex") || !strcmp(c->strategy, "hv-list-ex"));
        assert_int_equal(c->targets, 1);
        assert_measured_and_verified(c);
    }
    assert_true(file_contains(path, " placement=last target_cpus=65 "));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ex_calls_reach_vp_65),
    };

    return cmocka_run_group_tests_name("Ex calls to VP 65 in the nested lab (emulated)",
                                       tests, NULL, NULL);
}
