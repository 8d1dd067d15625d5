/*
 * Writer, parser and stream validator for guest -> host records.  The format
 * is specified in bench/record-format.md; keep the two in step.
 */
#include <bench/record.h>
#include <bench/text.h>

/* ---- writer ---------------------------------------------------------------- */

void record_writer_init(struct record_writer *w,
                        void (*emit)(const char *line, size_t len, void *ctx),
                        void *ctx)
{
    w->emit = emit;
    w->ctx = ctx;
    w->next_seq = 0;
    w->len = 0;
    w->overflow = false;
}

/* Reserve room for " #xxxxxxxx\n" at the end of every line. */
#define TRAILER_LEN 11

static void put(struct record_writer *w, const char *s, size_t n)
{
    size_t i;

    if (w->len + n + TRAILER_LEN > RECORD_LINE_MAX) {
        w->overflow = true;
        return;
    }
    for (i = 0; i < n; i++)
        w->line[w->len++] = s[i];
}

static void put_str(struct record_writer *w, const char *s)
{
    put(w, s, text_len(s));
}

/* Values may not contain separators; anything unsafe becomes '_'. */
static void put_value(struct record_writer *w, const char *s)
{
    for (; *s; s++) {
        char c = *s;

        if (c <= ' ' || c == '#' || c == '=' || c == 0x7f)
            c = '_';
        put(w, &c, 1);
    }
}

void record_begin(struct record_writer *w, const char *type)
{
    char num[20];

    w->len = 0;
    w->overflow = false;
    put_str(w, RECORD_MAGIC " ");
    put(w, num, text_u64_dec(num, w->next_seq));
    put_str(w, " ");
    put_str(w, type);
}

static void put_key(struct record_writer *w, const char *key)
{
    put_str(w, " ");
    put_str(w, key);
    put_str(w, "=");
}

void record_str(struct record_writer *w, const char *key, const char *val)
{
    put_key(w, key);
    put_value(w, val[0] ? val : "-");
}

void record_raw(struct record_writer *w, const char *key, const char *val)
{
    put_key(w, key);
    put_str(w, val);
}

void record_u64(struct record_writer *w, const char *key, uint64_t val)
{
    char num[20];

    put_key(w, key);
    put(w, num, text_u64_dec(num, val));
}

void record_i64(struct record_writer *w, const char *key, int64_t val)
{
    char num[20];

    put_key(w, key);
    if (val < 0) {
        put_str(w, "-");
        put(w, num, text_u64_dec(num, 0 - (uint64_t)val));
    } else {
        put(w, num, text_u64_dec(num, (uint64_t)val));
    }
}

void record_hexlist(struct record_writer *w, const char *key,
                    const uint64_t *vals, size_t n)
{
    char num[16];
    size_t i;

    put_key(w, key);
    for (i = 0; i < n; i++) {
        if (i)
            put_str(w, ",");
        put(w, num, text_u64_hex(num, vals[i]));
    }
    if (n == 0)
        put_str(w, "-");
}

bool record_finish(struct record_writer *w)
{
    uint32_t crc;
    int i;

    if (w->overflow)
        return false;
    crc = bench_crc32(w->line, w->len);
    w->line[w->len++] = ' ';
    w->line[w->len++] = '#';
    for (i = 7; i >= 0; i--)
        w->line[w->len++] = "0123456789abcdef"[(crc >> (i * 4)) & 0xf];
    w->line[w->len++] = '\n';
    w->emit(w->line, w->len, w->ctx);
    w->next_seq++;
    return true;
}

bool record_end_stream(struct record_writer *w, bool ok)
{
    uint32_t count = w->next_seq;

    record_begin(w, "end");
    record_u64(w, "count", count);
    record_str(w, "status", ok ? "ok" : "failed");
    return record_finish(w);
}

/* ---- reader ---------------------------------------------------------------- */

static bool is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

enum record_error record_parse(const char *line, size_t len, struct record *r)
{
    size_t i, body, tok;
    uint64_t seq, want;
    char *p, *end;

    if (len && line[len - 1] == '\n')
        len--;
    if (len + 1 > RECORD_LINE_MAX)
        return RECORD_ERR_TOO_LONG;
    for (i = 0; i < len; i++)
        r->buf[i] = line[i];
    r->buf[len] = '\0';
    r->nfields = 0;
    r->type = "";

    /* Trailer: " #" then exactly 8 hex digits. */
    if (len < 10 + 5 || r->buf[len - 10] != ' ' || r->buf[len - 9] != '#')
        return RECORD_ERR_NO_CHECKSUM;
    if (!text_parse_u64(r->buf + len - 8, 8, 16, &want))
        return RECORD_ERR_NO_CHECKSUM;
    body = len - 10;
    if (bench_crc32(r->buf, body) != (uint32_t)want)
        return RECORD_ERR_CHECKSUM;
    r->buf[body] = '\0';

    p = r->buf;
    end = r->buf + body;
    if (body < 5 || !text_eq_n(p, 4, RECORD_MAGIC) || p[4] != ' ')
        return RECORD_ERR_MAGIC;
    p += 5;

    for (tok = 0; p < end && *p != ' '; tok++)
        p++;
    if (!text_parse_u64(p - tok, tok, 10, &seq) || seq > UINT32_MAX)
        return RECORD_ERR_SEQ;
    r->seq = (uint32_t)seq;
    if (p >= end)
        return RECORD_ERR_TYPE;
    *p++ = '\0';

