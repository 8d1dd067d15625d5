/*
 * Unit tests of the target sets and placement patterns (bench/sweep_targets.c,
 * bench/placement.c) and of the strategies and keys that came with them
 * (hv-ipi-invlpg, kvm-pv, flush=invpcid, ipi-call=): parsing, refusals
 * with their line numbers, expansion for a CPU count, labels and the CPUs
 * each pattern names.
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

static void check_cpus(const struct sweep_config *c, unsigned ncpus, const char *want)
{
    uint32_t got[SWEEP_MAX_CPUS];
    char list[128];

    assert_true(sweep_placement(c, ncpus, got));
    cpu_list_format(got, c->targets, list, sizeof(list));
    assert_string_equal(list, want);
}

static void check_label(const struct sweep_config *c, const char *want)
{
    char label[64];

    sweep_config_label(c, label, sizeof(label));
    assert_string_equal(label, want);
}

/* null, self, all-but-self and all, one configuration each. */
static void test_target_sets(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_int_equal(expand("name t\nmeasure ipi targets=null,self,all-but-self,all,2 "
                            "initiator=1\n", 4, &err), 5);
    assert_int_equal(cfg[0].target_set, TARGETS_NULL);
    assert_int_equal(cfg[0].targets, 0);
    assert_false(cfg[0].verify);
    check_cpus(&cfg[0], 4, "-");
    check_label(&cfg[0], "ipi/invlpg/p1/t0/spin/i1");
    assert_int_equal(cfg[1].target_set, TARGETS_SELF);
    assert_int_equal(cfg[1].targets, 1);
    assert_false(cfg[1].verify);
    check_cpus(&cfg[1], 4, "1");
    check_label(&cfg[1], "ipi/invlpg/p1/self/spin/i1");
    assert_int_equal(cfg[2].target_set, TARGETS_OTHERS);
    assert_int_equal(cfg[2].targets, 3);
    assert_true(cfg[2].verify);
    check_cpus(&cfg[2], 4, "0,2-3");
    assert_int_equal(cfg[3].target_set, TARGETS_ALL);
    assert_int_equal(cfg[3].targets, 4);
    assert_true(cfg[3].verify);
    check_cpus(&cfg[3], 4, "0-3");
    check_label(&cfg[3], "ipi/invlpg/p1/all/spin/i1");
    assert_false(config_has_precision(&cfg[3]));
    check_cpus(&cfg[4], 4, "0,2");
    /* pow2 still ends with all-but-self; a second placement does not
     * repeat null, self or all. */
    assert_int_equal(expand("name t\nmeasure ipi targets=pow2,all placement=first,last\n",
                            8, &err), 2 * 4 + 1);
    assert_int_equal(cfg[3].targets, 7);
    assert_int_equal(cfg[4].target_set, TARGETS_ALL);
    assert_int_equal(cfg[5].placement, PLACEMENT_LAST);
    /* Hypercalls with all: precision checks only with placed targets. */
    assert_int_equal(expand("name t\nmeasure hv-space-ex targets=all,1 procs=all\n", 4, &err),
                     2);
    assert_false(config_has_precision(&cfg[0]));
    assert_true(config_has_precision(&cfg[1]));
}

