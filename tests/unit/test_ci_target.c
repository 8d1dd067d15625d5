/*
 * Unit tests of adaptive sampling's shared parts: the ci-target and
 * time-cap directives and keys (valid and invalid values, line numbers,
 * the default that keeps every existing sweep's meaning), the sample
 * limits, and the collector's check of a latency record's n, rounds and
 * median CI against the samples (host/analysis/latency_ci.c): the guest
 * and the host must agree, and a disagreement fails the run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <bench/ci_target.h>
#include <bench/median_ci.h>
#include <bench/record.h>
#include <bench/sweep.h>

#include "analysis/collect.h"
#include "analysis/stats.h"

static struct sweep sw;
static struct sweep_config cfgs[8];

static bool parse(const char *text, struct sweep_error *err)
{
    return sweep_parse(text, strlen(text), &sw, err);
}

static void test_directives(void **state)
{
    struct sweep_error err;
    char buf[16];

    (void)state;
    assert_true(parse("name a\nmeasure local\n", &err));
    assert_int_equal(sw.ci_target_bp, 0);                /* default: off */
    assert_int_equal(sw.time_cap_ms, CI_TIME_CAP_DEFAULT_MS);
    assert_int_equal(sweep_expand(&sw, 2, cfgs, 8, &err), 1);
    assert_int_equal(sweep_samples_limit(&cfgs[0]), 1000);
    assert_true(sweep_samples_count_ok(&cfgs[0], 1000));
    assert_false(sweep_samples_count_ok(&cfgs[0], 2000));
    assert_true(parse("name a\nci-target 1%\ntime-cap 250\nmeasure local\n", &err));
    assert_int_equal(sw.ci_target_bp, 100);
    assert_int_equal(sw.time_cap_ms, 250);
    assert_true(parse("name a\nci-target 0.5%\nmeasure local\n", &err));
    assert_int_equal(sw.ci_target_bp, 50);
    assert_true(parse("name a\nci-target 2.25%\nci-target off\nmeasure local\n", &err));
    assert_int_equal(sw.ci_target_bp, 0);
    ci_target_format(125, buf, sizeof(buf));
    assert_string_equal(buf, "1.25%");
    ci_target_format(50, buf, sizeof(buf));
    assert_string_equal(buf, "0.5%");
    ci_target_format(0, buf, sizeof(buf));
    assert_string_equal(buf, "off");
}

static void test_bad_values_name_the_line(void **state)
{
    static const struct { const char *text; unsigned line; const char *msg; } bad[] = {
        { "name a\nci-target 1\n", 2, "ci-target must be off or a percentage" },
        { "name a\n\nci-target 0%\n", 3, "got '0%'" },
        { "name a\nci-target 100.01%\n", 2, "ci-target must be" },
        { "name a\nci-target 1.234%\n", 2, "at most two decimals" },
        { "name a\nci-target .5%\n", 2, "ci-target must be" },
        { "name a\ntime-cap 0\n", 2, "time-cap must be 1-3600000" },
        { "name a\ntime-cap 3600001\n", 2, "time-cap must be" },
        { "name a\ntime-cap 5s\n", 2, "got '5s'" },
        { "name a\nmeasure local ci-target=2\n", 2, "bad value '2' for ci-target" },
        { "name a\nmeasure local time-cap=0\n", 2, "bad value '0' for time-cap" },
        { "name a\nmeasure local time-cap=5 time-cap=6\n", 2, "given twice" },
    };
    struct sweep_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i].text, &err))
            fail_msg("accepted: %s", bad[i].text);
        if (err.lineno != bad[i].line || !strstr(err.msg, bad[i].msg))
            fail_msg("'%s': line %u '%s'", bad[i].text, err.lineno, err.msg);
    }
}

