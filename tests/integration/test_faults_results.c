/*
 * Faults around the results directory (TCG): a results directory that is
 * read-only or full (a small tmpfs), two runs at once into the same one,
 * compare/report/plot/runs on a run that is still being written, and
 * labels, output directories and run arguments that try to leave it
 * (../, absolute paths, control characters, very long names).  Each ends
 * in a clear message and a non-zero exit (runs, a listing, excepted), the
 * earlier run untouched, nothing written outside the results directory,
 * and no QEMU or temporary file left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults_fixture.h"
#include "harness.h"

static void assert_nothing_new(const struct fault_fix *f, unsigned scratch_entries)
{
    /* The earlier run and latest; in the scratch directory nothing new. */
    assert_int_equal(count_entries(f->out), 2);
    assert_int_equal(count_entries(f->scratch), scratch_entries);
}

static void test_results_read_only(void **state)
{
    struct fault_fix f;
    struct fault_outcome o;
    char args[700], cmd[300];
    unsigned entries;

    (void)state;
    fix_begin(&f);
    if (!fix_mount_tmpfs(&f, "size=64m")) {
        fix_end(&f);
        skip();
    }
    fix_earlier_run(&f);
    snprintf(cmd, sizeof(cmd), "mount -o remount,ro '%s'", f.mnt);
    assert_int_equal(system(cmd), 0);
    entries = count_entries(f.scratch);
    snprintf(args, sizeof(args), FAULT_FAST_ARGS " --out %s", f.scratch, f.out);
    fix_run(&f, "ro", args, &o);
    assert_int_equal(o.exit_code, 2);
    fix_assert_one_line(&o, "Read-only file system");
    assert_nothing_new(&f, entries);
    fix_end(&f);
}

/* A results directory on a 2 MiB tmpfs, filled to all but free_kib: with
 * 12 KiB not even the run's meta.json fits (the run directory goes again,
 * nothing runs); with 56 KiB the run starts, its records fit, its
 * samples.csv does not. */
static void run_into_full(unsigned free_kib, bool starts)
{
    struct fault_fix f;
    struct fault_outcome o;
    char args[700], cmd[1200], latest[300], target[256], dir[600], status[32], reason[512];
    struct stat st;
    ssize_t n;

    fix_begin(&f);
    if (!fix_mount_tmpfs(&f, "size=2m")) {
        fix_end(&f);
        skip();
    }
    fix_earlier_run(&f);
    snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of='%s/fill' bs=4k 2>/dev/null; "
             "truncate -s -%uK '%s/fill'", f.mnt, free_kib, f.mnt);
    assert_true(system(cmd) >= 0);
    snprintf(args, sizeof(args), "run --accel tcg --smp 2 --quiet --sweep %s/samples.sweep "
             "--out %s", f.scratch, f.out);
    fix_run(&f, "full", args, &o);
    assert_int_equal(o.exit_code, 1);
    fix_assert_one_line(&o, "No space left on device");
    snprintf(latest, sizeof(latest), "%s/latest", f.out);
    n = readlink(latest, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    snprintf(dir, sizeof(dir), "%s/%s", f.out, target);
    if (!starts) {
        fix_assert_said(&o, "nothing was run");
        assert_string_equal(dir, f.earlier);          /* latest unchanged */
        assert_int_equal(count_entries(f.out), 2);    /* no run directory left */
    } else {
        assert_string_not_equal(dir, f.earlier);
        fix_meta(dir, "status", status, sizeof(status));
        fix_meta(dir, "reason", reason, sizeof(reason));
        assert_string_equal(status, "failed");
        if (!strstr(reason, "No space left on device"))
            fail_msg("reason '%s'", reason);
        /* The raw records and the logs stay; no truncated samples.csv. */
        snprintf(cmd, sizeof(cmd), "%s/records.txt", dir);
        assert_int_equal(stat(cmd, &st), 0);
        snprintf(cmd, sizeof(cmd), "%s/serial.log", dir);
        assert_int_equal(stat(cmd, &st), 0);
        snprintf(cmd, sizeof(cmd), "%s/samples.csv", dir);
        assert_int_not_equal(stat(cmd, &st), 0);
    }
    snprintf(cmd, sizeof(cmd), "rm -f '%s/fill'", f.mnt);
    assert_int_equal(system(cmd), 0);
    fix_end(&f);
}

static void test_results_full_before_start(void **state)
{
    (void)state;
    run_into_full(12, false);
}

static void test_results_full_for_samples(void **state)
{
    (void)state;
    run_into_full(56, true);
}

/* meta.json and summary.csv of a run directory are whole and agree. */
static void assert_whole_run(const char *out, const char *id)
{
    char path[700];
    json_t *meta;
    const char *run_id, *status;
    FILE *fp;
    char line[4096];
    unsigned rows = 0;

    snprintf(path, sizeof(path), "%s/%s/meta.json", out, id);
    meta = json_load_file(path, 0, NULL);
    assert_non_null(meta);
    run_id = json_string_value(json_object_get(meta, "run_id"));
    status = json_string_value(json_object_get(meta, "status"));
    assert_non_null(run_id);
    assert_string_equal(run_id, id);
    assert_non_null(status);
    assert_string_equal(status, "ok");
    json_decref(meta);
    snprintf(path, sizeof(path), "%s/%s/summary.csv", out, id);
    fp = fopen(path, "r");
    assert_non_null(fp);
    while (fgets(line, sizeof(line), fp)) {
        assert_non_null(strchr(line, '\n'));      /* no torn last line */
        rows++;
    }
    fclose(fp);
    assert_int_equal(rows, 2);                    /* header + the one configuration */
}

