/*
 * Target sets, placement patterns and the strategies the platform lacks,
 * end to end under TCG (4 vCPUs), with the real host tool and guest:
 *  - targets=null, self and all from initiator 2: null and self are timed
 *    (p50 > 0 for the self-IPI) and not verified; all names CPUs 0-3 and
 *    its effect probe passes on the three others;
 *  - contiguous, strided:1 and cpus:0+3 from initiator 1 name the CPUs
 *    sweep_placement() gives (the config record's target_cpus and pattern)
 *    and pass verification;
 *  - flush=invpcid (QEMU 7.2's TCG has no INVPCID), kvm-pv (no KVM leaves
 *    under TCG) and hv-ipi-invlpg (no Hyper-V) are `unsupported` with their
 *    reasons, without samples;
 *  - the same patterns and `all` with `inject skip-flush` read `fail` (exit
 *    3): the probe really runs on the placed CPUs;
 *  - bad patterns are refused before QEMU starts (exit 2, the line named),
 *    and `--cpu qemu64,+invpcid` gets no INVPCID from TCG (QEMU drops the
 *    bit with a warning; the guest reads it clear).
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

#define SWEEP_PATH "/tmp/hvflush-strat-tcg.sweep"
#define PATTERN_LINES \
    "measure ipi targets=all initiator=2\n" \
    "measure ipi targets=2 placement=contiguous,strided:1,cpus:0+3 initiator=1\n"

static const struct { const char *label, *target_cpus, *pattern, *set; } placed[] = {
    { "ipi/invlpg/p1/all/spin/i2", "0-3", "first", "all" },
    { "ipi/invlpg/p1/t2/spin/i1/contiguous", "2-3", "contiguous", "others" },
    { "ipi/invlpg/p1/t2/spin/i1/strided:1", "2-3", "strided:1", "others" },
    { "ipi/invlpg/p1/t2/spin/i1/cpus:0+3", "0,3", "cpus:0+3", "others" },
};
#define NPLACED (sizeof(placed) / sizeof(placed[0]))

static void write_sweep(const char *extra)
{
    FILE *f = fopen(SWEEP_PATH, "w");

    assert_non_null(f);
    fprintf(f, "name strat-tcg\nsamples 50\nwarmup 5\nverify-rounds 8\n%s%s", extra,
            PATTERN_LINES);
    fclose(f);
}

/* Field key of the config record whose label is label ("" if none). */
static void config_field(const struct run_result *r, const char *label, const char *key,
                         char *out, size_t n)
{
    char path[700], line[RECORD_LINE_MAX + 2];
    struct record rec;
    FILE *f;

    snprintf(path, sizeof(path), "%s/records.txt", r->run_dir);
    f = fopen(path, "r");
    assert_non_null(f);
    out[0] = '\0';
    while (fgets(line, sizeof(line), f))
        if (record_parse(line, strlen(line), &rec) == RECORD_OK &&
            !strcmp(rec.type, "config") && record_get(&rec, "label") &&
            !strcmp(record_get(&rec, "label"), label) && record_get(&rec, key))
            snprintf(out, n, "%s", record_get(&rec, key));
    fclose(f);
}

static const struct run_config *by_label(const struct run_result *r, const char *label)
{
    for (unsigned i = 0; i < r->nconfigs; i++)
        if (!strcmp(r->cfg[i].label, label))
            return &r->cfg[i];
    fail_msg("no configuration %s", label);
    return NULL;
}

