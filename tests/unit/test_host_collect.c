/*
 * Unit tests of the collector (host/collect.c) on hand-made record streams
 * written with the bench/ record writer: a good stream, and streams with a
 * bad checksum, a missing end record, a wrong sample count, a gap in the
 * sample indexes, a guest-reported failure, a configuration the sweep
 * did not ask for, a missing latency record and targets placed elsewhere
 * than the sweep says.
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

#include "collect.h"

#define SMP 2
#define SAMPLES 40

/* The sweep the streams below answer: one local and one IPI configuration. */
static const char sweep_text[] =
    "name unit\nsamples 40\nmeasure local\nmeasure ipi targets=1\n";

struct sink {
    char text[1 << 16];
    size_t len;
};

static void to_sink(const char *line, size_t len, void *ctx)
{
    struct sink *s = ctx;

    memcpy(s->text + s->len, line, len);
    s->len += len;
    s->text[s->len] = '\0';
}

/* Ways to spoil the stream. */
struct knobs {
    unsigned short_by;          /* samples missing from configuration 1 */
    bool gap;                   /* configuration 1's second record starts one too late */
    bool no_verify;
    bool no_end;
    bool end_failed;
    bool wrong_label;
    bool extra_type;            /* a record type the host does not know */
    bool unsupported;           /* configuration 1 cannot run on this platform */
    bool abandoned;             /* configuration 1 ends with an error, no samples */
    bool no_latency;            /* configuration 1 has no latency record */
    bool wrong_cpus;            /* configuration 1 names target CPU 0 */
    bool precision_on_ipi;      /* configuration 1 (ipi) claims precision checks ran */
    unsigned clamped;           /* configuration 1's clamped count */
};

static void samples(struct record_writer *w, unsigned id, unsigned n, bool gap)
{
    uint64_t v[RECORD_SAMPLES_PER_LINE];

    for (unsigned first = 0; first < n; ) {
        unsigned k = n - first < RECORD_SAMPLES_PER_LINE ? n - first : RECORD_SAMPLES_PER_LINE;

        for (unsigned i = 0; i < k; i++)
            v[i] = 1000 + 10 * (first + i) + id;
        record_begin(w, "samples");
        record_u64(w, "id", id);
        record_u64(w, "first", first + (gap && first ? 1 : 0));
        record_hexlist(w, "v", v, k);
        assert_true(record_finish(w));
        first += k;
    }
}

static void latency(struct record_writer *w, unsigned id, unsigned clamped, unsigned excluded)
{
    record_begin(w, "latency");
    record_u64(w, "id", id);
    record_u64(w, "clamped", clamped);
    record_u64(w, "excluded", excluded);
    assert_true(record_finish(w));
}

static void config(struct record_writer *w, unsigned id, const char *label,
                   const char *strategy, unsigned targets, const char *cpus,
                   const char *precision_cpus)
{
    record_begin(w, "config");
    record_u64(w, "id", id);
    record_str(w, "label", label);
    record_str(w, "strategy", strategy);
    record_str(w, "flush", "invlpg");
    record_u64(w, "pages", 1);
    record_u64(w, "targets", targets);
    record_str(w, "state", "spin");
    record_str(w, "input", "slow");
    record_str(w, "scope", "cr3");
    record_u64(w, "nonglobal", 0);
    record_str(w, "procs", "mask");
    record_u64(w, "samples", SAMPLES);
    record_u64(w, "warmup", 100);
    record_u64(w, "initiator", 0);
    record_str(w, "placement", "first");
    record_str(w, "target_cpus", cpus);
    if (precision_cpus) {
        record_u64(w, "precision_initiator", 0);
        record_str(w, "precision_target_cpus", precision_cpus);
    }
    assert_true(record_finish(w));
}

