/*
 * Damaged records: the collector's screen in front of the stream validator
 * (see collect.h, collect_screen_line).  A record line can reach the host
 * cut short, with bytes changed, or twice (bench/record-format.md, "Line":
 * every line carries its sequence number and a CRC-32).  None of that is
 * accepted, and none of it stops the reading either:
 *
 *  - a line that does not parse or fails its CRC-32 is rejected: counted,
 *    reported with its line number, and skipped;
 *  - a well-formed line whose sequence number came before is a duplicate:
 *    counted, reported and dropped (its samples never count twice);
 *  - a well-formed line whose number is past the next one expected means
 *    records are missing: counted, reported, and the stream goes on from it.
 *
 * Each of them marks the run failed (the caller's exit status 1) and marks
 * the configuration it may have belonged to: the one last announced, and
 * for a gap also the one the next record names (a lost `config` record
 * leaves its samples to the next).  summary.csv's `records` column and
 * meta.json's `record_stream` say so.  Lines after the end record are left
 * to the validator ("record after the end record").
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <bench/ci_target.h>

#include "analysis/collect.h"
#include "util.h"

#define DAMAGE_LIST_MAX 64

/* Adds what to configuration k's damage ("rejected+missing"). */
static void mark(struct run_data *d, int k, const char *what)
{
    char *dm;

    if (k < 0 || (unsigned)k >= d->nconfigs)
        return;
    dm = d->configs[k].damaged;
    if (strstr(dm, what))
        return;
    append(dm, sizeof(d->configs[k].damaged), "%s%s", dm[0] ? "+" : "", what);
}

/* One damage: the reason (the first few), the list in meta.json, the
 * configuration(s) it touches. */
static void report(struct run_data *d, const char *what, int other, const char *detail)
{
    int k = d->current;

    mark(d, k, what);
    if (other != k)
        mark(d, other, what);
    if (json_array_size(d->damage) < 3)
        collect_problem(d, "records.txt line %" PRIu32 ": %s%s%s", d->stream.lines, detail,
                        k >= 0 ? " in configuration " : "", k >= 0 ? d->configs[k].label : "");
    if (json_array_size(d->damage) < DAMAGE_LIST_MAX)
        json_array_append_new(d->damage, json_pack("{s:I, s:s, s:s, s:o}", "line",
                              (json_int_t)d->stream.lines, "what", what, "detail", detail,
                              "configuration", k >= 0 ? json_string(d->configs[k].label)
                                                      : json_null()));
}

/* The configuration a well-formed record names with id=, or -1. */
static int named_config(const struct run_data *d, const struct record *r)
{
    uint64_t id;

    return record_get_u64(r, "id", &id) && id < d->nconfigs ? (int)id : -1;
}

bool collect_screen_line(struct run_data *d, const char *line, size_t len)
{
    struct record *r = &d->rec;
    enum record_error e;
    char detail[160];
    uint32_t want = d->stream.expected_seq;

    if (d->stream.ended)
        return true;
    e = record_parse(line, len, r);
    if (e != RECORD_OK) {
        d->stream.lines++;
        d->rejected++;
        fmt(detail, sizeof(detail), "%s (record %" PRIu32 " expected); line rejected",
            record_error_str(e), want);
        report(d, "rejected", -1, detail);
        return false;
    }
    if (r->seq < want) {
        d->stream.lines++;
        d->duplicates++;
        fmt(detail, sizeof(detail), "record %" PRIu32 " (%s) again; duplicate dropped", r->seq,
            r->type);
        report(d, "duplicate", named_config(d, r), detail);
        return false;
    }
    if (r->seq > want) {
        d->stream.lines++;
        d->missing += r->seq - want;
        if (r->seq - want == 1)
            fmt(detail, sizeof(detail), "sequence gap: record %" PRIu32 " missing", want);
        else
            fmt(detail, sizeof(detail), "sequence gap: records %" PRIu32 "-%" PRIu32
                " missing", want, r->seq - 1);
        report(d, "missing", named_config(d, r), detail);
        d->stream.lines--;      /* record_stream_feed counts this line */
        d->stream.expected_seq = r->seq;
    }
    return true;
}

void collect_damage_finish(struct run_data *d)
{
    /* Begun and not finished (the guest stopped, or its records were
     * lost): whatever figures it has are not the configuration's. */
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];

        if (c->announced && !c->unsupported[0] && !(c->error[0] && c->nsamples == 0) &&
            (!sweep_samples_count_ok(&c->cfg, c->nsamples) ||
             (c->nsamples && !c->has_latency)))
            mark(d, (int)i, "incomplete");
    }
    if (d->rejected || d->duplicates || d->missing)
        collect_problem(d, "record stream damaged: %u line%s rejected, %u duplicate%s dropped, "
                        "%" PRIu64 " record%s missing (meta.json record_stream)", d->rejected,
                        d->rejected == 1 ? "" : "s", d->duplicates,
                        d->duplicates == 1 ? "" : "s", d->missing, d->missing == 1 ? "" : "s");
}

json_t *collect_damage_json(const struct run_data *d)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:O}", "lines", (json_int_t)d->stream.lines,
                     "accepted", (json_int_t)d->accepted, "rejected", (json_int_t)d->rejected,
                     "duplicates", (json_int_t)d->duplicates, "missing",
                     (json_int_t)d->missing, "damage", d->damage ? d->damage : json_null());
}
