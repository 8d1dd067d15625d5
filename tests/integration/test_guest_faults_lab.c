/*
 * Guest robustness against a real KVM, in the nested lab: L2 gets
 * hv-tlbflush and hv-enforce-cpuid but not hv-xmm-input or hv-ipi, so KVM
 * checks each call against the CPUID it gave the guest, and `inject
 * hv-pretend` makes the guest take XMM input and cluster IPIs as offered
 * (the `hyperv` record says pretend=1, xmm_input=1).  KVM's real answers:
 *  - HvCallFlushVirtualAddressSpace with memory input: SUCCESS, measured;
 *  - the same with XMM fast input: #UD raised by KVM at the hypercall
 *    page's vmcall/vmmcall, caught by the guest's fault recovery:
 *    "hypercall-raised-ud-at-rip-0x...", vector 6, status "-";
 *  - HvCallSendSyntheticClusterIpi (hv-ipi-invlpg), which the guest takes
 *    as advertised while L2 has no hv-ipi: ACCESS_DENIED from KVM's access
 *    check, "advertised-but-refused-ACCESS_DENIED".
 * The ipi and local configurations after them are measured, the run is
 * complete (status ok) and exits 3.  (Without hv-tlbflush, KVM's access
 * check answers both calls ACCESS_DENIED first, which the guest records as
 * "advertised-but-refused-ACCESS_DENIED", status 0x6.)  A run that stalled
 * in L2 before its first console byte (lab_l2_stalled) is skipped, saying
 * so.
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

#define SWEEP "tests/sweeps/guest-faults-lab.sweep"

/* The error record of configuration id, copied into rec. */
static void error_record(const struct run_result *r, const char *id, struct record *rec)
{
    char path[600], line[RECORD_LINE_MAX + 2];
    FILE *f;

    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof(line), f))
        if (record_parse(line, strlen(line), rec) == RECORD_OK &&
            !strcmp(rec->type, "error") && record_get(rec, "id") &&
            !strcmp(record_get(rec, "id"), id)) {
            fclose(f);
            return;
        }
    fclose(f);
    fail_msg("no error record for configuration %s", id);
}

static void test_kvm_refuses_what_it_does_not_offer(void **state)
{
    struct run_result *r = run_hvflush("run --accel lab --smp 2 --hv hv-vpindex,hv-relaxed,"
                                       "hv-tlbflush,hv-enforce-cpuid --sweep " SWEEP);
    struct record rec;
    char want[96], v[64];

    (void)state;
    if (lab_l2_stalled(r)) {
        print_message("skipped: L2 stalled before its first console byte (lab_l2_stalled)\n");
        skip();
    }
    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3); stderr: %s", r->exit_code, r->err);
    meta_string(r, "status", v, sizeof(v));
    assert_string_equal(v, "ok");
    meta_value(r, "guest", "hyperv", "pretend", v, sizeof(v));
    assert_string_equal(v, "1");
    meta_value(r, "guest", "hyperv", "xmm_input", v, sizeof(v));
    assert_string_equal(v, "1");
    assert_int_equal(r->nconfigs, 5);

    /* Memory input: KVM takes the advertised call. */
    assert_string_equal(r->cfg[0].error, "");
    assert_int_equal(r->cfg[0].nsamples, r->cfg[0].samples_declared);

    /* XMM fast input, not offered by KVM: a real #UD, caught by the guest. */
    error_record(r, "1", &rec);
    assert_string_equal(record_get(&rec, "vector"), "6");
    assert_string_equal(record_get(&rec, "status"), "-");
    snprintf(want, sizeof(want), "hypercall-raised-ud-at-rip-%s", record_get(&rec, "rip"));
    assert_string_equal(r->cfg[1].error, want);
    assert_int_equal(r->cfg[1].nsamples, 0);
    assert_non_null(strstr(r->out, want));

    /* HvCallSendSyntheticClusterIpi, not recommended by KVM (no hv-ipi) but
     * taken as advertised: KVM's real refusal. */
    assert_string_equal(r->cfg[2].error, "advertised-but-refused-ACCESS_DENIED");
    assert_int_equal(r->cfg[2].nsamples, 0);
    assert_non_null(strstr(r->out, "advertised-but-refused-ACCESS_DENIED"));

    /* The rest of the sweep ran. */
    assert_int_equal(r->cfg[3].nsamples, r->cfg[3].samples_declared);
    assert_string_equal(r->cfg[3].error, "");
    assert_int_equal(r->cfg[4].nsamples, r->cfg[4].samples_declared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kvm_refuses_what_it_does_not_offer),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
