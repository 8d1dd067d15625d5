/*
 * Unit tests of the pairs= key (bench/sweep_pairs.c, bench/sweep_expand.c):
 * n(n-1) configurations on n vCPUs, each one initiator and one listed
 * target, unique labels that leave other labels alone, the keys it refuses
 * with their line numbers, and the configuration limit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bench/sweep.h>

static struct sweep sw;
static struct sweep_config cfg[SWEEP_CONFIGS_MAX];

static int expand(const char *text, unsigned ncpus, struct sweep_error *err)
{
    if (!sweep_parse(text, strlen(text), &sw, err))
        fail_msg("parse failed: line %u %s", err->lineno, err->msg);
    return sweep_expand(&sw, ncpus, cfg, SWEEP_CONFIGS_MAX, err);
}

static void check_label(const struct sweep_config *c, const char *want)
{
    char label[64];

    sweep_config_label(c, label, sizeof(label));
    assert_string_equal(label, want);
}

/* Every ordered pair (i, j), i != j, exactly once, each with one target:
 * the one sweep_placement() names. */
static void check_pairs(unsigned ncpus)
{
    static bool seen[SWEEP_MAX_CPUS][SWEEP_MAX_CPUS];
    struct sweep_error err;
    int n = expand("name p\nmeasure ipi pairs=all\n", ncpus, &err);

    assert_int_equal(n, (int)(ncpus * (ncpus - 1)));
    memset(seen, 0, sizeof(seen));
    for (int k = 0; k < n; k++) {
        uint32_t target;

        assert_true(cfg[k].pair);
        assert_int_equal(cfg[k].targets, 1);
        assert_int_equal(cfg[k].target_set, TARGETS_OTHERS);
        assert_true(cfg[k].verify);
        assert_true(sweep_placement(&cfg[k], ncpus, &target));
        assert_true(cfg[k].initiator < ncpus && target < ncpus);
        assert_int_not_equal(cfg[k].initiator, target);
        assert_false(seen[cfg[k].initiator][target]);
        seen[cfg[k].initiator][target] = true;
    }
}

static void test_count_2(void **state) { (void)state; check_pairs(2); }
static void test_count_4(void **state) { (void)state; check_pairs(4); }
static void test_count_16(void **state) { (void)state; check_pairs(16); }

/* One vCPU has no pair: nothing, as pow2 and all give nothing there. */
static void test_one_vcpu(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_int_equal(expand("name p\nmeasure ipi pairs=all\n", 1, &err), 0);
}

/* Labels: "/iI-tJ" in place of "/tN", distinct for every configuration
 * of a sweep with pairs lines of two strategies and flush variants beside
 * ordinary lines, whose labels stay as they were. */
static void test_labels_unique(void **state)
{
    static char labels[SWEEP_CONFIGS_MAX][64];
    struct sweep_error err;
    int n;

    (void)state;
    n = expand("name p\n"
               "measure ipi targets=1\n"
               "measure ipi initiator=2 placement=cpus:1 targets=1\n"
               "measure ipi pairs=all flush=invlpg,cr3\n"
               "measure hv-space pairs=all input=slow,fast\n"
               "measure kvm-pv pairs=off targets=2\n", 4, &err);
    assert_int_equal(n, 1 + 1 + 24 + 24 + 1);
    check_label(&cfg[0], "ipi/invlpg/p1/t1/spin");
    check_label(&cfg[1], "ipi/invlpg/p1/t1/spin/i2/cpus:1");
    check_label(&cfg[2], "ipi/invlpg/p1/i0-t1/spin");
    check_label(&cfg[3], "ipi/cr3/p1/i0-t1/spin");
    check_label(&cfg[4], "ipi/invlpg/p1/i0-t2/spin");
    check_label(&cfg[2 + 2 * 7], "ipi/invlpg/p1/i2-t1/spin");
    check_label(&cfg[26], "hv-space/slow/cr3/p1/i0-t1/spin");
    check_label(&cfg[49], "hv-space/fast/cr3/p1/i3-t2/spin");
    check_label(&cfg[50], "kvm-pv/invlpg/p1/t2/spin");
    assert_false(cfg[0].pair);
    assert_false(cfg[1].pair);
    assert_false(cfg[50].pair);
    for (int i = 0; i < n; i++) {
        sweep_config_label(&cfg[i], labels[i], sizeof(labels[i]));
        for (int k = 0; k < i; k++)
            if (!strcmp(labels[i], labels[k]))
                fail_msg("configurations %d and %d share the label %s", k, i, labels[i]);
    }
}

