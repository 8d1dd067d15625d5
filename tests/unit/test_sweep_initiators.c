/*
 * Unit tests of the concurrent-initiator sweep keys (initiators=, share=,
 * working-set=, state=work): parsing, refusals with their line numbers,
 * the vCPU-count refusal of sweep_expand() and the throughput placement
 * (bench/sweep_initiators.c).
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

static bool parse(const char *text, struct sweep_error *err)
{
    return sweep_parse(text, strlen(text), &sw, err);
}

static void test_defaults_keep_todays_meaning(void **state)
{
    struct sweep_error err;
    char label[64];
    int n;

    (void)state;
    assert_true(parse("name d\nmeasure ipi targets=1,3\nmeasure local\n", &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 3);
    for (int i = 0; i < n; i++) {
        assert_int_equal(cfg[i].initiators, 1);
        assert_int_equal(cfg[i].share, SHARE_OWN);
        assert_false(cfg[i].throughput);
        assert_int_equal(cfg[i].working_set, SWEEP_WORKING_SET_DEFAULT);
    }
    sweep_config_label(&cfg[1], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t3/spin");
}

static void test_initiators_and_share_expand(void **state)
{
    struct sweep_error err;
    char label[64];
    int n;

    (void)state;
    assert_true(parse("name k\nmeasure ipi targets=1 initiators=1,2 share=own,shared\n", &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    /* k=1 owns its targets either way: share=shared adds no configuration */
    assert_int_equal(n, 3);
    assert_int_equal(cfg[0].initiators, 1);
    assert_int_equal(cfg[0].share, SHARE_OWN);
    assert_int_equal(cfg[1].initiators, 2);
    assert_int_equal(cfg[1].share, SHARE_OWN);
    assert_int_equal(cfg[2].share, SHARE_SHARED);
    for (int i = 0; i < n; i++)
        assert_true(cfg[i].throughput);
    sweep_config_label(&cfg[0], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t1/spin/k1");
    sweep_config_label(&cfg[1], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t1/spin/k2");
    sweep_config_label(&cfg[2], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t1/spin/k2/shared");
    /* share=shared alone keeps its k=1 configuration */
    assert_true(parse("name k\nmeasure ipi targets=1 initiators=1 share=shared\n", &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 1);
    assert_string_equal(share_mode_name(SHARE_SHARED), "shared");
}

static void test_state_work_and_working_set(void **state)
{
    struct sweep_error err;
    char label[64];
    int n;

    (void)state;
    assert_true(parse("name w\nmeasure hv-space targets=2 state=spin,work working-set=128\n",
                      &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 2);
    assert_false(cfg[0].throughput);          /* spin, no initiators= */
    assert_int_equal(cfg[1].state, TARGET_WORK);
    assert_true(cfg[1].throughput);           /* work: interference needs the load */
    assert_int_equal(cfg[1].working_set, 128);
    sweep_config_label(&cfg[1], label, sizeof(label));
    assert_string_equal(label, "hv-space/slow/cr3/p1/t2/work/ws128");
    assert_string_equal(target_state_name(TARGET_WORK), "work");
}

/* Each bad line is refused with its own line number and a clear reason. */
static void test_bad_values_and_line_numbers(void **state)
{
    static const struct { const char *text; unsigned line; const char *says; } bad[] = {
        { "name b\nmeasure ipi targets=1 initiators=0\n", 2, "bad value '0' for initiators" },
        { "name b\n\nmeasure ipi targets=1 initiators=17\n", 3, "initiators (1-16" },
        { "name b\nmeasure ipi targets=1 share=both\n", 2, "for share (own, shared" },
        { "name b\nmeasure ipi targets=1 initiators=1 initiators=2\n", 2, "given twice" },
        { "name b\nmeasure local initiators=2\n", 2, "belong to the strategies with targets" },
        { "name b\nmeasure cpuid share=own\n", 2, "belong to the strategies with targets" },
        { "name b\nmeasure ipi initiators=2\n", 2, "need explicit target counts" },
        { "name b\n#\nmeasure ipi targets=all initiators=1,2\n", 3, "need explicit target" },
        { "name b\nmeasure ipi targets=1 working-set=8\n", 2, "applies to state=work only" },
        { "name b\nmeasure ipi targets=1 state=work working-set=513\n", 2, "1-512" },
        { "name b\nmeasure ipi targets=1 state=idle\n", 2, "spin, halt, work" },
    };
    struct sweep_error err;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(parse(bad[i].text, &err));
        assert_int_equal(err.lineno, bad[i].line);
        if (!strstr(err.msg, bad[i].says))
            fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].says);
    }
}

/* initiators x targets (own) or initiators + targets (shared) beyond the
 * VM's vCPUs: sweep_expand() refuses, naming the line. */
static void test_vcpu_count_refusal(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name v\nmeasure ipi targets=1\nmeasure ipi targets=2 initiators=2\n",
                      &err));
    assert_int_equal(sweep_expand(&sw, 6, cfg, SWEEP_CONFIGS_MAX, &err), 2);  /* 2+2*2 */
    assert_int_equal(sweep_expand(&sw, 5, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_int_equal(err.lineno, 3);
    assert_non_null(strstr(err.msg, "initiators=2 share=own with targets=2 needs 6 vCPUs"));
    assert_non_null(strstr(err.msg, "the VM has 5"));

    assert_true(parse("name v\n\nmeasure hv-list targets=3 initiators=2 share=shared\n", &err));
    assert_int_equal(sweep_expand(&sw, 5, cfg, SWEEP_CONFIGS_MAX, &err), 1);  /* 2+3 */
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_int_equal(err.lineno, 3);
    assert_non_null(strstr(err.msg, "share=shared with targets=3 needs 5 vCPUs"));

    assert_true(parse("name v\nmeasure ipi targets=1 initiators=2 initiator=3\n", &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_int_equal(err.lineno, 2);
    assert_non_null(strstr(err.msg, "initiators=2 from initiator=3 needs 5 vCPUs"));
}

static void expect_cpus(const uint32_t *got, const uint32_t *want, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(got[i], want[i]);
}

/* initiators=pow2 adapts like targets=pow2: 1, 2, 4 ... as many as the VM
 * holds for each share and target count, dropped (not refused) where they
 * do not fit; an explicit count that does not fit is still refused. */
static void test_initiators_pow2_adapts(void **state)
{
    struct sweep_error err;
    int n, i, k2 = 0, k4 = 0;

    (void)state;
    assert_true(parse("name p\nmeasure ipi targets=1 initiators=pow2 share=own,shared\n", &err));
    n = sweep_expand(&sw, 2, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 1);                     /* k=1 (own and shared are one) */
    for (i = 0; i < n; i++)
        assert_int_equal(cfg[i].initiators, 1);
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    /* k=1, k=2 own (4 vCPUs) and shared (3); k=4 fits neither */
    assert_int_equal(n, 3);
    n = sweep_expand(&sw, 8, cfg, SWEEP_CONFIGS_MAX, &err);
    for (i = 0; i < n; i++) {
        k2 += cfg[i].initiators == 2;
        k4 += cfg[i].initiators == 4;
        assert_true(cfg[i].initiators * (cfg[i].share == SHARE_OWN ? 2u : 1u) +
                    (cfg[i].share == SHARE_OWN ? 0u : 1u) <= 8);
    }
    assert_int_equal(k2, 2);
    assert_int_equal(k4, 2);                    /* own: 4 + 4 = 8; shared: 5 */
    assert_int_equal(n, 5);
    /* pow2 needs explicit target counts, as any count above 1 does */
    assert_false(parse("name p\nmeasure ipi initiators=pow2\n", &err));
    assert_int_equal(err.lineno, 2);
    /* an explicit count beside pow2 must still fit */
    assert_true(parse("name p\nmeasure ipi targets=1 initiators=pow2,2\n", &err));
    assert_int_equal(sweep_expand(&sw, 2, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_int_equal(err.lineno, 2);
}

static void test_throughput_placement(void **state)
{
    struct sweep_config c = { 0 };
    uint32_t inits[SWEEP_MAX_CPUS], targets[SWEEP_MAX_CPUS];

    (void)state;
    c.strategy = STRATEGY_IPI;
    c.initiators = 2;
    c.targets = 2;
    c.share = SHARE_OWN;
    assert_int_equal(sweep_throughput_target_count(&c), 4);
    assert_true(sweep_throughput_placement(&c, 8, inits, targets));
    expect_cpus(inits, (const uint32_t[]){ 0, 1 }, 2);
    expect_cpus(targets, (const uint32_t[]){ 2, 3, 4, 5 }, 4);   /* i0: 2,3  i1: 4,5 */
    c.placement = PLACEMENT_LAST;
    assert_true(sweep_throughput_placement(&c, 8, inits, targets));
    expect_cpus(targets, (const uint32_t[]){ 4, 5, 6, 7 }, 4);
    c.placement = PLACEMENT_SPREAD;            /* others 2..7, m=6, n=4: idx 0,2,3,5 */
    assert_true(sweep_throughput_placement(&c, 8, inits, targets));
    expect_cpus(targets, (const uint32_t[]){ 2, 4, 5, 7 }, 4);
    c.placement = PLACEMENT_FIRST;
    c.share = SHARE_SHARED;
    c.initiator = 2;                           /* initiators 2,3; others 0,1,4.. */
    assert_int_equal(sweep_throughput_target_count(&c), 2);
    assert_true(sweep_throughput_placement(&c, 5, inits, targets));
    expect_cpus(inits, (const uint32_t[]){ 2, 3 }, 2);
    expect_cpus(targets, (const uint32_t[]){ 0, 1 }, 2);
    c.targets = 4;                             /* 2 + 4 > 5 */
    assert_false(sweep_throughput_placement(&c, 5, inits, targets));
    c.targets = 1;
    c.initiator = 4;                           /* initiators 4,5 on 5 CPUs */
    assert_false(sweep_throughput_placement(&c, 5, inits, targets));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_keep_todays_meaning),
        cmocka_unit_test(test_initiators_and_share_expand),
        cmocka_unit_test(test_state_work_and_working_set),
        cmocka_unit_test(test_bad_values_and_line_numbers),
        cmocka_unit_test(test_vcpu_count_refusal),
        cmocka_unit_test(test_throughput_placement),
        cmocka_unit_test(test_initiators_pow2_adapts),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
