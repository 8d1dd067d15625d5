/*
 * Finding the records in a serial log (see import.h).  Portable mode writes
 * each record line whole under the console lock, and no console line starts
 * with `HVF1 ` (bench/record-format.md, "Channel"), so:
 *   - a line that starts with `HVF1 ` is a record (a trailing `\r` is
 *     dropped: serial consoles often end lines with `\r\n`; so is a leading
 *     one, of consoles that end them with `\n\r`);
 *   - `HVF1 ` later in a line means console output ran into a record: damage;
 *   - a record that does not parse or fails its CRC is damage; one whose
 *     sequence number is not the next is out of order, unless it is a second
 *     `hello`: then two runs were captured into one log;
 *   - no `end` record: the log was cut short (`hvflush: done` after `end` is
 *     only a courtesy: `end` is what counts).
 * The first problem found is the reason; scanning goes on only to copy the
 * record lines, so that records.txt shows what the log held.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bench/pct.h>
#include <bench/record.h>

#include "analysis/collect_internal.h"
#include "import.h"
#include "util.h"

#define SWEEPTEXT_LINES_MAX 65536

struct scan_state {
    struct import_scan *s;
    struct record_stream stream;
    struct record rec;
    bool seen_hello;
    size_t sweep_cap;
};

static void damage(struct import_scan *s, const char *f, ...)
    __attribute__((format(printf, 2, 3)));

static void damage(struct import_scan *s, const char *f, ...)
{
    va_list ap;

    if (s->damaged)
        return;
    s->damaged = true;
    va_start(ap, f);
    vsnprintf(s->reason, sizeof(s->reason), f, ap);
    va_end(ap);
}

static bool keep_line(struct import_scan *s, const char *line, size_t len)
{
    char *p = realloc(s->records, s->records_len + len + 2);

    if (!p)
        return false;
    s->records = p;
    memcpy(p + s->records_len, line, len);
    s->records_len += len;
    p[s->records_len++] = '\n';
    p[s->records_len] = '\0';
    return true;
}

/* sweeptext n=<i> of=<total> text=<percent-encoded line>: in order, the
 * same total throughout. */
static bool on_sweeptext(struct scan_state *st, const struct record *r, unsigned lineno)
{
    struct import_scan *s = st->s;
    const char *text = record_get(r, "text");
    uint64_t n, of;
    size_t tlen, got;
    char *p;

    if (!record_get_u64(r, "n", &n) || !record_get_u64(r, "of", &of) || !text ||
        of > SWEEPTEXT_LINES_MAX) {
        damage(s, "damaged sweeptext record %" PRIu32 " at log line %u", r->seq, lineno);
        return true;
    }
    if (n != s->sweep_lines || (s->sweep_lines && of != s->sweep_of) || n >= of) {
        damage(s, "sweeptext record %" PRIu32 " at log line %u: line %" PRIu64 " of %" PRIu64
               " where line %u of %u was next", r->seq, lineno, n, of, s->sweep_lines,
               s->sweep_lines ? s->sweep_of : (unsigned)of);
        return true;
    }
    s->sweep_of = (unsigned)of;
    /* An empty line is `text=` with nothing after it (bench/record-format.md);
     * a line that is just `-` stays `-`. */
    tlen = strlen(text);
    if (s->sweep_len + tlen + 2 > st->sweep_cap) {
        st->sweep_cap = (s->sweep_len + tlen + 2) * 2;
        p = realloc(s->sweep, st->sweep_cap);
        if (!p)
            return false;
        s->sweep = p;
    }
    if (!pct_decode(text, tlen, s->sweep + s->sweep_len, st->sweep_cap - s->sweep_len, &got)) {
        damage(s, "sweeptext record %" PRIu32 " at log line %u: bad percent-encoding",
               r->seq, lineno);
        return true;
    }
    s->sweep_len += got;
    /* Lines joined by `\n`: the text ends in `\n` when its last line is empty. */
    if (n + 1 < of)
        s->sweep[s->sweep_len++] = '\n';
    s->sweep[s->sweep_len] = '\0';
    s->sweep_lines++;
    return true;
}

static void copy_sig(char *out, size_t cap, const char *v)
{
    fmt(out, cap, "%s", v ? v : "none");
}

