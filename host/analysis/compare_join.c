/*
 * The join of "hvflush compare": configurations matched across runs by
 * label, each non-baseline run's ratio against the baseline with its
 * bootstrap interval (compare_bootstrap.c), and the verdicts.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/compare_internal.h"
#include "util.h"

static const char *const verdict_names[] = {
    [CMP_SAME]         = "same",
    [CMP_FASTER]       = "faster",
    [CMP_SLOWER]       = "slower",
    [CMP_WITHIN_NOISE] = "within-noise",
    [CMP_NO_CI]        = "no-ci",
    [CMP_UNSUPPORTED]  = "unsupported",
    [CMP_MISSING]      = "missing",
};

const char *compare_verdict_name(enum cmp_verdict v)
{
    return verdict_names[v];
}

enum cmp_verdict compare_verdict(double lo, double hi, double t, bool higher_is_faster)
{
    bool above = lo > 1 + t, below = hi < 1 - t;

    if (lo >= 1 - t && hi <= 1 + t)
        return CMP_SAME;
    if (above)
        return higher_is_faster ? CMP_FASTER : CMP_SLOWER;
    if (below)
        return higher_is_faster ? CMP_SLOWER : CMP_FASTER;
    return CMP_WITHIN_NOISE;
}

static const struct cmp_entry *entries(const struct cmp_run *run, enum compare_metric m,
                                       unsigned *n)
{
    *n = m == COMPARE_THROUGHPUT ? run->nthru : run->nlat;
    return m == COMPARE_THROUGHPUT ? run->thru : run->lat;
}

static int row_of(const struct cmp_table *t, const char *label)
{
    for (unsigned i = 0; i < t->nrows; i++)
        if (!strcmp(t->rows[i].label, label))
            return (int)i;
    return -1;
}

bool compare_join(const struct compare_opts *o, const struct cmp_run *runs,
                  struct cmp_table *t, char *err, size_t errcap)
{
    unsigned order[o->nruns];

    memset(t, 0, sizeof(*t));
    t->o = o;
    t->runs = runs;
    /* The baseline's configurations first, then the others' in run order. */
    order[0] = o->baseline;
    for (unsigned r = 0, k = 1; r < o->nruns; r++)
        if (r != o->baseline)
            order[k++] = r;
    for (unsigned k = 0; k < o->nruns; k++) {
        unsigned r = order[k], n;
        const struct cmp_entry *e = entries(&runs[r], o->metric, &n);

        for (unsigned i = 0; i < n; i++) {
            int row = row_of(t, e[i].label);

            if (row < 0) {
                struct cmp_row *v = realloc(t->rows, (t->nrows + 1) * sizeof(*v));

                if (!v)
                    goto no_memory;
                t->rows = v;
                row = (int)t->nrows++;
                memset(&v[row], 0, sizeof(v[row]));
                v[row].label = e[i].label;
                v[row].e = calloc(o->nruns, sizeof(*v[row].e));
                v[row].cell = calloc(o->nruns, sizeof(*v[row].cell));
                if (!v[row].e || !v[row].cell)
                    goto no_memory;
            }
            if (!t->rows[row].e[r]) {
                t->rows[row].e[r] = &e[i];
                t->rows[row].present++;
            }
        }
    }
    for (unsigned r = 0; r < o->nruns; r++) {
        bool shared = false;

        if (r == o->baseline)
            continue;
        for (unsigned i = 0; i < t->nrows && !shared; i++)
            shared = t->rows[i].e[r] && t->rows[i].e[o->baseline];
        if (!shared) {
            fmt(err, errcap, "%s and the baseline %s have no %sconfiguration in common",
                runs[r].name, runs[o->baseline].name,
                o->metric == COMPARE_THROUGHPUT ? "throughput " : "");
            compare_free_table(t);
            return false;
        }
    }
    return true;
no_memory:
    fmt(err, errcap, "out of memory");
    compare_free_table(t);
    return false;
}

