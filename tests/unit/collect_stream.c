/*
 * Hand-made record streams for the collector's unit tests (see
 * collect_stream.h).
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

const char sweep_text[] =
    "name unit\nsamples 40\nmeasure local\nmeasure ipi targets=1\n";


static void to_sink(const char *line, size_t len, void *ctx)
{
    struct sink *s = ctx;

    memcpy(s->text + s->len, line, len);
    s->len += len;
    s->text[s->len] = '\0';
}


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

void build_stream(struct sink *s, const struct knobs *k)
{
    struct record_writer w;

    s->len = 0;
    record_writer_init(&w, to_sink, s);
    record_begin(&w, "hello");
    record_u64(&w, "version", 1);
    record_str(&w, "rev", "1234567");
    record_str(&w, "sweep", "unit");
    assert_true(record_finish(&w));
    for (unsigned i = 0; k->identity && i < 2; i++) {
        record_begin(&w, "sweeptext");
        record_u64(&w, "n", i);
        record_u64(&w, "of", 2);
        record_raw(&w, "text", i ? "" : "name%20unit");
        assert_true(record_finish(&w));
    }
    record_begin(&w, "platform");
    record_u64(&w, "cpus", SMP);
    record_str(&w, "apic", "xapic");
    record_str(&w, "vendor", "GenuineIntel");
    record_str(&w, "hv", "none");
    record_u64(&w, "tsc_hz", 2000000000);
    record_str(&w, "tsc_src", "cpuid15");
    record_u64(&w, "tsc_invariant", 1);
    assert_true(record_finish(&w));
    for (unsigned i = 0; i < k->identity; i++) {
        record_begin(&w, "hypervisor");
        record_str(&w, "sig0", "Microsoft_Hv");
        record_str(&w, "max0", "0x4000000b");
        record_str(&w, "sig1", "XenVMMXenVMM");
        record_str(&w, "max1", "0x40000105");
        record_u64(&w, "hv_build", 14393);
        record_u64(&w, "hv_sp", 0);
        record_u64(&w, "hv_branch", 0);
        record_u64(&w, "hv_number", 0);
        record_u64(&w, "hv_major", 6);
        record_u64(&w, "hv_minor", 0);
        record_u64(&w, "xen_major", 4);
        record_u64(&w, "xen_minor", 17);
        record_str(&w, "rec_before", "0x0");
        record_str(&w, "rec_after", "0x0");
        record_str(&w, "os_id", "0xff48000000010000");
        record_str(&w, "rule", "offered");
        assert_true(record_finish(&w));
    }
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

const char *seeded_text;

/* Runs the collector over the text, line by line. */
void collect_text(struct run_data *d, const char *text)
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

struct run_data *collect_with(const struct knobs *k)
{
    static struct sink s;
    static struct run_data d;

    build_stream(&s, k);
    collect_text(&d, s.text);
    return &d;
}

void expect_failure(struct run_data *d, const char *needle)
{
    if (!d->failed || !strstr(d->reason, needle))
        fail_msg("failed=%d reason='%s', wanted '%s'", d->failed, d->reason, needle);
    collect_free(d);
}