/* What the importer itself needs from a record that parsed and is in order. */
static bool on_record(struct scan_state *st, const struct record *r, unsigned lineno)
{
    struct import_scan *s = st->s;

    if (!strcmp(r->type, "hello"))
        st->seen_hello = true;
    else if (!strcmp(r->type, "sweeptext"))
        return on_sweeptext(st, r, lineno);
    else if (!strcmp(r->type, "platform"))
        s->have_platform = record_get_u64(r, "cpus", &s->cpus);
    else if (!strcmp(r->type, "hypervisor") && !s->hypervisor) {
        s->hypervisor = record_json(r);
        copy_sig(s->sig0, sizeof(s->sig0), record_get(r, "sig0"));
        copy_sig(s->sig1, sizeof(s->sig1), record_get(r, "sig1"));
        if (!s->hypervisor)
            return false;
    } else if (!strcmp(r->type, "end"))
        s->have_end = true;
    return true;
}

static bool on_hvf_line(struct scan_state *st, const char *line, size_t len, unsigned lineno)
{
    struct import_scan *s = st->s;
    enum record_error e;

    s->record_lines++;
    if (!keep_line(s, line, len))
        return false;
    if (s->damaged)
        return true;
    /* A second hello: two runs in one log (its seq restarts, or goes on). */
    if (st->seen_hello && record_parse(line, len, &st->rec) == RECORD_OK &&
        !strcmp(st->rec.type, "hello")) {
        damage(s, "two runs concatenated: a second hello record (seq %" PRIu32 ") at log "
               "line %u", st->rec.seq, lineno);
        return true;
    }
    e = record_stream_feed(&st->stream, line, len, &st->rec);
    if (e == RECORD_ERR_SEQ)
        damage(s, "records out of order at log line %u: %s", lineno, st->stream.why);
    else if (e != RECORD_OK)
        damage(s, "damaged record at log line %u: %s", lineno, st->stream.why);
    else if (st->stream.ended && strcmp(st->rec.type, "end") != 0)
        damage(s, "a record after the end record at log line %u", lineno);
    else
        return on_record(st, &st->rec, lineno);
    return true;
}

bool import_scan(const char *log, size_t len, struct import_scan *s)
{
    struct scan_state st = { .s = s };
    size_t pos = 0;

    memset(s, 0, sizeof(*s));
    copy_sig(s->sig0, sizeof(s->sig0), NULL);
    copy_sig(s->sig1, sizeof(s->sig1), NULL);
    record_stream_init(&st.stream);
    while (pos < len) {
        const char *line = log + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        bool whole = nl != NULL;
        const char *mid;

        pos += n + (whole ? 1 : 0);
        s->log_lines++;
        if (n && line[n - 1] == '\r')
            n--;
        /* Some consoles (GRUB's) end lines with `\n\r`: a bare `\r` is no text. */
        while (n && line[0] == '\r') {
            line++;
            n--;
        }
        if (n >= 5 && !memcmp(line, "HVF1 ", 5)) {
            if (!whole && !s->damaged)
                damage(s, "the log ends in the middle of a record (log line %u)",
                       s->log_lines);
            if (!on_hvf_line(&st, line, n, s->log_lines))
                return false;
            continue;
        }
        mid = memmem(line, n, "HVF1 ", 5);
        if (mid)
            damage(s, "a record starts in the middle of log line %u (other output ran into "
                   "it)", s->log_lines);
        if (n == 13 && !memcmp(line, "hvflush: done", 13))
            s->done_line = true;
    }
    if (!s->damaged && s->record_lines == 0)
        damage(s, "no records in the log (no line starts with 'HVF1 ')");
    else if (!s->damaged && !s->have_end)
        damage(s, "truncated: the log ends before the end record (%u records)",
               s->record_lines);
    else if (!s->damaged && s->sweep_lines && s->sweep_lines != s->sweep_of)
        damage(s, "the sweep is incomplete: %u of %u sweeptext records", s->sweep_lines,
               s->sweep_of);
    return true;
}

void import_scan_free(struct import_scan *s)
{
    free(s->records);
    free(s->sweep);
    json_decref(s->hypervisor);
    memset(s, 0, sizeof(*s));
}