static void test_two_runs_at_once(void **state)
{
    struct fault_fix f;
    struct fault_outcome o1, o2;
    char args[700], latest[300], target[256], ids[2][256];
    struct dirent *e;
    unsigned n = 0;
    ssize_t len;
    DIR *d;

    (void)state;
    fix_begin(&f);
    fix_earlier_run(&f);
    snprintf(args, sizeof(args), FAULT_FAST_ARGS " --out %s", f.scratch, f.out);
    /* Started together: their start times share a second. */
    {
        pid_t p1 = fix_spawn(&f, "one", args), p2 = fix_spawn(&f, "two", args);

        fix_wait(&f, p1, "one", &o1);
        fix_wait(&f, p2, "two", &o2);
    }
    if (o1.exit_code != 0 || o2.exit_code != 0)
        fail_msg("exit %d and %d: %s / %s", o1.exit_code, o2.exit_code, o1.err, o2.err);
    d = opendir(f.out);
    assert_non_null(d);
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, "latest") &&
            !fix_is_named(f.earlier, e->d_name)) {
            assert_true(n < 2);
            snprintf(ids[n++], sizeof(ids[0]), "%s", e->d_name);
        }
    closedir(d);
    assert_int_equal(n, 2);
    assert_string_not_equal(ids[0], ids[1]);
    assert_whole_run(f.out, ids[0]);
    assert_whole_run(f.out, ids[1]);
    snprintf(latest, sizeof(latest), "%s/latest", f.out);
    len = readlink(latest, target, sizeof(target) - 1);
    assert_true(len > 0);
    target[len] = '\0';
    assert_true(!strcmp(target, ids[0]) || !strcmp(target, ids[1]));
    fix_end(&f);
}

/* compare, report, plot and runs while a run is being written. */
static void test_readers_during_a_run(void **state)
{
    struct fault_fix f;
    struct fault_outcome o;
    char args[1600], run_dir[512], path[700], status[32], reason[256];
    struct stat st;
    pid_t pid, qemu, qemu_after;

    (void)state;
    fix_begin(&f);
    fix_earlier_run(&f);
    snprintf(args, sizeof(args), FAULT_HANG_ARGS " --out %s", f.scratch, f.out);
    pid = fix_spawn(&f, "hang", args);
    fix_wait_hanging(&f, pid, run_dir, sizeof(run_dir), &qemu);

    snprintf(args, sizeof(args), "compare --quiet --out %s/cmp %s %s", f.scratch, f.earlier,
             run_dir);
    fix_run(&f, "compare", args, &o);
    assert_int_equal(o.exit_code, 2);
    fix_assert_one_line(&o, "still being written");
    snprintf(path, sizeof(path), "%s/cmp", f.scratch);
    assert_int_not_equal(stat(path, &st), 0);

    snprintf(args, sizeof(args), "report %s", run_dir);
    fix_run(&f, "report", args, &o);
    assert_int_equal(o.exit_code, 2);
    fix_assert_one_line(&o, "still being written");

    snprintf(args, sizeof(args), "plot %s", run_dir);
    fix_run(&f, "plot", args, &o);
    assert_int_equal(o.exit_code, 2);
    fix_assert_one_line(&o, "still being written");
    snprintf(path, sizeof(path), "%s/plots", run_dir);
    assert_int_not_equal(stat(path, &st), 0);

    snprintf(args, sizeof(args), "runs %s", f.out);
    fix_run(&f, "runs", args, &o);
    assert_int_equal(o.exit_code, 0);
    assert_non_null(strstr(o.out, "running"));

    /* Undisturbed: the same QEMU still runs it; then it is stopped in the
     * ordinary way and finishes its run directory. */
    assert_int_equal(leftovers_qemu_naming(run_dir, &qemu_after, 1), 1);
    assert_int_equal(qemu_after, qemu);
    assert_int_equal(kill(pid, SIGINT), 0);
    fix_wait(&f, pid, "hang", &o);
    assert_int_equal(o.exit_code, 1);
    fix_meta(run_dir, "status", status, sizeof(status));
    fix_meta(run_dir, "reason", reason, sizeof(reason));
    assert_string_equal(status, "failed");
    assert_non_null(strstr(reason, "interrupted"));
    /* Finished now, the readers take it. */
    snprintf(args, sizeof(args), "report %s", run_dir);
    fix_run(&f, "report", args, &o);
    if (strstr(o.err, "still being written") || strstr(o.err, "incomplete"))
        fail_msg("a finished run still refused: %s", o.err);
    snprintf(path, sizeof(path), "%s/report.html", run_dir);
    unlink(path);
    fix_end(&f);
}

