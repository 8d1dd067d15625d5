/*
 * Unit tests of the List calls' rep loop (bench/hv_reps.c) with a fake
 * hypercall that plays a script of returns, and of the VP rule
 * (bench/hv_vps.c):
 *  - all reps in one issue; progress over several issues (rep start
 *    follows the reps completed); SUCCESS without progress is INCOMPLETE,
 *    never COMPLETE; a failure status or a fault mid-way ends the loop
 *    with that status; the issue limit; a simple call issues once;
 *  - a non-Ex call cannot name a VP index >= 64 (also for procs=all),
 *    an Ex call can up to 4095; an unknown index is reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <bench/hv_abi.h>
#include <bench/hv_reps.h>
#include <bench/hv_vps.h>

struct fake {
    const struct hv_rep_ret *script;   /* one return per issue */
    unsigned n, calls;
    uint64_t controls[8];
};

static struct hv_rep_ret fake_issue(void *ctx, uint64_t control)
{
    struct fake *f = ctx;
    struct hv_rep_ret r = f->script[f->calls < f->n ? f->calls : f->n - 1];

    if (f->calls < 8)
        f->controls[f->calls] = control;
    f->calls++;
    return r;
}

static uint64_t ret(uint16_t status, unsigned reps) { return status | ((uint64_t)reps << 32); }
static unsigned rep_start(uint64_t control) { return (control >> HV_HYPERCALL_REP_START_SHIFT) & 0xfff; }
static unsigned rep_count(uint64_t control) { return (control >> HV_HYPERCALL_REP_COUNT_SHIFT) & 0xfff; }

static void run(const struct hv_rep_ret *script, unsigned n, unsigned reps,
                struct fake *f, struct hv_reps_outcome *out)
{
    memset(f, 0, sizeof(*f));
    f->script = script;
    f->n = n;
    hv_reps_run(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, false, 0, reps, fake_issue, f, 16, out);
}

static void test_complete_at_once(void **state)
{
    const struct hv_rep_ret s[] = { { ret(HV_STATUS_SUCCESS, 3), 0 } };
    struct fake f;
    struct hv_reps_outcome o;

    (void)state;
    run(s, 1, 3, &f, &o);
    assert_int_equal(o.end, HV_REPS_COMPLETE);
    assert_int_equal(o.issues, 1);
    assert_int_equal(o.reps_done, 3);
    assert_int_equal(rep_count(f.controls[0]), 3);
    assert_int_equal(rep_start(f.controls[0]), 0);
}

static void test_progress_continues(void **state)
{
    const struct hv_rep_ret s[] = { { ret(HV_STATUS_SUCCESS, 2), 0 },
                                    { ret(HV_STATUS_SUCCESS, 5), 0 },
                                    { ret(HV_STATUS_SUCCESS, 8), 0 } };
    struct fake f;
    struct hv_reps_outcome o;

    (void)state;
    run(s, 3, 8, &f, &o);
    assert_int_equal(o.end, HV_REPS_COMPLETE);
    assert_int_equal(o.issues, 3);
    assert_int_equal(rep_start(f.controls[1]), 2);
    assert_int_equal(rep_start(f.controls[2]), 5);
}

static void test_no_progress_is_incomplete(void **state)
{
    const struct hv_rep_ret s[] = { { ret(HV_STATUS_SUCCESS, 2), 0 },
                                    { ret(HV_STATUS_SUCCESS, 2), 0 } };
    const struct hv_rep_ret zero[] = { { ret(HV_STATUS_SUCCESS, 0), 0 } };
    struct fake f;
    struct hv_reps_outcome o;

    (void)state;
    run(s, 2, 8, &f, &o);
    assert_int_equal(o.end, HV_REPS_INCOMPLETE);
    assert_int_equal(o.reps_done, 2);
    assert_int_equal(o.issues, 2);
    run(zero, 1, 8, &f, &o);                 /* SUCCESS, nothing done */
    assert_int_equal(o.end, HV_REPS_INCOMPLETE);
    assert_int_equal(o.issues, 1);
}

static void test_failure_mid_way(void **state)
{
    const struct hv_rep_ret s[] = { { ret(HV_STATUS_SUCCESS, 3), 0 },
                                    { ret(HV_STATUS_INVALID_PARAMETER, 3), 0 } };
    const struct hv_rep_ret fault[] = { { ret(HV_STATUS_SUCCESS, 1), 0 },
                                        { 0xffffffffffffffffull, 13 } };
    struct fake f;
    struct hv_reps_outcome o;

    (void)state;
    run(s, 2, 8, &f, &o);
    assert_int_equal(o.end, HV_REPS_STATUS);
    assert_int_equal(hv_result_status(o.rax), HV_STATUS_INVALID_PARAMETER);
    assert_int_equal(o.issues, 2);
    run(fault, 2, 8, &f, &o);
    assert_int_equal(o.end, HV_REPS_FAULT);
    assert_int_equal(o.vector, 13);
    assert_int_equal(o.reps_done, 1);
}

static void test_issue_limit(void **state)
{
    struct hv_rep_ret s[20];
    struct fake f;
    struct hv_reps_outcome o;

    (void)state;
    for (unsigned i = 0; i < 20; i++)
        s[i] = (struct hv_rep_ret){ ret(HV_STATUS_SUCCESS, i + 1), 0 };
    run(s, 20, 100, &f, &o);                 /* one rep per issue, limit 16 */
    assert_int_equal(o.end, HV_REPS_INCOMPLETE);
    assert_int_equal(o.issues, 16);
}

static void test_simple_call_once(void **state)
{
    const struct hv_rep_ret s[] = { { ret(HV_STATUS_SUCCESS, 0), 0 } };
    struct fake f = { s, 1, 0, { 0 } };
    struct hv_reps_outcome o;

    (void)state;
    hv_reps_run(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, true, 0, 0, fake_issue, &f, 16, &o);
    assert_int_equal(o.end, HV_REPS_COMPLETE);
    assert_int_equal(f.calls, 1);
    assert_true(f.controls[0] & HV_HYPERCALL_FAST_BIT);
}

static void test_vp_rule(void **state)
{
    const uint32_t low[] = { 0, 1, 63 }, high[] = { 1, 64 }, huge[] = { 4096 },
                   unknown[] = { 2, UINT32_MAX };

    (void)state;
    assert_null(hv_vps_unsupported(false, low, 3));
    assert_string_equal(hv_vps_unsupported(false, high, 2), "vp-index-over-63-needs-ex");
    assert_null(hv_vps_unsupported(true, high, 2));
    assert_string_equal(hv_vps_unsupported(true, huge, 1), "vp-index-over-4095");
    assert_string_equal(hv_vps_unsupported(true, unknown, 2), "vp-index-unknown");
    assert_null(hv_vps_unsupported(false, high, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_at_once),
        cmocka_unit_test(test_progress_continues),
        cmocka_unit_test(test_no_progress_is_incomplete),
        cmocka_unit_test(test_failure_mid_way),
        cmocka_unit_test(test_issue_limit),
        cmocka_unit_test(test_simple_call_once),
        cmocka_unit_test(test_vp_rule),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