static void build_stream(struct sink *s, const struct knobs *k)
{
    struct record_writer w;

    s->len = 0;
    record_writer_init(&w, to_sink, s);
    record_begin(&w, "hello");
    record_u64(&w, "version", 1);
    record_str(&w, "rev", "1234567");
    record_str(&w, "sweep", "unit");
    assert_true(record_finish(&w));
    record_begin(&w, "platform");
    record_u64(&w, "cpus", SMP);
    record_str(&w, "apic", "xapic");
    record_str(&w, "vendor", "GenuineIntel");
    record_str(&w, "hv", "none");
    record_u64(&w, "tsc_hz", 2000000000);
    record_str(&w, "tsc_src", "cpuid15");
    record_u64(&w, "tsc_invariant", 1);
    assert_true(record_finish(&w));
    for (unsigned i = 0; i < SMP; i++) {
        record_begin(&w, "cpu");
        record_u64(&w, "idx", i);
        record_u64(&w, "apic_id", i * 2);
        assert_true(record_finish(&w));
    }
    record_begin(&w, "timer");
    record_u64(&w, "overhead", 30);
    record_u64(&w, "min", 28);
    record_u64(&w, "p1", 29);
    record_u64(&w, "p50", 30);
    record_u64(&w, "p99", 44);
    record_u64(&w, "n", 1000);
    assert_true(record_finish(&w));
    if (k->extra_type) {
        record_begin(&w, "futurething");
        record_u64(&w, "x", 1);
        assert_true(record_finish(&w));
    }
    config(&w, 0, "local/invlpg/p1", "local", 0, "-", NULL);
    samples(&w, 0, SAMPLES, false);
    latency(&w, 0, 0, 0);
    config(&w, 1, k->wrong_label ? "ipi/cr3/p1/t1/spin" : "ipi/invlpg/p1/t1/spin", "ipi", 1,
           k->wrong_cpus ? "0" : "1", k->precision_on_ipi ? "1" : NULL);
    if (k->unsupported || k->abandoned) {
        record_begin(&w, k->unsupported ? "unsupported" : "error");
        record_u64(&w, "id", 1);
        record_str(&w, k->unsupported ? "reason" : "what",
                   k->unsupported ? "no-hyperv" : "hv-status-INVALID_PARAMETER");
        assert_true(record_finish(&w));
    } else {
        samples(&w, 1, SAMPLES - k->short_by, k->gap);
        if (!k->no_latency)
            latency(&w, 1, k->clamped, 3);
    }
    if (!k->no_verify && !k->unsupported && !k->abandoned) {
        record_begin(&w, "verify");
        record_u64(&w, "id", 1);
        record_str(&w, "verdict", "pass");
        record_u64(&w, "rounds", 16);
        record_u64(&w, "fresh", 16);
        record_u64(&w, "stale", 0);
        record_u64(&w, "control_rounds", 16);
        record_u64(&w, "control_stale", 9);
        record_u64(&w, "control_stale_rounds", 7);
        record_str(&w, "noop_pass_p", "1.02e-11");
        record_str(&w, "reason", "");
        assert_true(record_finish(&w));
    }
    if (!k->no_end)
        assert_true(record_end_stream(&w, !k->end_failed));
}

/* The sweep the collector checks against: sweep_text, with a seed line
 * when seeded_text is set. */
static const char *seeded_text;

/* Runs the collector over the text, line by line. */
static void collect_text(struct run_data *d, const char *text)
{
    static struct sweep sw;
    static struct sweep_config cfgs[8];
    struct sweep_error err;
    const char *st = seeded_text ? seeded_text : sweep_text;

    assert_true(sweep_parse(st, strlen(st), &sw, &err));
    assert_int_equal(sweep_expand(&sw, SMP, cfgs, 8, &err), 2);
    assert_true(collect_init(d, cfgs, 2, SMP));
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) + 1 : strlen(text);

        collect_line(d, text, len);
        text += len;
    }
    collect_finish(d);
}

static struct run_data *collect_with(const struct knobs *k)
{
    static struct sink s;
    static struct run_data d;

    build_stream(&s, k);
    collect_text(&d, s.text);
    return &d;
}

static void expect_failure(struct run_data *d, const char *needle)
{
    if (!d->failed || !strstr(d->reason, needle))
        fail_msg("failed=%d reason='%s', wanted '%s'", d->failed, d->reason, needle);
    collect_free(d);
}

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

/* Precision checks run for verified hypercall configurations only. */
static void test_precision_fields_on_ipi(void **state)
{
    struct knobs k = { .precision_on_ipi = true };

    (void)state;
    expect_failure(collect_with(&k), "configuration 1: precision_initiator/"
                   "precision_target_cpus on a configuration without precision checks");
}

/* A seed that swaps the two configurations: the stream above, announced
 * in expansion order, is out of the sweep's order. */
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
        cmocka_unit_test(test_unsupported_and_abandoned_are_results),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_missing_end),
        cmocka_unit_test(test_wrong_sample_count),
        cmocka_unit_test(test_sample_gap),
        cmocka_unit_test(test_end_failed),
        cmocka_unit_test(test_missing_verify),
        cmocka_unit_test(test_config_mismatch),
        cmocka_unit_test(test_missing_latency),
        cmocka_unit_test(test_more_clamped_than_samples),
        cmocka_unit_test(test_targets_elsewhere),
        cmocka_unit_test(test_precision_fields_on_ipi),
        cmocka_unit_test(test_out_of_seeded_order),
        cmocka_unit_test(test_empty_stream),
        cmocka_unit_test(test_truncated_last_line),
    };

    return cmocka_run_group_tests_name("host_collect", tests, NULL, NULL);
}
