/*
 * Host-side faults while a run goes (TCG, a guest that hangs after boot so
 * that the run is surely under way): its QEMU killed from outside with
 * SIGKILL, hvflush itself sent SIGINT, SIGTERM or SIGHUP, and the run
 * directory deleted.  Each must end in one clear "hvflush: " line and exit
 * 1, the run's logs kept with meta.json saying failed and why (where the
 * directory still exists), `latest` never pointing at a run that is not
 * there, the earlier run untouched, and no QEMU or temporary file left.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "faults_fixture.h"
#include "harness.h"

/* Starts the hanging run and waits until its guest hangs. */
static pid_t start_hang(struct fault_fix *f, char *run_dir, size_t cap, pid_t *qemu)
{
    char args[400];
    pid_t pid;

    fix_begin(f);
    fix_earlier_run(f);
    snprintf(args, sizeof(args), FAULT_HANG_ARGS " --out %s", f->scratch, f->out);
    pid = fix_spawn(f, "hang", args);
    fix_wait_hanging(f, pid, run_dir, cap, qemu);
    return pid;
}

/* The run ended failed with reason_needle; its logs are there; latest
 * names it. */
static void assert_failed_run(const struct fault_fix *f, const char *run_dir,
                              const char *reason_needle)
{
    char status[32], reason[512], path[700], target[256], latest[300];
    struct stat st;
    ssize_t n;

    fix_meta(run_dir, "status", status, sizeof(status));
    fix_meta(run_dir, "reason", reason, sizeof(reason));
    assert_string_equal(status, "failed");
    if (!strstr(reason, reason_needle))
        fail_msg("meta.json reason '%s' lacks '%s'", reason, reason_needle);
    snprintf(path, sizeof(path), "%s/serial.log", run_dir);
    assert_true(file_contains(path, "injecting fault 'hang'"));
    snprintf(path, sizeof(path), "%s/qemu.log", run_dir);
    assert_int_equal(stat(path, &st), 0);
    snprintf(latest, sizeof(latest), "%s/latest", f->out);
    n = readlink(latest, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_true(fix_is_named(run_dir, target));
}

static void test_qemu_killed_from_outside(void **state)
{
    struct fault_fix f;
    struct fault_outcome o;
    char run_dir[512];
    pid_t pid, qemu;

    (void)state;
    pid = start_hang(&f, run_dir, sizeof(run_dir), &qemu);
    assert_int_equal(kill(qemu, SIGKILL), 0);
    fix_wait(&f, pid, "hang", &o);
    assert_int_equal(o.exit_code, 1);
    fix_assert_one_line(&o, "killed by signal 9");
    assert_failed_run(&f, run_dir, "killed by signal 9");
    fix_end(&f);
}

/* hvflush itself gets sig: it stops its QEMU and marks the run failed. */
static void signal_hvflush(int sig)
{
    struct fault_fix f;
    struct fault_outcome o;
    char run_dir[512];
    pid_t pid, qemu;

    pid = start_hang(&f, run_dir, sizeof(run_dir), &qemu);
    assert_int_equal(kill(pid, sig), 0);
    fix_wait(&f, pid, "hang", &o);
    if (o.exit_code != 1)
        fail_msg("%s: exit %d: %s", strsignal(sig), o.exit_code, o.err);
    fix_assert_one_line(&o, "interrupted");
    assert_failed_run(&f, run_dir, "interrupted");
    fix_end(&f);
}

static void test_sigint_stops_the_run(void **state)
{
    (void)state;
    signal_hvflush(SIGINT);
}

static void test_sigterm_stops_the_run(void **state)
{
    (void)state;
    signal_hvflush(SIGTERM);
}

static void test_sighup_stops_the_run(void **state)
{
    (void)state;
    signal_hvflush(SIGHUP);
}

/* rm -rf RUN while QEMU runs: hvflush notices, stops QEMU, says so, writes
 * nothing elsewhere, and leaves latest on the earlier run. */
static void test_run_dir_deleted(void **state)
{
    struct fault_fix f;
    struct fault_outcome o;
    char run_dir[512], cmd[600], target[256], latest[300];
    struct stat st;
    ssize_t n;
    pid_t pid, qemu;

    (void)state;
    pid = start_hang(&f, run_dir, sizeof(run_dir), &qemu);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", run_dir);
    assert_int_equal(system(cmd), 0);
    fix_wait(&f, pid, "hang", &o);
    if (o.exit_code != 1)
        fail_msg("exit %d: %s", o.exit_code, o.err);
    fix_assert_one_line(&o, "was deleted");
    /* Nothing re-created, nothing written beside it. */
    assert_int_not_equal(stat(run_dir, &st), 0);
    assert_int_equal(count_entries(f.out), 2);            /* earlier + latest */
    snprintf(latest, sizeof(latest), "%s/latest", f.out);
    n = readlink(latest, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_true(fix_is_named(f.earlier, target));
    fix_end(&f);
}

/* An argument runs only the tests it matches (cmocka's filter). */
int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qemu_killed_from_outside),
        cmocka_unit_test(test_sigint_stops_the_run),
        cmocka_unit_test(test_sigterm_stops_the_run),
        cmocka_unit_test(test_sighup_stops_the_run),
        cmocka_unit_test(test_run_dir_deleted),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("faults_host", tests, NULL, NULL);
}
