/*
 * Unit tests of the load plots' data (host/analysis/plotdata_load.c): the
 * throughput series are the labels without their initiator count, each
 * file sorted by initiators with the aggregate and the mean per
 * initiator; interference.dat has one row per target; a run without the
 * CSVs gives no series.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analysis/plotdata_load.h"
#include "util.h"

static char dir[] = "/tmp/hvflush-test-plotload-XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(write_file(path, text, strlen(text)));
}

static char *get(const char *name)
{
    char path[256], *buf;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(read_file(path, &buf, &len, 0));
    return buf;
}

static void test_throughput_series_and_interference_rows(void **state)
{
    struct plot_data_load pl;
    char err[256], *s;

    (void)state;
    put("throughput.csv",
        "id,label,initiators,aggregate_per_s,per_initiator_per_s\n"
        "3,ipi/invlpg/p1/t1/spin/k2/shared,2,3000,1400 1600\n"
        "4,hv-space/fast/cr3/p1/t1/spin/k1,1,900,900\n"
        "2,ipi/invlpg/p1/t1/spin/k1/shared,1,2000,2000\n"
        "5,ipi/invlpg/p8/t1/work/k1/ws64,1,,\n");
    put("interference.csv",
        "id,label,cpu,cycles_lost_per_flush,refill_cycles\n"
        "5,ipi/invlpg/p8/t1/work/k1/ws64,1,-120,3400\n"
        "5,ipi/invlpg/p8/t1/work/k1/ws64,2,500,\n");
    assert_true(plot_data_load_prepare(dir, dir, &pl, err, sizeof(err)));
    /* The row without an aggregate is no point of any series. */
    assert_int_equal(pl.ntp, 2);
    assert_string_equal(pl.tp_titles,
                        "ipi/invlpg/p1/t1/spin/shared hv-space/fast/cr3/p1/t1/spin");
    s = get("tp-1.dat");
    assert_non_null(strstr(s, "\n1 2000 2000.0\n2 3000 1500.0\n"));
    free(s);
    s = get("tp-2.dat");
    assert_non_null(strstr(s, "\n1 900 900.0\n"));
    free(s);
    assert_int_equal(pl.ninterf, 2);
    s = get("interference.dat");
    assert_non_null(strstr(s, "\n0 \"ipi/invlpg/p8/t1/work/k1/ws64 cpu 1\" -120 3400\n"
                              "1 \"ipi/invlpg/p8/t1/work/k1/ws64 cpu 2\" 500 NaN\n"));
    free(s);
    plot_data_load_free(&pl);
}

static void test_run_without_load_csvs(void **state)
{
    struct plot_data_load pl;
    char err[256], path[256];

    (void)state;
    snprintf(path, sizeof(path), "%s/throughput.csv", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/interference.csv", dir);
    remove(path);
    assert_true(plot_data_load_prepare(dir, dir, &pl, err, sizeof(err)));
    assert_int_equal(pl.ntp, 0);
    assert_null(pl.tp_titles);
    assert_int_equal(pl.ninterf, 0);
    plot_data_load_free(&pl);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_throughput_series_and_interference_rows),
        cmocka_unit_test(test_run_without_load_csvs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