/* hvflush itself killed with SIGKILL: its QEMU dies with it, the run is
 * left "running"; readers call it incomplete, runs lists it so. */
static void test_readers_on_an_abandoned_run(void **state)
{
    struct fault_fix f;
    struct fault_outcome o;
    char args[1600], run_dir[512];
    pid_t pid, qemu;

    (void)state;
    fix_begin(&f);
    fix_earlier_run(&f);
    snprintf(args, sizeof(args), FAULT_HANG_ARGS " --out %s", f.scratch, f.out);
    pid = fix_spawn(&f, "hang", args);
    fix_wait_hanging(&f, pid, run_dir, sizeof(run_dir), &qemu);
    assert_int_equal(kill(pid, SIGKILL), 0);
    fix_wait(&f, pid, "hang", &o);
    assert_int_equal(o.exit_code, 128 + SIGKILL);
    /* QEMU goes with it (PR_SET_PDEATHSIG); wait for the kernel to reap it. */
    while (leftovers_qemu_naming(run_dir, &qemu, 1))
        usleep(50 * 1000);
    snprintf(args, sizeof(args), "report %s", run_dir);
    fix_run(&f, "report", args, &o);
    assert_int_equal(o.exit_code, 2);
    fix_assert_one_line(&o, "incomplete");
    snprintf(args, sizeof(args), "compare --quiet --out %s/cmp %s %s", f.scratch, f.earlier,
             run_dir);
    fix_run(&f, "compare", args, &o);
    assert_int_equal(o.exit_code, 2);
    fix_assert_one_line(&o, "incomplete");
    snprintf(args, sizeof(args), "runs %s", f.out);
    fix_run(&f, "runs", args, &o);
    assert_int_equal(o.exit_code, 0);
    assert_non_null(strstr(o.out, "incomplete"));
    fix_end(&f);
}

static char long_name[3200];

/* Arguments that try to leave the results directory, or cannot name one. */
static void test_escaping_names(void **state)
{
    struct fault_fix f;
    struct fault_outcome o;
    char fast[300], ctl_out[300];
    unsigned entries;

    (void)state;
    fix_begin(&f);
    fix_earlier_run(&f);
    memset(long_name, 'a', sizeof(long_name) - 1);
    snprintf(fast, sizeof(fast), "%s/fast.sweep", f.scratch);
    snprintf(ctl_out, sizeof(ctl_out), "%s/res\x1b[2J", f.scratch);
    char *const cases[][12] = {
        { "build/hvflush", "run", "--accel", "tcg", "--sweep", fast, "--out", f.out,
          "--label", "../../escaped", NULL },
        { "build/hvflush", "run", "--accel", "tcg", "--sweep", fast, "--out", f.out,
          "--label", "/etc/escaped", NULL },
        { "build/hvflush", "run", "--accel", "tcg", "--sweep", fast, "--out", f.out,
          "--label", "a\nb", NULL },
        { "build/hvflush", "run", "--accel", "tcg", "--sweep", fast, "--out", f.out,
          "--label", long_name, NULL },
        { "build/hvflush", "run", "--accel", "tcg", "--sweep", fast, "--out", ctl_out,
          NULL },
        { "build/hvflush", "run", "--accel", "tcg", "--sweep", fast, "--out", long_name,
          NULL },
        { "build/hvflush", "compare", f.earlier, "../\n", NULL },
        { "build/hvflush", "compare", "--out", "x\ty", f.earlier, f.earlier, NULL },
        { "build/hvflush", "compare", "--baseline", "../../etc", f.earlier, f.earlier, NULL },
        { "build/hvflush", "report", "/etc", NULL },
        { "build/hvflush", "report", "..\r", NULL },
        { "build/hvflush", "plot", "/etc", NULL },
        { "build/hvflush", "plot", long_name, NULL },
        { "build/hvflush", "runs", "bad\x07", NULL },
        { "build/hvflush", "runs", long_name, NULL },
        { "build/hvflush", "import", "--out", "../\n", fast, NULL },
        { "build/hvflush", "import", long_name, NULL },
    };

    entries = count_entries(f.scratch);
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fix_wait(&f, fix_spawn_argv(&f, "bad", cases[i]), "bad", &o);
        if (o.exit_code != 2 || strncmp(o.err, "hvflush: ", 9) ||
            strchr(o.err, '\n') != o.err + strlen(o.err) - 1)
            fail_msg("case %u (%s %s): exit %d, stderr '%s'", i, cases[i][1], cases[i][2],
                     o.exit_code, o.err);
        assert_nothing_new(&f, entries);
    }
    fix_end(&f);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_read_only),
        cmocka_unit_test(test_results_full_before_start),
        cmocka_unit_test(test_results_full_for_samples),
        cmocka_unit_test(test_two_runs_at_once),
        cmocka_unit_test(test_readers_during_a_run),
        cmocka_unit_test(test_readers_on_an_abandoned_run),
        cmocka_unit_test(test_escaping_names),
    };

    /* An argument runs only the tests it matches (cmocka's filter). */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("faults_results", tests, NULL, NULL);
}
