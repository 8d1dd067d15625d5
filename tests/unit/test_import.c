/*
 * Unit tests of hvflush import (host/import*.c) on serial logs written with
 * the bench/ record writer: a whole portable-mode stream (hello, the sweep
 * as sweeptext records, platform, hypervisor, a measured configuration, end)
 * with console lines between the records, imported through import_command
 * into a temporary results directory.  The whole log imports ok, also with
 * `\r\n` or `\n\r` line endings and without the `hvflush: done` line after
 * the end record; each fault (cut short, cut mid-record, a flipped
 * byte, two records swapped, two runs concatenated, a progress line inside a
 * record, a record starting mid-line, no sweep) gives exit 1, the reason
 * named in meta.json and status failed.  Bad usage and an unreadable log
 * exit 2.  (The timing-class table and the percent-encoding: test_import_class.c.)
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
#include <jansson.h>

#include <bench/pct.h>
#include <bench/record.h>

#include "commands.h"
#include "import.h"

#define NCPUS 2
#define NSAMPLES 40

/* A real sweep text: a comment, an empty line, `=` and `#` inside a line,
 * and the empty last line after the final newline. */
static const char unit_sweep[] =
    "# import unit sweep\nname unit\n\nsamples 40\nmeasure local   # one = config\n";

struct log {
    char text[1 << 16];
    size_t len;
    const char *eol;            /* "\n", "\r\n" or "\n\r" (GRUB's) */
};

static void put(struct log *l, const char *s, size_t n)
{
    assert_true(l->len + n + 2 < sizeof(l->text));
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static void console(struct log *l, const char *line)
{
    put(l, line, strlen(line));
    put(l, l->eol, strlen(l->eol));
}

static void emit(const char *line, size_t len, void *ctx)
{
    struct log *l = ctx;

    put(l, line, len - 1);      /* the record's own \n, replaced by eol */
    put(l, l->eol, strlen(l->eol));
}

static void sweeptext(struct record_writer *w)
{
    const char *p = unit_sweep;
    unsigned of = 1, n = 0;
    char enc[512];

    for (const char *q = unit_sweep; *q; q++)
        of += *q == '\n';
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);

        assert_true(pct_encode(p, len, enc, sizeof(enc)) < sizeof(enc));
        record_begin(w, "sweeptext");
        record_u64(w, "n", n++);
        record_u64(w, "of", of);
        record_raw(w, "text", enc);     /* an empty line: `text=` */
        assert_true(record_finish(w));
        if (!nl)
            break;
        p = nl + 1;
    }
    assert_int_equal(n, of);
}

static void measured_config(struct record_writer *w)
{
    uint64_t v[RECORD_SAMPLES_PER_LINE];

    record_begin(w, "config");
    record_u64(w, "id", 0);
    record_str(w, "label", "local/invlpg/p1");
    record_str(w, "strategy", "local");
    record_str(w, "flush", "invlpg");
    record_u64(w, "pages", 1);
    record_u64(w, "targets", 0);
    record_str(w, "state", "spin");
    record_str(w, "input", "slow");
    record_str(w, "scope", "cr3");
    record_u64(w, "nonglobal", 0);
    record_str(w, "procs", "mask");
    record_u64(w, "samples", NSAMPLES);
    record_u64(w, "warmup", 100);
    record_u64(w, "initiator", 0);
    record_str(w, "placement", "first");
    record_str(w, "target_cpus", "-");
    assert_true(record_finish(w));
    for (unsigned first = 0; first < NSAMPLES; first += RECORD_SAMPLES_PER_LINE) {
        unsigned k = NSAMPLES - first < RECORD_SAMPLES_PER_LINE ? NSAMPLES - first
                                                                : RECORD_SAMPLES_PER_LINE;

        for (unsigned i = 0; i < k; i++)
            v[i] = 900 + 7 * (first + i);
        record_begin(w, "samples");
        record_u64(w, "id", 0);
        record_u64(w, "first", first);
        record_hexlist(w, "v", v, k);
        assert_true(record_finish(w));
    }
    record_begin(w, "latency");
    record_u64(w, "id", 0);
    record_u64(w, "clamped", 0);
    record_u64(w, "excluded", 0);
    assert_true(record_finish(w));
}

