/*
 * "hvflush compare" across the boots of --repeat runs
 * (host/analysis/compare_boots.c):
 *  - coverage: synthetic runs of R boots whose p50 shifts from boot to boot
 *    (each boot's samples scaled by a lognormal boot offset), run B the
 *    same process times a known ratio: the two-stage interval covers the
 *    true ratio in roughly 90-99 % of replications, while the within-boot
 *    interval of boot 1 (the single-boot comparison) covers it far less
 *    often (the fault the two-stage bootstrap removes is seen);
 *  - the same for throughput (boots' rates shifted, flush counts Poisson);
 *  - the pooled percentile is that of all boots' samples together;
 *  - compare_runs() on hand-made runs with RUN/boot-N: boot 1 alone says
 *    `slower` where the three boots together say `within-noise` (the false
 *    alarm caught), a real 2x slowdown over 3 boots stays `slower` and exit
 *    1 under --min-boots 3, and --min-boots 3 turns a single-boot `slower`
 *    into `slower (single boot)` with exit 0; compare.csv's boots and
 *    interval columns and the text's single-boot note.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>

#include "analysis/compare_internal.h"
#include "util.h"

#define REPLICATIONS  200
#define BOOTS_MAX     8           /* per side in the coverage test: 3 and 8 */
#define PER_BOOT      100         /* samples per boot */
#define REPS          1000        /* bootstrap replicates per interval here */
#define BOOT_SIGMA    0.25        /* sd of the log boot offset (the lab's p50 flips ~1.8x) */

static char tmp[256];

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One run of `boots` boots: each boot's samples lognormal around 1000 ns
 * times the boot's offset times scale, sorted as compare_load.c keeps them. */
static void draw_boots(gsl_rng *r, unsigned boots, double scale, double (*v)[PER_BOOT],
                       struct cmp_entry *e, const struct cmp_entry **p)
{
    for (unsigned b = 0; b < boots; b++) {
        double offset = exp(gsl_ran_gaussian(r, BOOT_SIGMA));

        for (unsigned i = 0; i < PER_BOOT; i++)
            v[b][i] = scale * offset * gsl_ran_lognormal(r, log(1000.0), 0.4);
        qsort(v[b], PER_BOOT, sizeof(double), cmp_double);
        memset(&e[b], 0, sizeof(e[b]));
        e[b].samples_ns = v[b];
        e[b].nsamples = e[b].n = PER_BOOT;
        p[b] = &e[b];
    }
}

/* Coverage of the true ratio, over REPLICATIONS synthetic pairs of runs of
 * `boots` boots each, by the 95 % intervals: the two-stage one as compare
 * gives it (expanded for few boots), the plain two-stage percentile one,
 * and the within-boot one of boot 1 (a single-boot comparison). */
struct coverage {
    double two_stage, plain, within;
};

static struct coverage coverage(unsigned boots, double ratio)
{
    static double va[BOOTS_MAX][PER_BOOT], vb[BOOTS_MAX][PER_BOOT];
    struct cmp_entry ea[BOOTS_MAX], eb[BOOTS_MAX];
    const struct cmp_entry *pa[BOOTS_MAX], *pb[BOOTS_MAX];
    gsl_rng *data = gsl_rng_alloc(gsl_rng_mt19937), *boot = gsl_rng_alloc(gsl_rng_mt19937);
    double *ra = malloc(REPS * sizeof(double)), *rb = malloc(REPS * sizeof(double));
    unsigned hit2 = 0, hitp = 0, hit1 = 0;

    assert_true(data && boot && ra && rb && boots <= BOOTS_MAX);
    gsl_rng_set(data, 4242);
    gsl_rng_set(boot, COMPARE_BOOT_SEED);
    for (unsigned k = 0; k < REPLICATIONS; k++) {
        double lo, hi, point;

        draw_boots(data, boots, 1.0, va, ea, pa);
        draw_boots(data, boots, ratio, vb, eb, pb);
        point = compare_pooled_percentile(pb, boots, 50) / compare_pooled_percentile(pa, boots, 50);
        assert_true(compare_boot2_quantile(boot, pa, boots, 50, ra, REPS));
        assert_true(compare_boot2_quantile(boot, pb, boots, 50, rb, REPS));
        assert_true(compare_boot_ratio_ci(rb, ra, REPS, &lo, &hi));
        hitp += lo <= ratio && ratio <= hi;
        compare_boot2_expand(point, boots, boots, &lo, &hi);
        hit2 += lo <= ratio && ratio <= hi;
        assert_true(compare_boot_quantile(boot, va[0], PER_BOOT, 50, ra, REPS));
        assert_true(compare_boot_quantile(boot, vb[0], PER_BOOT, 50, rb, REPS));
        assert_true(compare_boot_ratio_ci(rb, ra, REPS, &lo, &hi));
        hit1 += lo <= ratio && ratio <= hi;
    }
    gsl_rng_free(data);
    gsl_rng_free(boot);
    free(ra);
    free(rb);
    return (struct coverage){ (double)hit2 / REPLICATIONS, (double)hitp / REPLICATIONS,
                              (double)hit1 / REPLICATIONS };
}

