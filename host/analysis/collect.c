/*
 * The collector: record stream validation and gathering (see collect.h).
 */
#include "analysis/collect.h"
#include "analysis/collect_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/throughput.h"
#include "analysis/tsc_skew.h"
#include "util.h"


void collect_problem(struct run_data *d, const char *f, ...)
{
    size_t used = strlen(d->reason);
    va_list ap;

    d->failed = true;
    if (used)
        append(d->reason, sizeof(d->reason), "; ");
    used = strlen(d->reason);
    if (used + 1 >= sizeof(d->reason))
        return;
    va_start(ap, f);
    vsnprintf(d->reason + used, sizeof(d->reason) - used, f, ap);
    va_end(ap);
}

bool collect_init(struct run_data *d, const struct sweep_config *configs, unsigned n,
                  unsigned smp)
{
    memset(d, 0, sizeof(*d));
    d->smp = smp;
    d->nconfigs = n;
    d->configs = calloc(n ? n : 1, sizeof(*d->configs));
    d->guest = json_pack("{s:o, s:o, s:[], s:o, s:[], s:[], s:o, s:[], s:[], s:[]}",
                         "hello", json_null(), "platform", json_null(), "cpus",
                         "timer", json_null(), "probes", "errors", "hyperv", json_null(),
                         "vps", "conformance", "precision");
    if (!d->configs || !d->guest)
        return false;
    for (unsigned i = 0; i < n; i++) {
        struct config_result *c = &d->configs[i];
        uint32_t cpus[SWEEP_MAX_CPUS];

        c->cfg = configs[i];
        sweep_config_label(&configs[i], c->label, sizeof(c->label));
        /* sweep_expand() has refused configurations that do not fit. */
        if (sweep_placement(&configs[i], smp, cpus))
            cpu_list_format(cpus, configs[i].targets, c->target_cpus, sizeof(c->target_cpus));
        else
            fmt(c->target_cpus, sizeof(c->target_cpus), "?");
    }
    record_stream_init(&d->stream);
    d->current = -1;
    d->damage = json_array();
    return d->damage != NULL;
}

void collect_free(struct run_data *d)
{
    for (unsigned i = 0; i < d->nconfigs; i++)
        free(d->configs[i].samples);
    for (unsigned i = 0; i < d->nconfigs; i++)
        free(d->configs[i].throughput);
    free(d->configs);
    json_decref(d->guest);
    json_decref(d->damage);
    d->damage = NULL;
    d->configs = NULL;
    d->guest = NULL;
}
/* A record as a JSON object: digit-only values become integers (except the
 * git revision, which only looks like a number sometimes). */
json_t *record_json(const struct record *r)
{
    json_t *o = json_object();

    for (unsigned i = 0; i < r->nfields; i++) {
        const char *v = r->val[i];
        bool digits = v[0] && strspn(v, "0123456789") == strlen(v) && strlen(v) < 19 &&
                      (v[0] != '0' || !v[1]);

        if (digits && strcmp(r->key[i], "rev") != 0)
            json_object_set_new(o, r->key[i], json_integer(strtoll(v, NULL, 10)));
        else
            json_object_set_new(o, r->key[i], json_string(v));
    }
    return o;
}

bool need_u64(struct run_data *d, const struct record *r, const char *key,
                     uint64_t *out)
{
    if (record_get_u64(r, key, out))
        return true;
    collect_problem(d, "record %" PRIu32 " (%s): missing or bad '%s'", r->seq, r->type, key);
    return false;
}

/* The hypervisor's identity, every value a string (signatures and hex
 * words stay text even where they look like numbers): meta.json
 * guest.hypervisor. */
static void collect_hypervisor_strings(struct run_data *d, const struct record *r)
{
    json_t *o;

    if (json_object_get(d->guest, "hypervisor")) {
        collect_problem(d, "record %" PRIu32 ": second %s record", r->seq, r->type);
        return;
    }
    o = json_object();
    for (unsigned i = 0; i < r->nfields; i++)
        json_object_set_new(o, r->key[i], json_string(r->val[i]));
    json_object_set_new(d->guest, "hypervisor", o);
}

/* Records that occur once and are kept whole for meta.json. */
static void once(struct run_data *d, const struct record *r, const char *key, bool *seen)
{
    if (*seen) {
        collect_problem(d, "record %" PRIu32 ": second %s record", r->seq, r->type);
        return;
    }
    *seen = true;
    json_object_set_new(d->guest, key, record_json(r));
}

