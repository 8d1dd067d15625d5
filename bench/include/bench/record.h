/*
 * Guest -> host result records: one text line each, with a sequence number
 * and a CRC-32.  The wire format is specified in bench/record-format.md;
 * this file is the only code that writes or reads it, and it is compiled
 * both into the freestanding guest and into the host tool.
 */
#ifndef BENCH_RECORD_H
#define BENCH_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define RECORD_MAGIC      "HVF1"
#define RECORD_LINE_MAX   1024   /* including the trailing newline */
#define RECORD_FIELDS_MAX 40
#define RECORD_SAMPLES_PER_LINE 32

/* Writer: builds one line at a time and hands it to emit(). */
struct record_writer {
    void (*emit)(const char *line, size_t len, void *ctx);
    void *ctx;
    uint32_t next_seq;
    size_t len;
    bool overflow;               /* the line under construction was too long */
    char line[RECORD_LINE_MAX];
};

void record_writer_init(struct record_writer *w,
                        void (*emit)(const char *line, size_t len, void *ctx),
                        void *ctx);
void record_begin(struct record_writer *w, const char *type);
void record_str(struct record_writer *w, const char *key, const char *val);
void record_u64(struct record_writer *w, const char *key, uint64_t val);
/* key=val with val written as it is, possibly empty: the caller makes sure
 * it holds no space, '#', '=' or control byte (e.g. pct_encode()'s output). */
void record_raw(struct record_writer *w, const char *key, const char *val);
void record_i64(struct record_writer *w, const char *key, int64_t val);
void record_hexlist(struct record_writer *w, const char *key,
                    const uint64_t *vals, size_t n);
/* Appends the checksum and newline and emits.  Returns false (and emits
 * nothing) if the line overflowed RECORD_LINE_MAX. */
bool record_finish(struct record_writer *w);
/* Emits the closing "end" record, whose count is the number of records
 * written before it and whose status says whether the guest completed. */
bool record_end_stream(struct record_writer *w, bool ok);

/* Reader: parses one line in place (a private copy). */
enum record_error {
    RECORD_OK = 0,
    RECORD_ERR_TOO_LONG,
    RECORD_ERR_MAGIC,
    RECORD_ERR_SEQ,
    RECORD_ERR_TYPE,
    RECORD_ERR_FIELD,
    RECORD_ERR_TOO_MANY_FIELDS,
    RECORD_ERR_NO_CHECKSUM,
    RECORD_ERR_CHECKSUM,
};

struct record {
    uint32_t seq;
    const char *type;
    unsigned nfields;
    const char *key[RECORD_FIELDS_MAX];
    const char *val[RECORD_FIELDS_MAX];
    char buf[RECORD_LINE_MAX];
};

enum record_error record_parse(const char *line, size_t len, struct record *r);
const char *record_error_str(enum record_error e);

/* Field access; NULL / false when the key is absent or malformed. */
const char *record_get(const struct record *r, const char *key);
bool record_get_u64(const struct record *r, const char *key, uint64_t *out);
bool record_get_i64(const struct record *r, const char *key, int64_t *out);
/* Decodes a comma-separated hex list; returns the count, or -1 on error
 * or if more than max values are present. */
int record_get_hexlist(const struct record *r, const char *key,
                       uint64_t *out, size_t max);

/* Stream validation: feed every line in order, then finish. */
struct record_stream {
    uint32_t expected_seq;
    bool ended;
    uint64_t end_count;
    enum record_error first_error;
    uint32_t error_line;          /* 1-based line number of the first error */
    uint32_t lines;
    char why[128];                /* human-readable reason for the first error */
};

enum record_stream_status {
    RECORD_STREAM_OK = 0,
    RECORD_STREAM_BAD_RECORD,     /* checksum/format/sequence error */
    RECORD_STREAM_NO_END,         /* stream stopped before an end record */
    RECORD_STREAM_COUNT_MISMATCH, /* end count != records seen */
    RECORD_STREAM_AFTER_END,      /* data after the end record */
};

void record_stream_init(struct record_stream *s);
/* Returns RECORD_OK or the parse error; r receives the parsed record. */
enum record_error record_stream_feed(struct record_stream *s, const char *line,
                                     size_t len, struct record *r);
enum record_stream_status record_stream_finish(const struct record_stream *s);

uint32_t bench_crc32(const void *data, size_t len);

#endif
