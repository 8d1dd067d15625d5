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
 * The effect probe runs on the placed CPUs too: configurations whose
 * initiator is not CPU 0 and whose targets are not CPUs 1..n (CPU 0 among
 * them in one) read `pass` with every placed target's reads counted fresh
 * and a stale control, and the same sweep with `inject skip-flush` reads
 * `fail` for each (exit 3).
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
#include <bench/sweep.h>
#include "harness.h"

#define SMP 4
#define SEED 5
#define VERIFY_SWEEP_PATH "/tmp/hvflush-verify-placed.sweep"
#define VERIFY_NCONFIGS 3

/* Effect-probe placements, none of them CPU 0 -> CPUs 1..n, with the
 * target CPUs sweep_placement() gives for --smp 4. */
static const struct { const char *line, *target_cpus; } verify_placed[VERIFY_NCONFIGS] = {
    { "measure ipi flush=invlpg pages=2 targets=1 initiator=2 placement=last state=spin",
      "3" },
    { "measure ipi flush=cr3 targets=2 initiator=3 placement=first state=halt", "0-1" },
    { "measure ipi flush=invlpg targets=2 initiator=1 placement=last state=spin", "2-3" },
};

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

static struct run_result *run_verify_placed(const char *inject)
{
    FILE *f = fopen(VERIFY_SWEEP_PATH, "w");
    struct run_result *r;

    assert_non_null(f);
    fprintf(f, "name verify-placed\nsamples 50\nwarmup 5\nverify-rounds 8\n");
    if (inject)
        fprintf(f, "inject %s\n", inject);
    for (unsigned i = 0; i < VERIFY_NCONFIGS; i++)
        fprintf(f, "%s\n", verify_placed[i].line);
    fclose(f);
    r = run_hvflush("run --accel tcg --smp 4 --sweep " VERIFY_SWEEP_PATH);
    unlink(VERIFY_SWEEP_PATH);
    assert_int_equal(r->nconfigs, VERIFY_NCONFIGS);
    return r;
}

/* The config records name the placed CPUs and, for IPI configurations, no
 * second (precision) placement. */
static void check_verify_placement(const struct run_result *r)
{
    char path[700], want[96];

    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    for (unsigned i = 0; i < VERIFY_NCONFIGS; i++) {
        snprintf(want, sizeof(want), " target_cpus=%s", verify_placed[i].target_cpus);
        if (!file_contains(path, want))
            fail_msg("records.txt lacks '%s'", want);
    }
    assert_false(file_contains(path, "verify_initiator="));
    assert_false(file_contains(path, "precision_initiator="));
}

/* Every placed target's reads are tallied (fresh = rounds x targets x
 * pages: a tally read from CPUs 1..n would miss CPUs 0 and 3), and the
 * control, issued from the placed initiator, went stale. */
static void test_verify_on_placed_cpus_passes(void **state)
{
    struct run_result *r = run_verify_placed(NULL);

    (void)state;
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    check_verify_placement(r);
    for (unsigned i = 0; i < r->nconfigs; i++)
        assert_measured_and_verified(&r->cfg[i]);
}

/* Targets that acknowledge without invalidating, on the placed CPUs: the
 * probe on the placed initiator must see their stale reads. */
static void test_verify_on_placed_cpus_skip_flush_fails(void **state)
{
    struct run_result *r = run_verify_placed("skip-flush");

    (void)state;
    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3), stderr %s", r->exit_code, r->err);
    check_verify_placement(r);
    for (unsigned i = 0; i < r->nconfigs; i++) {
        const struct run_config *c = &r->cfg[i];

        assert_true(c->has_verify);
        if (strcmp(c->verdict, "fail"))
            fail_msg("%s: verdict %s, wanted fail", c->label, c->verdict);
        assert_true(c->stale > 0);
    }
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
        cmocka_unit_test(test_verify_on_placed_cpus_passes),
        cmocka_unit_test(test_verify_on_placed_cpus_skip_flush_fails),
    };

    return cmocka_run_group_tests_name("placement_tcg", tests, NULL, NULL);
}
