/*
 * hv-rule in the nested lab: L2 gets Hyper-V flags without hv-tlbflush, so
 * CPUID 0x40000004 recommends no remote flush while the hypercall interface
 * is offered (0x40000003 privilege bit 5) and KVM's flush calls work.  With
 * `hv-rule recommended` (the default rule) the flush configurations are
 * unsupported (remote-flush-not-advertised); with `offered` the same sweep
 * measures them and their effect probes pass; meta.json's guest.hypervisor
 * names the rule each time.
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

#define SWEEP "tests/sweeps/hvrule-lab.sweep"
#define RUN_ARGS "run --accel lab --smp 2 --hv hv-vpindex,hv-relaxed --sweep "

static void check_identity(const struct run_result *r, const char *rule)
{
    char v[64];

    meta_value(r, "guest", "hypervisor", "rule", v, sizeof(v));
    assert_string_equal(v, rule);
    meta_value(r, "guest", "hypervisor", "sig0", v, sizeof(v));
    assert_string_equal(v, "Microsoft_Hv");
    meta_value(r, "guest", "hypervisor", "sig1", v, sizeof(v));
    assert_string_equal(v, "KVMKVMKVM");
    meta_value(r, "guest", "hypervisor", "os_id", v, sizeof(v));
    assert_string_equal(v, "0xff48000000010000");
}

static void test_offered_calls_what_is_not_recommended(void **state)
{
    struct run_result *r = run_hvflush(RUN_ARGS SWEEP);

    (void)state;
    if (r->exit_code != 0)
        fail_msg("hvflush run failed: %s", r->err);
    assert_int_equal(r->nconfigs, 2);
    for (unsigned i = 0; i < r->nconfigs; i++)
        assert_measured_and_verified(&r->cfg[i]);
    check_identity(r, "offered");
}

/* The same sweep with the default rule: nothing is recommended, so nothing
 * is called -- the rule is what made the calls above. */
static void test_recommended_refuses(void **state)
{
    char path[] = "/tmp/hvflush-hvrule-XXXXXX", args[256], line[256];
    FILE *in = fopen(SWEEP, "r"), *out;
    int fd = mkstemp(path);
    struct run_result *r;

    (void)state;
    assert_non_null(in);
    assert_true(fd >= 0);
    out = fdopen(fd, "w");
    while (fgets(line, sizeof(line), in))
        fputs(strncmp(line, "hv-rule ", 8) ? line : "hv-rule recommended\n", out);
    fclose(in);
    fclose(out);
    snprintf(args, sizeof(args), RUN_ARGS "%s", path);
    r = run_hvflush(args);
    unlink(path);
    assert_int_equal(r->nconfigs, 2);
    assert_string_equal(r->cfg[0].unsupported, "remote-flush-not-advertised");
    assert_string_equal(r->cfg[1].unsupported, "remote-flush-not-advertised");
    check_identity(r, "recommended");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offered_calls_what_is_not_recommended),
        cmocka_unit_test(test_recommended_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
