/*
 * Unit tests of the collector's screen for damaged records
 * (host/analysis/collect_damage.c) on hand-made record streams
 * (collect_stream.c): the good stream with one of configuration 1's
 * `samples` lines repeated, left out, cut short or with a byte changed.
 * Each is counted, reported with its line and configuration, and the rest
 * of the stream is still read: a repeated line never counts twice, and
 * configuration 0 stays clean.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "collect_stream.h"

enum spoil { REPEAT, DROP, CUT, FLIP };

/* The good stream, with configuration 1's first samples line spoiled. */
static struct run_data *collect_spoiled(enum spoil how, unsigned *line_no)
{
    static struct sink s;
    static char text[sizeof(s.text) + 1024];
    static struct run_data d;
    struct knobs k = { 0 };
    const char *at, *nl;
    size_t head, len;
    char *o = text;

    build_stream(&s, &k);
    s.text[s.len] = '\0';
    at = strstr(s.text, " samples id=1 ");
    assert_non_null(at);
    while (at > s.text && at[-1] != '\n')
        at--;
    nl = strchr(at, '\n');
    head = (size_t)(at - s.text);
    len = (size_t)(nl - at) + 1;
    *line_no = 1;
    for (const char *p = s.text; p < at; p++)
        *line_no += *p == '\n';
    memcpy(o, s.text, head);
    o += head;
    switch (how) {
    case REPEAT:
        memcpy(o, at, len);
        o += len;
        memcpy(o, at, len);
        o += len;
        break;
    case DROP:
        break;
    case CUT:
        memcpy(o, at, len / 2);
        o += len / 2;
        *o++ = '\n';
        break;
    case FLIP:
        memcpy(o, at, len);
        o[len / 2] ^= 0x01;
        o += len;
        break;
    }
    strcpy(o, nl + 1);
    collect_text(&d, text);
    return &d;
}

static void expect(struct run_data *d, unsigned rejected, unsigned dups, uint64_t missing,
                   const char *marks, const char *needle)
{
    char line[64];

    assert_true(d->failed);
    if (!strstr(d->reason, needle))
        fail_msg("reason lacks '%s': %s", needle, d->reason);
    assert_int_equal(d->rejected, rejected);
    assert_int_equal(d->duplicates, dups);
    assert_int_equal(d->missing, missing);
    assert_string_equal(d->configs[0].damaged, "");
    assert_string_equal(d->configs[1].damaged, marks);
    assert_int_equal(json_array_size(d->damage), rejected + dups + (missing ? 1 : 0));
    /* The stream went on to its end record. */
    assert_true(d->have_end);
    snprintf(line, sizeof(line), "record stream damaged: %u line", rejected);
    assert_non_null(strstr(d->reason, line));
}

static void test_repeated_line_counts_once(void **state)
{
    unsigned at;
    struct run_data *d = collect_spoiled(REPEAT, &at);
    char needle[64];

    (void)state;
    snprintf(needle, sizeof(needle), "records.txt line %u: record", at + 1);
    expect(d, 0, 1, 0, "duplicate", needle);
    assert_int_equal(d->configs[1].nsamples, SAMPLES);
    assert_true(d->configs[1].has_latency);
    collect_free(d);
}

static void test_dropped_line_is_missing(void **state)
{
    unsigned at;
    struct run_data *d = collect_spoiled(DROP, &at);

    (void)state;
    expect(d, 0, 0, 1, "missing+incomplete", "sequence gap");
    assert_true(d->configs[1].nsamples < SAMPLES);
    collect_free(d);
}

static void test_cut_and_flipped_lines_are_rejected(void **state)
{
    unsigned at;
    char needle[96];
    struct run_data *d = collect_spoiled(CUT, &at);

    (void)state;
    snprintf(needle, sizeof(needle), "records.txt line %u: missing checksum", at);
    expect(d, 1, 0, 1, "rejected+missing+incomplete", needle);
    collect_free(d);
    d = collect_spoiled(FLIP, &at);
    snprintf(needle, sizeof(needle), "records.txt line %u: checksum mismatch", at);
    expect(d, 1, 0, 1, "rejected+missing+incomplete", needle);
    collect_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeated_line_counts_once),
        cmocka_unit_test(test_dropped_line_is_missing),
        cmocka_unit_test(test_cut_and_flipped_lines_are_rejected),
    };

    return cmocka_run_group_tests_name("host_collect_damage", tests, NULL, NULL);
}
