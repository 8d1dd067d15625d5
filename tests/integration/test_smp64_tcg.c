/*
 * Scale: 64 vCPUs boot and complete the smoke sweep under TCG.  A
 * correctness test (it takes minutes on a small host): every CPU comes
 * online with its own APIC id, the stream is complete, every configuration
 * the sweep expands to for 64 CPUs (targets up to all-but-self, 63) is
 * measured or reported unsupported, every IPI configuration verifies, and
 * the TSC skew covers CPUs 1..63.
 *
 * Two runs: tests/sweeps/smp64.sweep (halted targets, every target count
 * up to 63 and all, few samples) and the whole smoke sweep.  The smoke's
 * lines that scale the target count halt their targets, so 64 vCPUs on a
 * small host spend their time measuring rather than waiting for dozens of
 * spinning vCPU threads to be scheduled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

/* What every 64-vCPU run must show: all CPUs online with distinct APIC
 * ids, a complete stream, every measured configuration's samples in
 * whole rounds and verified pass, targets up to all-but-self (63), and
 * the TSC skew of CPUs 1..63. */
static void check_64_vcpus(const struct run_result *r)
{
    char v[64];
    uint64_t max_targets = 0;

    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_int_equal(r->cpus, 64);
    assert_int_equal(r->ncpu_records, 64);
    for (unsigned i = 0; i < 64; i++)
        for (unsigned j = 0; j < i; j++)
            assert_true(r->apic_ids[i] != r->apic_ids[j]);
    assert_string_equal(r->end_status, "ok");
    for (unsigned i = 0; i < r->nconfigs; i++) {
        const struct run_config *c = &r->cfg[i];

        if (c->unsupported[0])
            continue;
        /* adaptive sampling (ci-target): whole rounds of the declared count */
        assert_true(c->nsamples >= c->samples_declared);
        assert_int_equal(c->nsamples % c->samples_declared, 0);
        if (c->targets < 64 && c->targets > max_targets)   /* 64: targets=all */
            max_targets = c->targets;
        if (c->has_verify)
            assert_string_equal(c->verdict, "pass");
    }
    assert_int_equal(max_targets, 63);
    meta_value(r, "tsc_skew", "cpus", NULL, v, sizeof(v));
    assert_string_equal(v, "63");
}

/* Halted targets, few samples each. */
static void test_64_vcpus_halted_targets(void **state)
{
    (void)state;
    check_64_vcpus(run_hvflush("run --accel tcg --smp 64 --sweep tests/sweeps/smp64.sweep "
                               "--quiet --timeout 3600"));
}

/* The whole smoke sweep: every strategy and key (hv-* and kvm-pv read
 * unsupported under TCG). */
static void test_64_vcpus_smoke(void **state)
{
    (void)state;
    check_64_vcpus(run_hvflush("run --accel tcg --smp 64 --sweep smoke --quiet "
                               "--timeout 14400"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_64_vcpus_halted_targets),
        cmocka_unit_test(test_64_vcpus_smoke),
    };

    return cmocka_run_group_tests_name("64 vCPUs under TCG", tests, NULL, NULL);
}
