/*
 * Unit tests of the record channels (host/channels.c): a good stream split
 * between a results area (in a file laid out like QEMU's guest RAM) and the
 * record port's copy, as bench/measure/emit.c writes them, merged and then
 * checked by the collector.  Faults injected in the area (a lost line, a
 * damaged samples line, a damaged line the port also carries), an overflow
 * that moves the rest of the stream to the port, a guest that died with an
 * incomplete area, a lost line in the port's tail, and an area the guest
 * never set up.
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
#include <bench/results_area.h>
#include <bench/sweep.h>

#include "channels.h"
#include "collect_stream.h"
#include "util.h"

#define GPA  0x2000ull
#define SIZE (1ull << 20)

/* How to split and spoil the stream. */
struct split {
    long long area_upto;        /* lines 0..area_upto-1 in the area; 0: all */
    bool complete, overflow;    /* header flags */
    bool no_magic;              /* the guest never set the area up (all to the port) */
    bool died;                  /* the guest stopped after line area_upto-1 */
    /* Sequence numbers + 1 (SEQ(n)); 0: none. */
    int drop_area;              /* a line lost from the area */
    int flip_area;              /* a byte damaged in the area's copy */
    int drop_port;              /* a line lost from the port */
};

static char dir[64];
static struct run_data data;
static struct channel_report rep;

static bool is_samples(const char *line, size_t len)
{
    return len > 30 && strstr(line, " samples ") && strstr(line, " samples ") < line + 20;
}

/* Writes RUN/guest-ram and RUN/records.txt (the port) the way the guest
 * and QEMU leave them, then merges and collects. */
static struct run_data *merge(const struct split *sp)
{
    static struct sink s;
    struct knobs k = { 0 };
    struct results_area_header h;
    char path[128], *area = calloc(1, SIZE), *port = calloc(1, 1 << 17);
    size_t alen = 0, plen = 0, lines = 0;
    const char *p;
    FILE *f;

    build_stream(&s, &k);
    for (p = s.text; *p;) {
        size_t len = (size_t)(strchr(p, '\n') + 1 - p);
        long long seq = channels_line_seq(p, len);
        bool in_area = sp->area_upto == 0 || seq < sp->area_upto;

        if (in_area && seq + 1 != sp->drop_area) {
            memcpy(area + RESULTS_AREA_HEADER + alen, p, len);
            if (seq + 1 == sp->flip_area)
                area[RESULTS_AREA_HEADER + alen + 12] ^= 0x01;
            alen += len;
            lines++;
        }
        if (sp->died && !in_area)
            break;
        if ((!in_area || !is_samples(p, len) || sp->no_magic) && seq + 1 != sp->drop_port) {
            memcpy(port + plen, p, len);
            plen += len;
        }
        p += len;
    }
    memset(&h, 0, sizeof(h));
    if (!sp->no_magic)
        memcpy(h.magic, RESULTS_AREA_MAGIC, 8);
    h.version = RESULTS_AREA_VERSION;
    h.header_size = RESULTS_AREA_HEADER;
    h.size = SIZE;
    h.bytes = alen;
    h.lines = lines;
    h.complete = sp->complete;
    h.overflow = sp->overflow;
    memcpy(area, &h, sizeof(h));

    snprintf(path, sizeof(path), "%s/guest-ram", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fseek(f, (long)GPA, SEEK_SET), 0);
    assert_int_equal(fwrite(area, 1, SIZE, f), SIZE);
    fclose(f);
    snprintf(path, sizeof(path), "%s/records.txt", dir);
    assert_true(write_file(path, port, plen));
    free(area);
    free(port);

