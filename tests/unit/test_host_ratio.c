/*
 * Unit tests of the hypercall-vs-IPI comparison (host/analysis/ratio.c): the best
 * p50 of each family per target count, configurations that must not be
 * candidates (failed or erroneous verification, errors, unsupported), and
 * ratio.csv as written.
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

#include "analysis/ratio.h"
#include "util.h"

#define NCFG 6

static uint64_t storage[NCFG][5];

/* A configuration whose five samples are base, base+1 ... (p50 = base+2). */
static void set_config(struct config_result *c, unsigned id, enum strategy s,
                       uint32_t targets, uint64_t base, const char *label)
{
    memset(c, 0, sizeof(*c));
    c->cfg.id = id;
    c->cfg.strategy = s;
    c->cfg.targets = targets;
    c->announced = true;
    for (unsigned k = 0; k < 5; k++)
        storage[id][k] = base + (4 - k);   /* unsorted on purpose */
    c->samples = storage[id];
    c->nsamples = 5;
    snprintf(c->label, sizeof(c->label), "%s", label);
}

static void make_run(struct run_data *d, struct config_result *cfg)
{
    memset(d, 0, sizeof(*d));
    set_config(&cfg[0], 0, STRATEGY_IPI, 1, 1000, "ipi/t1");
    set_config(&cfg[1], 1, STRATEGY_HV_SPACE, 1, 400, "hv-space/t1");
    set_config(&cfg[2], 2, STRATEGY_HV_LIST, 1, 300, "hv-list/t1");
    set_config(&cfg[3], 3, STRATEGY_IPI, 3, 2000, "ipi/t3");
    set_config(&cfg[4], 4, STRATEGY_HV_SPACE, 3, 5000, "hv-space/t3");
    set_config(&cfg[5], 5, STRATEGY_LOCAL, 0, 10, "local");
    d->configs = cfg;
    d->nconfigs = NCFG;
    d->tsc_hz = 1000000000;   /* 1 cycle = 1 ns */
}

static void test_best_of_each_family(void **state)
{
    struct config_result cfg[NCFG];
    struct run_data d;
    struct ratio_row rows[8];
    unsigned n;

    (void)state;
    make_run(&d, cfg);
    n = ratio_compute(&d, rows, 8);
    assert_int_equal(n, 2);               /* the local floor has no target count */
    assert_int_equal(rows[0].targets, 1);
    assert_int_equal(rows[0].hv, 2);      /* hv-list beats hv-space */
    assert_int_equal(rows[0].hv_p50, 302);
    assert_int_equal(rows[0].ipi, 0);
    assert_int_equal(rows[0].ipi_p50, 1002);
    assert_int_equal(rows[1].targets, 3);
    assert_int_equal(rows[1].hv, 4);
    assert_int_equal(rows[1].ipi, 3);
}

/* A flush that failed its effect probe, or erred, is never "best". */
static void test_failed_configs_are_not_candidates(void **state)
{
    struct config_result cfg[NCFG];
    struct run_data d;
    struct ratio_row rows[8];

    (void)state;
    make_run(&d, cfg);
    cfg[2].has_verify = true;
    snprintf(cfg[2].verify.verdict, sizeof(cfg[2].verify.verdict), "fail");
    snprintf(cfg[1].error, sizeof(cfg[1].error), "hv-status-0x0002");
    assert_int_equal(ratio_compute(&d, rows, 8), 2);
    assert_int_equal(rows[0].hv, -1);
    assert_int_equal(rows[0].ipi, 0);
    cfg[1].error[0] = '\0';
    snprintf(cfg[1].unsupported, sizeof(cfg[1].unsupported), "no-hyperv");
    assert_int_equal(ratio_compute(&d, rows, 8), 2);
    assert_int_equal(rows[0].hv, -1);
    cfg[1].unsupported[0] = '\0';
    cfg[1].has_verify = true;
    snprintf(cfg[1].verify.verdict, sizeof(cfg[1].verify.verdict), "inconclusive");
    assert_int_equal(ratio_compute(&d, rows, 8), 2);
    assert_int_equal(rows[0].hv, 1);
}

/* The ipi flush=none baseline flushes nothing: however fast, it is never
 * the best IPI of its target count. */