/* The whole log a portable guest under KVM with Hyper-V flags would write. */
static void build_log_with(struct log *l, const char *eol, bool with_sweeptext)
{
    struct record_writer w;

    l->len = 0;
    l->eol = eol;
    record_writer_init(&w, emit, l);
    console(l, "hvflush guest: portable mode, sweep from the boot module");
    record_begin(&w, "hello");
    record_u64(&w, "version", 1);
    record_str(&w, "rev", "1234567");
    record_str(&w, "sweep", "unit");
    assert_true(record_finish(&w));
    if (with_sweeptext)
        sweeptext(&w);
    record_begin(&w, "platform");
    record_u64(&w, "cpus", NCPUS);
    record_str(&w, "apic", "xapic");
    record_str(&w, "vendor", "GenuineIntel");
    record_str(&w, "hv", "hyperv");
    record_u64(&w, "tsc_hz", 2000000000);
    record_str(&w, "tsc_src", "hv-msr");
    record_u64(&w, "tsc_invariant", 1);
    assert_true(record_finish(&w));
    record_begin(&w, "hypervisor");
    record_str(&w, "sig0", "Microsoft_Hv");
    record_str(&w, "max0", "4000000b");
    record_str(&w, "sig1", "KVMKVMKVM___");
    record_str(&w, "max1", "40000101");
    record_str(&w, "rule", "recommended");
    assert_true(record_finish(&w));
    for (unsigned i = 0; i < NCPUS; i++) {
        record_begin(&w, "cpu");
        record_u64(&w, "idx", i);
        record_u64(&w, "apic_id", i);
        assert_true(record_finish(&w));
    }
    console(l, "hvflush: 2 CPUs up");
    record_begin(&w, "timer");
    record_u64(&w, "overhead", 30);
    record_u64(&w, "min", 28);
    record_u64(&w, "p1", 29);
    record_u64(&w, "p50", 30);
    record_u64(&w, "p99", 44);
    record_u64(&w, "n", 1000);
    assert_true(record_finish(&w));
    console(l, "[1/1] local/invlpg/p1");
    measured_config(&w);
    assert_true(record_end_stream(&w, true));
    console(l, "hvflush: done");
}

static void build_log(struct log *l, const char *eol)
{
    build_log_with(l, eol, true);
}

static char outdir[] = "/tmp/hvflush-import-XXXXXX";

/* Writes the log, imports it, and returns the run's meta.json (status and
 * reason checked by the callers). */
