/*
 * Initiator and target placement, and the seeded configuration order, end
 * to end under TCG: the real host tool boots the real guest on a sweep with
 * initiators other than CPU 0 and every placement, and the test checks
 * from the run directory that each configuration ran where the sweep says
 * (config records against sweep_placement()), in the order --seed gives
 * (sweep_order() on the sweep.txt the guest received), that every measured
 * configuration has its latency record and summary.csv row, that the seed
 * is in meta.json, and that the TSC rate does not claim the Hyper-V MSR
 * source where there is none.  Bad placements are refused before QEMU starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <bench/record.h>
#include <bench/sweep.h>
#include "harness.h"

#define SMP 4
#define SEED 5

static struct sweep sw;
static struct sweep_config cfgs[SWEEP_CONFIGS_MAX];

/* Reads RUN/name into a malloc'd, NUL-terminated buffer. */
static char *slurp(const struct run_result *r, const char *name, size_t *len)
{
    char path[700];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof(path), "%s/%s", r->run_dir, name);
    f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The host's view: the sweep the guest received, expanded for SMP. */
static int expected_configs(const struct run_result *r, uint32_t *order)
{
    struct sweep_error err;
    size_t len;
    char *text = slurp(r, "sweep.txt", &len);
    int n;

    assert_true(sweep_parse(text, len, &sw, &err));
    free(text);
    n = sweep_expand(&sw, SMP, cfgs, SWEEP_CONFIGS_MAX, &err);
    assert_true(n > 0);
    sweep_order(&sw, order, (uint32_t)n);
    return n;
}

static void check_records(const struct run_result *r, const uint32_t *order, int n)
{
    static struct record rec;
    size_t len;
    char *text = slurp(r, "records.txt", &len), *line = text, *nl;
    int announced = 0, latencies = 0;
    bool shuffled = false;

    for (; (nl = strchr(line, '\n')); line = nl + 1) {
        uint64_t id;
        uint32_t cpus[SWEEP_MAX_CPUS];
        char want[64];

        assert_int_equal(record_parse(line, (size_t)(nl - line) + 1, &rec), RECORD_OK);
        if (!strcmp(rec.type, "latency"))
            latencies++;
        if (strcmp(rec.type, "config"))
            continue;
        assert_true(record_get_u64(&rec, "id", &id));
        assert_true(announced < n);
        /* In the seeded order, not the expansion order. */
        assert_int_equal(id, order[announced]);
        shuffled |= id != (uint64_t)announced;
        announced++;
        assert_true(sweep_placement(&cfgs[id], SMP, cpus));
        cpu_list_format(cpus, cfgs[id].targets, want, sizeof(want));
        assert_string_equal(record_get(&rec, "target_cpus"), want);
        assert_true(record_get_u64(&rec, "initiator", &id));
    }
    free(text);
    assert_int_equal(announced, n);
    assert_int_equal(latencies, n);
    assert_true(shuffled);
}

static void test_placement_and_seeded_order(void **state)
{
    struct run_result *r = run_hvflush("run --accel tcg --smp 4 --seed 5 "
                                       "--sweep tests/sweeps/placement.sweep");
    uint32_t order[SWEEP_CONFIGS_MAX];
    char seed[32], path[700];
    int n;

    (void)state;
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    meta_value(r, "sweep", "seed", NULL, seed, sizeof(seed));
    assert_string_equal(seed, "5");
    n = expected_configs(r, order);
    assert_int_equal(n, 8);
    check_records(r, order, n);
    for (unsigned i = 0; i < r->nconfigs; i++) {
        assert_int_equal(r->cfg[i].nsamples, 200);
        assert_true(r->cfg[i].error[0] == '\0');
        if (r->cfg[i].has_verify)
            assert_string_equal(r->cfg[i].verdict, "pass");
    }
    /* TCG has no Hyper-V frequency MSRs: the rate is calibrated or from CPUID. */
    meta_value(r, "guest", "platform", "tsc_src", seed, sizeof(seed));
    if (strcmp(seed, "pit") && strcmp(seed, "cpuid15") && strcmp(seed, "cpuid16"))
        fail_msg("tsc_src '%s' under TCG", seed);
    /* The timer record says how regions open and whether LFENCE orders them. */
    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    assert_true(file_contains(path, " open=lfence-rdtsc-lfence "));
    assert_true(file_contains(path, " lfence_serializing="));
    /* summary.csv: the placement and quality columns, filled in. */
    snprintf(path, sizeof(path), "%s/summary.csv", r->run_dir);
    assert_true(file_contains(path, "initiator,target_cpus,clamped,excluded,noise_dominated"));
    assert_true(file_contains(path, "ipi/invlpg/p1/t2/halt/i3/spread,"));
    assert_true(file_contains(path, ",3,0 2,"));
    assert_true(file_contains(path, ",3,0-1,"));
    assert_true(file_contains(path, ",3,1-2,"));
    assert_true(file_contains(path, ",1,0,"));
}

/* An initiator the VM does not have, a bad seed: exit 2, nothing started. */
static void test_bad_placement_refused(void **state)
{
    static const struct { const char *args, *needle; } bad[] = {
        { "run --accel tcg --smp 3 --sweep tests/sweeps/placement.sweep",
          "initiator needs 4 vCPUs" },
        { "run --accel tcg --smp 4 --seed x --sweep tests/sweeps/placement.sweep",
          "--seed: 'x' is not a number" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct run_result *r = run_hvflush(bad[i].args);

        if (r->exit_code != 2 || !strstr(r->err, bad[i].needle))
            fail_msg("'%s': exit %d, stderr '%s'", bad[i].args, r->exit_code, r->err);
        assert_int_equal(count_entries(r->out_dir), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_placement_refused),
        cmocka_unit_test(test_placement_and_seeded_order),
    };

    return cmocka_run_group_tests_name("placement_tcg", tests, NULL, NULL);
}
