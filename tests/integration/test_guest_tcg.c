/*
 * Boots the real guest under TCG through the real host tool and asserts on
 * what it recorded: CPUs online, positive and finite latencies, a complete
 * and checksummed record stream, stale-TLB verification passing, and the
 * negative control going stale (TCG keeps a translation until the guest
 * invalidates it, so a stale read is observable there), and every
 * hypercall configuration reported unsupported (TCG has no Hyper-V) while
 * the baselines run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

/* A latency above ten seconds of TSC is not a measurement, it is a bug. */
#define SANE_CYCLES(r) ((r)->tsc_hz * 10)

static void assert_run_ok(struct run_result *r, uint64_t cpus)
{
    char status[16];

    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_string_equal(r->end_status, "ok");
    assert_int_equal(r->cpus, cpus);
    assert_int_equal(r->ncpu_records, cpus);
    assert_true(r->tsc_hz > 100000000ull);           /* at least 100 MHz */
    meta_string(r, "status", status, sizeof(status));
    assert_string_equal(status, "ok");
}

/* Every configuration measured, every sample sane, every probe verdict a
 * pass backed by a negative control that did go stale. */
static void assert_configs(struct run_result *r, unsigned expected_configs)
{
    unsigned i;

    assert_int_equal(r->nconfigs, expected_configs);
    assert_string_equal(r->stale_read, "observable");
    for (i = 0; i < r->nconfigs; i++) {
        struct run_config *c = &r->cfg[i];

        assert_true(c->samples_declared >= 1000);
        assert_true(c->max < SANE_CYCLES(r));
        if (!strncmp(c->strategy, "hv-", 3)) {
            /* No Hyper-V under TCG: unsupported, with the reason, and nothing else. */
            if (!c->unsupported[0])
                fail_msg("%s: expected unsupported", c->label);
            assert_int_equal(c->nsamples, 0);
            assert_false(c->has_verify);
            continue;
        }
        if (!strcmp(c->strategy, "ipi"))
            assert_measured_and_verified(c);
        else
            assert_int_equal(c->nsamples, c->samples_declared);
    }
}

static void test_one_vcpu(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 1 --sweep tests/sweeps/ci.sweep");

    (void)state;
    assert_run_ok(r, 1);
    /* ci.sweep on one CPU: only the two local floors; no targets exist. */
    assert_configs(r, 2);
}

static void test_four_vcpus(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 4 --sweep tests/sweeps/ci.sweep");

    (void)state;
    assert_run_ok(r, 4);
    /* 2 local + invlpg {1,4 pages} x {1,2,3 targets} + cr3/halt/all + 2 hv. */
    assert_configs(r, 2 + 2 * 3 + 1 + 2);
    assert_true(r->has_hyperv);
    assert_int_equal(r->hv_hypercall, 0);
    assert_int_equal(r->nconformance, 0);
}

static void test_eight_vcpus(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 8 --sweep tests/sweeps/ci.sweep");
    unsigned i, j;

    (void)state;
    assert_run_ok(r, 8);
    assert_configs(r, 2 + 2 * 4 + 1 + 2);
    for (i = 0; i < r->ncpu_records; i++)
        for (j = i + 1; j < r->ncpu_records; j++)
            assert_true(r->apic_ids[i] != r->apic_ids[j]);
}

/* Bring-up alone at the two ends of the range the guest supports. */
static void test_bringup_2_and_64(void **state)
{
    static const unsigned counts[] = { 2, 64 };
    unsigned k;

    (void)state;
    for (k = 0; k < 2; k++) {
        char args[128];
        struct run_result *r;

        snprintf(args, sizeof(args), "run --accel tcg --smp %u --sweep tests/sweeps/boot.sweep",
                 counts[k]);
        r = run_hvflush(args);
        assert_run_ok(r, counts[k]);
        assert_int_equal(r->nconfigs, 0);
        assert_true(r->overhead > 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_vcpu),
        cmocka_unit_test(test_four_vcpus),
        cmocka_unit_test(test_eight_vcpus),
        cmocka_unit_test(test_bringup_2_and_64),
    };

    return cmocka_run_group_tests_name("guest under TCG", tests, NULL, NULL);
}