static void test_baseline_is_not_a_candidate(void **state)
{
    struct config_result cfg[NCFG];
    struct run_data d;
    struct ratio_row rows[8];

    (void)state;
    make_run(&d, cfg);
    set_config(&cfg[5], 5, STRATEGY_IPI, 1, 50, "ipi/none/t1");
    cfg[5].cfg.flush = FLUSH_NONE;
    assert_int_equal(ratio_compute(&d, rows, 8), 2);
    assert_int_equal(rows[0].targets, 1);
    assert_int_equal(rows[0].ipi, 0);          /* ipi/t1, not the faster baseline */
    assert_int_equal(rows[0].ipi_p50, 1002);
    /* The same configuration flushing with invlpg is a candidate. */
    cfg[5].cfg.flush = FLUSH_INVLPG;
    assert_int_equal(ratio_compute(&d, rows, 8), 2);
    assert_int_equal(rows[0].ipi, 5);
    assert_int_equal(rows[0].ipi_p50, 52);
}

/* hv-null, hv-invalid and cpuid are hypercall/exit costs without a flush:
 * however fast, never the best hypercall (nor IPI), whatever their target
 * count field says. */
static void test_local_baselines_are_not_candidates(void **state)
{
    static const enum strategy baselines[] = {
        STRATEGY_HV_NULL, STRATEGY_HV_INVALID, STRATEGY_CPUID,
    };
    struct config_result cfg[NCFG];
    struct run_data d;
    struct ratio_row rows[8];

    (void)state;
    for (unsigned b = 0; b < sizeof(baselines) / sizeof(baselines[0]); b++) {
        make_run(&d, cfg);
        set_config(&cfg[5], 5, baselines[b], 1, 5, "baseline");
        assert_int_equal(ratio_compute(&d, rows, 8), 2);
        assert_int_equal(rows[0].targets, 1);
        assert_int_equal(rows[0].hv, 2);       /* hv-list/t1 */
        assert_int_equal(rows[0].ipi, 0);      /* ipi/t1 */
    }
}

/* targets=self (1 target: the initiator) and all (every CPU) are no like
 * for like with placed targets: however fast, never "best". */
static void test_target_sets_are_not_candidates(void **state)
{
    static const enum target_set sets[] = { TARGETS_SELF, TARGETS_ALL, TARGETS_NULL };
    struct config_result cfg[NCFG];
    struct run_data d;
    struct ratio_row rows[8];

    (void)state;
    for (unsigned b = 0; b < sizeof(sets) / sizeof(sets[0]); b++) {
        make_run(&d, cfg);
        set_config(&cfg[5], 5, STRATEGY_HV_SPACE, 1, 5, "hv-space/self");
        cfg[5].cfg.target_set = sets[b];
        assert_int_equal(ratio_compute(&d, rows, 8), 2);
        assert_int_equal(rows[0].hv, 2);       /* hv-list/t1 */
        /* The same configuration with placed targets is the best. */
        cfg[5].cfg.target_set = TARGETS_OTHERS;
        assert_int_equal(ratio_compute(&d, rows, 8), 2);
        assert_int_equal(rows[0].hv, 5);
    }
}

static void test_csv_and_lines(void **state)
{
    struct config_result cfg[NCFG];
    struct run_data d;
    char dir[] = "/tmp/hvflush-ratio-XXXXXX", path[128], *text = NULL, line[4096];
    const struct timing_class *tc = timing_class_by_name("emulated");
    size_t len;
    FILE *mem;
    char err[256];
    struct ratio_row rows[8];
    unsigned n;

    (void)state;
    make_run(&d, cfg);
    assert_non_null(mkdtemp(dir));
    n = ratio_compute(&d, rows, 8);
    assert_true(ratio_write(dir, &d, tc, rows, n, err, sizeof(err)));
    snprintf(path, sizeof(path), "%s/ratio.csv", dir);
    assert_true(read_file(path, &text, &len, 0));
    assert_non_null(strstr(text, RATIO_HEADER "\n"));
    assert_non_null(strstr(text, "\n1,hv-list/t1,302,302.0,ipi/t1,1002,1002.0,0.3014,emulated\n"));
    assert_non_null(strstr(text, "\n3,hv-space/t3,5002,5002.0,ipi/t3,2002,2002.0,2.4985,"));
    free(text);
    unlink(path);
    rmdir(dir);

    mem = fmemopen(line, sizeof(line), "w");
    assert_non_null(mem);
    ratio_print(mem, &d, tc, rows, n);
    fclose(mem);
    assert_non_null(strstr(line, "hypercall faster"));
    assert_non_null(strstr(line, "IPI faster"));
    assert_non_null(strstr(line, tc->label));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_best_of_each_family),
        cmocka_unit_test(test_failed_configs_are_not_candidates),
        cmocka_unit_test(test_baseline_is_not_a_candidate),
        cmocka_unit_test(test_local_baselines_are_not_candidates),
        cmocka_unit_test(test_target_sets_are_not_candidates),
        cmocka_unit_test(test_csv_and_lines),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
