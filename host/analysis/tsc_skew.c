/*
 * The guest's cross-vCPU TSC skew (see tsc_skew.h).  Offsets are TSC_i -
 * TSC_0 in cycles, each known to within its uncertainty (half the width of
 * the interval the ping-pong bounded it to).
 */
#include "analysis/tsc_skew.h"

#include <stdlib.h>

#include "analysis/collect_internal.h"

void tsc_skew_collect(struct run_data *d, const struct record *r)
{
    json_t *a = json_object_get(d->guest, "tsc_skew");
    int64_t v;

    if (!a) {
        a = json_array();
        json_object_set_new(d->guest, "tsc_skew", a);
    }
    if (!record_get_i64(r, "offset", &v) || !record_get_i64(r, "lo", &v) ||
        !record_get_i64(r, "hi", &v))
        collect_problem(d, "record %u (tscskew): missing or bad offset, lo or hi", r->seq);
    json_array_append_new(a, record_json(r));
}

struct skew_sum {
    unsigned cpus, inconsistent;
    long long max_abs_offset, worst_offset;
    long long max_uncertainty;
    int worst_cpu;
};

static json_int_t num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    /* record_json keeps negative numbers as strings. */
    return json_is_string(v) ? strtoll(json_string_value(v), NULL, 10) : json_integer_value(v);
}

static json_t *sum_up(const struct run_data *d, struct skew_sum *s)
{
    json_t *a = d->guest ? json_object_get(d->guest, "tsc_skew") : NULL, *e;
    size_t i;

    *s = (struct skew_sum){ .worst_cpu = -1 };
    json_array_foreach(a, i, e) {
        long long off = num(e, "offset"), unc = num(e, "uncertainty");

        s->cpus++;
        if (num(e, "consistent") == 0)
            s->inconsistent++;
        if (llabs(off) >= s->max_abs_offset) {
            s->max_abs_offset = llabs(off);
            s->worst_offset = off;
            s->worst_cpu = (int)num(e, "cpu");
        }
        if (unc > s->max_uncertainty)
            s->max_uncertainty = unc;
    }
    return a;
}

json_t *tsc_skew_json(const struct run_data *d)
{
    struct skew_sum s;
    json_t *a = sum_up(d, &s), *per_cpu = json_array(), *e, *platform;
    size_t i;

    if (!s.cpus) {
        json_decref(per_cpu);
        return json_null();
    }
    json_array_foreach(a, i, e)
        json_array_append_new(per_cpu, json_pack("{s:I, s:I, s:I, s:I, s:I, s:b}",
                              "cpu", num(e, "cpu"), "offset_cycles", num(e, "offset"),
                              "uncertainty_cycles", num(e, "uncertainty"),
                              "rtt_min_cycles", num(e, "rtt_min"), "rounds", num(e, "rounds"),
                              "consistent", num(e, "consistent") != 0));
    platform = json_object_get(d->guest, "platform");
    return json_pack("{s:s, s:i, s:I, s:i, s:I, s:i, s:o, s:o}",
                     "reference", "cpu 0", "cpus", (int)s.cpus,
                     "max_abs_offset_cycles", (json_int_t)s.max_abs_offset,
                     "worst_cpu", s.worst_cpu,
                     "max_uncertainty_cycles", (json_int_t)s.max_uncertainty,
                     "inconsistent", (int)s.inconsistent,
                     "tsc_invariant", platform ? json_incref(json_object_get(platform,
                                                     "tsc_invariant")) : json_null(),
                     "per_cpu", per_cpu);
}

void tsc_skew_print(FILE *f, const struct run_data *d)
{
    struct skew_sum s;
    json_t *platform = d->guest ? json_object_get(d->guest, "platform") : NULL;

    sum_up(d, &s);
    if (!s.cpus)
        return;
    fprintf(f, "tsc skew vs CPU 0 (%u CPUs): max |offset| %lld cycles (CPU %d: %+lld), "
            "max uncertainty ±%lld cycles%s; invariant TSC: %s\n", s.cpus, s.max_abs_offset,
            s.worst_cpu, s.worst_offset, s.max_uncertainty,
            s.inconsistent ? ", bounds inconsistent on some CPUs" : "",
            num(platform, "tsc_invariant") ? "yes" : "no");
}
