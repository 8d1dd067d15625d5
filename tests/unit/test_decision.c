/*
 * Unit tests of the decision map (host/analysis/decision.c) on synthetic
 * summaries, written as summary.csv files and read back the way a run's
 * are (host/analysis/analysis.c): a tie reads within-noise, a clear win
 * decisive, overlapping intervals within-noise, a lone strategy only-one,
 * a missing interval no-ci (also for a summary.csv from before the CI
 * columns); a strategy's configurations compete as one
 * (its fastest), and baselines and failed configurations never win.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "analysis/decision.h"

/* Only the columns the analyses read, in another order than summary.c's:
 * columns are found by name. */
#define HEADER "id,label,strategy,flush,input,scope,procs,state,pages,targets,n,p50_cyc," \
               "verdict,ci_lo_cyc,ci_hi_cyc,ci_flag\n"

static const char *const synthetic =
    HEADER
    /* (1, 1, spin): equal medians -- a tie. */
    "0,ipi/invlpg/p1/t1/spin,ipi,invlpg,slow,cr3,mask,spin,1,1,1000,1000,pass,990,1010,ok\n"
    "1,hv-space/p1/t1/spin,hv-space,invlpg,slow,cr3,mask,spin,1,1,1000,1000,pass,995,1005,ok\n"
    /* (2, 1, spin): hv-space wins clearly. */
    "2,ipi/invlpg/p1/t2/spin,ipi,invlpg,slow,cr3,mask,spin,1,2,1000,2000,pass,1980,2020,ok\n"
    "3,hv-space/p1/t2/spin,hv-space,invlpg,slow,cr3,mask,spin,1,2,1000,1500,pass,1490,1510,ok\n"
    /* (4, 1, spin): ipi faster but the intervals overlap; a faster
     * baseline and a faster failed flush do not count; ipi's second
     * configuration (another placement) is its best. */
    "4,ipi/invlpg/p1/t4/spin,ipi,invlpg,slow,cr3,mask,spin,1,4,1000,3100,pass,3000,3200,ok\n"
    "5,ipi/invlpg/p1/t4/spin/last,ipi,invlpg,slow,cr3,mask,spin,1,4,1000,3000,pass,2900,3100,ok\n"
    "6,hv-space/p1/t4/spin,hv-space,invlpg,slow,cr3,mask,spin,1,4,1000,3050,pass,2950,3150,ok\n"
    "7,ipi/none/p1/t4/spin,ipi,none,slow,cr3,mask,spin,1,4,1000,100,-,90,110,ok\n"
    "8,hv-list/slow/p1/t4/spin,hv-list,invlpg,slow,cr3,mask,spin,1,4,1000,10,fail,9,11,ok\n"
    /* (4, 1, halt): one strategy. */
    "9,ipi/invlpg/p1/t4/halt,ipi,invlpg,slow,cr3,mask,halt,1,4,1000,5000,pass,4900,5100,ci-wide\n"
    /* (8, 1, spin): too few samples for an interval. */
    "10,ipi/invlpg/p1/t8/spin,ipi,invlpg,slow,cr3,mask,spin,1,8,5,4000,pass,,,ci-wide\n"
    "11,hv-space/p1/t8/spin,hv-space,invlpg,slow,cr3,mask,spin,1,8,1000,3000,pass,2990,3010,ok\n"
    /* Baselines alone make no cell. */
    "12,cpuid,cpuid,invlpg,slow,cr3,mask,spin,1,0,1000,40,-,39,41,ok\n";

static char dir[64];

