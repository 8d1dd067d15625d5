/*
 * Records damaged on the way out (TCG, --smp 2, two configurations of 64 samples: two
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
 * Every run keeps serial.log and records.txt, leaves no QEMU process
 * naming its run directory and nothing in its TMPDIR.
 */
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
#include "stream_checks.h"

#define GUEST "build/hvflush-guest.elf"

static char out[16384], err[4096];

HARNESS_SH(stream_tmp, out, err)

static const struct stream_case {
    const char *inject, *rejected, *dups, *missing, *needle, *records, *n;
} cases[] = {
    { "record-truncate", "1", "0", "1", "missing checksum", "rejected+missing+incomplete", "0" },
    { "record-corrupt", "1", "0", "1", "checksum mismatch", "rejected+missing+incomplete", "0" },
    { "record-duplicate", "0", "1", "0", "duplicate dropped", "duplicate", "64" },
};

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
    int rc = sh("build/hvflush import %s --out %s/%s --quiet", log, stream_tmp, name);

    snprintf(link, sizeof(link), "%s/%s/latest", stream_tmp, name);
    n = readlink(link, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    snprintf(dir, cap, "%s/%s/%s", stream_tmp, name, target);
    assert_nothing_left(dir);
    return rc;
}

static void test_damaged_records_com1(void **state)
{
    char sweep[700], log[700], dir[900];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct stream_case *c = &cases[i];

        snprintf(sweep, sizeof(sweep), "%s/com1-%s.sweep", stream_tmp, c->inject);
        snprintf(log, sizeof(log), "%s/com1-%s.log", stream_tmp, c->inject);
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
    snprintf(sweep, sizeof(sweep), "%s/clean.sweep", stream_tmp);
    snprintf(log, sizeof(log), "%s/clean.log", stream_tmp);
    write_sweep(sweep, "none");
    boot_portable(sweep, log);
    /* The clean log imports clean: the damage below is what fails. */
    if (import(log, "clean", dir, sizeof(dir)) != 0)
        fail_msg("clean import: %s", err);
    assert_string_equal(meta_at(dir, "record_stream", "rejected"), "0");
    assert_rows(dir, "ok", "64", "ok");
    for (size_t i = 0; i < sizeof(hows) / sizeof(hows[0]); i++) {
        snprintf(bad, sizeof(bad), "%s/%s.log", stream_tmp, hows[i].how);
        snprintf(name, sizeof(name), "imp-%s", hows[i].how);
        mangle(log, bad, hows[i].how);
        if (import(bad, name, dir, sizeof(dir)) != 1)
            fail_msg("import of a log damaged by '%s': not exit 1: %s", hows[i].how, err);
        assert_damage(dir, hows[i].rejected, hows[i].dups, hows[i].missing, "records.txt line");
        assert_rows(dir, hows[i].records, NULL, "ok");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_records_area),
        cmocka_unit_test(test_damaged_records_port),
        cmocka_unit_test(test_damaged_records_com1),
        cmocka_unit_test(test_damaged_serial_log_import),
    };

    return cmocka_run_group_tests_name("stream_faults", tests, stream_setup, stream_teardown);
}