    memset(&rep, 0, sizeof(rep));
    rep.area_planned = true;
    rep.gpa = GPA;
    rep.size = SIZE;
    rep.first_port_seq = -1;
    snprintf(rep.ram_path, sizeof(rep.ram_path), "%s/guest-ram", dir);
    {
        static struct sweep sw;
        static struct sweep_config cfgs[8];
        struct sweep_error err;

        assert_true(sweep_parse(sweep_text, strlen(sweep_text), &sw, &err));
        assert_int_equal(sweep_expand(&sw, SMP, cfgs, 8, &err), 2);
        assert_true(collect_init(&data, cfgs, 2, SMP));
    }
    channels_merge(&rep, dir, &data);
    collect_file(&data, path);
    /* The RAM file is gone; the channels' own copies stay. */
    snprintf(path, sizeof(path), "%s/guest-ram", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    return &data;
}

#define SPLIT(...) ((struct split){ __VA_ARGS__ })
#define SEQ(n) ((n) + 1)

static void expect_ok(struct run_data *d)
{
    if (d->failed)
        fail_msg("unexpected failure: %s", d->reason);
    assert_int_equal(d->configs[1].nsamples, SAMPLES);
    collect_free(d);
}

static void test_complete_area(void **state)
{
    (void)state;
    expect_ok(merge(&SPLIT(.complete = true)));
    assert_int_equal(rep.from_port, 0);
    assert_true(rep.from_area > 10);
    assert_int_equal(rep.disagree, 0);
    assert_true(rep.port_lines > 0 && rep.port_lines < rep.from_area);
}

/* Samples lines exist only in the area: losing or damaging one there is
 * caught by the stream checks, not papered over by the port. */
static void test_lost_and_damaged_area_lines_are_caught(void **state)
{
    int samples_seq = -1;
    static struct sink s;
    struct knobs k = { 0 };

    (void)state;
    build_stream(&s, &k);
    for (const char *p = strstr(s.text, " samples "); p && samples_seq < 0; p--)
        if (p[-1] == '\n')
            samples_seq = (int)channels_line_seq(p, strlen(p));
    assert_true(samples_seq > 0);
    expect_failure(merge(&SPLIT(.complete = true, .drop_area = SEQ(samples_seq))),
                   "sequence gap");
    expect_failure(merge(&SPLIT(.complete = true, .flip_area = SEQ(samples_seq))),
                   "checksum mismatch");
    /* A line both channels carry, damaged in the area: both checks fire. */
    expect_failure(merge(&SPLIT(.complete = true, .flip_area = SEQ(1))), "carry different");
    assert_int_equal(rep.disagree, 1);
}

/* A full area: the port carries the rest of the stream, nothing is lost;
 * a line lost from that tail is caught. */
static void test_overflow_moves_the_rest_to_the_port(void **state)
{
    (void)state;
    expect_ok(merge(&SPLIT(.area_upto = 9, .overflow = true)));
    assert_int_equal(rep.from_area, 9);
    assert_true(rep.from_port > 0);
    assert_int_equal(rep.first_port_seq, 9);
    expect_failure(merge(&SPLIT(.area_upto = 9, .overflow = true, .drop_port = SEQ(12))),
                   "sequence gap");
}

/* A guest that died: the area keeps what was written, the stream has no
 * end record and the run fails saying so. */
static void test_incomplete_area(void **state)
{
    (void)state;
    expect_failure(merge(&SPLIT(.area_upto = 12, .died = true)), "no end record");
    assert_int_equal(rep.from_area, 12);
    assert_false(rep.complete);
}

/* A guest that never set up its area writes everything to the port, which
 * then is the stream. */
static void test_area_never_set_up(void **state)
{
    (void)state;
    expect_ok(merge(&SPLIT(.no_magic = true)));
    assert_false(rep.area_seen);
    assert_int_equal(rep.from_area, 0);
    assert_int_equal(rep.first_port_seq, 0);
}

static void test_line_seq(void **state)
{
    (void)state;
    assert_int_equal(channels_line_seq("HVF1 42 end count=42 #0\n", 24), 42);
    assert_int_equal(channels_line_seq("HVF1 x end\n", 11), -1);
    assert_int_equal(channels_line_seq("HVF2 1 end\n", 11), -1);
    assert_int_equal(channels_line_seq("HVF1 7", 6), -1);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/hvflush-channels-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    const char *files[] = { "records.txt", "records-debugcon.txt", "records-area.txt",
                            "guest-ram" };
    char path[128];

    (void)state;
    for (unsigned i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
        unlink(path);
    }
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_area),
        cmocka_unit_test(test_lost_and_damaged_area_lines_are_caught),
        cmocka_unit_test(test_overflow_moves_the_rest_to_the_port),
        cmocka_unit_test(test_incomplete_area),
        cmocka_unit_test(test_area_never_set_up),
        cmocka_unit_test(test_line_seq),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