static double metric_value(const struct cmp_entry *e, enum compare_metric m)
{
    unsigned pct = m == COMPARE_P99 ? 99 : 50;

    if (m == COMPARE_THROUGHPUT)
        return e->aggregate_per_s;
    if (e->nsamples)
        return compare_percentile(e->samples_ns, e->nsamples, pct);
    return m == COMPARE_P99 ? e->p99_ns : e->p50_ns;
}

static bool supported(const struct cmp_entry *e, enum compare_metric m)
{
    return m == COMPARE_THROUGHPUT ? e->aggregate_per_s > 0 : e->n > 0;
}

/* The replicates of one run's metric; false where none can be drawn. */
static bool replicates(gsl_rng *r, const struct cmp_entry *e, enum compare_metric m,
                       double *out)
{
    if (m == COMPARE_THROUGHPUT) {
        if (e->flushes <= 0)
            return false;
        compare_boot_rate(r, e->aggregate_per_s, e->flushes, out, COMPARE_BOOT_REPS);
        return true;
    }
    if (e->nsamples == 0)
        return false;
    return compare_boot_quantile(r, e->samples_ns, e->nsamples, m == COMPARE_P99 ? 99 : 50,
                                 out, COMPARE_BOOT_REPS);
}

/* A side of a cell: its boots (boot 1 first) and whether the two-stage
 * bootstrap applies (compare_boots.c). */
struct side {
    const struct cmp_entry *boot[COMPARE_BOOTS_CAP];
    unsigned nboots;
};

static void gather(const struct cmp_run *run, const struct cmp_entry *e, enum compare_metric m,
                   struct side *s)
{
    s->nboots = compare_entry_boots(run, e, m, s->boot, COMPARE_BOOTS_CAP);
}

/* Two-stage replicates of a side's metric over its boots. */
static bool replicates2(gsl_rng *r, const struct side *s, enum compare_metric m, double *out)
{
    if (m == COMPARE_THROUGHPUT) {
        compare_boot2_rate(r, s->boot, s->nboots, out, COMPARE_BOOT_REPS);
        return true;
    }
    return compare_boot2_quantile(r, s->boot, s->nboots, m == COMPARE_P99 ? 99 : 50, out,
                                  COMPARE_BOOT_REPS);
}

static double pooled_value(const struct side *s, enum compare_metric m)
{
    if (m == COMPARE_THROUGHPUT)
        return compare_mean_rate(s->boot, s->nboots);
    return compare_pooled_percentile(s->boot, s->nboots, m == COMPARE_P99 ? 99 : 50);
}

/* The baseline's replicates of one row, drawn once per kind of interval
 * ([0] within-boot, [1] between-boot) in the order the cells need them, so
 * that single-boot runs draw exactly the stream they always did. */
struct base_reps {
    double *rep[2];
    bool drawn[2], ok[2];
};

static void evaluate_row(gsl_rng *rng, const struct compare_opts *o, const struct cmp_run *runs,
                         struct cmp_row *row, struct base_reps *br, double *run_rep)
{
    const struct cmp_entry *base = row->e[o->baseline];
    bool thru = o->metric == COMPARE_THROUGHPUT;
    struct side bs = { .nboots = 0 }, rs;

