/*
 * Unit tests of the collector's checks of each configuration against the
 * sweep (host/analysis/collect_config.c), on hand-made record streams
 * (collect_stream.c): a configuration the sweep did not ask for, a missing
 * latency record, more clamped samples than samples, targets placed
 * elsewhere than the sweep says, precision fields on an IPI
 * configuration, configurations out of the seeded order, and address-space
 * fields (spaces/pcid/global/large) other than the sweep's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <bench/record.h>
#include <bench/sweep.h>

#include "collect_stream.h"

static void test_config_mismatch(void **state)
{
    struct knobs k = { .wrong_label = true };

    (void)state;
    expect_failure(collect_with(&k), "guest measured 'ipi/cr3/p1/t1/spin'");
}

static void test_missing_latency(void **state)
{
    struct knobs k = { .no_latency = true };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1 (ipi/invlpg/p1/t1/spin): no latency record");
}

static void test_more_clamped_than_samples(void **state)
{
    struct knobs k = { .clamped = SAMPLES + 1 };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1: 41 clamped of 40 samples");
}

static void test_targets_elsewhere(void **state)
{
    struct knobs k = { .wrong_cpus = true };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1: guest placed it on initiator 0 targets 0 "
                   "(first) but the sweep gives initiator 0 targets 1 (first)");
}

static void test_precision_fields_on_ipi(void **state)
{
    struct knobs k = { .precision_on_ipi = true };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1: precision_initiator/"
                   "precision_target_cpus on a configuration without precision checks");
}

static void test_out_of_seeded_order(void **state)
{
    static char text[256];
    struct sweep sw;
    struct sweep_error err;
    uint32_t order[2];
    unsigned seed;

    (void)state;
    for (seed = 0; seed < 64; seed++) {
        snprintf(text, sizeof(text), "%sseed %u\n", sweep_text, seed);
        assert_true(sweep_parse(text, strlen(text), &sw, &err));
        sweep_order(&sw, order, 2);
        if (order[0] == 1)
            break;
    }
    assert_true(seed < 64);
    seeded_text = text;
    expect_failure(collect_with(&(struct knobs){ 0 }),
                   "configuration 0 announced as number 1, but the sweep's order runs it as "
                   "number 2");
    seeded_text = NULL;
}

/* A guest that measured the default window where the sweep asks for a
 * global one (its config record says global 0, or nothing) is caught. */
static void test_space_fields_differ(void **state)
{
    (void)state;
    seeded_text = "name unit\nsamples 40\nmeasure local\nmeasure ipi targets=1 global=on\n";
    expect_failure(collect_with(&(struct knobs){ 0 }),
                   "configuration 1: spaces/pcid/global/large differ from the sweep");
    seeded_text = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_mismatch),
        cmocka_unit_test(test_missing_latency),
        cmocka_unit_test(test_more_clamped_than_samples),
        cmocka_unit_test(test_targets_elsewhere),
        cmocka_unit_test(test_precision_fields_on_ipi),
        cmocka_unit_test(test_out_of_seeded_order),
        cmocka_unit_test(test_space_fields_differ),
    };

    return cmocka_run_group_tests_name("host_collect_config", tests, NULL, NULL);
}
