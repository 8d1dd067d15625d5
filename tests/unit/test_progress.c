/*
 * Unit tests of the progress line (host/progress.c): the m:ss clock, the
 * estimate from the mean time of the finished configurations, the line's
 * format, and the counting from record lines written with bench/record.c
 * (a config finishes when the next one, or the end, arrives), printed as a
 * terminal line or plain lines into a memory stream, and not at all when
 * disabled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bench/record.h>

#include "progress.h"

static void test_clock(void **state)
{
    static const struct { long long ms; const char *text; } cases[] = {
        { -1, "--:--" }, { 0, "0:00" }, { 499, "0:00" }, { 500, "0:01" },
        { 59499, "0:59" }, { 60000, "1:00" }, { 61000, "1:01" }, { 605000, "10:05" },
        { 4503000, "75:03" },
    };
    char out[32];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        progress_clock(cases[i].ms, out, sizeof(out));
        assert_string_equal(out, cases[i].text);
    }
}

static void test_eta(void **state)
{
    (void)state;
    /* Unknown before the first configuration has finished. */
    assert_int_equal(progress_eta_ms(0, 10, 0, 5000), -1);
    /* 2 done in 20 s: 10 s each, 8 left = 80 s. */
    assert_int_equal(progress_eta_ms(2, 10, 20000, 0), 80000);
    /* The current one has run 4 s of its 10. */
    assert_int_equal(progress_eta_ms(2, 10, 20000, 4000), 76000);
    /* Never below 0, and 0 when all are done. */
    assert_int_equal(progress_eta_ms(9, 10, 9000, 60000), 0);
    assert_int_equal(progress_eta_ms(10, 10, 10000, 0), 0);
    assert_int_equal(progress_eta_ms(12, 10, 10000, 0), 0);
}

static void test_format(void **state)
{
    char out[128];

    (void)state;
    progress_format(out, sizeof(out), 3, 20, "hv-space/fast/p1/t2", 42000, 70000);
    assert_string_equal(out, "[3/20] hv-space/fast/p1/t2  0:42  ETA 1:10");
    progress_format(out, sizeof(out), 0, 7, "ipi/invlpg/p1", 1000, -1);
    assert_string_equal(out, "[0/7] ipi/invlpg/p1  0:01  ETA --:--");
    progress_format(out, sizeof(out), 0, 7, "", 0, -1);
    assert_string_equal(out, "[0/7] -  0:00  ETA --:--");
}

/* Record lines as the guest writes them. */
static char lines[16][512];
static unsigned nlines;

static void sink(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    snprintf(lines[nlines++], sizeof(lines[0]), "%.*s", (int)(len - 1), line);
}

static void write_stream(void)
{
    static struct record_writer w;

    nlines = 0;
    record_writer_init(&w, sink, NULL);
    record_begin(&w, "hello");
    record_u64(&w, "version", 1);
    record_finish(&w);
    for (int i = 0; i < 3; i++) {
        char label[32];

        snprintf(label, sizeof(label), "cfg-%d", i);
        record_begin(&w, "config");
        record_u64(&w, "id", (uint64_t)i);
        record_str(&w, "label", label);
        record_finish(&w);
        record_begin(&w, "latency");
        record_u64(&w, "id", (uint64_t)i);
        record_finish(&w);
    }
    record_end_stream(&w, true);
}

static void take(struct progress *p, unsigned line, long long now)
{
    progress_take_line(p, lines[line], strlen(lines[line]), now);
}

static void test_counting(void **state)
{
    struct progress p;

    (void)state;
    write_stream();
    assert_int_equal(nlines, 8);
    progress_init(&p, 3, false, false, stderr, 0);
    take(&p, 0, 100);                      /* hello */
    assert_int_equal(p.started, 0);
    take(&p, 1, 1000);                     /* config 0 */
    assert_int_equal(p.started, 1);
    assert_int_equal(p.done, 0);
    assert_string_equal(p.label, "cfg-0");
    take(&p, 2, 5000);                     /* its latency: still running */
    assert_int_equal(p.done, 0);
    take(&p, 3, 11000);                    /* config 1: config 0 took 10 s */
    assert_int_equal(p.done, 1);
    assert_string_equal(p.label, "cfg-1");
    assert_int_equal(progress_eta_ms(p.done, p.total, p.last_done_ms - p.first_ms, 0), 20000);
    /* A damaged line (its checksum no longer matches) counts for nothing. */
    lines[5][strlen(lines[5]) - 12] ^= 1;
    take(&p, 5, 15000);
    assert_int_equal(p.started, 2);
    take(&p, 7, 21000);                    /* end */
    assert_true(p.ended);
    assert_int_equal(p.done, 2);
}

/* Feeds the whole stream through a records file and returns what was
 * printed. */
static char *run_through_file(bool enabled, bool tty)
{
    static char printed[4096];
    char path[] = "/tmp/hvflush-progress-XXXXXX";
    struct progress p;
    FILE *out = fmemopen(printed, sizeof(printed), "w");
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");

    memset(printed, 0, sizeof(printed));
    assert_non_null(out);
    assert_non_null(f);
    write_stream();
    progress_init(&p, 3, enabled, tty, out, 0);
    progress_follow(&p, path, NULL);
    progress_tick(&p, 100);                /* nothing yet */
    for (unsigned i = 0; i < nlines; i++) {
        /* Half a line first: it must wait for its newline. */
        size_t half = strlen(lines[i]) / 2;

        fprintf(f, "%.*s", (int)half, lines[i]);
        fflush(f);
        progress_tick(&p, 1000 + 1000 * i);
        fprintf(f, "%s\n", lines[i] + half);
        fflush(f);
        progress_tick(&p, 1500 + 1000 * i);
    }
    fclose(f);
    progress_finish(&p, 10000);
    fclose(out);
    unlink(path);
    return printed;
}

static void test_plain_lines(void **state)
{
    char *out;

    (void)state;
    out = run_through_file(true, false);
    assert_string_equal(out,
                        "hvflush: [0/3] cfg-0  0:03  ETA --:--\n"
                        "hvflush: [1/3] cfg-1  0:05  ETA 0:04\n"
                        "hvflush: [2/3] cfg-2  0:07  ETA 0:02\n"
                        "hvflush: [3/3] finished  0:10  ETA 0:00\n");
    assert_null(strchr(out, '\r'));
}

static void test_terminal_line(void **state)
{
    char *out, *last;

    (void)state;
    out = run_through_file(true, true);
    /* Rewritten in place, one newline at the very end. */
    assert_non_null(strstr(out, "\r\033[Khvflush: [0/3] cfg-0"));
    assert_non_null(strstr(out, "\r\033[Khvflush: [2/3] cfg-2"));
    assert_int_equal(strchr(out, '\n') - out, (long)strlen(out) - 1);
    last = strrchr(out, '\r');
    assert_string_equal(last, "\r\033[Khvflush: [3/3] finished  0:10  ETA 0:00\n");
}

static void test_disabled_prints_nothing(void **state)
{
    (void)state;
    assert_string_equal(run_through_file(false, false), "");
    assert_string_equal(run_through_file(false, true), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_eta),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_counting),
        cmocka_unit_test(test_plain_lines),
        cmocka_unit_test(test_terminal_line),
        cmocka_unit_test(test_disabled_prints_nothing),
    };

    return cmocka_run_group_tests_name("progress line", tests, NULL, NULL);
}