static void test_line_keys_and_limits(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name a\nsamples 3000\nci-target 1%\n"
                      "measure local\n"
                      "measure local flush=cr3 ci-target=off\n"
                      "measure ipi targets=1 ci-target=0.01% time-cap=1 samples=100\n"
                      "measure cpuid samples=200000\n", &err));
    assert_int_equal(sweep_expand(&sw, 2, cfgs, 8, &err), 4);
    assert_int_equal(cfgs[0].ci_target_bp, 100);
    assert_int_equal(cfgs[0].time_cap_ms, CI_TIME_CAP_DEFAULT_MS);
    assert_int_equal(sweep_samples_limit(&cfgs[0]), 43 * 3000);    /* 131072 / 3000 */
    assert_int_equal(cfgs[1].ci_target_bp, 0);
    assert_int_equal(sweep_samples_limit(&cfgs[1]), 3000);
    assert_int_equal(cfgs[2].ci_target_bp, 1);
    assert_int_equal(cfgs[2].time_cap_ms, 1);
    assert_int_equal(sweep_samples_limit(&cfgs[2]), CI_ROUNDS_MAX * 100);
    assert_true(sweep_samples_count_ok(&cfgs[2], 300));
    assert_false(sweep_samples_count_ok(&cfgs[2], 350));
    assert_false(sweep_samples_count_ok(&cfgs[2], 0));
    assert_false(sweep_samples_count_ok(&cfgs[2], CI_ROUNDS_MAX * 100 + 100));
    assert_int_equal(sweep_samples_limit(&cfgs[3]), 200000);       /* one round */
}

/* ---- the collector ------------------------------------------------------------ */

struct sink { char text[1 << 16]; size_t len; };

static void to_sink(const char *line, size_t len, void *ctx)
{
    struct sink *s = ctx;

    memcpy(s->text + s->len, line, len);
    s->len += len;
    s->text[s->len] = '\0';
}

/* How the latency record of the stream's one configuration reads. */
struct latency_tail {
    unsigned nsamples;          /* samples sent */
    long n, rounds;             /* -1: field absent */
    long lo_delta;              /* added to the true ci_lo */
    int wide;                   /* -1: the truth */
};

static const char ci_sweep[] = "name unit\nsamples 40\nci-target 1%\nmeasure local\n";

static void build(struct sink *s, const struct latency_tail *t)
{
    struct record_writer w;
    uint64_t v[200], sorted[200], lo, hi;
    bool met;

    s->len = 0;
    record_writer_init(&w, to_sink, s);
    record_begin(&w, "hello");
    record_u64(&w, "version", 1);
    record_str(&w, "rev", "1234567");
    record_str(&w, "sweep", "unit");
    record_finish(&w);
    record_begin(&w, "platform");
    record_u64(&w, "cpus", 2);
    record_str(&w, "apic", "xapic");
    record_str(&w, "vendor", "GenuineIntel");
    record_str(&w, "hv", "none");
    record_u64(&w, "tsc_hz", 2000000000);
    record_str(&w, "tsc_src", "cpuid15");
    record_u64(&w, "tsc_invariant", 1);
    record_finish(&w);
    for (unsigned i = 0; i < 2; i++) {
        record_begin(&w, "cpu");
        record_u64(&w, "idx", i);
        record_u64(&w, "apic_id", i);
        record_finish(&w);
    }
    record_begin(&w, "timer");
    record_u64(&w, "overhead", 30);
    record_finish(&w);
    record_begin(&w, "config");
    record_u64(&w, "id", 0);
    record_str(&w, "label", "local/invlpg/p1");
    record_str(&w, "strategy", "local");
    record_str(&w, "flush", "invlpg");
    record_u64(&w, "pages", 1);
    record_u64(&w, "targets", 0);
    record_str(&w, "state", "spin");
    record_str(&w, "input", "slow");
    record_str(&w, "scope", "cr3");
    record_u64(&w, "nonglobal", 0);
    record_str(&w, "procs", "mask");
    record_u64(&w, "samples", 40);
    record_u64(&w, "warmup", 100);
    record_u64(&w, "initiator", 0);
    record_str(&w, "placement", "first");
    record_str(&w, "target_cpus", "-");
    record_finish(&w);
    for (unsigned i = 0; i < t->nsamples; i++)
        sorted[i] = v[i] = 1000 + (i * 37) % 41;      /* 1000..1040, shuffled */
    for (unsigned first = 0; first < t->nsamples; first += RECORD_SAMPLES_PER_LINE) {
        unsigned k = t->nsamples - first;

        record_begin(&w, "samples");
        record_u64(&w, "id", 0);
        record_u64(&w, "first", first);
        record_hexlist(&w, "v", v + first, k < RECORD_SAMPLES_PER_LINE ? k :
                       RECORD_SAMPLES_PER_LINE);
        record_finish(&w);
    }
    stats_sort(sorted, t->nsamples);
    assert_true(median_ci(sorted, t->nsamples, &lo, &hi));
    met = median_ci_within(lo, hi, sorted[(t->nsamples + 1) / 2 - 1], 100);
    record_begin(&w, "latency");
    record_u64(&w, "id", 0);
    record_u64(&w, "clamped", 0);
    record_u64(&w, "excluded", 0);
    if (t->n >= 0)
        record_u64(&w, "n", (uint64_t)t->n);
    if (t->rounds >= 0)
        record_u64(&w, "rounds", (uint64_t)t->rounds);
    record_str(&w, "ci_target", "1%");
    record_u64(&w, "ci_lo", lo + (uint64_t)t->lo_delta);
    record_u64(&w, "ci_hi", hi);
    record_u64(&w, "ci_wide", t->wide >= 0 ? (uint64_t)t->wide : !met);
    record_finish(&w);
    record_end_stream(&w, true);
}

