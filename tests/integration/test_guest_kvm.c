/*
 * The guest under this host's KVM, when /dev/kvm works (skipped otherwise).
 * Whatever the KVM is, the verdict must follow the platform: where the
 * negative control never sees a stale read (a KVM that syncs guest page
 * tables through shadow paging), every probe verdict is "inconclusive" with
 * its reason -- never "pass"; where it does, the verdicts are "pass".  A KVM
 * without Hyper-V emulation (KVM_CAP_HYPERV 0, as here) gets every
 * hypercall configuration reported unsupported, and the baselines still run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

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
        cmocka_unit_test(test_kvm_verdicts_follow_the_platform),
    };

    return cmocka_run_group_tests_name("guest under KVM", tests, NULL, NULL);
}
