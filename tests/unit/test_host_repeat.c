/*
 * Unit tests of --repeat and --channel parsing (host/cli.c) and of the
 * between-boot variation (host/analysis/repeat.c): statistics on known values,
 * missing boots left out, p50 per boot in ns with each boot's TSC rate, and
 * repeat.csv's rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cli.h"
#include "analysis/repeat.h"
#include "util.h"

static bool parse(const char *a1, const char *a2, struct cli_options *o, char *err)
{
    char *argv[] = { "hvflush", "run", (char *)a1, (char *)a2, NULL };

    return cli_parse(a1 ? (a2 ? 4 : 3) : 2, argv, o, err, 256);
}

static void test_repeat_option(void **state)
{
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse(NULL, NULL, &o, err));
    assert_int_equal(o.repeat, 1);
    assert_false(o.channel_debugcon);
    assert_true(parse("--repeat", "5", &o, err));
    assert_int_equal(o.repeat, 5);
    assert_true(parse("--repeat=2", NULL, &o, err));
    assert_int_equal(o.repeat, 2);
    assert_false(parse("--repeat", "0", &o, err));
    assert_string_equal(err, "--repeat: '0' is not a number between 1 and 1000");
    assert_false(parse("--repeat", "three", &o, err));
    assert_non_null(strstr(err, "'three' is not a number"));
    assert_false(parse("--repeat", "-1", &o, err));
    assert_false(parse("--repeat", "1001", &o, err));
    assert_false(parse("--repeat", NULL, &o, err));
    assert_string_equal(err, "--repeat needs a value");
}

static void test_channel_option(void **state)
{
    struct cli_options o;
    char err[256];

    (void)state;
    assert_true(parse("--channel", "debugcon", &o, err));
    assert_true(o.channel_debugcon);
    assert_true(parse("--channel", "area", &o, err));
    assert_false(o.channel_debugcon);
    assert_false(parse("--channel", "serial", &o, err));
    assert_string_equal(err, "--channel: 'serial' is not one of area, debugcon");
}

static void test_stat_known_values(void **state)
{
    const double v[] = { 100, 110, 90 };
    const double gap[] = { 100, NAN, 110, 90, NAN };
    const double one[] = { NAN, 42 };
    const double none[] = { NAN, NAN };
    struct repeat_stat s;

    (void)state;
    repeat_stat_compute(v, 3, &s);
    assert_int_equal(s.n, 3);
    assert_float_equal(s.mean, 100, 1e-9);
    assert_float_equal(s.sd, 10, 1e-9);          /* sample sd: sqrt(200 / 2) */
    assert_float_equal(s.cv, 0.1, 1e-9);
    assert_float_equal(s.min, 90, 1e-9);
    assert_float_equal(s.max, 110, 1e-9);
    /* Boots without a p50 are left out, not counted as 0. */
    repeat_stat_compute(gap, 5, &s);
    assert_int_equal(s.n, 3);
    assert_float_equal(s.cv, 0.1, 1e-9);
    repeat_stat_compute(one, 2, &s);
    assert_int_equal(s.n, 1);
    assert_float_equal(s.mean, 42, 1e-9);
    assert_true(isnan(s.cv));
    repeat_stat_compute(none, 2, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean));
}

/* Two boots of two configurations: boot 1 at 1 GHz, boot 2 at 2 GHz with
 * twice the cycles, so the p50s agree in ns; configuration 1 has no
 * samples in boot 2. */
static void test_boots_to_csv(void **state)
{
    uint64_t a1[] = { 30, 10, 20 }, b1[] = { 500, 100, 300, 200, 400 };
    uint64_t a2[] = { 40, 60, 20 };
    struct config_result c1[2], c2[2];
    struct run_data d1 = { .nconfigs = 2, .configs = c1, .tsc_hz = 1000000000 };
    struct run_data d2 = { .nconfigs = 2, .configs = c2, .tsc_hz = 2000000000 };
    struct repeat_table t;
    char dir[] = "/tmp/hvflush-repeat-XXXXXX", path[64], err[128], *text;
    size_t len;

    (void)state;
    memset(c1, 0, sizeof(c1));
    memset(c2, 0, sizeof(c2));
    c1[0] = (struct config_result){ .samples = a1, .nsamples = 3 };
    c1[1] = (struct config_result){ .samples = b1, .nsamples = 5 };
    c2[0] = (struct config_result){ .samples = a2, .nsamples = 3 };
    strcpy(c1[0].label, "local/invlpg/p1");
    strcpy(c1[1].label, "ipi/invlpg/p1/t1/spin");
    assert_true(repeat_init(&t, 2, 2));
    repeat_add_boot(&t, 0, &d1);
    repeat_add_boot(&t, 1, &d2);
    assert_float_equal(t.p50_ns[0], 20, 1e-9);          /* config 0, boot 1 */
    assert_float_equal(t.p50_ns[1], 20, 1e-9);          /* 40 cycles at 2 GHz */
    assert_float_equal(t.p50_ns[2], 300, 1e-9);
    assert_true(isnan(t.p50_ns[3]));
    /* The sample arrays are not reordered. */
    assert_int_equal(a1[0], 30);

    assert_non_null(mkdtemp(dir));
    assert_true(repeat_write(dir, &t, &d1, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/repeat.csv", dir);
    assert_true(read_file(path, &text, &len, 1 << 16));
    assert_string_equal(text,
        "id,label,boots,mean_p50_ns,cv,min_p50_ns,max_p50_ns,p50_ns_per_boot\n"
        "0,local/invlpg/p1,2,20.0,0.0000,20.0,20.0,20.0;20.0\n"
        "1,ipi/invlpg/p1/t1/spin,1,300.0,,300.0,300.0,300.0;\n");
    free(text);
    unlink(path);
    rmdir(dir);
    repeat_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_repeat_option),
        cmocka_unit_test(test_channel_option),
        cmocka_unit_test(test_stat_known_values),
        cmocka_unit_test(test_boots_to_csv),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
