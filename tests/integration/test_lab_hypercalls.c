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
 *  - the conformance table equals the expected statuses for that kernel
 *    (tests/lab/conformance-<series>.csv).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "harness.h"

/* Looks up "case,input" of the run's conformance.csv; returns its status. */
static bool observed_status(const char *run_dir, const char *kase, const char *input,
                            char *status, size_t n)
{
    char path[700], line[512];
    FILE *f;
    bool found = false;

    snprintf(path, sizeof(path), "%s/conformance.csv", run_dir);
    f = fopen(path, "r");
    if (!f)
        return false;
    while (!found && fgets(line, sizeof(line), f)) {
        char c[96], call[32], in[16], st[64];

        if (sscanf(line, "%95[^,],%31[^,],%15[^,],%63[^,]", c, call, in, st) == 4 &&
            !strcmp(c, kase) && !strcmp(in, input)) {
            snprintf(status, n, "%s", st);
            found = true;
        }
    }
    fclose(f);
    return found;
}

/* Every row of the expected table must be observed with that status. */
static void compare_conformance(const struct run_result *r, const char *expected_file)
{
    char line[512], status[64];
    unsigned rows = 0, wrong = 0;
    FILE *f = fopen(expected_file, "r");

    assert_non_null(f);
    while (fgets(line, sizeof(line), f)) {
        char kase[96], input[16], want[64];

        if (line[0] == '#' || sscanf(line, "%95[^,],%15[^,],%63[^,\n]", kase, input, want) != 3)
            continue;
        rows++;
        if (!observed_status(r->run_dir, kase, input, status, sizeof(status))) {
            print_error("conformance case %s (%s): not run\n", kase, input);
            wrong++;
        } else if (strcmp(status, want)) {
            print_error("conformance case %s (%s): %s, expected %s\n", kase, input, status, want);
            wrong++;
        }
    }
    fclose(f);
    assert_true(rows > 10);
    assert_int_equal(wrong, 0);
}

static void check_lab(const char *kernel_args, const char *expected_file)
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
    compare_conformance(r, expected_file);
}

static void test_lab_debian_6_1(void **state)
{
    (void)state;
    check_lab("", "tests/lab/conformance-6.1.csv");
}

static void test_lab_debian_6_12(void **state)
{
    (void)state;
    check_lab("--lab-kernel 6.12", "tests/lab/conformance-6.12.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_debian_6_1),
        cmocka_unit_test(test_lab_debian_6_12),
    };

    return cmocka_run_group_tests_name("hypercalls in the nested lab", tests, NULL, NULL);
}
