/*
 * Getting data out, under TCG (bench/record-format.md, "Channel"):
 *  - by default the records travel through the results area: records.txt is
 *    the area's stream, the record port carried every record but `samples`,
 *    meta.json's `output` says so with a rate per channel, and the terminal
 *    has the output line;
 *  - --channel debugcon sends every record through the port, with the same
 *    configurations measured;
 *  - the boot-time TSC skew reaches meta.json (one entry per CPU but 0) and
 *    the terminal;
 *  - --repeat 2 boots twice: RUN/boot-2 holds the second boot's records and
 *    repeat.csv has one row per configuration with two p50s.
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

#define SWEEP "--accel tcg --smp 4 --sweep tests/sweeps/e2e.sweep --quiet"

static bool exists(const struct run_result *r, const char *name)
{
    char path[600];

    snprintf(path, sizeof(path), "%s/%s", r->run_dir, name);
    return access(path, F_OK) == 0;
}

static void test_area_channel_and_tsc_skew(void **state)
{
    struct run_result *r = run_hvflush("run " SWEEP);
    char v[64], path[600];

    (void)state;
    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    meta_value(r, "output", "channel", NULL, v, sizeof(v));
    assert_string_equal(v, "area");
    meta_value(r, "output", "records_from", "area", v, sizeof(v));
    assert_true(atoi(v) > 20);
    meta_value(r, "output", "records_from", "debugcon", v, sizeof(v));
    assert_string_equal(v, "0");
    meta_value(r, "output", "disagreements", NULL, v, sizeof(v));
    assert_string_equal(v, "0");
    assert_true(exists(r, "records-area.txt") && exists(r, "records-debugcon.txt"));
    assert_false(exists(r, "guest-ram"));
    /* The port carried the progress, not the bulk. */
    snprintf(path, sizeof(path), "%s/records-debugcon.txt", r->run_dir);
    assert_true(file_contains(path, " config id=0 "));
    assert_false(file_contains(path, " samples id="));
    assert_non_null(strstr(r->out, "output: records via area; area "));
    /* TSC skew: CPUs 1..3 against CPU 0. */
    meta_value(r, "tsc_skew", "cpus", NULL, v, sizeof(v));
    assert_string_equal(v, "3");
    meta_value(r, "tsc_skew", "reference", NULL, v, sizeof(v));
    assert_string_equal(v, "cpu 0");
    assert_non_null(strstr(r->out, "tsc skew vs CPU 0 (3 CPUs)"));
}

static void test_debugcon_channel(void **state)
{
    struct run_result *r = run_hvflush("run " SWEEP " --channel debugcon");
    char v[64];
    unsigned n;

    (void)state;
    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    n = r->nconfigs;
    assert_true(n >= 6);
    meta_value(r, "output", "channel", NULL, v, sizeof(v));
    assert_string_equal(v, "debugcon");
    meta_value(r, "output", "area", "why_none", v, sizeof(v));
    assert_string_equal(v, "--channel debugcon");
    assert_false(exists(r, "records-area.txt"));
    assert_non_null(strstr(r->out, "output: records via debugcon"));
}

static void test_repeat_two_boots(void **state)
{
    struct run_result *r = run_hvflush("run " SWEEP " --repeat 2");
    struct csv_table rep, sum;
    char v[64];

    (void)state;
    if (r->exit_code != 0)
        fail_msg("exit %d: %s", r->exit_code, r->err);
    assert_true(exists(r, "boot-2/records.txt") && exists(r, "boot-2/serial.log"));
    meta_value(r, "repeat", "boots", NULL, v, sizeof(v));
    assert_string_equal(v, "2");
    assert_true(csv_read(r, "repeat.csv", &rep));
    assert_true(csv_read(r, "summary.csv", &sum));
    assert_int_equal(rep.nrows, sum.nrows);
    for (unsigned i = 0; i < rep.nrows; i++) {
        const char *boots = csv_cell(&rep, i, "boots");

        assert_string_equal(csv_cell(&rep, i, "label"), csv_cell(&sum, i, "label"));
        /* Measured configurations have both p50s; unsupported ones none. */
        if (!strcmp(boots, "2")) {
            assert_non_null(strchr(csv_cell(&rep, i, "p50_ns_per_boot"), ';'));
            assert_true(csv_num(&rep, i, "min_p50_ns") <= csv_num(&rep, i, "max_p50_ns"));
            assert_true(csv_num(&rep, i, "cv") >= 0);
        } else {
            assert_string_equal(boots, "0");
        }
    }
    assert_non_null(strstr(r->out, "repeat: 2 boots (0 failed)"));
    csv_free(&rep);
    csv_free(&sum);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_area_channel_and_tsc_skew),
        cmocka_unit_test(test_debugcon_channel),
        cmocka_unit_test(test_repeat_two_boots),
    };

    return cmocka_run_group_tests_name("records out of the guest under TCG", tests, NULL,
                                       NULL);
}
