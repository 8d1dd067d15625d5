/*
 * A guest that stops in the middle of a configuration (TCG, --smp 2, two
 * configurations of 64 samples; the sweep's `inject` acts right after the
 * second configuration's first `samples` record, bench/measure/emit_inject.c):
 *  - hang-mid-config: --timeout kills QEMU; the reason names the timeout
 *    and the configuration the guest was in; the first is kept whole;
 *  - the same with --stall-timeout (no output for SEC seconds, host/stall.c)
 *    long before --timeout, which leaves a guest that keeps writing alone;
 *  - page-fault-mid-config: the reason names the configuration, the vector
 *    and the RIP; the first configuration is kept whole.
 * Every run exits 1 with one clear line, keeps serial.log and records.txt,
 * leaves no QEMU process naming its run directory and nothing in its
 * TMPDIR; summary.csv marks the second configuration `incomplete`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"
#include "stream_checks.h"

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

    snprintf(sweep, sizeof(sweep), "%s/none.sweep", stream_tmp);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hang_mid_configuration),
        cmocka_unit_test(test_stall_timeout),
        cmocka_unit_test(test_fault_mid_configuration),
    };

    return cmocka_run_group_tests_name("guest_stops", tests, stream_setup, stream_teardown);
}
