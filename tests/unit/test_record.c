/*
 * Unit tests of the guest -> host record codec (bench/record.c): what the
 * writer produces is what the reader accepts, and every kind of damage to a
 * line or a stream is caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bench/record.h>

struct sink { char text[65536]; size_t len; unsigned lines; };

static void to_sink(const char *line, size_t len, void *ctx)
{
    struct sink *s = ctx;

    memcpy(s->text + s->len, line, len);
    s->len += len;
    s->text[s->len] = '\0';
    s->lines++;
}

static void test_crc32_known_vector(void **state)
{
    (void)state;
    /* The standard check value of CRC-32/ISO-HDLC. */
    assert_int_equal(bench_crc32("123456789", 9), 0xcbf43926u);
    assert_int_equal(bench_crc32("", 0), 0);
}

static void test_roundtrip(void **state)
{
    static struct sink sink;
    struct record_writer w;
    struct record r;
    uint64_t v, list[3] = { 0, 0xdeadbeef, UINT64_MAX }, out[3];
    int64_t i;

    (void)state;
    sink.len = 0;
    record_writer_init(&w, to_sink, &sink);
    record_begin(&w, "config");
    record_u64(&w, "id", 7);
    record_str(&w, "label", "ipi/invlpg/p1/t4/spin");
    record_i64(&w, "delta", -42);
    record_hexlist(&w, "v", list, 3);
    assert_true(record_finish(&w));
    assert_int_equal(w.next_seq, 1);

    assert_int_equal(record_parse(sink.text, sink.len, &r), RECORD_OK);
    assert_int_equal(r.seq, 0);
    assert_string_equal(r.type, "config");
    assert_true(record_get_u64(&r, "id", &v));
    assert_int_equal(v, 7);
    assert_string_equal(record_get(&r, "label"), "ipi/invlpg/p1/t4/spin");
    assert_true(record_get_i64(&r, "delta", &i));
    assert_int_equal(i, -42);
    assert_int_equal(record_get_hexlist(&r, "v", out, 3), 3);
    assert_int_equal(out[1], 0xdeadbeef);
    assert_true(out[2] == UINT64_MAX);
    assert_int_equal(record_get_hexlist(&r, "v", out, 2), -1);   /* too many */
    assert_null(record_get(&r, "absent"));
}

static void test_unsafe_values_are_neutralised(void **state)
{
    static struct sink sink;
    struct record_writer w;
    struct record r;

    (void)state;
    sink.len = 0;
    record_writer_init(&w, to_sink, &sink);
    record_begin(&w, "probe");
    record_str(&w, "detail", "a b#c=d");
    record_str(&w, "empty", "");
    assert_true(record_finish(&w));
    assert_int_equal(record_parse(sink.text, sink.len, &r), RECORD_OK);
    assert_string_equal(record_get(&r, "detail"), "a_b_c_d");
    assert_string_equal(record_get(&r, "empty"), "-");
}

/* record_raw(): a value written as it is, an empty one included (sweeptext's
 * text= for an empty line), and parsed back as empty. */
static void test_raw_and_empty_values(void **state)
{
    static struct sink sink;
    struct record_writer w;
    struct record r;

    (void)state;
    sink.len = 0;
    record_writer_init(&w, to_sink, &sink);
    record_begin(&w, "sweeptext");
    record_raw(&w, "text", "");
    record_raw(&w, "more", "a%20b");
    assert_true(record_finish(&w));
    assert_memory_equal(sink.text, "HVF1 0 sweeptext text= more=a%20b #", 35);
    assert_int_equal(record_parse(sink.text, sink.len, &r), RECORD_OK);
    assert_string_equal(record_get(&r, "text"), "");
    assert_string_equal(record_get(&r, "more"), "a%20b");
}

static void test_overflow_is_refused(void **state)
{
    static struct sink sink;
    struct record_writer w;
    uint64_t many[200];
    unsigned i;

    (void)state;
    for (i = 0; i < 200; i++)
        many[i] = UINT64_MAX;
    sink.len = 0;
    record_writer_init(&w, to_sink, &sink);
    record_begin(&w, "samples");
    record_hexlist(&w, "v", many, 200);
    assert_false(record_finish(&w));
    assert_int_equal(sink.lines, 0);
    assert_int_equal(w.next_seq, 0);
    /* A full line of RECORD_SAMPLES_PER_LINE maximal values fits. */
    record_begin(&w, "samples");
    record_u64(&w, "id", 511);
    record_u64(&w, "first", 999968);
    record_hexlist(&w, "v", many, RECORD_SAMPLES_PER_LINE);
    assert_true(record_finish(&w));
}

