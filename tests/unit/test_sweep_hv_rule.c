/*
 * Unit tests of the `hv-rule` sweep directive (bench/sweep_hv_rule.c via
 * sweep_parse): the default is `recommended`, both values parse, the last
 * line wins, a bad value or a missing/extra word is refused with its line
 * number, and the directive leaves the configurations unchanged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bench/hv_rule.h>
#include <bench/sweep.h>

static struct sweep sw;
static struct sweep_config cfg_a[SWEEP_CONFIGS_MAX], cfg_b[SWEEP_CONFIGS_MAX];

static bool parse(const char *text, struct sweep_error *err)
{
    return sweep_parse(text, strlen(text), &sw, err);
}

static void test_default_is_recommended(void **state)
{
    struct sweep_error err;

    (void)state;
    sw.hv_rule = 0xff;
    assert_true(parse("name r\nmeasure hv-space targets=1\n", &err));
    assert_int_equal(sw.hv_rule, HV_RULE_RECOMMENDED);
    assert_string_equal(hv_rule_name(sw.hv_rule), "recommended");
}

static const struct {
    const char *text;
    enum hv_rule want;
} good[] = {
    { "name r\nhv-rule offered\n", HV_RULE_OFFERED },
    { "name r\nhv-rule recommended\n", HV_RULE_RECOMMENDED },
    { "hv-rule offered\nname r\nhv-rule recommended\n", HV_RULE_RECOMMENDED },
    { "name r\nhv-rule   offered   # Xen hides 0x40000004\n", HV_RULE_OFFERED },
};

static void test_values(void **state)
{
    struct sweep_error err;

    (void)state;
    for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_true(parse(good[i].text, &err));
        assert_int_equal(sw.hv_rule, good[i].want);
    }
    assert_string_equal(hv_rule_name(HV_RULE_OFFERED), "offered");
}

static const struct {
    const char *text;
    unsigned lineno;
    const char *msg;
} bad[] = {
    { "name r\nhv-rule always\n", 2, "hv-rule must be recommended or offered, got 'always'" },
    { "name r\n\nhv-rule Offered\n", 3, "hv-rule must be recommended or offered, got 'Offered'" },
    { "name r\nhv-rule\n", 2, "'hv-rule' takes exactly one value" },
    { "name r\nhv-rule offered recommended\n", 2, "'hv-rule' takes exactly one value" },
};

static void test_refused(void **state)
{
    struct sweep_error err;

    (void)state;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(parse(bad[i].text, &err));
        assert_int_equal(err.lineno, bad[i].lineno);
        assert_string_equal(err.msg, bad[i].msg);
    }
}

/* The rule only decides what the guest may call: same configurations. */
static void test_configs_unchanged(void **state)
{
    static const char base[] = "name r\nmeasure hv-space input=slow,fast targets=1,3\n";
    struct sweep_error err;
    char text[256];
    int na, nb;

    (void)state;
    assert_true(parse(base, &err));
    na = sweep_expand(&sw, 4, cfg_a, SWEEP_CONFIGS_MAX, &err);
    snprintf(text, sizeof(text), "%shv-rule offered\n", base);
    assert_true(parse(text, &err));
    nb = sweep_expand(&sw, 4, cfg_b, SWEEP_CONFIGS_MAX, &err);
    assert_true(na > 0);
    assert_int_equal(na, nb);
    assert_memory_equal(cfg_a, cfg_b, sizeof(cfg_a[0]) * (size_t)na);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_is_recommended),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_configs_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
