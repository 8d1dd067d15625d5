/*
 * kvm-pv on this host's KVM (skipped where /dev/kvm does not work): for a
 * sweep with kvm-pv lines the host tool adds kvm-pv-tlb-flush=on to the
 * guest's CPU model, so KVM advertises KVM_FEATURE_PV_TLB_FLUSH (the `kvm`
 * record) and the configuration is timed with a `kick` record whose counts
 * cover every flush round (IPI or steal-time path) and whose steal-time
 * records are live; with --cpu qemu64,kvm-pv-tlb-flush=off the tool leaves
 * the model alone and the same line reads unsupported
 * (kvm-pv-tlb-flush-not-advertised).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <bench/record.h>
#include "harness.h"

#define SWEEP_PATH "/tmp/hvflush-strat-kvm.sweep"
#define LABEL "kvm-pv/invlpg/p1/t1/spin"

/* Field key of the first record of type `type` ("" if none). */
static void first_field(const struct run_result *r, const char *type, const char *key,
                        char *out, size_t n)
{
    char path[700], line[RECORD_LINE_MAX + 2];
    struct record rec;
    FILE *f;

    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    out[0] = '\0';
    while (!out[0] && fgets(line, sizeof(line), f))
        if (record_parse(line, strlen(line), &rec) == RECORD_OK && !strcmp(rec.type, type) &&
            record_get(&rec, key))
            snprintf(out, n, "%s", record_get(&rec, key));
    fclose(f);
}

static struct run_result *run_kvm_pv(const char *cpu_arg)
{
    FILE *f = fopen(SWEEP_PATH, "w");
    char args[256];
    struct run_result *r;

    assert_non_null(f);
    fprintf(f, "name strat-kvm\nsamples 50\nwarmup 5\nverify-rounds 8\n"
               "measure kvm-pv targets=1\n");
    fclose(f);
    snprintf(args, sizeof(args), "run --accel kvm --smp 2 %s --sweep " SWEEP_PATH, cpu_arg);
    r = run_hvflush(args);
    unlink(SWEEP_PATH);
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_int_equal(r->nconfigs, 1);
    assert_string_equal(r->cfg[0].label, LABEL);
    return r;
}

static void test_kvm_pv_advertised_and_timed(void **state)
{
    struct run_result *r;
    char v[32];

    (void)state;
    if (!kvm_usable())
        skip();
    r = run_kvm_pv("");
    first_field(r, "kvm", "pv_tlb_flush", v, sizeof(v));
    assert_string_equal(v, "1");
    assert_string_equal(r->cfg[0].unsupported, "");
    assert_int_equal(r->cfg[0].nsamples, 50);
    first_field(r, "kick", "via", v, sizeof(v));
    assert_string_equal(v, "kvm-pv");
    first_field(r, "kick", "ipi", v, sizeof(v));
    {
        uint64_t ipi = strtoull(v, NULL, 10), pv;

        first_field(r, "kick", "pv", v, sizeof(v));
        pv = strtoull(v, NULL, 10);
        assert_int_equal(ipi + pv, 55);         /* samples + warm-up, one target */
        printf("  %s: %llu by IPI, %llu by steal time\n", LABEL, (unsigned long long)ipi,
               (unsigned long long)pv);
    }
    first_field(r, "kick", "steal_ns", v, sizeof(v));
    assert_true(v[0] != '\0');
    printf("  steal time reported: %s ns\n", v);
}

static void test_kvm_pv_off_is_unsupported(void **state)
{
    struct run_result *r;

    (void)state;
    if (!kvm_usable())
        skip();
    r = run_kvm_pv("--cpu qemu64,kvm-pv-tlb-flush=off");
    assert_string_equal(r->cfg[0].unsupported, "kvm-pv-tlb-flush-not-advertised");
    assert_int_equal(r->cfg[0].nsamples, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kvm_pv_advertised_and_timed),
        cmocka_unit_test(test_kvm_pv_off_is_unsupported),
    };

    return cmocka_run_group_tests_name("kvm-pv on this host's KVM", tests, NULL, NULL);
}