static json_t *import_text(const char *text, size_t len, int *rc, const char *extra)
{
    char path[512], meta[600], *argv[8];
    int argc = 0;
    FILE *f;
    json_error_t jerr;

    snprintf(path, sizeof(path), "%s/serial.log", outdir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    argv[argc++] = "import";
    argv[argc++] = path;
    argv[argc++] = "--out";
    argv[argc++] = outdir;
    argv[argc++] = "--quiet";
    argv[argc++] = "--platform=unit test";
    if (extra)
        argv[argc++] = (char *)extra;
    argv[argc] = NULL;
    *rc = import_command(argc, argv);
    snprintf(meta, sizeof(meta), "%s/latest/meta.json", outdir);
    json_t *m = json_load_file(meta, 0, &jerr);
    if (!m)
        fail_msg("no meta.json after import (rc %d): %s", *rc, jerr.text);
    return m;
}

static const char *str_at(json_t *m, const char *a, const char *b)
{
    json_t *o = json_object_get(m, a);

    return json_string_value(b ? json_object_get(o, b) : o);
}

static void expect_fault(const char *text, size_t len, const char *needle)
{
    int rc;
    json_t *m = import_text(text, len, &rc, NULL);
    const char *reason = str_at(m, "reason", NULL);

    assert_int_equal(rc, 1);
    assert_string_equal(str_at(m, "status", NULL), "failed");
    if (!reason || !strstr(reason, needle))
        fail_msg("reason '%s', wanted '%s'", reason ? reason : "(null)", needle);
    json_decref(m);
}

static void test_whole_log_imports(void **state)
{
    static struct log l;
    int rc;

    static const char *const eols[] = { "\n", "\r\n", "\n\r", "-" };

    (void)state;
    for (int i = 0; i < 4; i++) {
        /* "-": no `hvflush: done` after the end record (the end record counts). */
        build_log(&l, i == 3 ? "\n" : eols[i]);
        if (i == 3) {
            l.len -= strlen("hvflush: done\n");
            l.text[l.len] = '\0';
        }
        json_t *m = import_text(l.text, l.len, &rc, NULL);

        if (rc != 0)
            fail_msg("rc %d, reason %s", rc, str_at(m, "reason", NULL));
        assert_string_equal(str_at(m, "status", NULL), "ok");
        assert_string_equal(str_at(m, "accelerator", "name"), "import");
        assert_string_equal(str_at(m, "accelerator", "timing_class"), "foreign-kvm");
        assert_string_equal(str_at(m, "platform", NULL), "unit test");
        assert_string_equal(str_at(m, "sweep", "text"), unit_sweep);
        assert_int_equal(json_integer_value(json_object_get(json_object_get(m, "sweep"),
                                                            "configurations")), 1);
        assert_string_equal(str_at(json_object_get(m, "guest"), "hypervisor", "sig1"),
                            "KVMKVMKVM___");
        assert_true(json_is_boolean(json_object_get(json_object_get(m, "import"), "done_line")));
        assert_int_equal(json_is_true(json_object_get(json_object_get(m, "import"),
                                                      "done_line")), i != 3);
        assert_non_null(strstr(str_at(m, "run_id", NULL), "-import-2cpu"));
        json_decref(m);
    }
}

static void test_cut_short(void **state)
{
    static struct log l;
    char *last;

    (void)state;
    build_log(&l, "\n");
    last = strstr(l.text, " latency ");
    last = memrchr(l.text, '\n', (size_t)(last - l.text));
    expect_fault(l.text, (size_t)(last - l.text) + 1, "truncated");
    /* Cut inside a record line. */
    expect_fault(l.text, (size_t)(strstr(l.text, " latency ") - l.text) + 5,
                 "ends in the middle of a record");
}

static void test_flipped_byte(void **state)
{
    static struct log l;

    (void)state;
    build_log(&l, "\n");
    strstr(l.text, " samples ")[12] ^= 0x01;
    expect_fault(l.text, l.len, "damaged record");
}

static void test_records_swapped(void **state)
{
    static struct log l;
    char tmp[RECORD_LINE_MAX * 2];
    char *a, *b, *end;
    size_t na, nb;

    (void)state;
    build_log(&l, "\n");
    /* The two samples records trade places. */
    a = memrchr(l.text, '\n', (size_t)(strstr(l.text, " samples ") - l.text)) + 1;
    b = strchr(a, '\n') + 1;
    end = strchr(b, '\n') + 1;
    na = (size_t)(b - a);
    nb = (size_t)(end - b);
    memcpy(tmp, b, nb);
    memcpy(tmp + nb, a, na);
    memcpy(a, tmp, na + nb);
    expect_fault(l.text, l.len, "out of order");
}

static void test_two_runs_concatenated(void **state)
{
    static struct log l, two;

    (void)state;
    build_log(&l, "\n");
    two.len = 0;
    put(&two, l.text, l.len);
    put(&two, l.text, l.len);
    expect_fault(two.text, two.len, "two runs concatenated");
}

static void test_progress_inside_a_record(void **state)
{
    static struct log l, bad;
    char *rec;
    size_t head;

    (void)state;
    build_log(&l, "\n");
    rec = memrchr(l.text, '\n', (size_t)(strstr(l.text, " samples ") - l.text)) + 1;
    head = (size_t)(rec - l.text) + 11;     /* "HVF1 12 sam" */
    bad.len = 0;
    put(&bad, l.text, head);
    put(&bad, "\n[1/1] local/invlpg/p1 50%\n", 27);
    put(&bad, l.text + head, l.len - head);
    expect_fault(bad.text, bad.len, "damaged record");
}

static void test_record_mid_line(void **state)
{
    static struct log l, bad;
    char *rec;
    size_t at;

    (void)state;
    build_log(&l, "\n");
    rec = memrchr(l.text, '\n', (size_t)(strstr(l.text, " timer ") - l.text)) + 1;
    at = (size_t)(rec - l.text);
    bad.len = 0;
    put(&bad, l.text, at);
    put(&bad, "progress: ", 10);
    put(&bad, l.text + at, l.len - at);
    expect_fault(bad.text, bad.len, "middle of log line");
}

/* A log of an older guest: no sweeptext records.  Without --sweep FILE
 * the run fails saying so; with it the log imports. */
static void test_no_sweeptext(void **state)
{
    static struct log old;
    char sweep[600], opt[640];
    int rc;
    FILE *f;

    (void)state;
    build_log_with(&old, "\n", false);
    expect_fault(old.text, old.len, "no sweeptext records");

    snprintf(sweep, sizeof(sweep), "%s/unit.sweep", outdir);
    f = fopen(sweep, "w");
    assert_non_null(f);
    fputs(unit_sweep, f);
    fclose(f);
    snprintf(opt, sizeof(opt), "--sweep=%s", sweep);
    json_t *m = import_text(old.text, old.len, &rc, opt);
    if (rc != 0)
        fail_msg("rc %d, reason %s", rc, str_at(m, "reason", NULL));
    assert_string_equal(str_at(m, "sweep", "file"), sweep);
    json_decref(m);
}

static void test_bad_usage(void **state)
{
    char *none[] = { "import", NULL };
    char *missing[] = { "import", "/nonexistent/serial.log", "--out", outdir, NULL };
    char *unknown[] = { "import", "x.log", "--bogus", NULL };

    (void)state;
    assert_int_equal(import_command(1, none), 2);
    assert_int_equal(import_command(4, missing), 2);
    assert_int_equal(import_command(3, unknown), 2);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(outdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", outdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_log_imports),
        cmocka_unit_test(test_cut_short),
        cmocka_unit_test(test_flipped_byte),
        cmocka_unit_test(test_records_swapped),
        cmocka_unit_test(test_two_runs_concatenated),
        cmocka_unit_test(test_progress_inside_a_record),
        cmocka_unit_test(test_record_mid_line),
        cmocka_unit_test(test_no_sweeptext),
        cmocka_unit_test(test_bad_usage),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
