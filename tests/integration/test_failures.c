/*
 * The tool's behaviour on bad input and on a guest that fails: bad input
 * gets one clear line and exit 2 before QEMU starts (nothing is written);
 * a guest fault, a guest that ends without its end record, or a guest that
 * hangs past --timeout gets exit 1, a run directory marked failed, and its
 * serial.log kept.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

static void assert_refused(const char *args, const char *needle)
{
    struct run_result *r = run_hvflush(args);
    char *nl;

    if (r->exit_code != 2 || !strstr(r->err, needle))
        fail_msg("'%s': exit %d, stderr '%s' (wanted exit 2 and '%s')", args, r->exit_code,
                 r->err, needle);
    /* One line, and nothing created in the output directory. */
    nl = strchr(r->err, '\n');
    assert_true(nl == NULL || nl[1] == '\0');
    assert_int_equal(count_entries(r->out_dir), 0);
}

static void test_bad_input_is_refused_before_qemu(void **state)
{
    FILE *f;

    (void)state;
    assert_refused("run --frobnicate", "--frobnicate");
    assert_refused("run --smp abc", "--smp");
    assert_refused("run --smp 0", "--smp");
    assert_refused("run --smp 4x", "--smp");
    assert_refused("run --accel warp", "--accel");
    assert_refused("run --pin diagonal", "--pin");
    assert_refused("run --timeout -1", "--timeout");
    assert_refused("run --sweep /nonexistent/x.sweep", "/nonexistent/x.sweep");
    assert_refused("run --sweep no-such-sweep-name", "no-such-sweep-name");
    f = fopen("/tmp/hvflush-bad.sweep", "w");
    assert_non_null(f);
    fputs("name bad\nmeasure ipi pages=9999\n", f);
    fclose(f);
    assert_refused("run --sweep /tmp/hvflush-bad.sweep", "hvflush-bad.sweep:2");
    /* Explicit targets need more vCPUs than --smp gives. */
    f = fopen("/tmp/hvflush-bad.sweep", "w");
    fputs("name bad\nmeasure ipi targets=6\n", f);
    fclose(f);
    assert_refused("run --smp 4 --sweep /tmp/hvflush-bad.sweep", "hvflush-bad.sweep:2");
    unlink("/tmp/hvflush-bad.sweep");
}

static struct run_result *run_injected(const char *fault, const char *extra,
                                       const char *serial_needle)
{
    char args[256], status[16], path[700];
    FILE *f = fopen("/tmp/hvflush-inject.sweep", "w");
    struct run_result *r;

    assert_non_null(f);
    fprintf(f, "name inject\ninject %s\nmeasure local\n", fault);
    fclose(f);
    snprintf(args, sizeof(args), "run --accel tcg --smp 2 --sweep /tmp/hvflush-inject.sweep %s",
             extra);
    r = run_hvflush(args);
    unlink("/tmp/hvflush-inject.sweep");
    if (r->exit_code != 1)
        fail_msg("inject %s: exit %d, stderr %s", fault, r->exit_code, r->err);
    assert_true(r->run_dir[0] != '\0');
    assert_false(r->stream_ok);
    meta_string(r, "status", status, sizeof(status));
    assert_string_equal(status, "failed");
    snprintf(path, sizeof(path), "%s/serial.log", r->run_dir);
    if (!file_contains(path, serial_needle))
        fail_msg("inject %s: serial.log lacks '%s'", fault, serial_needle);
    return r;
}

static void test_guest_fault_fails_the_run(void **state)
{
    (void)state;
    run_injected("page-fault", "", "EXCEPTION");
}

static void test_missing_end_record_fails_the_run(void **state)
{
    (void)state;
    run_injected("no-end", "", "injecting fault 'no-end'");
}

static void test_hung_guest_is_killed_at_timeout(void **state)
{
    struct run_result *r;
    char path[700];

    (void)state;
    r = run_injected("hang", "--timeout 5", "injecting fault 'hang'");
    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    assert_true(file_contains(path, "timeout"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input_is_refused_before_qemu),
        cmocka_unit_test(test_guest_fault_fails_the_run),
        cmocka_unit_test(test_missing_end_record_fails_the_run),
        cmocka_unit_test(test_hung_guest_is_killed_at_timeout),
    };

    return cmocka_run_group_tests_name("failures", tests, NULL, NULL);
}
