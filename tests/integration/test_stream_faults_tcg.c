/*
 * Records damaged on the way out, and a guest that stops in the middle of a
 * configuration (TCG, --smp 2, two configurations of 64 samples: two
 * `samples` records each).  The guest damages its own records with the
 * sweep's `inject` (bench/measure/emit_inject.c):
 *  - record-truncate, record-corrupt, record-duplicate on the results area
 *    (the default channel) and on the record port (--channel debugcon):
 *    exit 1, status failed, the reason names the line and the
 *    configuration, meta.json record_stream counts the rejected, duplicate
 *    and missing records, summary.csv's `records` column marks the first
 *    configuration and leaves the second `ok`; a duplicate never counts
 *    twice (n stays 64);
 *  - the same three on COM1 (portable mode, the guest booted by QEMU
 *    directly), through `hvflush import` of its serial log; and a clean
 *    portable log damaged by the test (a line cut short, a byte flipped, a
 *    line repeated) before the import;
 *  - hang-mid-config: --timeout kills QEMU; the reason names the timeout
 *    and the configuration the guest was in; the first is kept whole; the
 *    same with --stall-timeout (no output for SEC seconds), which leaves a
 *    guest that keeps writing alone;
 *  - page-fault-mid-config: the reason names the configuration, the vector
 *    and the RIP; the first configuration is kept whole.
 * Every run keeps serial.log and records.txt, leaves no QEMU process
 * naming its run directory and nothing in its TMPDIR.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

#define GUEST "build/hvflush-guest.elf"
#define FIRST "local/invlpg/p1"
#define SECOND "ipi/invlpg/p1/t1/spin"

static char tmp[] = "/tmp/hvflush-test-stream-XXXXXX";
static char tmpdir[600];            /* the runs' TMPDIR: must stay empty */
static char out[16384], err[4096];

static int sh(const char *fmt_, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt_);
    rc = sh_capture(tmp, out, sizeof(out), err, sizeof(err), fmt_, ap);
    va_end(ap);
    return rc;
}

static void write_sweep(const char *path, const char *inject)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fprintf(f, "name stream\ninject %s\nsamples 64\nwarmup 4\nmeasure local\n"
               "measure ipi targets=1\n", inject);
    fclose(f);
}

/* No process whose command line names dir; nothing left in TMPDIR. */
static void assert_nothing_left(const char *dir)
{
    DIR *p = opendir("/proc");
    struct dirent *e;

    assert_non_null(p);
    while ((e = readdir(p))) {
        char path[300], cmd[8192];
        size_t n;
        FILE *f;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        n = fread(cmd, 1, sizeof(cmd) - 1, f);
        fclose(f);
        for (size_t i = 0; i < n; i++)
            if (!cmd[i])
                cmd[i] = ' ';
        cmd[n] = '\0';
        if (strstr(cmd, dir))
            fail_msg("process %s still names %s: %s", e->d_name, dir, cmd);
    }
    closedir(p);
    assert_int_equal(count_entries(tmpdir), 0);
}

static const char *meta_at(const char *dir, const char *a, const char *b)
{
    static char v[2048];
    struct run_result r;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    meta_value(&r, a, b, NULL, v, sizeof(v));
    return v;
}

/* The records column and n of both configurations. */
static void assert_rows(const char *dir, const char *first_records, const char *first_n,
                        const char *second_records)
{
    struct run_result r;
    struct csv_table t;
    int a, b;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    assert_true(csv_read(&r, "summary.csv", &t));
    a = csv_row_of(&t, FIRST);
    b = csv_row_of(&t, SECOND);
    assert_true(a >= 0 && b >= 0);
    assert_string_equal(csv_cell(&t, (unsigned)a, "records"), first_records);
    if (first_n)
        assert_string_equal(csv_cell(&t, (unsigned)a, "n"), first_n);
    assert_string_equal(csv_cell(&t, (unsigned)b, "records"), second_records);
    csv_free(&t);
}

/* A failed run that kept its logs and says what it counted. */
static void assert_damage(const char *dir, const char *rejected, const char *dups,
                          const char *missing, const char *needle)
{
    char path[700];

    assert_string_equal(meta_at(dir, "status", NULL), "failed");
    if (!strstr(meta_at(dir, "reason", NULL), needle))
        fail_msg("reason lacks '%s': %s", needle, meta_at(dir, "reason", NULL));
    assert_string_equal(meta_at(dir, "record_stream", "rejected"), rejected);
    assert_string_equal(meta_at(dir, "record_stream", "duplicates"), dups);
    assert_string_equal(meta_at(dir, "record_stream", "missing"), missing);
    snprintf(path, sizeof(path), "%s/serial.log", dir);
    assert_true(access(path, R_OK) == 0);
    snprintf(path, sizeof(path), "%s/records.txt", dir);
    assert_true(access(path, R_OK) == 0);
}