static void test_damage_is_detected(void **state)
{
    struct record r;
    char line[256];
    static struct sink sink;
    struct record_writer w;

    (void)state;
    sink.len = 0;
    record_writer_init(&w, to_sink, &sink);
    record_begin(&w, "timer");
    record_u64(&w, "overhead", 30);
    record_finish(&w);

    strcpy(line, sink.text);
    line[strlen("HVF1 0 timer overhead=")] = '4';            /* flipped digit */
    assert_int_equal(record_parse(line, strlen(line), &r), RECORD_ERR_CHECKSUM);

    strcpy(line, "HVF1 0 timer overhead=30");                  /* no trailer */
    assert_int_equal(record_parse(line, strlen(line), &r), RECORD_ERR_NO_CHECKSUM);

    strcpy(line, sink.text);
    line[strlen(line) - 3] = 'x';                              /* bad hex */
    assert_int_equal(record_parse(line, strlen(line), &r), RECORD_ERR_NO_CHECKSUM);

    snprintf(line, sizeof(line), "XXXX 0 timer overhead=30");
    snprintf(line + strlen(line), sizeof(line) - strlen(line), " #%08x",
             bench_crc32(line, strlen(line)));
    assert_int_equal(record_parse(line, strlen(line), &r), RECORD_ERR_MAGIC);

    snprintf(line, sizeof(line), "HVF1 0 timer overhead");
    snprintf(line + strlen(line), sizeof(line) - strlen(line), " #%08x",
             bench_crc32(line, strlen(line)));
    assert_int_equal(record_parse(line, strlen(line), &r), RECORD_ERR_FIELD);

    snprintf(line, sizeof(line), "HVF1 x timer a=1");
    snprintf(line + strlen(line), sizeof(line) - strlen(line), " #%08x",
             bench_crc32(line, strlen(line)));
    assert_int_equal(record_parse(line, strlen(line), &r), RECORD_ERR_SEQ);
}

/* Writes n ordinary records and, if end, the end record into sink. */
static void make_stream(struct sink *sink, unsigned n, bool end)
{
    struct record_writer w;
    unsigned i;

    sink->len = 0;
    sink->lines = 0;
    record_writer_init(&w, to_sink, sink);
    for (i = 0; i < n; i++) {
        record_begin(&w, "cpu");
        record_u64(&w, "idx", i);
        record_finish(&w);
    }
    if (end)
        record_end_stream(&w, true);
}

/* Feeds every line of text to a fresh validator. */
static enum record_stream_status check_stream(const char *text)
{
    struct record_stream s;
    static struct record r;
    const char *p = text;

    record_stream_init(&s);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);

        record_stream_feed(&s, p, len, &r);
        p += len;
    }
    return record_stream_finish(&s);
}

static void test_stream_validation(void **state)
{
    static struct sink sink;
    static char edited[2 * 65536];
    char *second, *third;

    (void)state;
    make_stream(&sink, 5, true);
    assert_int_equal(check_stream(sink.text), RECORD_STREAM_OK);

    make_stream(&sink, 5, false);
    assert_int_equal(check_stream(sink.text), RECORD_STREAM_NO_END);

    /* Drop the second record: a sequence gap. */
    make_stream(&sink, 5, true);
    second = strchr(sink.text, '\n') + 1;
    third = strchr(second, '\n') + 1;
    memmove(second, third, strlen(third) + 1);
    assert_int_equal(check_stream(sink.text), RECORD_STREAM_BAD_RECORD);

    /* Anything after the end record. */
    make_stream(&sink, 2, true);
    snprintf(edited, sizeof(edited), "%s%s", sink.text, sink.text);
    assert_int_equal(check_stream(edited), RECORD_STREAM_AFTER_END);

    /* A truncated final line (the guest died mid-write). */
    make_stream(&sink, 3, true);
    sink.text[sink.len - 5] = '\0';
    assert_int_not_equal(check_stream(sink.text), RECORD_STREAM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_vector),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_unsafe_values_are_neutralised),
        cmocka_unit_test(test_raw_and_empty_values),
        cmocka_unit_test(test_overflow_is_refused),
        cmocka_unit_test(test_damage_is_detected),
        cmocka_unit_test(test_stream_validation),
    };

    return cmocka_run_group_tests_name("record", tests, NULL, NULL);
}