static void on_record(struct run_data *d, const struct record *r)
{
    const char *t = r->type;

    if (!strcmp(t, "hello")) {
        once(d, r, "hello", &d->have_hello);
    } else if (!strcmp(t, "platform")) {
        once(d, r, "platform", &d->have_platform);
        need_u64(d, r, "tsc_hz", &d->tsc_hz);
        need_u64(d, r, "cpus", &d->platform_cpus);
    } else if (!strcmp(t, "cpu")) {
        d->cpus_seen++;
        json_array_append_new(json_object_get(d->guest, "cpus"), record_json(r));
    } else if (!strcmp(t, "timer")) {
        once(d, r, "timer", &d->have_timer);
        need_u64(d, r, "overhead", &d->timer_overhead);
        d->have_timer_spread = record_get_u64(r, "p1", &d->timer_p1) &&
                               record_get_u64(r, "p99", &d->timer_p99);
    } else if (!strcmp(t, "probe")) {
        json_array_append_new(json_object_get(d->guest, "probes"), record_json(r));
    } else if (!strcmp(t, "config")) {
        collect_on_config(d, r);
    } else if (!strcmp(t, "samples")) {
        collect_on_samples(d, r);
    } else if (!strcmp(t, "latency")) {
        collect_on_latency(d, r);
    } else if (!strcmp(t, "verify")) {
        collect_on_verify(d, r);
    } else if (!strcmp(t, "error")) {
        collect_on_error(d, r);
    } else if (!strcmp(t, "unsupported")) {
        collect_on_unsupported(d, r);
    } else if (!strcmp(t, "initiator") || !strcmp(t, "throughput") ||
               !strcmp(t, "interference")) {
        collect_on_throughput(d, r);
    } else if (!strcmp(t, "hyperv")) {
        json_object_set_new(d->guest, "hyperv", record_json(r));
    } else if (!strcmp(t, "hypervisor")) {
        collect_hypervisor_strings(d, r);
    } else if (!strcmp(t, "vp") || !strcmp(t, "conformance") || !strcmp(t, "precision")) {
        json_array_append_new(json_object_get(d->guest, !strcmp(t, "vp") ? "vps" : t),
                              record_json(r));
    } else if (!strcmp(t, "tscskew")) {
        tsc_skew_collect(d, r);
    } else if (!strcmp(t, "output")) {
        json_object_set_new(d->guest, "output", record_json(r));
    } else if (!strcmp(t, "end")) {
        const char *status = record_get(r, "status");

        d->have_end = true;
        d->end_ok = status && !strcmp(status, "ok");
        if (!d->end_ok)
            collect_problem(d, "guest reported end status=%s", status ? status : "(none)");
    }
    /* Unknown record types are ignored, as the format asks. */
}

void collect_line(struct run_data *d, const char *line, size_t len)
{
    if (d->stream_broken || !collect_screen_line(d, line, len))
        return;
    if (record_stream_feed(&d->stream, line, len, &d->rec) != RECORD_OK) {
        d->stream_broken = true;
        collect_problem(d, "records.txt %s", d->stream.why);
        return;
    }
    d->accepted++;
    on_record(d, &d->rec);
    if (!strcmp(d->rec.type, "config")) {
        uint64_t id;

        if (record_get_u64(&d->rec, "id", &id) && id < d->nconfigs)
            d->current = (int)id;
    }
}

/* After a clean, complete stream: is everything the sweep asked for there? */
static void check_complete(struct run_data *d)
{
    unsigned missing = 0;

    if (!d->have_platform)
        collect_problem(d, "no platform record");
    else if (d->tsc_hz == 0)
        collect_problem(d, "platform record reports tsc_hz=0");
    if (d->have_platform && d->platform_cpus != d->smp)
        collect_problem(d, "guest found %" PRIu64 " CPUs but QEMU was given %u",
                        d->platform_cpus, d->smp);
    if (d->have_platform && d->cpus_seen != d->platform_cpus)
        collect_problem(d, "%u cpu records for %" PRIu64 " CPUs", d->cpus_seen,
                        d->platform_cpus);
    if (!d->have_timer)
        collect_problem(d, "no timer record");
    for (unsigned i = 0; i < d->nconfigs; i++) {
        struct config_result *c = &d->configs[i];

        if (!c->announced) {
            missing++;
            continue;
        }
        /* Unsupported here, or a measurement the guest abandoned and said
         * why (e.g. a hypercall that failed): a result, not a broken run. */
        if (c->unsupported[0] || (c->error[0] && c->nsamples == 0))
            continue;
        if (!sweep_samples_count_ok(&c->cfg, c->nsamples))
            collect_problem(d, "configuration %u (%s): %zu of %" PRIu32 " samples%s%s",
                            i, c->label, c->nsamples, c->cfg.samples,
                            c->error[0] ? ", guest error: " : "", c->error);
        if (c->nsamples && !c->has_latency)
            collect_problem(d, "configuration %u (%s): no latency record", i, c->label);
        if (c->cfg.verify && !c->has_verify && !c->error[0])
            collect_problem(d, "configuration %u (%s): no verify record", i, c->label);
    }
    throughput_check_complete(d);
    if (missing)
        collect_problem(d, "guest measured %u of %u configurations",
                        d->nconfigs - missing, d->nconfigs);
}

void collect_finish(struct run_data *d)
{
    collect_damage_finish(d);
    switch (record_stream_finish(&d->stream)) {
    case RECORD_STREAM_OK:
        break;
    case RECORD_STREAM_BAD_RECORD:
    case RECORD_STREAM_AFTER_END:
        return;                /* reported by collect_line */
    case RECORD_STREAM_NO_END:
        if (d->stream.lines == 0)
            collect_problem(d, "no records: the guest wrote nothing to records.txt");
        else if (d->current < 0)
            collect_problem(d, "no end record: guest stopped early (after %" PRIu32
                            " records)", d->stream.lines);
        else
            collect_problem(d, "no end record: guest stopped early (after %" PRIu32
                            " records, in configuration %d (%s), the last one it began)",
                            d->stream.lines, d->current, d->configs[d->current].label);
        return;
    case RECORD_STREAM_COUNT_MISMATCH:
        collect_problem(d, "end record counts %" PRIu64 " records but %" PRIu32
                        " came before it", d->stream.end_count, d->stream.expected_seq - 1);
        return;
    }
    if (d->end_ok)
        check_complete(d);
}

void collect_file(struct run_data *d, const char *path)
{
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    if (!f) {
        if (errno != ENOENT)
            collect_problem(d, "cannot read %s: %s", path, strerror(errno));
        collect_finish(d);
        return;
    }
    while ((n = getline(&line, &cap, f)) > 0)
        collect_line(d, line, (size_t)n);
    free(line);
    fclose(f);
    collect_finish(d);
}

const char *collect_verdict(const struct config_result *c)
{
    if (c->unsupported[0])
        return "unsupported";
    if (c->has_verify)
        return c->verify.verdict;
    if (c->error[0])
        return "error";
    return "-";
}
