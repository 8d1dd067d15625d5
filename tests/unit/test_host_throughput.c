/*
 * Unit tests of the host's throughput and interference checks
 * (host/analysis/throughput.c): hand-made `initiator`, `throughput` and
 * `interference` records fed through the collector for a sweep of two
 * initiators with one working target each on 4 vCPUs (CPUs 0-1 -> 2 | 3).
 * A consistent set is accepted; each spoiled one (a sum that does not add
 * up, an initiator on another CPU, an interference record for a CPU that
 * is no target, a missing record) marks the run failed with its reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/collect.h"
#include "analysis/throughput.h"

#define SMP 4

static const char sweep_text[] =
    "name t\nmeasure ipi targets=1 initiators=2 state=work\n";

struct knobs {
    uint64_t aggregate_delta;   /* added to the throughput record's aggregate_per_s */
    uint64_t cpu1;              /* the CPU initiator 1 claims */
    uint64_t interf_cpu;        /* the CPU of the second interference record */
    bool no_total;              /* the throughput record is missing */
    bool one_interf;            /* only one interference record */
};

struct sink { char text[1 << 14]; size_t len; };

static void to_sink(const char *line, size_t len, void *ctx)
{
    struct sink *s = ctx;

    memcpy(s->text + s->len, line, len);
    s->len += len;
}

static void initiator(struct record_writer *w, uint64_t idx, uint64_t cpu, const char *tcpus,
                      uint64_t per_s)
{
    record_begin(w, "initiator");
    record_u64(w, "id", 0);
    record_u64(w, "idx", idx);
    record_u64(w, "cpu", cpu);
    record_str(w, "target_cpus", tcpus);
    record_u64(w, "flushes", per_s / 20);
    record_u64(w, "window_cycles", 100000000);
    record_u64(w, "per_s", per_s);
    record_u64(w, "kept", 10);
    record_u64(w, "p50", 1000);
    record_u64(w, "p99", 2000);
    record_finish(w);
}

static void interference(struct record_writer *w, uint64_t cpu)
{
    static const char *const keys[] = { "working_set", "quiet_walks", "quiet_cycles",
        "loaded_walks", "loaded_cycles", "received", "steady_walk_cycles",
        "refill_walk_cycles", "refill_rounds" };

    record_begin(w, "interference");
    record_u64(w, "id", 0);
    record_u64(w, "cpu", cpu);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        record_u64(w, keys[i], 64 + i);
    record_i64(w, "cycles_lost_per_flush", -5);
    record_i64(w, "refill_cycles", 300);
    record_finish(w);
}

/* Collects the stream the knobs describe; d is left for inspection. */
static void collect(struct run_data *d, const struct knobs *k)
{
    static struct sweep sw;
    static struct sweep_config cfg[SWEEP_CONFIGS_MAX];
    static struct sink s;
    struct record_writer w;
    struct sweep_error err;
    size_t at = 0;

    assert_true(sweep_parse(sweep_text, strlen(sweep_text), &sw, &err));
    assert_int_equal(sweep_expand(&sw, SMP, cfg, SWEEP_CONFIGS_MAX, &err), 1);
    assert_true(collect_init(d, cfg, 1, SMP));
    d->configs[0].announced = true;        /* its config record, as collect_config.c takes it */
    s.len = 0;
    record_writer_init(&w, to_sink, &s);
    initiator(&w, 0, 0, "2", 400);
    initiator(&w, 1, k->cpu1, "3", 600);
    if (!k->no_total) {
        record_begin(&w, "throughput");
        record_u64(&w, "id", 0);
        record_u64(&w, "initiators", 2);
        record_str(&w, "share", "own");
        record_u64(&w, "window_cycles", 100000000);
        record_u64(&w, "flushes", 50);
        record_u64(&w, "aggregate_per_s", 1000 + k->aggregate_delta);
        record_finish(&w);
        interference(&w, 2);
        if (!k->one_interf)
            interference(&w, k->interf_cpu);
    }
    while (at < s.len) {
        const char *nl = memchr(s.text + at, '\n', s.len - at);

        collect_line(d, s.text + at, (size_t)(nl - (s.text + at)) + 1);
        at = (size_t)(nl - s.text) + 1;
    }
    throughput_check_complete(d);
}

static const struct knobs good = { .cpu1 = 1, .interf_cpu = 3 };

static void test_consistent_records_accepted(void **state)
{
    struct run_data d;
    const struct throughput_result *t;

    (void)state;
    collect(&d, &good);
    if (d.failed)
        fail_msg("rejected: %s", d.reason);
    t = d.configs[0].throughput;
    assert_non_null(t);
    assert_int_equal(t->ninit, 2);
    assert_int_equal(t->aggregate_per_s, 1000);
    assert_int_equal(t->ninterf, 2);
    assert_int_equal(t->interf[1].cpu, 3);
    assert_int_equal(t->interf[1].lost_per_flush, -5);
    collect_free(&d);
}

static void test_spoiled_records_caught(void **state)
{
    static const struct { struct knobs k; const char *says; } bad[] = {
        { { .aggregate_delta = 1, .cpu1 = 1, .interf_cpu = 3 }, "does not match its 2 initiator" },
        { { .cpu1 = 2, .interf_cpu = 3 }, "initiator 1 ran on CPU 2 with targets 3, the "
                                          "placement says CPU 1" },
        { { .cpu1 = 1, .interf_cpu = 1 }, "interference record for CPU 1, not one of its" },
        { { .cpu1 = 1, .no_total = true }, "no throughput record" },
        { { .cpu1 = 1, .one_interf = true }, "1 interference records for 2 targets" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct run_data d;

        collect(&d, &bad[i].k);
        assert_true(d.failed);
        if (!strstr(d.reason, bad[i].says))
            fail_msg("case %zu: '%s' lacks '%s'", i, d.reason, bad[i].says);
        collect_free(&d);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_consistent_records_accepted),
        cmocka_unit_test(test_spoiled_records_caught),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