/* contiguous, strided:S and cpus:LIST name the CPUs they say. */
static void test_patterns(void **state)
{
    static const struct { const char *line; unsigned ncpus; const char *cpus, *label; } cases[] = {
        /* contiguous wraps: from CPU 6 of 8, CPUs 7, 0 and 1. */
        { "measure ipi targets=3 placement=contiguous initiator=6", 8, "0-1,7", NULL },
        { "measure ipi targets=3 placement=contiguous initiator=5", 8, "0,6-7",
          "ipi/invlpg/p1/t3/spin/i5/contiguous" },
        { "measure ipi targets=2 placement=contiguous", 8, "1-2", NULL },
        { "measure ipi targets=3 placement=strided:2", 8, "2,4,6",
          "ipi/invlpg/p1/t3/spin/strided:2" },
        { "measure ipi targets=2 placement=strided:3 initiator=1", 8, "4,7", NULL },
        { "measure ipi placement=cpus:1+3+5", 8, "1,3,5", "ipi/invlpg/p1/t3/spin/cpus:1+3+5" },
        { "measure ipi targets=2 placement=cpus:6-7+2", 8, "2,6",
          "ipi/invlpg/p1/t2/spin/cpus:2+6-7" },
        { "measure kvm-pv flush=invpcid placement=cpus:0+2 initiator=3", 4, "0,2",
          "kvm-pv/invpcid/p1/t2/spin/i3/cpus:0+2" },
    };
    struct sweep_error err;
    char text[160];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(text, sizeof(text), "name p\n%s\n", cases[i].line);
        assert_int_equal(expand(text, cases[i].ncpus, &err), 1);
        check_cpus(&cfg[0], cases[i].ncpus, cases[i].cpus);
        if (cases[i].label)
            check_label(&cfg[0], cases[i].label);
    }
    /* pow2 and all-but-self stop at what the placement reaches. */
    assert_int_equal(expand("name p\nmeasure ipi placement=strided:2\n", 8, &err), 3);
    assert_int_equal(cfg[0].targets, 1);
    assert_int_equal(cfg[1].targets, 2);
    assert_int_equal(cfg[2].targets, 3);
    check_cpus(&cfg[2], 8, "2,4,6");
}

/* Refusals, each with the line that caused it (exit 2 on the host). */
static void test_refusals(void **state)
{
    static const struct { const char *text; unsigned ncpus, line; const char *needle; } bad[] = {
        { "name a\n\nmeasure ipi targets=3 placement=strided:2\n", 4, 3, "reaches only 1" },
        { "name a\nmeasure ipi placement=cpus:1+4\n", 4, 2, "needs 5 vCPUs" },
        { "name a\nmeasure ipi placement=cpus:0+1\n", 4, 2, "the initiator" },
        { "name a\nmeasure ipi targets=3 placement=cpus:1+2\n", 4, 2, "reaches only 2" },
        { "name a\nmeasure ipi placement=strided:4 initiator=1\n", 4, 2, "reaches no CPU" },
        { "name a\nmeasure ipi targets=4\n", 4, 2, "needs 5 vCPUs" },
        { "name a\nmeasure ipi targets=2 initiator=4\n", 4, 2, "initiator needs 5" },
    };
    static const struct { const char *text; unsigned line; const char *needle; } unparsable[] = {
        { "name a\nmeasure hv-space targets=null\n", 2, "empty ProcessorMask" },
        { "name a\nmeasure hv-space-ex targets=null procs=all\n", 2, "procs=all contradicts" },
        { "name a\n\nmeasure ipi targets=self state=spin,halt\n", 3, "can neither halt" },
        { "name a\n\nmeasure ipi targets=self state=work\n", 3, "can neither halt" },
        { "name a\nmeasure hv-ipi-invlpg flush=cr3\n", 2, "drop flush=" },
        { "name a\nmeasure ipi ipi-call=ex\n", 2, "belongs to strategy hv-ipi-invlpg" },
        { "name a\nmeasure hv-ipi-invlpg ipi-call=plain,ex\n", 2, "for ipi-call" },
        { "name a\nmeasure hv-ipi-invlpg ipi-call=fancy\n", 2, "for ipi-call" },
        { "name a\nmeasure hv-ipi-invlpg scope=all\n", 2, "as does hv-ipi-invlpg" },
        { "name a\nmeasure kvm-pv flush=none\n", 2, "flush=none belongs to strategy ipi" },
        { "name a\nmeasure kvm-pv input=fast\n", 2, "belong to the hypercall strategies" },
        { "name a\nmeasure ipi placement=strided:0\n", 2, "for placement" },
        { "name a\nmeasure ipi placement=strided\n", 2, "for placement" },
        { "name a\nmeasure ipi placement=cpus:\n", 2, "for placement" },
        { "name a\nmeasure ipi placement=cpus:3-1\n", 2, "for placement" },
        { "name a\nmeasure ipi placement=cpus:1++2\n", 2, "for placement" },
        { "name a\nmeasure ipi placement=cpus:256\n", 2, "for placement" },
        { "name a\nmeasure ipi targets=none\n", 2, "for targets" },
        { "name a\nmeasure ipi flush=invpcids\n", 2, "for flush" },
    };
    struct sweep_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (!sweep_parse(bad[i].text, strlen(bad[i].text), &sw, &err))
            fail_msg("case %zu: parse failed: %s", i, err.msg);
        if (sweep_expand(&sw, bad[i].ncpus, cfg, SWEEP_CONFIGS_MAX, &err) >= 0)
            fail_msg("case %zu expanded but should not have", i);
        if (err.lineno != bad[i].line || !strstr(err.msg, bad[i].needle))
            fail_msg("case %zu: line %u '%s', wanted line %u containing '%s'", i,
                     err.lineno, err.msg, bad[i].line, bad[i].needle);
    }
    for (i = 0; i < sizeof(unparsable) / sizeof(unparsable[0]); i++) {
        if (sweep_parse(unparsable[i].text, strlen(unparsable[i].text), &sw, &err))
            fail_msg("case %zu parsed but should not have", i);
        if (err.lineno != unparsable[i].line || !strstr(err.msg, unparsable[i].needle))
            fail_msg("case %zu: line %u '%s', wanted line %u containing '%s'", i,
                     err.lineno, err.msg, unparsable[i].line, unparsable[i].needle);
    }
}