static int setup(void **state)
{
    char path[128];
    FILE *f;

    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/hvflush-test-decision-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    f = fopen(path, "w");
    fputs(synthetic, f);
    fclose(f);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

/* The decision.csv line of one cell ("targets,pages,state,"), or NULL. */
static char *cell_line(const char *csv, const char *cell, char *buf, size_t cap)
{
    const char *p = csv;

    while (p && *p) {
        if (!strncmp(p, cell, strlen(cell))) {
            size_t n = strcspn(p, "\n");

            snprintf(buf, cap, "%.*s", (int)n, p);
            return buf;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return NULL;
}

static void test_calls_from_a_synthetic_summary(void **state)
{
    struct analysis_counts n;
    char err[256], path[128], csv[8192], line[512];
    size_t len;
    FILE *f;

    (void)state;
    assert_true(analysis_write(dir, dir, &n, err, sizeof(err)));
    assert_int_equal(n.cells, 5);
    assert_int_equal(n.decisive, 1);
    assert_int_equal(n.ci_ok, 11);
    assert_int_equal(n.ci_wide, 2);
    snprintf(path, sizeof(path), "%s/decision.csv", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    len = fread(csv, 1, sizeof(csv) - 1, f);
    csv[len] = '\0';
    fclose(f);
    print_message("%s", csv);
    assert_true(!strncmp(csv, DECISION_HEADER "\n", strlen(DECISION_HEADER) + 1));
    /* The tie: best by the key order (equal p50), and within-noise. */
    assert_string_equal(cell_line(csv, "1,1,spin,", line, sizeof(line)),
                        "1,1,spin,hv-space/slow/cr3/mask,hv-space/p1/t1/spin,1000,995,1005,"
                        "ipi/invlpg,ipi/invlpg/p1/t1/spin,1000,990,1010,0,0.0000,"
                        "within-noise,2");
    assert_string_equal(cell_line(csv, "2,1,spin,", line, sizeof(line)),
                        "2,1,spin,hv-space/slow/cr3/mask,hv-space/p1/t2/spin,1500,1490,1510,"
                        "ipi/invlpg,ipi/invlpg/p1/t2/spin,2000,1980,2020,500,0.3333,"
                        "decisive,2");
    assert_string_equal(cell_line(csv, "4,1,spin,", line, sizeof(line)),
                        "4,1,spin,ipi/invlpg,ipi/invlpg/p1/t4/spin/last,3000,2900,3100,"
                        "hv-space/slow/cr3/mask,hv-space/p1/t4/spin,3050,2950,3150,50,0.0167,"
                        "within-noise,2");
    assert_string_equal(cell_line(csv, "4,1,halt,", line, sizeof(line)),
                        "4,1,halt,ipi/invlpg,ipi/invlpg/p1/t4/halt,5000,4900,5100,"
                        "-,-,-,-,-,-,-,only-one,1");
    assert_string_equal(cell_line(csv, "8,1,spin,", line, sizeof(line)),
                        "8,1,spin,hv-space/slow/cr3/mask,hv-space/p1/t8/spin,3000,2990,3010,"
                        "ipi/invlpg,ipi/invlpg/p1/t8/spin,4000,-,-,1000,0.3333,no-ci,2");
    assert_null(cell_line(csv, "0,1,spin,", line, sizeof(line)));
    /* The plot data: one line per cell. */
    snprintf(path, sizeof(path), "%s/decision.dat", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    len = fread(csv, 1, sizeof(csv) - 1, f);
    csv[len] = '\0';
    fclose(f);
    {
        int lines = 0;

        for (int i = 0; csv[i]; i++)
            lines += csv[i] == '\n';
        assert_int_equal(lines, 5);
    }
}

/* A tie must never read decisive, and a clear win always does: the rule
 * itself on two rows, and the same rule with one interval shrunk to its
 * median (the mistake of ignoring the interval) reads the tie decisive --
 * the check above would catch it. */
static void test_tie_rule_can_fail(void **state)
{
    struct summary_row rows[2];
    struct decision_cell *cells;

    (void)state;
    memset(rows, 0, sizeof(rows));
    for (int i = 0; i < 2; i++) {
        snprintf(rows[i].strategy, sizeof(rows[i].strategy), i ? "ipi" : "hv-space");
        snprintf(rows[i].flush, sizeof(rows[i].flush), "invlpg");
        snprintf(rows[i].state, sizeof(rows[i].state), "spin");
        snprintf(rows[i].verdict, sizeof(rows[i].verdict), "pass");
        snprintf(rows[i].label, sizeof(rows[i].label), "c%d", i);
        rows[i].targets = rows[i].pages = 1;
        rows[i].n = 100;
        rows[i].p50 = 1000 + (uint64_t)i;
        rows[i].have_ci = true;
        rows[i].ci_lo = 990;
        rows[i].ci_hi = 1010;
    }
    assert_int_equal(decision_compute(rows, 2, &cells), 1);
    assert_string_equal(cells[0].call, "within-noise");
    free(cells);
    rows[0].ci_lo = rows[0].ci_hi = 1000;
    rows[1].ci_lo = rows[1].ci_hi = 1001;
    assert_int_equal(decision_compute(rows, 2, &cells), 1);
    assert_string_equal(cells[0].call, "decisive");
    free(cells);
}

/* Target sets other than placed targets (self, all, null) and a flush of
 * a space loaded nowhere (scope=unloaded) have no like for like in a cell:
 * each is faster here than the real flushes and must not win (without the
 * exclusion the self row would be the cell's best). */
static void test_no_like_for_like_never_wins(void **state)
{
    static const char rows[] =
        "id,label,strategy,flush,input,scope,procs,state,pages,targets,n,p50_cyc,"
        "verdict,ci_lo_cyc,ci_hi_cyc,ci_flag,target_set\n"
        "0,ipi/invlpg/p1/t1/spin,ipi,invlpg,slow,cr3,mask,spin,1,1,1000,2000,pass,1990,2010,ok,others\n"
        "1,hv-space/p1/t1/spin,hv-space,invlpg,slow,cr3,mask,spin,1,1,1000,1500,pass,1490,1510,ok,others\n"
        "2,ipi/invlpg/p1/self/spin,ipi,invlpg,slow,cr3,mask,spin,1,1,1000,100,-,90,110,ok,self\n"
        "3,hv-space/slow/unloaded-as/p1/t1/spin,hv-space,invlpg,slow,unloaded,mask,spin,1,1,"
        "1000,50,-,45,55,ok,others\n";
    char d[64], path[128], err[256], csv[4096], line[512];
    struct analysis_counts n;
    size_t len;
    FILE *f;

    (void)state;
    snprintf(d, sizeof(d), "/tmp/hvflush-test-decision-XXXXXX");
    assert_non_null(mkdtemp(d));
    snprintf(path, sizeof(path), "%s/summary.csv", d);
    f = fopen(path, "w");
    fputs(rows, f);
    fclose(f);
    assert_true(analysis_write(d, d, &n, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/decision.csv", d);
    f = fopen(path, "r");
    assert_non_null(f);
    len = fread(csv, 1, sizeof(csv) - 1, f);
    csv[len] = '\0';
    fclose(f);
    assert_non_null(cell_line(csv, "1,1,spin,", line, sizeof(line)));
    assert_non_null(strstr(line, "1,1,spin,hv-space/slow/cr3/mask,hv-space/p1/t1/spin,1500,"));
    assert_non_null(strstr(line, ",ipi/invlpg,ipi/invlpg/p1/t1/spin,2000,"));
    snprintf(path, sizeof(path), "rm -rf %s", d);
    assert_int_equal(system(path), 0);
}

static void test_missing_column_is_an_error(void **state)
{
    struct analysis_counts n;
    char err[256], path[128];
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    f = fopen(path, "w");
    fputs("id,label,strategy\n0,x,ipi\n", f);
    fclose(f);
    assert_false(analysis_write(dir, NULL, &n, err, sizeof(err)));
    assert_non_null(strstr(err, "has no column flush"));
    /* A summary.csv from before the CI columns: read, without intervals. */
    f = fopen(path, "w");
    fputs("id,label,strategy,flush,input,scope,procs,state,pages,targets,n,p50_cyc,verdict\n"
          "0,a,ipi,invlpg,slow,cr3,mask,spin,1,1,100,500,pass\n"
          "1,b,hv-space,invlpg,slow,cr3,mask,spin,1,1,100,400,pass\n", f);
    fclose(f);
    assert_true(analysis_write(dir, NULL, &n, err, sizeof(err)));
    assert_int_equal(n.cells, 1);
    assert_int_equal(n.decisive, 0);
    assert_int_equal(n.ci_ok + n.ci_wide, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_calls_from_a_synthetic_summary),
        cmocka_unit_test(test_tie_rule_can_fail),
        cmocka_unit_test(test_no_like_for_like_never_wins),
        cmocka_unit_test(test_missing_column_is_an_error),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