/* The true ratio of the pooled p50 is the scale between the two processes
 * (B is A's process times ratio), so it is known exactly. */
static void test_two_stage_coverage(void **state)
{
    static const unsigned boots[] = { 3, 8 };

    (void)state;
    for (unsigned i = 0; i < sizeof(boots) / sizeof(boots[0]); i++) {
        struct coverage c = coverage(boots[i], 1.3);

        print_message("coverage of the true ratio 1.3, %u + %u boots of %u samples, boot "
                      "sd %.2f: two-stage %.3f (plain percentile %.3f), within-boot %.3f\n",
                      boots[i], boots[i], PER_BOOT, BOOT_SIGMA, c.two_stage, c.plain, c.within);
        assert_true(c.two_stage >= 0.90 && c.two_stage <= 0.99);
        /* The single-boot interval misses the between-boot shift. */
        assert_true(c.within < 0.6);
        assert_true(c.two_stage - c.within > 0.3);
    }
}

/* Throughput: each boot's aggregate rate moves by a lognormal offset (sd
 * 0.1) around the run's, counted from 1e5 flushes; the mean-of-boots ratio
 * is covered by the expanded two-stage interval as often as claimed, and
 * far less often by boot 1's Poisson-only interval. */
static void test_two_stage_rate_coverage(void **state)
{
    enum { BOOTS = 3 };
    const double ratio = 0.8, flushes = 1e5;
    gsl_rng *data = gsl_rng_alloc(gsl_rng_mt19937), *boot = gsl_rng_alloc(gsl_rng_mt19937);
    double *ra = malloc(REPS * sizeof(double)), *rb = malloc(REPS * sizeof(double));
    unsigned hit2 = 0, hit1 = 0;

    (void)state;
    assert_true(data && boot && ra && rb);
    gsl_rng_set(data, 777);
    gsl_rng_set(boot, COMPARE_BOOT_SEED);
    for (unsigned k = 0; k < REPLICATIONS; k++) {
        struct cmp_entry ea[BOOTS], eb[BOOTS];
        const struct cmp_entry *pa[BOOTS], *pb[BOOTS];
        double lo, hi, point;

        for (unsigned b = 0; b < BOOTS; b++) {
            ea[b] = (struct cmp_entry){ .flushes = flushes,
                                        .aggregate_per_s = 1e6 * exp(gsl_ran_gaussian(data, 0.1)) };
            eb[b] = (struct cmp_entry){ .flushes = flushes, .aggregate_per_s =
                                        ratio * 1e6 * exp(gsl_ran_gaussian(data, 0.1)) };
            pa[b] = &ea[b];
            pb[b] = &eb[b];
        }
        point = compare_mean_rate(pb, BOOTS) / compare_mean_rate(pa, BOOTS);
        compare_boot2_rate(boot, pa, BOOTS, ra, REPS);
        compare_boot2_rate(boot, pb, BOOTS, rb, REPS);
        assert_true(compare_boot_ratio_ci(rb, ra, REPS, &lo, &hi));
        compare_boot2_expand(point, BOOTS, BOOTS, &lo, &hi);
        /* The true ratio of the mean rates: E[exp(N(0, s))] cancels. */
        hit2 += lo <= ratio && ratio <= hi;
        compare_boot_rate(boot, ea[0].aggregate_per_s, flushes, ra, REPS);
        compare_boot_rate(boot, eb[0].aggregate_per_s, flushes, rb, REPS);
        assert_true(compare_boot_ratio_ci(rb, ra, REPS, &lo, &hi));
        hit1 += lo <= ratio && ratio <= hi;
    }
    print_message("throughput coverage of the true ratio 0.8, 3 + 3 boots: two-stage %.3f, "
                  "within-boot %.3f\n", (double)hit2 / REPLICATIONS, (double)hit1 / REPLICATIONS);
    assert_true(hit2 >= 0.90 * REPLICATIONS && hit2 <= 0.99 * REPLICATIONS);
    assert_true(hit1 < 0.5 * REPLICATIONS);
    gsl_rng_free(data);
    gsl_rng_free(boot);
    free(ra);
    free(rb);
}