static const struct stream_case {
    const char *inject, *rejected, *dups, *missing, *needle, *records, *n;
} cases[] = {
    { "record-truncate", "1", "0", "1", "missing checksum", "rejected+missing+incomplete", "0" },
    { "record-corrupt", "1", "0", "1", "checksum mismatch", "rejected+missing+incomplete", "0" },
    { "record-duplicate", "0", "1", "0", "duplicate dropped", "duplicate", "64" },
};

static struct run_result *run_sweep(const char *inject, const char *extra)
{
    char sweep[700], args[1024];
    struct run_result *r;

    snprintf(sweep, sizeof(sweep), "%s/%s.sweep", tmp, inject);
    write_sweep(sweep, inject);
    snprintf(args, sizeof(args), "run --accel tcg --smp 2 --sweep %s %s", sweep, extra);
    r = run_hvflush(args);
    if (r->exit_code != 1 || !r->run_dir[0])
        fail_msg("inject %s %s: exit %d, stderr %s", inject, extra, r->exit_code, r->err);
    if (!strstr(r->err, "hvflush: run failed: "))
        fail_msg("inject %s: no clear message: %s", inject, r->err);
    assert_nothing_left(r->run_dir);
    return r;
}

static void run_cases(const char *extra)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct stream_case *c = &cases[i];
        struct run_result *r = run_sweep(c->inject, extra);

        assert_damage(r->run_dir, c->rejected, c->dups, c->missing, c->needle);
        assert_true(strstr(meta_at(r->run_dir, "reason", NULL), "in configuration " FIRST));
        assert_rows(r->run_dir, c->records, c->n, "ok");
    }
}

static void test_damaged_records_area(void **state)
{
    (void)state;
    run_cases("");
}

static void test_damaged_records_port(void **state)
{
    (void)state;
    run_cases("--channel debugcon");
}

/* Boots the guest in portable mode (records on COM1) with sweep; its
 * serial log to log. */
static void boot_portable(const char *sweep, const char *log)
{
    char sweep_arg[700], serial[700];
    pid_t pid;
    int status;

    snprintf(sweep_arg, sizeof(sweep_arg), "name=opt/hvflush/sweep,file=%s", sweep);
    snprintf(serial, sizeof(serial), "file:%s", log);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        execlp("qemu-system-x86_64", "qemu-system-x86_64", "-machine", "q35", "-accel", "tcg",
               "-cpu", "qemu64,+rdtscp", "-smp", "2", "-m", "256", "-display", "none",
               "-nodefaults", "-no-reboot", "-kernel", GUEST, "-fw_cfg", sweep_arg,
               "-fw_cfg", "name=opt/hvflush/portable,string=1", "-serial", serial,
               (char *)NULL);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Imports log into tmp/name; the run directory into dir. */
static int import(const char *log, const char *name, char *dir, size_t cap)
{
    char link[700], target[256];
    ssize_t n;
    int rc = sh("build/hvflush import %s --out %s/%s --quiet", log, tmp, name);

    snprintf(link, sizeof(link), "%s/%s/latest", tmp, name);
    n = readlink(link, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    snprintf(dir, cap, "%s/%s/%s", tmp, name, target);
    assert_nothing_left(dir);
    return rc;
}

static void test_damaged_records_com1(void **state)
{
    char sweep[700], log[700], dir[900];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct stream_case *c = &cases[i];

        snprintf(sweep, sizeof(sweep), "%s/com1-%s.sweep", tmp, c->inject);
        snprintf(log, sizeof(log), "%s/com1-%s.log", tmp, c->inject);
        write_sweep(sweep, c->inject);
        boot_portable(sweep, log);
        if (import(log, c->inject, dir, sizeof(dir)) != 1)
            fail_msg("import of %s: not exit 1: %s", c->inject, err);
        assert_non_null(strstr(err, "hvflush: run failed: "));
        assert_damage(dir, c->rejected, c->dups, c->missing, c->needle);
        assert_rows(dir, c->records, c->n, "ok");
    }
}

/* The clean log with one record line of the first configuration's
 * samples damaged as how says: "cut" (cut short mid-line, the next record
 * on the next line), "flip" (a byte changed) or "twice". */
static void mangle(const char *in_path, const char *out_path, const char *how)
{
    FILE *in = fopen(in_path, "r"), *o = fopen(out_path, "w");
    char line[2048];
    bool done = false;

    assert_non_null(in);
    assert_non_null(o);
    while (fgets(line, sizeof(line), in)) {
        if (!done && strstr(line, " samples id=0 ")) {
            size_t len = strlen(line);

            done = true;
            if (!strcmp(how, "cut")) {
                fwrite(line, 1, len / 2, o);
                fputs("\r\n", o);
                continue;
            }
            if (!strcmp(how, "flip"))
                line[len / 2] ^= 0x01;
            else
                fputs(line, o);
        }
        fputs(line, o);
    }
    assert_true(done);
    fclose(in);
    fclose(o);
}

static void test_damaged_serial_log_import(void **state)
{
    static const struct { const char *how, *rejected, *dups, *missing, *records; } hows[] = {
        { "cut", "1", "0", "1", "rejected+missing+incomplete" },
        { "flip", "1", "0", "1", "rejected+missing+incomplete" },
        { "twice", "0", "1", "0", "duplicate" },
    };
    char sweep[700], log[700], bad[700], dir[900], name[64];

    (void)state;
    snprintf(sweep, sizeof(sweep), "%s/clean.sweep", tmp);
    snprintf(log, sizeof(log), "%s/clean.log", tmp);
    write_sweep(sweep, "none");
    boot_portable(sweep, log);
    /* The clean log imports clean: the damage below is what fails. */
    if (import(log, "clean", dir, sizeof(dir)) != 0)
        fail_msg("clean import: %s", err);
    assert_string_equal(meta_at(dir, "record_stream", "rejected"), "0");
    assert_rows(dir, "ok", "64", "ok");
    for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
        snprintf(bad, sizeof(bad), "%s/%s.log", tmp, hows[i].how);
        snprintf(name, sizeof(name), "imp-%s", hows[i].how);
        mangle(log, bad, hows[i].how);
        if (import(bad, name, dir, sizeof(dir)) != 1)
            fail_msg("import of a log damaged by '%s': not exit 1: %s", hows[i].how, err);
        assert_damage(dir, hows[i].rejected, hows[i].dups, hows[i].missing, "records.txt line");
        assert_rows(dir, hows[i].records, NULL, "ok");
    }
}

