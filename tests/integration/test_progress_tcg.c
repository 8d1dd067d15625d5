/*
 * The progress line through the real tool under TCG: with stderr a file,
 * `hvflush run` prints one plain "hvflush: [k/N] label  elapsed  ETA m:ss"
 * line as each configuration starts, k counting up from 0, N the number of
 * configurations the sweep expands to, each label that of the configuration
 * the records announce in that place, and a last "[N/N] finished" line;
 * on a terminal (a pseudo-terminal from script(1)) the line is rewritten in
 * place; with --quiet there is none.
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
#include "progress_check.h"

#define SWEEP "--accel tcg --smp 4 --sweep tests/sweeps/e2e.sweep"

static void test_plain_lines_when_not_a_terminal(void **state)
{
    static struct run_result r;
    static char err[1 << 16];

    (void)state;
    assert_int_equal(run_loud("run " SWEEP, false, &r, err, sizeof(err)), 0);
    assert_true(r.stream_ok);
    assert_int_equal(r.nconfigs, 7);
    check_progress_lines(err, &r);
    assert_null(strchr(err, '\r'));
    remove_out(&r);
}

static void test_terminal_line_rewritten(void **state)
{
    static struct run_result r;
    static char err[1 << 16];

    (void)state;
    if (system("command -v script >/dev/null 2>&1") != 0)
        skip();
    assert_int_equal(run_loud("run " SWEEP, true, &r, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "\r\033[Khvflush: [0/7] "));
    assert_non_null(strstr(err, "\r\033[Khvflush: [7/7] finished"));
    remove_out(&r);
}

static void test_quiet_prints_none(void **state)
{
    static struct run_result r;
    static char err[1 << 16];

    (void)state;
    assert_int_equal(run_loud("run " SWEEP " --quiet", false, &r, err, sizeof(err)), 0);
    assert_int_equal(r.nconfigs, 7);
    assert_null(strstr(err, "hvflush: ["));
    remove_out(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_lines_when_not_a_terminal),
        cmocka_unit_test(test_terminal_line_rewritten),
        cmocka_unit_test(test_quiet_prints_none),
    };

    return cmocka_run_group_tests_name("progress line (TCG)", tests, NULL, NULL);
}
