/*
 * "hvflush compare" across the boots of a --repeat run: RUN/ is boot 1,
 * RUN/boot-2 ... RUN/boot-R hold the other boots' records.  One boot's
 * samples hold within-boot noise only; a boot-to-boot shift of the whole
 * distribution (in the nested lab a p50 moves by some 50 % from one boot to
 * the next) is in none of them, so an interval from one boot calls noise a
 * change.  With two boots or more on both sides compare uses a two-stage
 * (hierarchical) bootstrap whose replicates vary as a new set of boots
 * would.
 *
 * Latency, two-stage: a replicate draws R boots with replacement from the
 * R boots (stage 1: between boots), then from each chosen boot as many
 * samples as it has, with replacement (stage 2: within the boot), and takes
 * the nearest-rank percentile of the pooled resample.
 *
 * Why the pooled percentile, not the median of per-boot percentiles: runs
 * are made with few boots (2 to 5).  The median of 3 per-boot p50s can take
 * only the three boots' values (with 2 boots it is their mean), so the
 * bootstrap distribution of that median is a handful of atoms and its 2.5 /
 * 97.5 percentiles jump from one boot's value to another's; the pooled
 * percentile of R * n samples varies smoothly with both stages.  It is also
 * the run's metric as a reader takes it (the p50 of all the samples the run
 * measured), and for p99 it keeps the tail of every boot, where a median of
 * per-boot p99s drops the worst boot.  Its point estimate is the same
 * pooled percentile over all boots (compare_pooled_percentile), so the
 * point lies inside its own interval.  Cost: O(R n) per replicate (the
 * resample is drawn and the rank selected in place).
 *
 * Throughput, two-stage: boots drawn with replacement, each chosen boot's
 * flush count redrawn as Poisson (compare_bootstrap.c's within-boot
 * model); the metric is the mean of the chosen boots' rates (all boots
 * measure the same fixed window).
 *
 * Few boots: stage 1 sees the between-boot spread through R values only.
 * A bootstrap of R cluster values has (R - 1) / R of the right variance and
 * the normal's tails where an estimate of the spread from R values has
 * Student's t ones, so the plain percentile interval of 3 boots covers
 * some 83 % where it claims 95 % (tests/unit/test_compare_boots.c).  The
 * interval is therefore expanded about the ratio, in log space, by
 *     f = t(0.975, R_a + R_b - 2) / z(0.975) * sqrt(R / (R - 1)),
 * R = min(R_a, R_b) (Hesterberg's expanded percentile interval, with the
 * two-sample degrees of freedom): f = 1.73 for 3 + 3 boots, 1.17 for 8 + 8,
 * tending to 1 as boots are added.  Where the boots do not differ the
 * expansion widens within-boot noise only, a conservative error; the gate
 * never calls a change on too few boots' evidence.  The price is power:
 * where boots move by ~30 % (TCG on a loaded host), 3 + 3 boots tell a 2x
 * change from none only just, and a 4x one clearly.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <math.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "analysis/compare_internal.h"
#include "util.h"

#define COMPARE_BOOTS_MAX 1024

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Boot b's records: its summary.csv and samples.csv where it has them (a
 * whole run directory used as a boot), else its records.txt
 * (compare_boot_records.c). */
bool compare_load_boots(struct cmp_run *run, char *err, size_t errcap)
{
    char path[4096], sub[512];
    unsigned smp = 0;

    for (unsigned b = 2; b <= COMPARE_BOOTS_MAX; b++) {
        struct cmp_run *v, *boot;
        bool tables, ok;

        fmt(path, sizeof(path), "%s/boot-%u", run->dir, b);
        if (!is_dir(path))
            break;
        fmt(sub, sizeof(sub), "%s/summary.csv", path);
        tables = access(sub, R_OK) == 0;
        fmt(sub, sizeof(sub), "%s/records.txt", path);
        if (!tables && access(sub, R_OK) != 0)
            continue;           /* a boot that failed before any record */
        v = realloc(run->boot, (run->nboots + 1) * sizeof(*v));
        if (!v) {
            fmt(err, errcap, "out of memory");
            return false;
        }
        run->boot = v;
        boot = &v[run->nboots];
        memset(boot, 0, sizeof(*boot));
        fmt(boot->name, sizeof(boot->name), "boot-%u", b);
        if (!tables && !smp)
            smp = compare_run_smp(run->dir);
        ok = tables ? compare_load_tables(path, boot, sub, sizeof(sub))
                    : compare_load_boot_records(path, smp, boot, sub, sizeof(sub));
        if (!ok) {
            compare_free_run(boot);
            fmt(err, errcap, "boot-%u: %s", b, sub);
            return false;
        }
        run->nboots++;
    }
    return true;
}

static bool resamplable(const struct cmp_entry *e, enum compare_metric m)
{
    return m == COMPARE_THROUGHPUT ? e->flushes > 0 && e->aggregate_per_s > 0
                                   : e->nsamples > 0;
}

unsigned compare_entry_boots(const struct cmp_run *run, const struct cmp_entry *e,
                             enum compare_metric m, const struct cmp_entry **out, unsigned cap)
{
    unsigned n = 0;

