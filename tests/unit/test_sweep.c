/*
 * Unit tests of the sweep grammar and its expansion (bench/sweep.c), the
 * code that both the host and the guest run on the same text.
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

static void test_defaults_and_directives(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name x\n", &err));
    assert_string_equal(sw.name, "x");
    assert_int_equal(sw.samples, 1000);
    assert_int_equal(sw.warmup, 100);
    assert_int_equal(sw.nlines, 0);
    assert_true(parse("# c\nname  y  # trailing\r\nsamples 5\nwarmup 0\nverify-rounds 3\n", &err));
    assert_string_equal(sw.name, "y");
    assert_int_equal(sw.samples, 5);
    assert_int_equal(sw.warmup, 0);
    assert_int_equal(sw.verify_rounds, 3);
    assert_int_equal(sw.inject, INJECT_NONE);
    assert_true(parse("name z\ninject page-fault\n", &err));
    assert_int_equal(sw.inject, INJECT_PAGE_FAULT);
    assert_string_equal(sweep_inject_name(sw.inject), "page-fault");
    /* The guest-robustness faults (bench/sweeps/README.md). */
    assert_true(parse("name z\ninject hv-pretend\n", &err));
    assert_int_equal(sw.inject, INJECT_HV_PRETEND);
    assert_true(parse("name z\ninject hv-unknown-status\n", &err));
    assert_int_equal(sw.inject, INJECT_HV_UNKNOWN_STATUS);
    assert_true(parse("name z\ninject ap-never-starts\n", &err));
    assert_int_equal(sw.inject, INJECT_AP_NEVER_STARTS);
    assert_string_equal(sweep_inject_name(sw.inject), "ap-never-starts");
}

