/*
 * Unit tests of the address-space keys (bench/sweep_space.c): scope=other
 * and unloaded, spaces=N, pcid=, global=, large= -- expansion order,
 * labels, which configurations are verified and which run precision
 * checks, and the refused values and combinations with their line numbers.
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

static const char *label_of(const struct sweep_config *c)
{
    static char label[128];

    sweep_config_label(c, label, sizeof(label));
    return label;
}

/* Defaults leave a line as it was: spaces 1, the rest off, verified. */
static void test_defaults_unchanged(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name d\nmeasure hv-space targets=1\nmeasure ipi targets=1 verify=off\n"
                      "measure local\n", &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 3);
    assert_int_equal(cfg[0].spaces, 1);
    assert_false(cfg[0].pcid || cfg[0].global || cfg[0].large);
    assert_true(cfg[0].verify && cfg[0].precision);
    assert_string_equal(label_of(&cfg[0]), "hv-space/slow/cr3/p1/t1/spin");
    assert_false(cfg[1].verify || cfg[1].precision);   /* verify=off, and not hv */
    assert_false(cfg[2].verify || cfg[2].precision);
    assert_string_equal(label_of(&cfg[2]), "local/invlpg/p1");
}

/* scope=other is verified; unloaded is not (loaded nowhere) but keeps its
 * precision checks; the scope's label part names the space. */
static void test_scopes(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name s\nmeasure hv-space-ex targets=2 scope=cr3,all,other,unloaded\n",
                      &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 4);
    assert_int_equal(cfg[2].scope, SCOPE_OTHER);
    assert_int_equal(cfg[3].scope, SCOPE_UNLOADED);
    assert_string_equal(flush_scope_name(cfg[2].scope), "other");
    assert_string_equal(flush_scope_name(cfg[3].scope), "unloaded");
    assert_string_equal(label_of(&cfg[1]), "hv-space-ex/slow/all-as/p1/t2/spin");
    assert_string_equal(label_of(&cfg[2]), "hv-space-ex/slow/other-as/p1/t2/spin");
    assert_string_equal(label_of(&cfg[3]), "hv-space-ex/slow/unloaded-as/p1/t2/spin");
    assert_true(cfg[2].verify && cfg[2].precision);
    assert_false(cfg[3].verify);
    assert_true(cfg[3].precision);
    assert_string_equal(sweep_space_unverified_reason(&cfg[3]), "no-flush-owed:unloaded-space");
    assert_null(sweep_space_unverified_reason(&cfg[2]));
    /* verify=off on the line: nothing to explain. */
    assert_true(parse("name s\nmeasure hv-space targets=2 scope=unloaded verify=off\n", &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 1);
    assert_false(cfg[0].precision);
    assert_null(sweep_space_unverified_reason(&cfg[0]));
}

/* Order: ... nonglobal x spaces x pcid x global x large x procs ...; the
 * suffixes follow in that order, for non-default values only. */
static void test_expansion_order_and_suffixes(void **state)
{
    struct sweep_error err;
    int n;

    (void)state;
    assert_true(parse("name o\nmeasure hv-space targets=1 nonglobal=off,on spaces=1,4 "
                      "pcid=off,on global=off,on large=off,on procs=mask,all\n", &err));
    n = sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err);
    assert_int_equal(n, 2 * 2 * 2 * 2 * 2 * 2);
    assert_int_equal(cfg[1].procs, PROCS_ALL);
    assert_true(cfg[2].large && !cfg[2].global);
    assert_true(cfg[4].global && !cfg[4].pcid);
    assert_true(cfg[8].pcid && cfg[8].spaces == 1);
    assert_int_equal(cfg[16].spaces, 4);
    assert_true(cfg[32].nonglobal && cfg[32].spaces == 1);
    assert_string_equal(label_of(&cfg[30]), "hv-space/slow/cr3/p1/t1/spin/s4/pcid/global/large");
    assert_string_equal(label_of(&cfg[31]),
                        "hv-space/slow/cr3/p1/t1/spin/all-vps/s4/pcid/global/large");
    /* nonglobal=on over a global window owes no flush: not verified. */
    assert_true(cfg[4].verify);
    assert_false(cfg[32 + 4].verify);
    assert_true(cfg[32 + 4].precision);
    assert_string_equal(sweep_space_unverified_reason(&cfg[32 + 4]),
                        "no-flush-owed:nonglobal-call-global-window");
    assert_null(sweep_space_unverified_reason(&cfg[4]));
    assert_true(cfg[32 + 2].verify);
}

/* ipi and local take global/large; ipi takes spaces/pcid too. */
static void test_other_strategies(void **state)
{
    struct sweep_error err;

    (void)state;
    assert_true(parse("name i\nmeasure ipi flush=cr3 targets=1 spaces=3 pcid=on global=on\n"
                      "measure local large=on\nmeasure local global=on pages=8\n", &err));
    assert_int_equal(sweep_expand(&sw, 4, cfg, SWEEP_CONFIGS_MAX, &err), 3);
    assert_string_equal(label_of(&cfg[0]), "ipi/cr3/p1/t1/spin/s3/pcid/global");
    assert_true(cfg[0].verify);
    assert_false(cfg[0].precision);
    assert_string_equal(label_of(&cfg[1]), "local/invlpg/p1/large");
    assert_string_equal(label_of(&cfg[2]), "local/invlpg/p8/global");
}

static void test_refused(void **state)
{
    static const struct { const char *text; unsigned line; const char *needle; } bad[] = {
        { "name a\nmeasure ipi scope=other\n", 2, "belong to the hypercall strategies" },
        { "name a\nmeasure hv-space scope=elsewhere\n", 2,
          "for scope (cr3, all, other, unloaded" },
        { "name a\nmeasure hv-null scope=unloaded\n", 2, "hv-null takes input= only" },
        { "name a\nmeasure ipi spaces=0\n", 2, "bad value '0' for spaces (1-16" },
        { "name a\nmeasure ipi spaces=17\n", 2, "for spaces" },
        { "name a\nmeasure ipi spaces=2 spaces=3\n", 2, "given twice" },
        { "name a\nmeasure ipi pcid=yes\n", 2, "for pcid (off, on" },
        { "name a\nmeasure ipi global=1\n", 2, "for global" },
        { "name a\nmeasure ipi large=2m\n", 2, "for large" },
        { "name a\n\nmeasure local spaces=2\n", 3, "belong to ipi and the hv-* flushes" },
        { "name a\nmeasure local pcid=on\n", 2, "belong to ipi and the hv-* flushes" },
        { "name a\nmeasure cpuid pcid=off,on\n", 2, "belong to ipi and the hv-* flushes" },
        { "name a\nmeasure hv-null global=on\n", 2, "a baseline never touches" },
        { "name a\nmeasure cpuid large=on\n", 2, "a baseline never touches" },
        { "name a\nmeasure ipi large=on pages=2\n", 2, "pages= must be 1" },
        { "name a\nsamples 3\nmeasure hv-list large=off,on pages=1,8\n", 3, "pages= must be 1" },
        { "name a\nmeasure ipi colour=red\n", 2, "spaces, pcid, global, large" },
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
    /* The off values of the refused keys are the defaults: accepted. */
    assert_true(parse("name a\nmeasure local spaces=1 pcid=off\nmeasure cpuid global=off "
                      "large=off\nmeasure ipi large=off pages=8\n", &err));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_unchanged),
        cmocka_unit_test(test_scopes),
        cmocka_unit_test(test_expansion_order_and_suffixes),
        cmocka_unit_test(test_other_strategies),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