static void test_pooled_percentile(void **state)
{
    double a[] = { 1, 2, 3, 10 }, b[] = { 4, 5, 6 }, c[] = { 7, 8, 9, 11, 12 };
    struct cmp_entry e[3] = { { .samples_ns = a, .nsamples = 4 },
                              { .samples_ns = b, .nsamples = 3 },
                              { .samples_ns = c, .nsamples = 5 } };
    const struct cmp_entry *p[3] = { &e[0], &e[1], &e[2] };

    (void)state;
    /* 1..12 pooled: nearest rank 6 of 12 is 6, rank 12 is 12. */
    assert_true(compare_pooled_percentile(p, 3, 50) == 6);
    assert_true(compare_pooled_percentile(p, 3, 99) == 12);
    assert_true(compare_pooled_percentile(p, 1, 50) == 2);
    /* The selection leaves the entries' sorted samples alone. */
    assert_true(a[3] == 10 && c[0] == 7);
}

/* ---- compare_runs() on hand-made runs with boots ------------------------------ */

/* Writes the records of one boot into dir: configurations "x" (scale 1)
 * and "y" (scale y_scale), 300 samples each spread over 1000..1199 ns. */
static void write_boot(const char *dir, double y_scale)
{
    static const char meta[] = "{\"status\": \"ok\", \"accelerator\": {\"timing_class\": "
                               "\"emulated\", \"label\": \"TCG\"}}\n";
    const double scale[2] = { 1.0, y_scale };
    const char *label[2] = { "x", "y" };
    char path[600];
    FILE *sum, *smp;

    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(path, sizeof(path), "%s/meta.json", dir);
    assert_true(write_file(path, meta, strlen(meta)));
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    sum = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/samples.csv", dir);
    smp = fopen(path, "w");
    assert_true(sum && smp);
    fputs("id,label,strategy,n,p50_ns,p99_ns\n", sum);
    fputs("id,label,index,cycles,ns\n", smp);
    for (unsigned c = 0; c < 2; c++) {
        fprintf(sum, "%u,%s,ipi,300,%.1f,%.1f\n", c, label[c], scale[c] * 1100,
                scale[c] * 1198);
        for (unsigned k = 0; k < 300; k++) {
            double v = scale[c] * (1000 + (k * 37) % 200);

            fprintf(smp, "%u,%s,%u,%.0f,%.1f\n", c, label[c], k, 2 * v, v);
        }
    }
    fclose(sum);
    fclose(smp);
}

/* A run tmp/name whose boot k has configuration y at y_scale[k]. */
static const char *make_run(const char *name, const double *y_scale, unsigned boots)
{
    static char dirs[8][400];
    static unsigned next;
    char *dir = dirs[next++ % 8], sub[500];

    snprintf(dir, 400, "%s/%s", tmp, name);
    write_boot(dir, y_scale[0]);
    for (unsigned b = 1; b < boots; b++) {
        snprintf(sub, sizeof(sub), "%s/boot-%u", dir, b + 1);
        write_boot(sub, y_scale[b]);
    }
    return dir;
}

static char *slurp(const char *dir, const char *name)
{
    char path[600], *text;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(read_file(path, &text, &len, 0));
    return text;
}

/* compare_runs(A, B) into tmp/out-name with --min-boots min_boots. */
static int compare_two(const char *name, const char *a, const char *b, unsigned min_boots,
                       char *out, size_t cap)
{
    const char *dirs[2] = { a, b };
    struct compare_opts o = { .runs = dirs, .nruns = 2, .threshold_pct = 5,
                              .metric = COMPARE_P50, .min_boots = min_boots };

    snprintf(out, cap, "%s/out-%s", tmp, name);
    o.out_dir = out;
    return compare_runs(&o);
}

/* Boot 1 alone: y is 1.5x slower.  All three boots: B's boots are A's in
 * another order, so the pooled p50s are equal and the interval spans the
 * boot-to-boot spread: not slower, exit 0. */
