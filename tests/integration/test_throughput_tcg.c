/*
 * Concurrent initiators end to end under TCG (4 vCPUs): the real host tool
 * boots the real guest on tests/sweeps/thru.sweep and the test reads the
 * run directory.  Two initiators give a throughput.csv row with two
 * per-initiator rates > 0 whose sum is the aggregate; one initiator, a
 * shared target set and halted targets with CPU 0 among them (the driver
 * serving as a target) give rows too; state=work gives one
 * interference.csv row per target with its refill rounds; a hypercall
 * configuration that cannot run here gives none.  `inject skip-flush`
 * with two initiators still fails the effect probe (exit 3), and a sweep
 * whose initiators and targets need more vCPUs than --smp is refused
 * before QEMU starts (exit 2, the line named, nothing written).
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

#define SKIP_SWEEP_PATH "/tmp/hvflush-thru-skip.sweep"

/* The per-initiator rates of a throughput.csv row; returns their count. */
static unsigned rates(const struct csv_table *t, int row, unsigned long long *v)
{
    const char *s = csv_cell(t, (unsigned)row, "per_initiator_per_s");
    unsigned n = 0;
    char *end;

    while (*s && n < 16) {
        v[n++] = strtoull(s, &end, 10);
        if (end == s)
            fail_msg("bad per_initiator_per_s '%s'", csv_cell(t, (unsigned)row,
                                                              "per_initiator_per_s"));
        s = end;
        while (*s == ' ')
            s++;
    }
    return n;
}

static void check_row(const struct csv_table *t, const char *label, unsigned k,
                      const char *share, const char *inits, const char *targets)
{
    int row = csv_row_of(t, label);
    unsigned long long v[16], sum = 0;
    unsigned n;

    if (row < 0)
        fail_msg("throughput.csv has no row '%s'", label);
    assert_int_equal((unsigned)csv_num(t, (unsigned)row, "initiators"), k);
    assert_string_equal(csv_cell(t, (unsigned)row, "share"), share);
    assert_string_equal(csv_cell(t, (unsigned)row, "initiator_cpus"), inits);
    assert_string_equal(csv_cell(t, (unsigned)row, "target_cpus"), targets);
    assert_string_equal(csv_cell(t, (unsigned)row, "timing_class"), "emulated");
    n = rates(t, row, v);
    assert_int_equal(n, k);
    for (unsigned i = 0; i < n; i++) {
        if (v[i] == 0)
            fail_msg("%s: initiator %u's rate is 0", label, i);
        sum += v[i];
    }
    assert_true(csv_num(t, (unsigned)row, "aggregate_per_s") == (double)sum);
    assert_true(csv_num(t, (unsigned)row, "flushes") >= k);
    assert_true(csv_num(t, (unsigned)row, "window_cycles") > 0);
}

static void test_throughput_and_interference_rows(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 4 "
                                       "--sweep tests/sweeps/thru.sweep");
    struct csv_table t, w;
    unsigned work_rows = 0;

    (void)state;
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_true(csv_read(r, "throughput.csv", &t));
    check_row(&t, "ipi/invlpg/p1/t1/spin/k1", 1, "own", "0", "1");
    check_row(&t, "ipi/invlpg/p1/t1/spin/k2", 2, "own", "0-1", "2;3");
    check_row(&t, "ipi/invlpg/p1/t2/spin/k2/shared", 2, "shared", "0-1", "2-3;2-3");
    check_row(&t, "ipi/invlpg/p1/t1/halt/i2/k2", 2, "own", "2-3", "0;1");
    check_row(&t, "ipi/invlpg/p8/t1/work/k2/ws64", 2, "own", "0-1", "2;3");
    check_row(&t, "ipi/cr3/p8/t1/work/k2/ws64", 2, "own", "0-1", "2;3");
    /* Unsupported here: no throughput row. */
    assert_int_equal(csv_row_of(&t, "hv-space/slow/cr3/p1/t1/spin/k2"), -1);
    assert_int_equal(t.nrows, 6);
    csv_free(&t);

    assert_true(csv_read(r, "interference.csv", &w));
    for (unsigned i = 0; i < w.nrows; i++) {
        const char *label = csv_cell(&w, i, "label");

        if (strcmp(label, "ipi/invlpg/p8/t1/work/k2/ws64") &&
            strcmp(label, "ipi/cr3/p8/t1/work/k2/ws64"))
            fail_msg("interference row for '%s'", label);
        work_rows++;
        assert_true(csv_num(&w, i, "received") > 0);
        assert_true(csv_num(&w, i, "quiet_walks") > 0);
        assert_true(csv_num(&w, i, "loaded_walks") > 0);
        assert_true(csv_num(&w, i, "steady_walk_cycles") > 0);
        assert_true(csv_num(&w, i, "refill_walk_cycles") > 0);
        assert_true(csv_num(&w, i, "refill_rounds") == 32);
        assert_true(csv_num(&w, i, "working_set") == 64);
        /* Signed: a noisy host may read a negative loss or refill. */
        assert_true(strlen(csv_cell(&w, i, "cycles_lost_per_flush")) > 0);
        assert_true(strlen(csv_cell(&w, i, "refill_cycles")) > 0);
    }
    assert_int_equal(work_rows, 4);          /* 2 configurations x 2 targets */
    csv_free(&w);
}

/* Targets that acknowledge without invalidating, with two initiators: the
 * effect probe still reads fail, the throughput is still measured. */
static void test_skip_flush_with_two_initiators_fails(void **state)
{
    FILE *f = fopen(SKIP_SWEEP_PATH, "w");
    struct run_result *r;
    struct csv_table t;

    (void)state;
    assert_non_null(f);
    fprintf(f, "name thru-skip\nsamples 50\nwarmup 5\nverify-rounds 8\ninject skip-flush\n"
            "measure ipi targets=1 initiators=2\n");
    fclose(f);
    r = run_hvflush("run --accel tcg --smp 4 --sweep " SKIP_SWEEP_PATH);
    unlink(SKIP_SWEEP_PATH);
    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3), stderr %s", r->exit_code, r->err);
    assert_int_equal(r->nconfigs, 1);
    assert_true(r->cfg[0].has_verify);
    assert_string_equal(r->cfg[0].verdict, "fail");
    assert_true(r->cfg[0].stale > 0);
    assert_true(csv_read(r, "throughput.csv", &t));
    assert_int_equal(t.nrows, 1);
    assert_string_equal(csv_cell(&t, 0, "verdict"), "fail");
    csv_free(&t);
}

/* initiators x targets beyond --smp: refused before QEMU, naming the line. */
static void test_too_few_vcpus_refused(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 3 "
                                       "--sweep tests/sweeps/thru.sweep");

    (void)state;
    if (r->exit_code != 2 ||
        !strstr(r->err, "thru.sweep:11: initiators=2 share=own with targets=1 needs 4 vCPUs"))
        fail_msg("exit %d, stderr '%s'", r->exit_code, r->err);
    assert_int_equal(count_entries(r->out_dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_too_few_vcpus_refused),
        cmocka_unit_test(test_throughput_and_interference_rows),
        cmocka_unit_test(test_skip_flush_with_two_initiators_fails),
    };

    return cmocka_run_group_tests_name("throughput_tcg", tests, NULL, NULL);
}
