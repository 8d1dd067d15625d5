/*
 * A broken flush hypercall never passes (nested lab, Debian 6.1 KVM,
 * 4 vCPUs): tests/sweeps/verify-wrong-mask.sweep injects hv-wrong-mask,
 * so every flush names only the initiator's own VP and the targets keep
 * their stale entries.  Each hypercall configuration must read `fail`, or
 * `inconclusive` with the power figure (or a control that never went
 * stale) as its reason; never `pass`.  The exit status is 3 when any reads
 * fail, and the run itself is complete (meta.json status ok).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

static void test_wrong_mask_never_passes(void **state)
{
    struct run_result *r;
    unsigned i, measured = 0, failed = 0;
    char status[16];

    (void)state;
    r = run_hvflush("run --accel lab --smp 4 --sweep tests/sweeps/verify-wrong-mask.sweep");
    assert_true(r->stream_ok);
    assert_int_equal(r->hv_hypercall, 1);
    meta_string(r, "status", status, sizeof(status));
    assert_string_equal(status, "ok");
    for (i = 0; i < r->nconfigs; i++) {
        const struct run_config *c = &r->cfg[i];

        if (c->unsupported[0]) {
            assert_string_equal(c->unsupported, "xmm-input-not-advertised");
            continue;
        }
        measured++;
        assert_true(c->has_verify);
        if (!strcmp(c->verdict, "fail")) {
            failed++;
            assert_true(c->stale > 0);
        } else if (strcmp(c->verdict, "inconclusive")) {
            fail_msg("%s: verdict %s with a flush that names only the initiator", c->label,
                     c->verdict);
        }
    }
    assert_true(measured >= 4);
    if (r->exit_code != (failed ? 3 : 0))
        fail_msg("exit %d with %u failed configurations: %s", r->exit_code, failed, r->err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wrong_mask_never_passes),
    };

    return cmocka_run_group_tests_name("a broken flush hypercall in the nested lab", tests,
                                       NULL, NULL);
}