static struct run_data *collect(const struct latency_tail *t)
{
    static struct sink s;
    static struct run_data d;
    struct sweep_error err;
    const char *p = s.text;

    build(&s, t);
    assert_true(parse(ci_sweep, &err));
    assert_int_equal(sweep_expand(&sw, 2, cfgs, 8, &err), 1);
    assert_true(collect_init(&d, cfgs, 1, 2));
    while (*p) {
        size_t len = strcspn(p, "\n") + 1;

        collect_line(&d, p, len);
        p += len;
    }
    collect_finish(&d);
    return &d;
}

static void expect(struct run_data *d, const char *needle)
{
    if (needle ? !d->failed || !strstr(d->reason, needle) : d->failed)
        fail_msg("failed=%d reason='%s', wanted '%s'", d->failed, d->reason,
                 needle ? needle : "(success)");
    collect_free(d);
}

static void test_collector_agrees_with_the_guest(void **state)
{
    struct run_data *d;

    (void)state;
    d = collect(&(struct latency_tail){ .nsamples = 40, .n = 40, .rounds = 1, .wide = -1 });
    assert_true(d->configs[0].has_latency && d->configs[0].has_guest_ci);
    assert_int_equal(d->configs[0].guest_rounds, 1);
    assert_false(d->configs[0].guest_ci_wide);
    expect(d, NULL);
    /* Three rounds of 40. */
    expect(collect(&(struct latency_tail){ .nsamples = 120, .n = 120, .rounds = 3,
                                           .wide = -1 }), NULL);
}

static void test_collector_catches_disagreement(void **state)
{
    (void)state;
    expect(collect(&(struct latency_tail){ .nsamples = 40, .n = 40, .rounds = 1,
                                           .lo_delta = -1, .wide = -1 }),
           "is not the host's");
    expect(collect(&(struct latency_tail){ .nsamples = 40, .n = 40, .rounds = 1, .wide = 1 }),
           "ci_wide=1 but the interval meets the ci-target");
    expect(collect(&(struct latency_tail){ .nsamples = 40, .n = 39, .rounds = 1, .wide = -1 }),
           "latency record says n=39");
    expect(collect(&(struct latency_tail){ .nsamples = 80, .n = 80, .rounds = 3, .wide = -1 }),
           "3 rounds of 40 samples");
    expect(collect(&(struct latency_tail){ .nsamples = 60, .n = 60, .rounds = 1, .wide = -1 }),
           "60 of 40 samples");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directives),
        cmocka_unit_test(test_bad_values_name_the_line),
        cmocka_unit_test(test_line_keys_and_limits),
        cmocka_unit_test(test_collector_agrees_with_the_guest),
        cmocka_unit_test(test_collector_catches_disagreement),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
