/*
 * Unit tests of the collector (host/analysis/collect.c) on hand-made record streams
 * (collect_stream.c): a good stream, configurations that are results without
 * samples, and streams with a bad checksum, a missing or failed end record,
 * a wrong sample count, a gap in the sample indexes, a missing verify
 * record, no records at all, and a truncated last line.
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

/* A configuration this platform cannot run, or one the guest abandoned
 * with a reason, is a result in the tables, not a broken run. */

static void test_unsupported_and_abandoned_are_results(void **state)
{
    struct knobs k = { .unsupported = true };
    struct run_data *d = collect_with(&k);

    (void)state;
    if (d->failed)
        fail_msg("unexpected failure: %s", d->reason);
    assert_string_equal(collect_verdict(&d->configs[1]), "unsupported");
    assert_string_equal(d->configs[1].unsupported, "no-hyperv");
    collect_free(d);

    k.unsupported = false;
    k.abandoned = true;
    d = collect_with(&k);
    if (d->failed)
        fail_msg("unexpected failure: %s", d->reason);
    assert_string_equal(collect_verdict(&d->configs[1]), "error");
    collect_free(d);

    /* Abandoned after some samples were sent: the stream is inconsistent. */
    k.abandoned = false;
    k.short_by = 8;
    k.no_verify = true;
    expect_failure(collect_with(&k), "32 of 40 samples");
}

static void test_good_stream(void **state)
{
    struct knobs k = { .extra_type = true };
    struct run_data *d = collect_with(&k);
    json_t *platform;

    (void)state;
    if (d->failed)
        fail_msg("unexpected failure: %s", d->reason);
    assert_int_equal(d->tsc_hz, 2000000000);
    assert_int_equal(d->timer_overhead, 30);
    assert_int_equal(d->cpus_seen, SMP);
    assert_int_equal(d->configs[0].nsamples, SAMPLES);
    assert_int_equal(d->configs[1].nsamples, SAMPLES);
    assert_int_equal(d->configs[1].samples[33], 1000 + 330 + 1);
    assert_string_equal(collect_verdict(&d->configs[1]), "pass");
    assert_string_equal(collect_verdict(&d->configs[0]), "-");
    assert_int_equal(d->configs[1].verify.control_stale, 9);
    assert_true(d->configs[1].has_latency);
    assert_int_equal(d->configs[1].excluded, 3);
    assert_string_equal(d->configs[1].target_cpus, "1");
    assert_true(d->have_timer_spread);
    assert_int_equal(d->timer_p1, 29);
    assert_int_equal(d->timer_p99, 44);
    /* Platform fields reach meta.json typed; the revision stays a string. */
    platform = json_object_get(d->guest, "platform");
    assert_int_equal(json_integer_value(json_object_get(platform, "tsc_hz")), 2000000000);
    assert_string_equal(json_string_value(json_object_get(
        json_object_get(d->guest, "hello"), "rev")), "1234567");
    assert_int_equal(json_array_size(json_object_get(d->guest, "cpus")), SMP);
    collect_free(d);
}

/* sweeptext is the import's business (ignored here); hypervisor reaches
 * meta.json's guest.hypervisor with every value a string; a second one is
 * a failure. */
static void test_identity_records(void **state)
{
    struct knobs k = { .identity = 1 };
    struct run_data *d = collect_with(&k);
    json_t *hv;

    (void)state;
    if (d->failed)
        fail_msg("unexpected failure: %s", d->reason);
    hv = json_object_get(d->guest, "hypervisor");
    assert_non_null(hv);
    assert_string_equal(json_string_value(json_object_get(hv, "sig0")), "Microsoft_Hv");
    assert_string_equal(json_string_value(json_object_get(hv, "hv_build")), "14393");
    assert_string_equal(json_string_value(json_object_get(hv, "xen_minor")), "17");
    assert_string_equal(json_string_value(json_object_get(hv, "rule")), "offered");
    assert_null(json_object_get(d->guest, "sweeptext"));
    collect_free(d);
    k.identity = 2;
    expect_failure(collect_with(&k), "second hypervisor record");
}

static void test_bad_checksum(void **state)
{
    static struct sink s;
    struct knobs k = { 0 };
    struct run_data d;
    char *line4;

    (void)state;
    build_stream(&s, &k);
    /* Change one digit of the fourth line's body: its CRC no longer matches. */
    line4 = s.text;
    for (int i = 0; i < 3; i++)
        line4 = strchr(line4, '\n') + 1;
    line4[strlen("HVF1 3 cpu idx=")] ^= 1;
    collect_text(&d, s.text);
    expect_failure(&d, "records.txt line 4: checksum mismatch");
}

static void test_missing_end(void **state)
{
    struct knobs k = { .no_end = true };

    (void)state;
    expect_failure(collect_with(&k), "no end record: guest stopped early");
}

static void test_wrong_sample_count(void **state)
{
    struct knobs k = { .short_by = 1 };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1 (ipi/invlpg/p1/t1/spin): 39 of 40 samples");
}

static void test_sample_gap(void **state)
{
    struct knobs k = { .gap = true };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1: samples start at index 33, expected 32");
}

static void test_end_failed(void **state)
{
    struct knobs k = { .end_failed = true };

    (void)state;
    expect_failure(collect_with(&k), "guest reported end status=failed");
}

static void test_missing_verify(void **state)
{
    struct knobs k = { .no_verify = true };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1 (ipi/invlpg/p1/t1/spin): no verify record");
}

/* Precision checks run for verified hypercall configurations only. */

/* A seed that swaps the two configurations: the stream above, announced
 * in expansion order, is out of the sweep's order. */

static void test_empty_stream(void **state)
{
    struct run_data d;

    (void)state;
    collect_text(&d, "");
    expect_failure(&d, "no records");
}

static void test_truncated_last_line(void **state)
{
    static struct sink s;
    struct knobs k = { 0 };
    struct run_data d;

    (void)state;
    build_stream(&s, &k);
    s.text[s.len - 5] = '\0';          /* the guest died while writing "end" */
    collect_text(&d, s.text);
    expect_failure(&d, "checksum");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_stream),
        cmocka_unit_test(test_identity_records),
        cmocka_unit_test(test_unsupported_and_abandoned_are_results),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_missing_end),
        cmocka_unit_test(test_wrong_sample_count),
        cmocka_unit_test(test_sample_gap),
        cmocka_unit_test(test_end_failed),
        cmocka_unit_test(test_missing_verify),
        cmocka_unit_test(test_empty_stream),
        cmocka_unit_test(test_truncated_last_line),
    };

    return cmocka_run_group_tests_name("host_collect", tests, NULL, NULL);
}
