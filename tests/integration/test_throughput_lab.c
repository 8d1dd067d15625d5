/*
 * Concurrent initiators with real flush hypercalls, in the nested lab
 * (--accel lab --smp 4, tests/sweeps/thru-lab.sweep; one run, 1-3 min):
 * HvCallFlushVirtualAddressSpace with two initiators, each naming its own
 * target, gives a throughput.csv row with two per-initiator rates > 0
 * whose sum is the aggregate, labelled nested-emulated (lab timings are
 * emulated); its effect probe passes; the working-target configurations
 * give interference.csv rows with every refill round.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

static void test_hv_space_two_initiators_in_the_lab(void **state)
{
    struct run_result *r = run_hvflush("run --accel lab --smp 4 "
                                       "--sweep tests/sweeps/thru-lab.sweep");
    unsigned long long a, b;
    struct csv_table t, w;
    char *end;
    int row;

    (void)state;
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_true(csv_read(r, "throughput.csv", &t));
    row = csv_row_of(&t, "hv-space/slow/cr3/p1/t1/spin/k2");
    if (row < 0)
        fail_msg("no hv-space throughput row with two initiators");
    assert_string_equal(csv_cell(&t, (unsigned)row, "timing_class"), "nested-emulated");
    assert_string_equal(csv_cell(&t, (unsigned)row, "verdict"), "pass");
    assert_string_equal(csv_cell(&t, (unsigned)row, "initiator_cpus"), "0-1");
    assert_string_equal(csv_cell(&t, (unsigned)row, "target_cpus"), "2;3");
    a = strtoull(csv_cell(&t, (unsigned)row, "per_initiator_per_s"), &end, 10);
    b = strtoull(end, &end, 10);
    assert_true(*end == '\0');
    assert_true(a > 0 && b > 0);
    assert_true(csv_num(&t, (unsigned)row, "aggregate_per_s") == (double)(a + b));
    csv_free(&t);

    assert_true(csv_read(r, "interference.csv", &w));
    assert_int_equal(w.nrows, 2);              /* hv-space and hv-list, one target each */
    for (unsigned i = 0; i < w.nrows; i++) {
        assert_true(csv_num(&w, i, "received") > 0);
        assert_true(csv_num(&w, i, "refill_rounds") == 32);
        assert_true(csv_num(&w, i, "steady_walk_cycles") > 0);
    }
    csv_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hv_space_two_initiators_in_the_lab),
    };

    return cmocka_run_group_tests_name("throughput_lab", tests, NULL, NULL);
}
