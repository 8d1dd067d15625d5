/*
 * Checks shared by the tests of a damaged record stream and of a guest that
 * stops mid-configuration (test_stream_faults_tcg.c, test_guest_stops_tcg.c):
 * their two-configuration sweep, the run directory they leave, and that
 * nothing is left behind (stream_checks.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"
#include "stream_checks.h"

char stream_tmp[] = "/tmp/hvflush-test-stream-XXXXXX";
static char tmpdir[600];            /* the runs' TMPDIR: must stay empty */

void write_sweep(const char *path, const char *inject)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    fprintf(f, "name stream\ninject %s\nsamples 64\nwarmup 4\nmeasure local\n"
               "measure ipi targets=1\n", inject);
    fclose(f);
}

/* No process whose command line names dir; nothing left in TMPDIR. */
void assert_nothing_left(const char *dir)
{
    if (processes_naming(dir))
        fail_msg("a process still names %s", dir);
    assert_int_equal(count_entries(tmpdir), 0);
}

const char *meta_at(const char *dir, const char *a, const char *b)
{
    static char v[2048];
    struct run_result r;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    meta_value(&r, a, b, NULL, v, sizeof(v));
    return v;
}

/* The records column and n of both configurations. */
void assert_rows(const char *dir, const char *first_records, const char *first_n,
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
void assert_damage(const char *dir, const char *rejected, const char *dups,
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

struct run_result *run_sweep(const char *inject, const char *extra)
{
    char sweep[700], args[1024];
    struct run_result *r;

    snprintf(sweep, sizeof(sweep), "%s/%s.sweep", stream_tmp, inject);
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

int stream_setup(void **state)
{
    (void)state;
    if (!mkdtemp(stream_tmp))
        return -1;
    snprintf(tmpdir, sizeof(tmpdir), "%s/TMPDIR", stream_tmp);
    if (mkdir(tmpdir, 0700) != 0)
        return -1;
    return setenv("TMPDIR", tmpdir, 1);
}

int stream_teardown(void **state)
{
    char cmd[700];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", stream_tmp);
    return system(cmd) == 0 ? 0 : -1;
}
