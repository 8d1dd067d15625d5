/*
 * The Hyper-V flush hypercalls on real KVM, in the nested lab (TCG + SVM ->
 * a stock Debian kernel's KVM -> the guest with hv-tlbflush), for the
 * distro's 6.1 kernel and a 6.12 kernel:
 *  - the guest finds the Hyper-V interface, enables the hypercall page and
 *    reads a VP index on every CPU;
 *  - every hypercall configuration of tests/sweeps/lab.sweep is measured
 *    and its effect probe passes: after a successful call no target reads
 *    the old page, and the negative control (same reads, no call) did see
 *    stale reads -- or, for fast input, the configuration is unsupported
 *    because XMM input is not advertised;
 *  - every conformance case returns what the case table expects of KVM of
 *    that version (bench/conformance_cases.c, judged by the host into
 *    conformance.csv).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bench/conformance.h>
#include "harness.h"

/*
 * conformance.csv against the case table (bench/conformance_cases.c): every
 * row of the table ran (XMM input is advertised in the lab), the host
 * judged it against KVM of L1's version, and KVM answered every case as the
 * table expects.  A changed answer reads `deviation` and fails here.  The
 * one case the guest refuses itself is reported as such, never judged.
 */
static void compare_conformance(const struct run_result *r, const char *series)
{
    struct csv_table t;
    unsigned i, wrong = 0, refused = 0;

    assert_true(csv_read(r, "conformance.csv", &t));
    assert_int_equal(t.nrows, conf_ncases);
    for (i = 0; i < conf_ncases; i++) {
        const char *kase = csv_get(&t, i, "case"), *verdict = csv_get(&t, i, "kvm_verdict");
        const char *version = csv_get(&t, i, "kvm_version");

        assert_non_null(kase);
        assert_non_null(verdict);
        assert_non_null(version);
        /* The answer came from L1's kernel, of the series asked for. */
        assert_true(!strncmp(version, series, strlen(series)) &&
                    version[strlen(series)] == '.');
        assert_string_equal(kase, conf_cases[i].name);
        if (!strcmp(verdict, "refused-by-guest")) {
            assert_string_equal(kase, "list-fast-no-fit");
            assert_string_equal(csv_get(&t, i, "reason"), "does-not-fit-fast-input");
            assert_string_equal(csv_get(&t, i, "tlfs_verdict"), "refused-by-guest");
            refused++;
        } else {
            /* The host's verdict, and the answer itself against the row. */
            const struct conf_kvm_expect *e;
            unsigned major = 0, minor = 0;

            assert_int_equal(sscanf(version, "%u.%u", &major, &minor), 2);
            e = conf_kvm_expected(&conf_cases[i], major, minor);
            assert_non_null(e);
            if (strcmp(verdict, "match") || strcmp(csv_get(&t, i, "outcome"), e->outcome)) {
                print_error("conformance case %s: %s (%s), KVM %s expected %s\n", kase,
                            csv_get(&t, i, "outcome"), verdict, version, e->outcome);
                wrong++;
            }
        }
    }
    /* The TLFS's view of KVM: the misaligned and page-crossing inputs are
     * accepted where the TLFS asks for INVALID_ALIGNMENT. */
    for (i = 0; i < t.nrows; i++)
        if (!strncmp(csv_get(&t, i, "case"), "space-gpa-", 10))
            assert_string_equal(csv_get(&t, i, "tlfs_verdict"), "deviation");
    csv_free(&t);
    assert_int_equal(refused, 1);
    assert_int_equal(wrong, 0);
}

static void check_lab(const char *kernel_args, const char *series)
{
    char args[256];
    struct run_result *r;
    unsigned i, hv_measured = 0;

    snprintf(args, sizeof(args), "run --accel lab --smp 4 --sweep tests/sweeps/lab.sweep %s",
             kernel_args);
    r = run_hvflush(args);
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_int_equal(r->cpus, 4);
    assert_true(r->has_hyperv);
    assert_int_equal(r->hv_present, 1);
    assert_int_equal(r->hv_hypercall, 1);
    assert_int_equal(r->nvps, 4);
    for (i = 0; i < r->nconfigs; i++) {
        struct run_config *c = &r->cfg[i];

        if (strncmp(c->strategy, "hv-", 3)) {
            assert_int_equal(c->stale, 0);
            continue;
        }
        if (c->unsupported[0]) {
            /* Only fast input may be missing, and only when not advertised. */
            assert_string_equal(c->unsupported, "xmm-input-not-advertised");
            assert_int_equal(r->hv_xmm_input, 0);
            continue;
        }
        hv_measured++;
        /* List calls are probed on exactly their pages; Space calls on the
         * configuration's pages too (they flush everything). */
        assert_measured_and_verified(c);
    }
    assert_true(hv_measured >= 6);
    assert_true(r->nprecision > 0);
    assert_true(r->nconformance > 10);
    compare_conformance(r, series);
    /* The terminal says the same in its summary line, with no case listed
     * as unexpected. */
    snprintf(args, sizeof(args), "conformance: %u cases — ", conf_ncases - 1);
    if (!strstr(r->out, args) ||
        !strstr(r->out, " 0 unexpected, 0 unknown; 1 refused by the guest"))
        fail_msg("no conformance summary line in:\n%s", r->out);
    assert_null(strstr(r->out, "conformance: unexpected:"));
    print_message("%.*s\n", (int)strcspn(strstr(r->out, args), "\n"), strstr(r->out, args));
}

static void test_lab_debian_6_1(void **state)
{
    (void)state;
    check_lab("", "6.1");
}

static void test_lab_debian_6_12(void **state)
{
    (void)state;
    check_lab("--lab-kernel 6.12", "6.12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_debian_6_1),
        cmocka_unit_test(test_lab_debian_6_12),
    };

    return cmocka_run_group_tests_name("hypercalls in the nested lab", tests, NULL, NULL);
}