    if (cap && resamplable(e, m))
        out[n++] = e;
    for (unsigned b = 0; b < run->nboots && n < cap; b++) {
        const struct cmp_run *boot = &run->boot[b];
        const struct cmp_entry *v = m == COMPARE_THROUGHPUT ? boot->thru : boot->lat;
        unsigned nv = m == COMPARE_THROUGHPUT ? boot->nthru : boot->nlat;

        /* The same label (with the same "#K" of a repeated label). */
        for (unsigned i = 0; i < nv; i++)
            if (!strcmp(v[i].label, e->label)) {
                if (resamplable(&v[i], m))
                    out[n++] = &v[i];
                break;
            }
    }
    return n;
}

static size_t nearest_rank(size_t n, unsigned pct)
{
    size_t rank = ((size_t)pct * n + 99) / 100;

    return rank < 1 ? 1 : rank > n ? n : rank;
}

/* The k-th smallest (0-based) of v[0..n), v reordered (Hoare's selection:
 * the partition keeps v[lo..j] <= pivot <= v[i..hi]; signed indices, as j
 * may step below lo). */
static double select_kth(double *v, size_t n, size_t k)
{
    long lo = 0, hi = (long)n - 1, want = (long)k;

    while (lo < hi) {
        double pivot = v[lo + (hi - lo) / 2];
        long i = lo, j = hi;

        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                double x = v[i];

                v[i++] = v[j];
                v[j--] = x;
            }
        }
        if (want <= j)
            hi = j;
        else if (want >= i)
            lo = i;
        else
            return v[want];
    }
    return v[want];
}

static size_t pooled_count(const struct cmp_entry *const *boots, unsigned nboots)
{
    size_t n = 0;

    for (unsigned b = 0; b < nboots; b++)
        n += boots[b]->nsamples;
    return n;
}

double compare_pooled_percentile(const struct cmp_entry *const *boots, unsigned nboots,
                                 unsigned pct)
{
    size_t n = pooled_count(boots, nboots), k = 0;
    double *v = malloc((n ? n : 1) * sizeof(*v)), p;

    if (!v || !n) {
        free(v);
        return 0;
    }
    for (unsigned b = 0; b < nboots; b++) {
        memcpy(v + k, boots[b]->samples_ns, boots[b]->nsamples * sizeof(*v));
        k += boots[b]->nsamples;
    }
    p = select_kth(v, n, nearest_rank(n, pct) - 1);
    free(v);
    return p;
}

bool compare_boot2_quantile(gsl_rng *r, const struct cmp_entry *const *boots, unsigned nboots,
                            unsigned pct, double *out, unsigned reps)
{
    size_t most = 0;
    double *pool;

    for (unsigned b = 0; b < nboots; b++)
        if (boots[b]->nsamples > most)
            most = boots[b]->nsamples;
    if (!nboots || !most)
        return false;
    pool = malloc((size_t)nboots * most * sizeof(*pool));
    if (!pool)
        return false;
    for (unsigned rep = 0; rep < reps; rep++) {
        size_t n = 0;

        for (unsigned s = 0; s < nboots; s++) {
            const struct cmp_entry *e = boots[gsl_rng_uniform_int(r, nboots)];

            for (size_t j = 0; j < e->nsamples; j++)
                pool[n++] = e->samples_ns[gsl_rng_uniform_int(r, e->nsamples)];
        }
        out[rep] = select_kth(pool, n, nearest_rank(n, pct) - 1);
    }
    free(pool);
    return true;
}

double compare_mean_rate(const struct cmp_entry *const *boots, unsigned nboots)
{
    double sum = 0;

    for (unsigned b = 0; b < nboots; b++)
        sum += boots[b]->aggregate_per_s;
    return nboots ? sum / nboots : 0;
}

void compare_boot2_rate(gsl_rng *r, const struct cmp_entry *const *boots, unsigned nboots,
                        double *out, unsigned reps)
{
    for (unsigned rep = 0; rep < reps; rep++) {
        double sum = 0;

        for (unsigned s = 0; s < nboots; s++) {
            const struct cmp_entry *e = boots[gsl_rng_uniform_int(r, nboots)];

            sum += e->aggregate_per_s * (double)gsl_ran_poisson(r, e->flushes) / e->flushes;
        }
        out[rep] = sum / nboots;
    }
}

const char *compare_cell_verdict(const struct cmp_cell *c, char *buf, size_t cap)
{
    unsigned fewest = c->boots_base < c->boots_run ? c->boots_base : c->boots_run;

    if (!c->gate_exempt)
        return compare_verdict_name(c->verdict);
    if (fewest <= 1)
        fmt(buf, cap, "%s (single boot)", compare_verdict_name(c->verdict));
    else
        fmt(buf, cap, "%s (%u boots)", compare_verdict_name(c->verdict), fewest);
    return buf;
}

void compare_boot2_expand(double ratio, unsigned boots_a, unsigned boots_b, double *lo,
                          double *hi)
{
    unsigned fewest = boots_a < boots_b ? boots_a : boots_b;
    double df = (double)boots_a + boots_b - 2, f;

    if (fewest < 2 || !(ratio > 0) || !(*lo > 0) || !(*hi > 0))
        return;
    f = gsl_cdf_tdist_Pinv(0.975, df) / gsl_cdf_ugaussian_Pinv(0.975) *
        sqrt((double)fewest / (fewest - 1));
    /* A skewed (discrete) replicate distribution can leave the point just
     * outside the percentile interval: the expansion starts from an
     * interval that holds it. */
    *lo = ratio * pow(fmin(*lo, ratio) / ratio, f);
    *hi = ratio * pow(fmax(*hi, ratio) / ratio, f);
}
