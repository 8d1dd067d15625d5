/*
 * Records on COM1 (portable mode, bench/record-format.md "Channel"): QEMU
 * boots the guest with portable mode forced through fw_cfg
 * `opt/hvflush/portable` (a switch for tests only, bench/measure/run.c) and
 * COM1 to a file, nothing else of `hvflush run`'s record channels.  The log's
 * lines starting with "HVF1 " must form a valid stream (bench/record.c, the
 * host's own checks: sequence, CRC, end count), the sweeptext records must
 * give back the sweep file byte for byte, the hypervisor record must name the
 * accelerator, and no record may be split by progress output (4 vCPUs).
 * Faults: a flipped byte and a progress line spliced into a record are each
 * caught by the stream checks.  Also: the PM-timer TSC calibration without a PIT, KVM's
 * signature, and meta.json's guest.hypervisor after a normal run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bench/pct.h>
#include <bench/record.h>
#include "harness.h"

#define GUEST "build/hvflush-guest.elf"
#define SWEEP "tests/sweeps/portable.sweep"
#define LOG_MAX (1 << 20)

/* What the COM1 log held. */
struct com1 {
    enum record_stream_status status;
    char why[160];
    unsigned records, progress_lines, embedded_magic;
    char sweep[8192];            /* sweeptext lines joined by '\n' */
    size_t sweep_len;
    bool sweeptext_ok;           /* every line decoded, n/of consistent */
    char sig0[16], rule[16], tsc_src[16], area[16];
    uint64_t tsc_hz, com1_bytes, com1_cycles;
};

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(LOG_MAX);

    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, LOG_MAX - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* Boots the guest under QEMU: COM1 to log, portable mode on, the sweep in
 * fw_cfg; the guest ends the VM by ACPI S5, as on any hypervisor. */