static void test_sets_patterns_and_unsupported(void **state)
{
    static const struct { const char *label, *reason; } unsupported[] = {
        { "ipi/invpcid/p1/t1/spin", "no-invpcid" },
        { "kvm-pv/invlpg/p1/t1/spin", "no-kvm-leaves" },
        { "hv-ipi-invlpg/slow/p1/t1/spin", "no-hv1-interface" },
    };
    const struct run_config *c;
    struct run_result *r;
    char v[64];

    (void)state;
    write_sweep("measure ipi targets=null,self initiator=2\n"
                "measure ipi flush=invpcid targets=1\n"
                "measure kvm-pv targets=1\n"
                "measure hv-ipi-invlpg targets=1\n");
    r = run_hvflush("run --accel tcg --smp 4 --sweep " SWEEP_PATH);
    unlink(SWEEP_PATH);
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_int_equal(r->nconfigs, 5 + NPLACED);
    c = by_label(r, "ipi/invlpg/p1/t0/spin/i2");
    assert_int_equal(c->nsamples, 50);
    assert_false(c->has_verify);
    config_field(r, c->label, "target_cpus", v, sizeof(v));
    assert_string_equal(v, "-");
    c = by_label(r, "ipi/invlpg/p1/self/spin/i2");
    assert_int_equal(c->nsamples, 50);
    assert_true(c->max > 0);                    /* a real self-IPI round trip */
    assert_false(c->has_verify);
    config_field(r, c->label, "target_cpus", v, sizeof(v));
    assert_string_equal(v, "2");
    config_field(r, c->label, "target_set", v, sizeof(v));
    assert_string_equal(v, "self");
    for (unsigned i = 0; i < NPLACED; i++) {
        c = by_label(r, placed[i].label);
        if (i > 0) {
            assert_measured_and_verified(c);
        } else {                  /* all: 4 targets, the probe reads on 3 */
            assert_int_equal(c->nsamples, c->samples_declared);
            assert_string_equal(c->verdict, "pass");
            assert_true(c->control_stale > 0);
            assert_int_equal(c->stale, 0);
        }
        config_field(r, c->label, "target_cpus", v, sizeof(v));
        assert_string_equal(v, placed[i].target_cpus);
        config_field(r, c->label, "pattern", v, sizeof(v));
        assert_string_equal(v, placed[i].pattern);
        config_field(r, c->label, "target_set", v, sizeof(v));
        assert_string_equal(v, placed[i].set);
    }
    /* all: the probe reads on the three CPUs other than the initiator. */
    c = by_label(r, placed[0].label);
    assert_int_equal(c->fresh, c->rounds * 3);
    for (unsigned i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
        c = by_label(r, unsupported[i].label);
        assert_string_equal(c->unsupported, unsupported[i].reason);
        assert_int_equal(c->nsamples, 0);
    }
}

/* A shootdown that does not invalidate must fail on every placed pattern. */
static void test_skip_flush_fails_on_patterns(void **state)
{
    struct run_result *r;

    (void)state;
    write_sweep("inject skip-flush\n");
    r = run_hvflush("run --accel tcg --smp 4 --sweep " SWEEP_PATH);
    unlink(SWEEP_PATH);
    if (r->exit_code != 3)
        fail_msg("exit %d (wanted 3), stderr %s", r->exit_code, r->err);
    for (unsigned i = 0; i < NPLACED; i++) {
        const struct run_config *c = by_label(r, placed[i].label);

        assert_string_equal(c->verdict, "fail");
        assert_true(c->stale > 0);
    }
}

/* Patterns the VM cannot hold: exit 2 with the line, nothing started. */
static void test_bad_patterns_refused(void **state)
{
    static const struct { const char *line, *needle; } bad[] = {
        { "measure ipi placement=cpus:1+4\n", ":2: placement cpus: names CPU 4" },
        { "measure ipi targets=2 placement=strided:2\n", ":2: targets needs 2 CPUs" },
        { "measure ipi placement=cpus:0+1\n", ":2: placement cpus: names CPU 0, the initiator" },
        { "measure ipi targets=self state=halt\n", ":2: targets=self" },
    };

    (void)state;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        FILE *f = fopen(SWEEP_PATH, "w");
        struct run_result *r;

        assert_non_null(f);
        fprintf(f, "name bad\n%s", bad[i].line);
        fclose(f);
        r = run_hvflush("run --accel tcg --smp 4 --sweep " SWEEP_PATH);
        unlink(SWEEP_PATH);
        if (r->exit_code != 2 || !strstr(r->err, bad[i].needle) || r->run_dir[0])
            fail_msg("'%s': exit %d, stderr '%s', run dir '%s'", bad[i].line, r->exit_code,
                     r->err, r->run_dir);
    }
}

/* Why flush=invpcid is unsupported under TCG: asked for the CPUID bit,
 * QEMU 7.2's TCG drops it with a warning (qemu.log) and the guest, reading
 * CPUID.(7,0):EBX[10] clear, reports the configuration unsupported. */
static void test_tcg_has_no_invpcid(void **state)
{
    char log[700];
    struct run_result *r;

    (void)state;
    write_sweep("measure ipi flush=invpcid targets=1\n");
    r = run_hvflush("run --accel tcg --smp 4 --cpu qemu64,+rdtscp,+invpcid --sweep "
                    SWEEP_PATH);
    unlink(SWEEP_PATH);
    if (r->exit_code != 0)
        fail_msg("exit %d, stderr '%s'", r->exit_code, r->err);
    snprintf(log, sizeof(log), "%s/qemu.log", r->run_dir);
    assert_true(file_contains(log, "TCG doesn't support requested feature: "
                                   "CPUID.07H:EBX.invpcid"));
    assert_string_equal(by_label(r, "ipi/invpcid/p1/t1/spin")->unsupported, "no-invpcid");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_patterns_refused),
        cmocka_unit_test(test_tcg_has_no_invpcid),
        cmocka_unit_test(test_sets_patterns_and_unsupported),
        cmocka_unit_test(test_skip_flush_fails_on_patterns),
    };

    return cmocka_run_group_tests_name("target sets and patterns under TCG", tests, NULL, NULL);
}