/* hang-mid-config: the watchdog (--timeout) ends it, the reason names the
 * configuration the guest was in; the first configuration is kept. */
static void test_hang_mid_configuration(void **state)
{
    struct run_result *r;
    const char *reason;

    (void)state;
    r = run_sweep("hang-mid-config", "--timeout 10");
    reason = meta_at(r->run_dir, "reason", NULL);
    assert_non_null(strstr(reason, "timeout"));
    assert_non_null(strstr(reason, "in configuration 1 (" SECOND ")"));
    assert_damage(r->run_dir, "0", "0", "0", "no end record");
    assert_rows(r->run_dir, "ok", "64", "incomplete");
}

/* --stall-timeout: a guest silent that long is stopped long before
 * --timeout (left at its default, 1800 s), with the same report; a guest
 * that keeps writing is not; a bad value is refused. */
static void test_stall_timeout(void **state)
{
    char sweep[700], args[1024];
    struct run_result *r;
    const char *reason;

    (void)state;
    r = run_sweep("hang-mid-config", "--stall-timeout 3");
    reason = meta_at(r->run_dir, "reason", NULL);
    assert_non_null(strstr(reason, "stalled: the guest wrote nothing for 3 s"));
    assert_null(strstr(reason, "timeout after"));
    assert_non_null(strstr(reason, "in configuration 1 (" SECOND ")"));
    assert_rows(r->run_dir, "ok", "64", "incomplete");

    snprintf(sweep, sizeof(sweep), "%s/none.sweep", tmp);
    write_sweep(sweep, "none");
    snprintf(args, sizeof(args), "run --accel tcg --smp 2 --sweep %s --stall-timeout 10",
             sweep);
    r = run_hvflush(args);
    if (r->exit_code != 0 && r->exit_code != 3)
        fail_msg("a guest that keeps writing: exit %d, %s", r->exit_code, r->err);
    assert_string_equal(meta_at(r->run_dir, "status", NULL), "ok");
    assert_rows(r->run_dir, "ok", "64", "ok");
    assert_nothing_left(r->run_dir);

    r = run_hvflush("run --accel tcg --stall-timeout soon");
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "hvflush: --stall-timeout"));
}

/* page-fault-mid-config: the reason names the configuration, the vector
 * and the RIP; the first configuration is kept. */
static void test_fault_mid_configuration(void **state)
{
    struct run_result *r;
    const char *reason;

    (void)state;
    r = run_sweep("page-fault-mid-config", "");
    reason = meta_at(r->run_dir, "reason", NULL);
    assert_non_null(strstr(reason, "in configuration 1 (" SECOND ")"));
    assert_non_null(strstr(reason, "vector=14 (#PF)"));
    assert_non_null(strstr(reason, "rip=0x"));
    assert_non_null(strstr(r->err, "vector=14"));
    assert_damage(r->run_dir, "0", "0", "0", "guest exception");
    assert_rows(r->run_dir, "ok", "64", "incomplete");
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    snprintf(tmpdir, sizeof(tmpdir), "%s/TMPDIR", tmp);
    if (mkdir(tmpdir, 0700) != 0)
        return -1;
    return setenv("TMPDIR", tmpdir, 1);
}

static int teardown(void **state)
{
    char cmd[700];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_records_area),
        cmocka_unit_test(test_damaged_records_port),
        cmocka_unit_test(test_damaged_records_com1),
        cmocka_unit_test(test_damaged_serial_log_import),
        cmocka_unit_test(test_hang_mid_configuration),
        cmocka_unit_test(test_stall_timeout),
        cmocka_unit_test(test_fault_mid_configuration),
    };

    return cmocka_run_group_tests_name("stream_faults", tests, setup, teardown);
}