static void boot(const char *accel, const char *machine, unsigned smp, const char *sweep,
                 const char *log)
{
    char smp_s[8], sweep_arg[256], serial[256];
    pid_t pid;
    int status;

    snprintf(smp_s, sizeof(smp_s), "%u", smp);
    snprintf(sweep_arg, sizeof(sweep_arg), "name=opt/hvflush/sweep,file=%s", sweep);
    snprintf(serial, sizeof(serial), "file:%s", log);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("qemu-system-x86_64", "qemu-system-x86_64", "-machine", machine,
               "-accel", accel, "-cpu", !strcmp(accel, "kvm") ? "qemu64" : "qemu64,+rdtscp",
               "-smp", smp_s, "-m", "256", "-display", "none", "-nodefaults",
               "-no-reboot", "-kernel", GUEST, "-fw_cfg", sweep_arg,
               "-fw_cfg", "name=opt/hvflush/portable,string=1", "-serial", serial,
               (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* portable mode ends with ACPI S5: QEMU (-no-reboot) exits 0 */
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void copy_field(const struct record *r, const char *key, char *out, size_t n)
{
    const char *v = record_get(r, key);

    snprintf(out, n, "%s", v ? v : "");
}

static void on_record(struct com1 *c, const struct record *r)
{
    uint64_t n, of;
    size_t len;
    const char *text;

    if (!strcmp(r->type, "sweeptext")) {
        text = record_get(r, "text");
        if (!text || !record_get_u64(r, "n", &n) || !record_get_u64(r, "of", &of) ||
            n != c->records - 1 - 1 ||     /* right after hello (seq 0) */
            (n > 0 && c->sweep_len + 1 > sizeof(c->sweep))) {
            c->sweeptext_ok = false;
            return;
        }
        if (n > 0)
            c->sweep[c->sweep_len++] = '\n';
        if (!pct_decode(text, strlen(text), c->sweep + c->sweep_len,
                        sizeof(c->sweep) - c->sweep_len, &len))
            c->sweeptext_ok = false;
        else
            c->sweep_len += len;
    } else if (!strcmp(r->type, "hypervisor")) {
        copy_field(r, "sig0", c->sig0, sizeof(c->sig0));
        copy_field(r, "rule", c->rule, sizeof(c->rule));
    } else if (!strcmp(r->type, "platform")) {
        copy_field(r, "tsc_src", c->tsc_src, sizeof(c->tsc_src));
        assert_true(record_get_u64(r, "tsc_hz", &c->tsc_hz));
    } else if (!strcmp(r->type, "output")) {
        copy_field(r, "area", c->area, sizeof(c->area));
        assert_true(record_get_u64(r, "com1_bytes", &c->com1_bytes));
        assert_true(record_get_u64(r, "com1_cycles", &c->com1_cycles));
    }
}

/* Reads a COM1 log as a reader of portable runs must: every line starting
 * with "HVF1 " is a record (a "\r\n" ending accepted), every other line is
 * progress and ignored -- but counted when it carries the magic, which
 * would mean a record was split or started mid-line. */
static void scan(const char *log, size_t len, struct com1 *c)
{
    static struct record r;
    struct record_stream s;
    const char *p = log, *end = log + len;
    char line[RECORD_LINE_MAX + 2];

    memset(c, 0, sizeof(*c));
    c->sweeptext_ok = true;
    record_stream_init(&s);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

        if (n >= 5 && !memcmp(p, "HVF1 ", 5)) {
            size_t k = n > sizeof(line) - 1 ? sizeof(line) - 1 : n;

            memcpy(line, p, k);
            if (k >= 2 && line[k - 2] == '\r' && line[k - 1] == '\n')
                line[--k - 1] = '\n';
            c->records++;
            if (record_stream_feed(&s, line, k, &r) == RECORD_OK)
                on_record(c, &r);
        } else {
            c->progress_lines++;
            if (memmem(p, n, "HVF1 ", 5))
                c->embedded_magic++;
        }
        p += n;
    }
    c->status = record_stream_finish(&s);
    snprintf(c->why, sizeof(c->why), "%s", s.why);
}

static char tcg_log[] = "/tmp/hvflush-com1-XXXXXX";
static uint64_t tcg_tsc_hz;

static void test_tcg_com1_stream(void **state)
{
    struct com1 c;
    size_t len, slen;
    char *log, *sweep;
    int fd;

    (void)state;
    fd = mkstemp(tcg_log);
    assert_true(fd >= 0);
    close(fd);
    boot("tcg,thread=multi", "pc", 4, SWEEP, tcg_log);
    log = read_file(tcg_log, &len);
    scan(log, len, &c);
    if (c.status != RECORD_STREAM_OK)
        fail_msg("COM1 stream: %s", c.why);
    assert_true(c.records > 20);
    assert_true(c.progress_lines > 5);          /* progress stays on the port */
    assert_int_equal(c.embedded_magic, 0);      /* no record split or mid-line */
    assert_non_null(strstr(log, "\n[1/"));      /* a configuration's progress line */
    /* The sweep, byte for byte. */
    sweep = read_file(SWEEP, &slen);
    assert_true(c.sweeptext_ok);
    assert_int_equal(c.sweep_len, slen);
    assert_memory_equal(c.sweep, sweep, slen);
    assert_string_equal(c.sig0, "TCGTCGTCGTCG");
    assert_string_equal(c.rule, "offered");
    assert_string_equal(c.tsc_src, "pit");
    assert_string_equal(c.area, "portable");
    assert_true(c.com1_bytes > 0 && c.com1_cycles > 0);
    tcg_tsc_hz = c.tsc_hz;
    printf("COM1 under TCG: %llu record bytes in %llu cycles at %llu Hz = %.0f bytes/s\n",
           (unsigned long long)c.com1_bytes, (unsigned long long)c.com1_cycles,
           (unsigned long long)c.tsc_hz,
           (double)c.com1_bytes * (double)c.tsc_hz / (double)c.com1_cycles);
    free(sweep);
    free(log);
}

/* Fault: one byte changed inside a record (a copy of the log) -> the CRC. */
static void test_flipped_byte_is_caught(void **state)
{
    struct com1 c;
    size_t len;
    char *log = read_file(tcg_log, &len), *rec;

    (void)state;
    rec = strstr(log, "\nHVF1 5 ");
    assert_non_null(rec);
    rec[12] ^= 0x01;
    scan(log, len, &c);
    assert_int_equal(c.status, RECORD_STREAM_BAD_RECORD);
    assert_non_null(strstr(c.why, "checksum"));
    free(log);
}

/* Fault: a progress line spliced into the middle of a record (what an
 * unlocked writer would do) -> the record's head no longer passes its
 * checks, and its tail shows the magic inside a progress line. */
static void test_split_record_is_caught(void **state)
{
    static const char splice[] = "\n[9/9] progress\n";
    const size_t sn = sizeof(splice) - 1;
    struct com1 c;
    size_t len, at;
    char *log = read_file(tcg_log, &len), *rec, *spliced = malloc(len + sn + 1);

    (void)state;
    assert_non_null(spliced);
    rec = strstr(log, "\nHVF1 7 ");
    assert_non_null(rec);
    at = (size_t)(rec - log) + 12;
    memcpy(spliced, log, at);
    memcpy(spliced + at, splice, sn);
    memcpy(spliced + at + sn, log + at, len - at);
    scan(spliced, len + sn, &c);
    assert_int_equal(c.status, RECORD_STREAM_BAD_RECORD);
    /* A record that starts mid-line, after unterminated progress text: the
     * record is lost to the reader (a sequence gap) and the magic shows
     * inside a progress line. */
    at = (size_t)(rec - log) + 1;
    memcpy(spliced, log, at);
    memcpy(spliced + at, splice + 1, sn - 2);
    memcpy(spliced + at + sn - 2, log + at, len - at);
    scan(spliced, len + sn - 2, &c);
    assert_int_equal(c.status, RECORD_STREAM_BAD_RECORD);
    assert_int_equal(c.embedded_magic, 1);
    free(spliced);
    free(log);
}

/* No PIT (-machine pit=off): the TSC is calibrated against the ACPI PM
 * timer, and agrees with the PIT calibration of the first run. */
static void test_pm_timer_without_pit(void **state)
{
    char log_path[] = "/tmp/hvflush-com1-pm-XXXXXX";
    struct com1 c;
    size_t len;
    char *log;
    int fd = mkstemp(log_path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    boot("tcg,thread=multi", "pc,pit=off", 2, "tests/sweeps/boot.sweep", log_path);
    log = read_file(log_path, &len);
    scan(log, len, &c);
    if (c.status != RECORD_STREAM_OK)
        fail_msg("COM1 stream: %s", c.why);
    assert_string_equal(c.tsc_src, "pm-timer");
    assert_non_null(strstr(log, "no usable PIT"));
    assert_true(tcg_tsc_hz > 0);
    printf("tsc_hz: pit %llu, pm-timer %llu\n", (unsigned long long)tcg_tsc_hz,
           (unsigned long long)c.tsc_hz);
    assert_true(c.tsc_hz > tcg_tsc_hz * 9 / 10 && c.tsc_hz < tcg_tsc_hz * 11 / 10);
    unlink(log_path);
    free(log);
}

static void test_kvm_signature(void **state)
{
    char log_path[] = "/tmp/hvflush-com1-kvm-XXXXXX";
    struct com1 c;
    size_t len;
    char *log;
    int fd;

    (void)state;
    if (!kvm_usable())
        skip();
    fd = mkstemp(log_path);
    assert_true(fd >= 0);
    close(fd);
    boot("kvm", "pc", 2, "tests/sweeps/boot.sweep", log_path);
    log = read_file(log_path, &len);
    scan(log, len, &c);
    if (c.status != RECORD_STREAM_OK)
        fail_msg("COM1 stream: %s", c.why);
    assert_string_equal(c.sig0, "KVMKVMKVM");
    assert_string_equal(c.rule, "recommended");
    unlink(log_path);
    free(log);
}

/* A normal `hvflush run` (not portable) carries the hypervisor record in
 * its usual channels and meta.json gets guest.hypervisor, strings only. */
static void test_run_meta_hypervisor(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 2 --sweep tests/sweeps/boot.sweep");
    char v[64];

    (void)state;
    if (r->exit_code != 0)
        fail_msg("hvflush run failed: %s", r->err);
    meta_value(r, "guest", "hypervisor", "sig0", v, sizeof(v));
    assert_string_equal(v, "TCGTCGTCGTCG");
    meta_value(r, "guest", "hypervisor", "max0", v, sizeof(v));
    assert_string_equal(v, "0x40000001");
    meta_value(r, "guest", "hypervisor", "rule", v, sizeof(v));
    assert_string_equal(v, "recommended");
}

static int cleanup(void **state)
{
    (void)state;
    unlink(tcg_log);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcg_com1_stream),
        cmocka_unit_test(test_flipped_byte_is_caught),
        cmocka_unit_test(test_split_record_is_caught),
        cmocka_unit_test(test_pm_timer_without_pit),
        cmocka_unit_test(test_kvm_signature),
        cmocka_unit_test(test_run_meta_hypervisor),
    };
    return cmocka_run_group_tests(tests, NULL, cleanup);
}