static void test_between_boot_catches_false_alarm(void **state)
{
    const double base[3] = { 1.0, 1.5, 0.8 }, run[3] = { 1.5, 0.8, 1.0 };
    const char *a3 = make_run("alarm-a", base, 3), *b3 = make_run("alarm-b", run, 3);
    const char *a1 = make_run("alarm-a1", base, 1), *b1 = make_run("alarm-b1", run, 1);
    char out[400], *csv;

    (void)state;
    assert_int_equal(compare_two("alarm1", a1, b1, 1, out, sizeof(out)), 1);
    csv = slurp(out, "compare.csv");
    assert_non_null(strstr(csv, ",slower,5,emulated,alarm-a1 alarm-b1,1,1,within-boot\n"));
    free(csv);

    assert_int_equal(compare_two("alarm3", a3, b3, 1, out, sizeof(out)), 0);
    csv = slurp(out, "compare.csv");
    assert_non_null(strstr(csv, ",present_in,boots_baseline,boots_run,interval\n"));
    assert_null(strstr(csv, ",slower,"));
    assert_non_null(strstr(csv, "\ny,alarm-b,alarm-a,p50,ns,300,300,"));
    assert_non_null(strstr(csv, ",within-noise,5,emulated,alarm-a alarm-b,3,3,between-boot\n"));
    assert_non_null(strstr(csv, ",same,5,emulated,alarm-a alarm-b,3,3,between-boot\n"));
    free(csv);
    csv = slurp(out, "compare.txt");
    assert_null(strstr(csv, "note: "));
    free(csv);
}

/* A real 2x slowdown of y in every boot, boots moving by +/-10 %. */
static void test_real_slowdown_over_boots(void **state)
{
    const double base[3] = { 1.0, 1.1, 0.9 }, run[3] = { 2.0, 2.2, 1.8 };
    const char *a = make_run("real-a", base, 3), *b = make_run("real-b", run, 3);
    char out[400], *csv;

    (void)state;
    assert_int_equal(compare_two("real", a, b, 3, out, sizeof(out)), 1);
    csv = slurp(out, "compare.csv");
    assert_non_null(strstr(csv, ",slower,5,emulated,real-a real-b,3,3,between-boot\n"));
    free(csv);
}

/* --min-boots 3: a single-boot slower is reported, not gating. */
static void test_min_boots_single_boot(void **state)
{
    const double base[1] = { 1.0 }, run[3] = { 2.0, 2.0, 2.0 };
    const char *a = make_run("min-a", base, 1), *b = make_run("min-b", run, 3);
    char out[400], *csv;

    (void)state;
    assert_int_equal(compare_two("min1", a, b, 1, out, sizeof(out)), 1);
    assert_int_equal(compare_two("min3", a, b, 3, out, sizeof(out)), 0);
    csv = slurp(out, "compare.csv");
    assert_non_null(strstr(csv, ",slower (single boot),5,emulated,min-a min-b,1,3,within-boot\n"));
    free(csv);
    csv = slurp(out, "compare.txt");
    assert_non_null(strstr(csv, "note: 2 interval(s) come from a single boot"));
    assert_non_null(strstr(csv, "slower (single boot)  [within-boot]"));
    assert_non_null(strstr(csv, "regression: none beyond 5 % (exit 0)"));
    free(csv);
    csv = slurp(out, "compare.html");
    assert_non_null(strstr(csv, "Note: 2 interval(s) come from a single boot"));
    free(csv);
}

static int setup(void **state)
{
    char cwd[200];

    (void)state;
    snprintf(tmp, sizeof(tmp), "/tmp/hvflush-test-boots-XXXXXX");
    if (!mkdtemp(tmp))
        return -1;
    if (!getenv("HVFLUSH_ROOT") && getcwd(cwd, sizeof(cwd)))
        setenv("HVFLUSH_ROOT", cwd, 1);
    hv_set_quiet(true);
    return 0;
}

static int teardown(void **state)
{
    char cmd[300];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    return getenv("KEEP") || system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pooled_percentile),
        cmocka_unit_test(test_two_stage_coverage),
        cmocka_unit_test(test_two_stage_rate_coverage),
        cmocka_unit_test(test_between_boot_catches_false_alarm),
        cmocka_unit_test(test_real_slowdown_over_boots),
        cmocka_unit_test(test_min_boots_single_boot),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
