/*
 * Unit tests of the sweep grammar's decomposition baselines (bench/sweep.c,
 * bench/sweep_expand.c): ipi flush=none and the local baselines hv-null,
 * hv-invalid and cpuid -- expansion, labels, predicates, never verified.
 * Their refused keys are in test_sweep.c's error table, with line numbers.
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

/* ipi flush=none, the IPI round-trip baseline: parsed, labelled, never
 * verified (it flushes nothing), and a baseline while ipi invlpg is not. */
static void test_ipi_flush_none_baseline(void **state)
{
    struct sweep_error err;
    char label[128];
    int n;

    (void)state;
    assert_true(parse("name b\nmeasure ipi flush=none,invlpg targets=1\n", &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 2);
    assert_int_equal(cfg[0].flush, FLUSH_NONE);
    assert_false(cfg[0].verify);
    assert_true(config_is_baseline(cfg[0].strategy, cfg[0].flush));
    assert_true(cfg[1].verify);
    assert_false(config_is_baseline(cfg[1].strategy, cfg[1].flush));
    assert_false(config_is_baseline(STRATEGY_LOCAL, FLUSH_CR3));
    sweep_config_label(&cfg[0], label, sizeof(label));
    assert_string_equal(label, "ipi/none/p1/t1/spin");
    assert_string_equal(flush_op_name(FLUSH_NONE), "none");
}

/* hv-null, hv-invalid, cpuid: local baselines with no targets, never
 * verified, labelled by strategy (and input for hv-null). */
static void test_local_baselines(void **state)
{
    struct sweep_error err;
    char label[128];
    int n, i;

    (void)state;
    assert_true(parse("name b\nmeasure hv-null input=slow,fast\nmeasure hv-invalid\n"
                      "measure cpuid initiator=1\n", &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 4);
    assert_int_equal(cfg[0].strategy, STRATEGY_HV_NULL);
    assert_int_equal(cfg[1].input, HV_INPUT_FAST);
    assert_int_equal(cfg[2].strategy, STRATEGY_HV_INVALID);
    assert_int_equal(cfg[3].strategy, STRATEGY_CPUID);
    for (i = 0; i < n; i++) {
        assert_int_equal(cfg[i].targets, 0);
        assert_false(cfg[i].verify);
        assert_true(strategy_is_baseline(cfg[i].strategy));
        assert_true(config_is_baseline(cfg[i].strategy, cfg[i].flush));
        assert_false(strategy_is_hv(cfg[i].strategy));
        assert_false(strategy_has_targets(cfg[i].strategy));
    }
    sweep_config_label(&cfg[0], label, sizeof(label));
    assert_string_equal(label, "hv-null/slow");
    sweep_config_label(&cfg[1], label, sizeof(label));
    assert_string_equal(label, "hv-null/fast");
    sweep_config_label(&cfg[2], label, sizeof(label));
    assert_string_equal(label, "hv-invalid");
    sweep_config_label(&cfg[3], label, sizeof(label));
    assert_string_equal(label, "cpuid/i1");
    assert_false(strategy_is_baseline(STRATEGY_LOCAL) || strategy_is_baseline(STRATEGY_IPI) ||
                 strategy_is_baseline(STRATEGY_HV_LIST_EX));
    assert_true(strategy_has_targets(STRATEGY_IPI) && strategy_has_targets(STRATEGY_HV_LIST_EX));
    assert_false(strategy_has_targets(STRATEGY_LOCAL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipi_flush_none_baseline),
        cmocka_unit_test(test_local_baselines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
