/*
 * Unit tests of the plot data preparation (host/analysis/plotdata.c): a hand-made
 * summary.csv and samples.csv become per-series files sorted by target
 * count and per-configuration CDF files, with the right titles and axis
 * choices.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/plotdata.h"
#include "analysis/summary.h"

static char dir[64];

static void put(const char *name, const char *text)
{
    char path[128];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *get(const char *name)
{
    static char buf[4096];
    char path[128];
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "r");
    if (!f)
        return NULL;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/hvflush-plotdata-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

/* Rows out of target order, two series, and one row without samples. */
static void test_series_and_cdfs(void **state)
{
    struct plot_data pd;
    char err[256];

    (void)state;
    put("summary.csv", SUMMARY_HEADER "\n"
        "0,local/invlpg/p1,local,invlpg,1,0,spin,slow,cr3,0,mask,3,1,1,2,3,3,3,2,1,10,10,20,30,30,30,20,10,5,emulated,-,0,-,0,0,0,1,0,0,0,,,,,,,,,,,,-,others,ok,\n"
        "1,ipi/invlpg/p1/t3/spin,ipi,invlpg,1,3,spin,slow,cr3,0,mask,2,1,1,2,3,3,3,2,1,900,900,1000,1100,1500,1500,1,1,5,emulated,pass,0,1-3,0,0,0,1,0,0,0,,,,,,,,,,,,-,others,ok,\n"
        "2,ipi/invlpg/p1/t1/spin,ipi,invlpg,1,1,spin,slow,cr3,0,mask,2,1,1,2,3,3,3,2,1,400,400,500,600,700,700,1,1,5,emulated,pass,0,1,0,0,0,1,0,0,0,,,,,,,,,,,,-,others,ok,\n"
        "3,ipi/invlpg/p1/t2/spin,ipi,invlpg,1,2,spin,slow,cr3,0,mask,0,,,,,,,,,,,,,,,,,5,emulated,error,0,1-2,,,,1,0,0,0,,,,,,,,,,,,-,others,ok,\n");
    put("samples.csv", "id,label,index,cycles,ns\n"
        "0,local/invlpg/p1,0,1,10.0\n0,local/invlpg/p1,1,2,20.0\n0,local/invlpg/p1,2,3,30.0\n"
        "1,ipi/invlpg/p1/t3/spin,0,1,900.0\n1,ipi/invlpg/p1/t3/spin,1,2,1500.0\n"
        "2,ipi/invlpg/p1/t1/spin,0,1,400.0\n2,ipi/invlpg/p1/t1/spin,1,2,700.0\n");
    assert_true(plot_data_prepare(dir, dir, &pd, err, sizeof(err)));
    assert_int_equal(pd.nseries, 2);
    assert_string_equal(pd.series_titles, "local/invlpg/p1 ipi/invlpg/p1/spin");
    assert_int_equal(pd.nconfigs, 3);
    assert_string_equal(pd.config_titles,
                        "local/invlpg/p1 ipi/invlpg/p1/t3/spin ipi/invlpg/p1/t1/spin");
    assert_int_equal(pd.max_targets, 3);
    assert_true(pd.logy);                       /* 10 ns .. 1500 ns */
    assert_true(pd.logx_cdf);
    assert_string_equal(get("series-2.dat"),
                        "# ipi/invlpg/p1/spin: targets p10_ns p50_ns p90_ns p99_ns\n"
                        "1 400.0 500.0 600.0 700.0\n"
                        "3 900.0 1000.0 1100.0 1500.0\n");
    assert_string_equal(get("cdf-1.dat"), "10.0\n20.0\n30.0\n");
    assert_string_equal(get("cdf-3.dat"), "400.0\n700.0\n");
    assert_null(get("cdf-4.dat"));
    plot_data_free(&pd);
}

static void test_empty_run(void **state)
{
    struct plot_data pd;
    char err[256];

    (void)state;
    put("summary.csv", SUMMARY_HEADER "\n");
    put("samples.csv", "id,label,index,cycles,ns\n");
    assert_true(plot_data_prepare(dir, dir, &pd, err, sizeof(err)));
    assert_int_equal(pd.nconfigs, 0);
    assert_int_equal(pd.nseries, 0);
    plot_data_free(&pd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_series_and_cdfs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_run, setup, teardown),
    };

    return cmocka_run_group_tests_name("host_plotdata", tests, NULL, NULL);
}