/* The new strategies and keys: names, labels, verification. */
static void test_strategies_and_keys(void **state)
{
    struct sweep_error err;
    enum strategy s;

    (void)state;
    assert_true(strategy_from_name("hv-ipi-invlpg", 13, &s));
    assert_int_equal(s, STRATEGY_HV_IPI_INVLPG);
    assert_true(strategy_is_kick(s) && strategy_has_targets(s) && strategy_needs_hyperv(s));
    assert_false(strategy_is_hv(s) || strategy_is_baseline(s));
    assert_true(strategy_from_name("kvm-pv", 6, &s));
    assert_true(strategy_is_kick(s) && strategy_has_targets(s));
    assert_false(strategy_needs_hyperv(s) || strategy_is_hv(s));
    assert_false(strategy_is_kick(STRATEGY_IPI));
    assert_int_equal(expand("name k\nmeasure hv-ipi-invlpg input=slow,fast targets=1 "
                            "ipi-call=ex pages=2\nmeasure hv-ipi-invlpg targets=null,2\n"
                            "measure ipi flush=invpcid targets=1\n", 4, &err), 5);
    check_label(&cfg[0], "hv-ipi-invlpg/slow/p2/t1/spin/ex");
    check_label(&cfg[1], "hv-ipi-invlpg/fast/p2/t1/spin/ex");
    assert_int_equal(cfg[1].ipi_call, IPI_CALL_EX);
    assert_true(cfg[0].verify);
    assert_int_equal(cfg[0].flush, FLUSH_INVLPG);
    check_label(&cfg[2], "hv-ipi-invlpg/slow/p1/t0/spin");
    assert_int_equal(cfg[3].ipi_call, IPI_CALL_AUTO);
    check_label(&cfg[4], "ipi/invpcid/p1/t1/spin");
    assert_int_equal(cfg[4].flush, FLUSH_INVPCID);
    assert_false(config_is_baseline(cfg[4].strategy, cfg[4].flush));
    /* null is accepted where an empty set means nobody. */
    assert_int_equal(expand("name n\nmeasure hv-list-ex targets=null\nmeasure kvm-pv "
                            "targets=null\n", 2, &err), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_sets),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_strategies_and_keys),
    };

    return cmocka_run_group_tests_name("sweep targets", tests, NULL, NULL);
}