static void test_expansion_order_and_pow2(void **state)
{
    struct sweep_error err;
    char label[64];
    int n;

    (void)state;
    assert_true(parse("name e\nmeasure ipi flush=invlpg,cr3 pages=1,8 targets=pow2 state=spin\n"
                      "measure local pages=4 samples=10 warmup=2 verify=off\n", &err));
    n = sweep_expand(&sw, 8, cfg, SWEEP_CONFIGS_MAX, &err);
    /* pow2 on 8 CPUs: 1, 2, 4, 7 targets. 2 flush x 2 pages x 4 + 1 local. */
    assert_int_equal(n, 2 * 2 * 4 + 1);
    assert_int_equal(cfg[0].targets, 1);
    assert_int_equal(cfg[3].targets, 7);
    assert_int_equal(cfg[4].pages, 8);
    assert_int_equal(cfg[8].flush, FLUSH_CR3);
    assert_true(cfg[0].verify);
    sweep_config_label(&cfg[3], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t7/spin");
    assert_int_equal(cfg[16].strategy, STRATEGY_LOCAL);
    assert_int_equal(cfg[16].samples, 10);
    assert_int_equal(cfg[16].warmup, 2);
    assert_int_equal(cfg[16].targets, 0);
    assert_false(cfg[16].verify);
    sweep_config_label(&cfg[16], label, sizeof(label));
    assert_string_equal(label, "local/invlpg/p4");
    for (int i = 0; i < n; i++)
        assert_int_equal(cfg[i].id, i);
}

static void test_hypercall_lines(void **state)
{
    struct sweep_error err;
    char label[64];
    int n;

    (void)state;
    assert_true(parse("name h\nmeasure hv-space-ex input=slow,fast scope=cr3,all "
                      "nonglobal=off,on procs=mask,all targets=1,3 pages=2\n", &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 2 * 2 * 2 * 2 * 2);
    /* Order: input x scope x nonglobal x procs x state x pages x targets. */
    assert_int_equal(cfg[0].input, HV_INPUT_SLOW);
    assert_int_equal(cfg[16].input, HV_INPUT_FAST);
    assert_int_equal(cfg[8].scope, SCOPE_ALL);
    assert_true(cfg[4].nonglobal);
    assert_int_equal(cfg[2].procs, PROCS_ALL);
    assert_int_equal(cfg[1].targets, 3);
    sweep_config_label(&cfg[31], label, sizeof(label));
    assert_string_equal(label, "hv-space-ex/fast/all-as/p2/t3/spin/nonglobal/all-vps");
    sweep_config_label(&cfg[0], label, sizeof(label));
    assert_string_equal(label, "hv-space-ex/slow/cr3/p2/t1/spin");
    assert_true(strategy_is_hv(cfg[0].strategy) && strategy_is_ex(cfg[0].strategy));
    assert_false(strategy_is_list(cfg[0].strategy));
    assert_true(parse("name h\nmeasure hv-list-ex pages=8\nmeasure hv-list\n", &err));
    n = sweep_expand(&sw, 2, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 2);
    assert_true(strategy_is_list(cfg[0].strategy) && strategy_is_ex(cfg[0].strategy));
    assert_false(cfg[1].nonglobal);
    assert_true(cfg[1].verify);
}

static void test_targets_adapt_to_cpu_count(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name t\nmeasure ipi targets=pow2,all-but-self,2\n", &err));
    /* 1 CPU: nothing to target, and no explicit count above 0 fits. */
    assert_int_equal(sweep_expand(&sw, 1, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_int_equal(err.lineno, 2);
    assert_non_null(strstr(err.msg, "needs 3 vCPUs"));
    /* 4 CPUs: pow2 = 1,2,3; all-but-self = 3 and 2 deduplicated. */
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 3);
    assert_true(parse("name t\nmeasure ipi targets=pow2\n", &err));
    assert_int_equal(sweep_expand(&sw, 1, cfg, SWEEP_CONFIGS_MAX, &err), 0);
    assert_int_equal(sweep_expand(&sw, 2, cfg, SWEEP_CONFIGS_MAX, &err), 1);
    assert_int_equal(sweep_expand(&sw, 64, cfg, SWEEP_CONFIGS_MAX, &err), 7);
    assert_int_equal(cfg[6].targets, 63);
}

static void test_too_many_configs(void **state)
{
    struct sweep_error err;
    char text[4096] = "name big\n";
    int i;

    (void)state;
    for (i = 0; i < 20; i++)
        strcat(text, "measure ipi flush=invlpg,cr3 state=spin,halt pages=1,2,3,4,5,6,7,8 targets=pow2\n");
    assert_true(parse(text, &err));
    assert_int_equal(sweep_expand(&sw, 64, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_non_null(strstr(err.msg, "too many configurations"));
}

/* Each bad input gives a message naming the problem and its line. */
static void test_errors_name_line_and_problem(void **state)
{
    static const struct { const char *text; unsigned line; const char *needle; } bad[] = {
        { "", 0, "missing 'name'" },
        { "name a\nfrobnicate 3\n", 2, "unknown directive 'frobnicate'" },
        { "name a\nsamples many\n", 2, "samples must be" },
        { "name a\nsamples 0\n", 2, "samples must be" },
        { "name a\nsamples 1 2\n", 2, "exactly one value" },
        { "name a\nmeasure\n", 2, "needs a strategy" },
        { "name a\nmeasure hypercall\n", 2, "unknown strategy 'hypercall'" },
        { "name a\nmeasure ipi pages=0\n", 2, "bad value '0' for pages" },
        { "name a\nmeasure ipi pages=513\n", 2, "for pages" },
        { "name a\nmeasure ipi pages=1,,2\n", 2, "for pages" },
        { "name a\nmeasure ipi flush=wbinvd\n", 2, "for flush" },
        { "name a\nmeasure ipi targets=0\n", 2, "for targets" },
        { "name a\nmeasure ipi state=sleep\n", 2, "for state" },
        { "name a\nmeasure ipi verify=yes\n", 2, "for verify" },
        { "name a\nmeasure ipi colour=red\n", 2, "unknown key 'colour'" },
        { "name a\nmeasure ipi pages=1 pages=2\n", 2, "given twice" },
        { "name a\nmeasure ipi pages\n", 2, "expected key=value" },
        { "name a\nmeasure ipi pages=\n", 2, "expected key=value" },
        { "name a\nmeasure local targets=1\n", 2, "no targets" },
        { "name a\nsamples 5\nmeasure local flush=none\n", 3, "flush=none belongs to strategy ipi" },
        { "name a\nmeasure local flush=cr3,none\n", 2, "flush=none belongs to strategy ipi" },
        { "name a\nmeasure hv-null flush=none\n", 2, "strategy hv-null flushes nothing" },
        { "name a\n\nmeasure cpuid targets=1\n", 3, "strategy cpuid has no targets" },
        { "name a\nmeasure hv-null state=halt\n", 2, "strategy hv-null has no targets" },
        { "name a\nmeasure hv-invalid placement=last\n", 2, "strategy hv-invalid has no targets" },
        { "name a\nmeasure cpuid pages=4\n", 2, "strategy cpuid flushes nothing" },
        { "name a\nmeasure hv-invalid flush=cr3\n", 2, "strategy hv-invalid flushes nothing" },
        { "name a\nmeasure hv-invalid input=fast\n", 2, "hv-null takes input= only" },
        { "name a\nmeasure cpuid input=slow\n", 2, "hv-null takes input= only" },
        { "name a\nmeasure hv-null scope=all\n", 2, "hv-null takes input= only" },
        { "name a\nmeasure hv-null procs=all\n", 2, "hv-null takes input= only" },
        { "name a\n\n\nname \x01\n", 4, "control" },
        { "name a\ninject meteor\n", 2, "unknown fault 'meteor'" },
        { "name a\nmeasure ipi input=fast\n", 2, "belong to the hypercall strategies" },
        { "name a\nmeasure hv-space flush=cr3\n", 2, "does not apply to a hypercall" },
        { "name a\nmeasure hv-list nonglobal=off,on\n", 2, "not valid for List calls" },
        { "name a\nmeasure hv-space input=medium\n", 2, "for input" },
        { "name a\nmeasure hv-space scope=some\n", 2, "for scope" },
        { "name a\nmeasure hv-space procs=half\n", 2, "for procs" },
        { "name a\nmeasure hv-space nonglobal=maybe\n", 2, "for nonglobal" },
        { "name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", 1, "too long" },
        { "name a\nmeasure ipi initiator=x\n", 2, "for initiator" },
        { "name a\nmeasure ipi initiator=256\n", 2, "for initiator" },
        { "name a\nmeasure ipi placement=middle\n", 2, "for placement" },
        { "name a\nmeasure local placement=last\n", 2, "no targets" },
        { "name a\nseed -1\n", 2, "seed must be" },
    };
    struct sweep_error err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(bad[i].text, &err))
            fail_msg("case %zu parsed but should not have", i);
        if (err.lineno != bad[i].line || !strstr(err.msg, bad[i].needle))
            fail_msg("case %zu: line %u '%s', wanted line %u containing '%s'",
                     i, err.lineno, err.msg, bad[i].line, bad[i].needle);
    }
}

/* initiator= and placement=: expansion, labels and the target CPUs. */
static void test_initiator_and_placement(void **state)
{
    static const struct {
        unsigned ncpus, initiator, targets;
        enum placement placement;
        uint32_t want[8];
    } cases[] = {
        { 4, 0, 3, PLACEMENT_FIRST, { 1, 2, 3 } },
        { 4, 2, 2, PLACEMENT_FIRST, { 0, 1 } },
        { 8, 0, 2, PLACEMENT_LAST, { 6, 7 } },
        { 8, 7, 2, PLACEMENT_LAST, { 5, 6 } },
        { 8, 0, 3, PLACEMENT_SPREAD, { 2, 4, 6 } },
        { 4, 3, 2, PLACEMENT_SPREAD, { 0, 2 } },
        { 9, 0, 2, PLACEMENT_SPREAD, { 3, 7 } },
        { 8, 3, 7, PLACEMENT_SPREAD, { 0, 1, 2, 4, 5, 6, 7 } },
        { 2, 1, 1, PLACEMENT_SPREAD, { 0 } },
    };
    struct sweep_error err;
    struct sweep_config c = { 0 };
    uint32_t got[8];
    char label[64], list[64];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        c.strategy = STRATEGY_IPI;
        c.initiator = cases[i].initiator;
        c.targets = cases[i].targets;
        c.placement = cases[i].placement;
        assert_true(sweep_placement(&c, cases[i].ncpus, got));
        for (unsigned t = 0; t < c.targets; t++)
            if (got[t] != cases[i].want[t])
                fail_msg("case %zu: target %u is CPU %u, wanted %u", i, t, got[t],
                         cases[i].want[t]);
    }
    /* Does not fit: the initiator or a target beyond the VM. */
    c.initiator = 4;
    c.targets = 1;
    assert_false(sweep_placement(&c, 4, got));
    c.initiator = 0;
    c.targets = 4;
    assert_false(sweep_placement(&c, 4, got));

    assert_true(parse("name p\nmeasure ipi targets=2 initiator=0,3 placement=first,spread\n",
                      &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 4);
    assert_int_equal(cfg[0].initiator, 0);
    assert_int_equal(cfg[0].placement, PLACEMENT_FIRST);
    assert_int_equal(cfg[1].placement, PLACEMENT_SPREAD);
    assert_int_equal(cfg[2].initiator, 3);
    sweep_config_label(&cfg[0], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t2/spin");
    sweep_config_label(&cfg[3], label, sizeof(label));
    assert_string_equal(label, "ipi/invlpg/p1/t2/spin/i3/spread");
    assert_true(sweep_placement(&cfg[3], 4, got));
    cpu_list_format(got, 2, list, sizeof(list));
    assert_string_equal(list, "0,2");
    /* More vCPUs than the run has: refused at expansion, with the line. */
    assert_int_equal(sweep_expand(&sw, 3, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_int_equal(err.lineno, 2);
    assert_non_null(strstr(err.msg, "initiator needs 4 vCPUs"));
    assert_true(parse("name p\nmeasure local initiator=1\n", &err));
    assert_int_equal(sweep_expand(&sw, 2, cfg, SWEEP_CONFIGS_MAX, &err), 1);
    sweep_config_label(&cfg[0], label, sizeof(label));
    assert_string_equal(label, "local/invlpg/p1/i1");
    assert_int_equal(sweep_expand(&sw, 1, cfg, SWEEP_CONFIGS_MAX, &err), -1);
}

static void test_cpu_list_format(void **state)
{
    static const uint32_t a[] = { 0, 1, 2, 3, 5, 7, 8 };
    char buf[64];

    (void)state;
    cpu_list_format(a, 0, buf, sizeof(buf));
    assert_string_equal(buf, "-");
    cpu_list_format(a, 1, buf, sizeof(buf));
    assert_string_equal(buf, "0");
    cpu_list_format(a, 7, buf, sizeof(buf));
    assert_string_equal(buf, "0-3,5,7-8");
    cpu_list_format(a + 4, 2, buf, sizeof(buf));
    assert_string_equal(buf, "5,7");
}

/* No seed: expansion order.  A seed: a permutation, the same for the same
 * seed (host and guest), another for another seed; the last seed wins. */
static void test_seeded_order(void **state)
{
    static uint32_t a[64], b[64], c[64];
    struct sweep_error err;
    bool seen[64] = { false };
    unsigned i, moved = 0;

    (void)state;
    assert_true(parse("name s\n", &err));
    assert_false(sw.shuffle);
    sweep_order(&sw, a, 64);
    for (i = 0; i < 64; i++)
        assert_int_equal(a[i], i);
    assert_true(parse("name s\nseed 7\n", &err));
    assert_true(sw.shuffle);
    assert_int_equal(sw.seed, 7);
    sweep_order(&sw, a, 64);
    sweep_order(&sw, b, 64);
    assert_memory_equal(a, b, sizeof(a));
    for (i = 0; i < 64; i++) {
        assert_true(a[i] < 64);
        assert_false(seen[a[i]]);
        seen[a[i]] = true;
        moved += a[i] != i;
    }
    assert_true(moved > 32);
    assert_true(parse("name s\nseed 7\nseed 8\n", &err));
    assert_int_equal(sw.seed, 8);
    sweep_order(&sw, c, 64);
    assert_memory_not_equal(a, c, sizeof(a));
    /* sweep_expand() hands each configuration its place in that order. */
    assert_true(parse("name s\nseed 8\nmeasure ipi pages=1,2,3,4 targets=1,2,3 state=spin,halt\n",
                      &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 24);
    sweep_order(&sw, a, 24);
    for (i = 0; i < 24; i++)
        assert_int_equal(cfg[a[i]].run_index, i);
    /* Seed 0 is a seed too: shuffled, not the fixed order. */
    assert_true(parse("name s\nseed 0\n", &err));
    sweep_order(&sw, c, 64);
    for (i = 0, moved = 0; i < 64; i++)
        moved += c[i] != i;
    assert_true(moved > 32);
}

static void test_shipped_sweeps_parse(void **state)
{
    static const char *files[] = { "bench/sweeps/smoke.sweep", "bench/sweeps/default.sweep",
                                   "bench/sweeps/full.sweep",
                                   "tests/sweeps/ci.sweep", "tests/sweeps/boot.sweep",
                                   "tests/sweeps/lab.sweep" };
    struct sweep_error err;
    static char text[SWEEP_TEXT_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        FILE *f = fopen(files[i], "r");
        size_t n;

        assert_non_null(f);
        n = fread(text, 1, sizeof(text), f);
        fclose(f);
        if (!sweep_parse(text, n, &sw, &err))
            fail_msg("%s:%u: %s", files[i], err.lineno, err.msg);
        assert_true(sweep_expand(&sw, 64, cfg, SWEEP_CONFIGS_MAX, &err) >= 0);
    }
}

/* bench/sweeps/pairs.sweep: two maps of n(n-1) pairs; 23 vCPUs fit a
 * sweep's configuration limit, 24 are refused with the reason. */
static void test_shipped_pairs_sweep(void **state)
{
    struct sweep_error err;
    static char text[SWEEP_TEXT_MAX + 1];
    FILE *f = fopen("bench/sweeps/pairs.sweep", "r");
    size_t n;

    (void)state;
    assert_non_null(f);
    n = fread(text, 1, sizeof(text), f);
    fclose(f);
    if (!sweep_parse(text, n, &sw, &err))
        fail_msg("pairs.sweep:%u: %s", err.lineno, err.msg);
    assert_int_equal(sweep_expand(&sw, 8, cfg, SWEEP_CONFIGS_MAX, &err), 2 * 8 * 7);
    assert_int_equal(sweep_expand(&sw, 23, cfg, SWEEP_CONFIGS_MAX, &err), 2 * 23 * 22);
    assert_int_equal(sweep_expand(&sw, 24, cfg, SWEEP_CONFIGS_MAX, &err), -1);
    assert_non_null(strstr(err.msg, "configurations"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_and_directives),
        cmocka_unit_test(test_shipped_pairs_sweep),
        cmocka_unit_test(test_expansion_order_and_pow2),
        cmocka_unit_test(test_hypercall_lines),
        cmocka_unit_test(test_targets_adapt_to_cpu_count),
        cmocka_unit_test(test_too_many_configs),
        cmocka_unit_test(test_errors_name_line_and_problem),
        cmocka_unit_test(test_initiator_and_placement),
        cmocka_unit_test(test_cpu_list_format),
        cmocka_unit_test(test_seeded_order),
        cmocka_unit_test(test_shipped_sweeps_parse),
    };

    return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