    memset(br->drawn, 0, sizeof(br->drawn));
    if (base)
        gather(&runs[o->baseline], base, o->metric, &bs);
    for (unsigned r = 0; r < o->nruns; r++) {
        struct cmp_cell *c = &row->cell[r];
        const struct cmp_entry *e = row->e[r];
        unsigned fewest;
        int k;

        if (r == o->baseline)
            continue;
        if (!base || !e) {
            c->verdict = CMP_MISSING;
            continue;
        }
        c->n_base = base->n;
        c->n_run = e->n;
        if (!supported(base, o->metric) || !supported(e, o->metric)) {
            c->verdict = CMP_UNSUPPORTED;
            continue;
        }
        gather(&runs[r], e, o->metric, &rs);
        c->boots_base = bs.nboots;
        c->boots_run = rs.nboots;
        c->between_boot = bs.nboots >= 2 && rs.nboots >= 2;
        k = c->between_boot;
        if (c->between_boot) {
            c->base = pooled_value(&bs, o->metric);
            c->value = pooled_value(&rs, o->metric);
        } else {
            c->base = metric_value(base, o->metric);
            c->value = metric_value(e, o->metric);
        }
        c->has_ratio = c->base > 0;
        if (!c->has_ratio) {
            c->verdict = CMP_NO_CI;
            continue;
        }
        c->ratio = c->value / c->base;
        if (!br->drawn[k]) {
            br->ok[k] = k ? replicates2(rng, &bs, o->metric, br->rep[k])
                          : replicates(rng, base, o->metric, br->rep[k]);
            br->drawn[k] = true;
        }
        c->has_ci = br->ok[k] &&
                    (k ? replicates2(rng, &rs, o->metric, run_rep)
                       : replicates(rng, e, o->metric, run_rep)) &&
                    compare_boot_ratio_ci(run_rep, br->rep[k], COMPARE_BOOT_REPS,
                                          &c->lo, &c->hi);
        if (c->has_ci && c->between_boot)
            compare_boot2_expand(c->ratio, bs.nboots, rs.nboots, &c->lo, &c->hi);
        c->verdict = c->has_ci ? compare_verdict(c->lo, c->hi, o->threshold_pct / 100, thru)
                               : CMP_NO_CI;
        fewest = c->boots_base < c->boots_run ? c->boots_base : c->boots_run;
        c->gate_exempt = c->verdict == CMP_SLOWER && fewest < o->min_boots;
    }
}

void compare_evaluate(struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    struct base_reps br = {
        .rep = { malloc(COMPARE_BOOT_REPS * sizeof(double)),
                 malloc(COMPARE_BOOT_REPS * sizeof(double)) },
    };
    double *run_rep = malloc(COMPARE_BOOT_REPS * sizeof(double));
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

    memset(t->counts, 0, sizeof(t->counts));
    t->slower_exempt = t->within_boot = 0;
    if (rng)
        gsl_rng_set(rng, COMPARE_BOOT_SEED);
    for (unsigned i = 0; i < t->nrows; i++) {
        if (rng && br.rep[0] && br.rep[1] && run_rep) {
            evaluate_row(rng, o, t->runs, &t->rows[i], &br, run_rep);
        } else {
            /* No memory for replicates: ratios only, never decisive. */
            for (unsigned r = 0; r < o->nruns; r++)
                t->rows[i].cell[r].verdict = CMP_NO_CI;
        }
        for (unsigned r = 0; r < o->nruns; r++) {
            const struct cmp_cell *c = &t->rows[i].cell[r];

            if (r == o->baseline)
                continue;
            t->counts[c->verdict]++;
            t->slower_exempt += c->gate_exempt;
            t->within_boot += c->has_ci && !c->between_boot;
        }
    }
    gsl_rng_free(rng);
    free(br.rep[0]);
    free(br.rep[1]);
    free(run_rep);
}

int compare_exit_status(const struct cmp_table *t)
{
    for (unsigned i = 0; i < t->nrows; i++)
        for (unsigned r = 0; r < t->o->nruns; r++)
            if (r != t->o->baseline && t->rows[i].cell[r].verdict == CMP_SLOWER &&
                !t->rows[i].cell[r].gate_exempt)
                return 1;
    return 0;
}

void compare_free_table(struct cmp_table *t)
{
    for (unsigned i = 0; i < t->nrows; i++) {
        free(t->rows[i].e);
        free(t->rows[i].cell);
    }
    free(t->rows);
    t->rows = NULL;
    t->nrows = 0;
}