    r->type = p;
    while (p < end && *p != ' ') {
        if (*p < 'a' || *p > 'z')
            return RECORD_ERR_TYPE;
        p++;
    }
    if (p == r->type)
        return RECORD_ERR_TYPE;
    if (p < end)
        *p++ = '\0';

    while (p < end) {
        char *key = p, *val;

        while (p < end && is_key_char(*p))
            p++;
        if (p == key || p >= end || *p != '=')
            return RECORD_ERR_FIELD;
        *p++ = '\0';
        val = p;
        while (p < end && *p != ' ')
            p++;
        /* An empty value is allowed (sweeptext's text= for an empty line). */
        if (p < end)
            *p++ = '\0';
        if (r->nfields == RECORD_FIELDS_MAX)
            return RECORD_ERR_TOO_MANY_FIELDS;
        r->key[r->nfields] = key;
        r->val[r->nfields] = val;
        r->nfields++;
    }
    return RECORD_OK;
}

const char *record_error_str(enum record_error e)
{
    switch (e) {
    case RECORD_OK: return "ok";
    case RECORD_ERR_TOO_LONG: return "line too long";
    case RECORD_ERR_MAGIC: return "missing HVF1 magic";
    case RECORD_ERR_SEQ: return "bad sequence number";
    case RECORD_ERR_TYPE: return "bad record type";
    case RECORD_ERR_FIELD: return "malformed key=value field";
    case RECORD_ERR_TOO_MANY_FIELDS: return "too many fields";
    case RECORD_ERR_NO_CHECKSUM: return "missing checksum";
    case RECORD_ERR_CHECKSUM: return "checksum mismatch";
    }
    return "unknown error";
}

const char *record_get(const struct record *r, const char *key)
{
    unsigned i;

    for (i = 0; i < r->nfields; i++)
        if (text_eq(r->key[i], key))
            return r->val[i];
    return NULL;
}

bool record_get_u64(const struct record *r, const char *key, uint64_t *out)
{
    const char *v = record_get(r, key);

    return v && text_parse_u64(v, text_len(v), 10, out);
}

bool record_get_i64(const struct record *r, const char *key, int64_t *out)
{
    const char *v = record_get(r, key);
    uint64_t mag;

    if (!v)
        return false;
    if (v[0] == '-') {
        if (!text_parse_u64(v + 1, text_len(v + 1), 10, &mag) || mag > (uint64_t)INT64_MAX + 1)
            return false;
        *out = (int64_t)(0 - mag);
        return true;
    }
    if (!text_parse_u64(v, text_len(v), 10, &mag) || mag > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)mag;
    return true;
}

int record_get_hexlist(const struct record *r, const char *key,
                       uint64_t *out, size_t max)
{
    const char *v = record_get(r, key);
    size_t n = 0;

    if (!v)
        return -1;
    if (text_eq(v, "-"))
        return 0;
    while (*v) {
        const char *start = v;

        while (*v && *v != ',')
            v++;
        if (n == max || !text_parse_u64(start, (size_t)(v - start), 16, &out[n]))
            return -1;
        n++;
        if (*v == ',') {
            v++;
            if (!*v)
                return -1;             /* trailing comma */
        }
    }
    return (int)n;
}

/* ---- stream validation ------------------------------------------------------ */

void record_stream_init(struct record_stream *s)
{
    s->expected_seq = 0;
    s->ended = false;
    s->end_count = 0;
    s->first_error = RECORD_OK;
    s->error_line = 0;
    s->lines = 0;
    s->why[0] = '\0';
}

static void stream_fail(struct record_stream *s, enum record_error e, const char *why)
{
    char num[20];

    if (s->first_error != RECORD_OK)
        return;
    s->first_error = e;
    s->error_line = s->lines;
    text_copy(s->why, sizeof(s->why), "line ", 5);
    num[text_u64_dec(num, s->lines)] = '\0';
    text_append(s->why, sizeof(s->why), num);
    text_append(s->why, sizeof(s->why), ": ");
    text_append(s->why, sizeof(s->why), why);
}

enum record_error record_stream_feed(struct record_stream *s, const char *line,
                                     size_t len, struct record *r)
{
    enum record_error e;

    s->lines++;
    if (s->ended) {
        stream_fail(s, RECORD_ERR_SEQ, "record after the end record");
        return RECORD_ERR_SEQ;
    }
    e = record_parse(line, len, r);
    if (e != RECORD_OK) {
        stream_fail(s, e, record_error_str(e));
        return e;
    }
    if (r->seq != s->expected_seq) {
        stream_fail(s, RECORD_ERR_SEQ, "sequence gap (record lost or repeated)");
        return RECORD_ERR_SEQ;
    }
    s->expected_seq++;
    if (text_eq(r->type, "end")) {
        s->ended = true;
        if (!record_get_u64(r, "count", &s->end_count)) {
            stream_fail(s, RECORD_ERR_FIELD, "end record without a count");
            return RECORD_ERR_FIELD;
        }
    }
    return RECORD_OK;
}

enum record_stream_status record_stream_finish(const struct record_stream *s)
{
    if (s->first_error != RECORD_OK)
        return s->ended && s->error_line > s->end_count + 1 ?
               RECORD_STREAM_AFTER_END : RECORD_STREAM_BAD_RECORD;
    if (!s->ended)
        return RECORD_STREAM_NO_END;
    if (s->end_count != (uint64_t)s->expected_seq - 1)
        return RECORD_STREAM_COUNT_MISMATCH;
    return RECORD_STREAM_OK;
}