/* A pair whose initiator is not CPU 0 times on that CPU and targets CPU 0. */
static void test_initiator_not_zero(void **state)
{
    struct sweep_error err;
    uint32_t target;

    (void)state;
    assert_int_equal(expand("name p\nmeasure hv-ipi-invlpg pairs=all\n", 3, &err), 6);
    assert_int_equal(cfg[2].initiator, 1);
    assert_true(sweep_placement(&cfg[2], 3, &target));
    assert_int_equal(target, 0);
    check_label(&cfg[2], "hv-ipi-invlpg/slow/p1/i1-t0/spin");
}

static void parse_refused(const char *text, unsigned lineno, const char *want)
{
    struct sweep_error err;

    assert_false(sweep_parse(text, strlen(text), &sw, &err));
    assert_int_equal(err.lineno, lineno);
    if (!strstr(err.msg, want))
        fail_msg("'%s' does not say '%s'", err.msg, want);
}

/* Keys that name initiators or targets conflict; strategies without
 * targets take no pairs; bad values are named. */
static void test_conflicts(void **state)
{
    (void)state;
    parse_refused("name p\n\nmeasure ipi pairs=all targets=1\n", 3, "drop targets=");
    parse_refused("name p\nmeasure ipi initiator=1 pairs=all\n", 2, "drop initiator=");
    parse_refused("name p\nmeasure ipi pairs=all placement=cpus:1\n", 2, "drop placement=");
    parse_refused("name p\nmeasure hv-list pairs=all initiators=1\n", 2, "drop initiators=");
    parse_refused("name p\nmeasure ipi pairs=all share=shared\n", 2, "drop share=");
    parse_refused("name p\nmeasure local pairs=all\n", 2, "strategies with targets");
    parse_refused("name p\nmeasure cpuid pairs=all\n", 2, "strategies with targets");
    parse_refused("name p\nmeasure ipi pairs=some\n", 2, "for pairs (all, off)");
    parse_refused("name p\nmeasure ipi pairs=all pairs=off\n", 2, "given twice");
    /* pairs=off is the default and conflicts with nothing. */
    {
        struct sweep_error err;

        assert_int_equal(expand("name p\nmeasure ipi pairs=off targets=1 initiator=1\n", 4,
                                &err), 1);
        assert_false(cfg[0].pair);
    }
}

/* n(n-1) beyond SWEEP_CONFIGS_MAX is refused with the counts: 32 vCPUs
 * give 992 pairs (fits), 33 give 1056; two flush variants on 23 vCPUs
 * 1012, on 24 1104; the lines before a pairs line count too. */
static void test_config_max(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_int_equal(expand("name p\nmeasure ipi pairs=all\n", 32, &err), 992);
    assert_int_equal(expand("name p\nmeasure ipi pairs=all\n", 33, &err), -1);
    assert_int_equal(err.lineno, 2);
    assert_non_null(strstr(err.msg, "pairs=all on 33 vCPUs makes 1056 pairs x 1 = 1056"));
    assert_non_null(strstr(err.msg, "more than the 1024 a sweep may have"));
    assert_int_equal(expand("name p\nmeasure ipi pairs=all flush=invlpg,cr3\n", 23, &err),
                     1012);
    assert_int_equal(expand("name p\nmeasure ipi pairs=all flush=invlpg,cr3\n", 24, &err),
                     -1);
    assert_non_null(strstr(err.msg, "552 pairs x 2 = 1104"));
    assert_int_equal(expand("name p\nmeasure ipi targets=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"
                            "16 pages=1,2,3,4\nmeasure ipi pairs=all\n", 32, &err), -1);
    assert_int_equal(err.lineno, 3);
    assert_non_null(strstr(err.msg, "after the 64 of the lines before it"));
    /* The caller's own limit is honoured too. */
    assert_true(sweep_parse("name p\nmeasure ipi pairs=all\n", 29, &sw, &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, 11, &err), -1);
    assert_non_null(strstr(err.msg, "more than the 11 a sweep"));
    assert_int_equal(sweep_expand(&sw, 4, cfg, 12, &err), 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_count_2),
        cmocka_unit_test(test_count_4),
        cmocka_unit_test(test_count_16),
        cmocka_unit_test(test_one_vcpu),
        cmocka_unit_test(test_labels_unique),
        cmocka_unit_test(test_initiator_not_zero),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_config_max),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
