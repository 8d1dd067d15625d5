/*
 * pairwise.csv and the pairwise heat map's data (see pairwise.h), from a
 * run's summary.csv (analysis/rows.h) and meta.json.
 */
#include "analysis/pairwise.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/rows.h"
#include "util.h"

#define PAIRWISE_VARIANTS_MAX 64

bool pairwise_label_split(const char *label, char *variant, size_t cap, uint32_t *initiator,
                          uint32_t *target)
{
    for (const char *p = strstr(label, "/i"); p; p = strstr(p + 1, "/i")) {
        unsigned long i, t;
        char *end;

        if (p[2] < '0' || p[2] > '9')
            continue;
        i = strtoul(p + 2, &end, 10);
        if (end[0] != '-' || end[1] != 't' || end[2] < '0' || end[2] > '9')
            continue;
        t = strtoul(end + 2, &end, 10);
        if ((*end != '/' && *end) || i >= SWEEP_MAX_CPUS || t >= SWEEP_MAX_CPUS)
            continue;
        *initiator = (uint32_t)i;
        *target = (uint32_t)t;
        fmt(variant, cap, "%.*s%s", (int)(p - label), label, end);
        return true;
    }
    return false;
}

struct pair_cell {
    const struct summary_row *row;
    unsigned variant;
    uint32_t initiator, target;
    uint32_t ipos, tpos;        /* axis positions (topology order) */
};

static int cell_cmp(const void *a, const void *b)
{
    const struct pair_cell *x = a, *y = b;

    if (x->variant != y->variant)
        return x->variant < y->variant ? -1 : 1;
    if (x->ipos != y->ipos)
        return x->ipos < y->ipos ? -1 : 1;
    return x->tpos < y->tpos ? -1 : x->tpos > y->tpos;
}

static FILE *create(const char *dir, const char *name, char *err, size_t errcap)
{
    char path[4096];
    FILE *f;

    fmt(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f)
        fmt(err, errcap, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static bool finish(FILE *f, const char *name, char *err, size_t errcap)
{
    if (ferror(f) | (fclose(f) != 0)) {
        fmt(err, errcap, "error writing %s", name);
        return false;
    }
    return true;
}

static void put_pu(FILE *f, int pu)
{
    if (pu >= 0)
        fprintf(f, "%d", pu);
}

static void put_csv(FILE *f, const struct pair_cell *cells, size_t n,
                    char (*variants)[64], const struct pairwise_order *o, uint64_t tsc_hz)
{
    fprintf(f, "variant,label,initiator,target,initiator_pu,target_pu,p50_cyc,p50_ns,"
            "ci_lo_cyc,ci_hi_cyc,n,verdict\n");
    for (size_t k = 0; k < n; k++) {
        const struct pair_cell *c = &cells[k];
        const struct summary_row *r = c->row;

        fprintf(f, "%s,%s,%" PRIu32 ",%" PRIu32 ",", variants[c->variant], r->label,
                c->initiator, c->target);
        put_pu(f, o->pu[c->initiator]);
        fputc(',', f);
        put_pu(f, o->pu[c->target]);
        fputc(',', f);
        if (r->n) {
            fprintf(f, "%" PRIu64 ",", r->p50);
            if (tsc_hz)
                fprintf(f, "%.1f", (double)r->p50 * 1e9 / (double)tsc_hz);
        } else {
            fputc(',', f);
        }
        fputc(',', f);
        if (r->n && r->have_ci)
            fprintf(f, "%" PRIu64 ",%" PRIu64, r->ci_lo, r->ci_hi);
        else
            fputc(',', f);
        fprintf(f, ",%zu,%s\n", r->n, r->verdict);
    }
}

/* pairwise.vars (gnuplot `load`s it) and one pairwise-K.dat per variant:
 * target position, initiator position, p50 (ns, or cycles without the
 * TSC frequency); pairs without samples are left out (drawn blank). */
static bool put_plot_data(const char *dir, const struct pair_cell *cells, size_t n,
                          char (*variants)[64], unsigned nvariants,
                          const struct pairwise_order *o, uint64_t tsc_hz, char *err,
                          size_t errcap)
{
    FILE *f = create(dir, "pairwise.vars", err, errcap);
    uint64_t lo = UINT64_MAX, hi = 0;
    size_t k = 0;

    if (!f)
        return false;
    for (size_t c = 0; c < n; c++)
        if (cells[c].row->n) {
            lo = cells[c].row->p50 < lo ? cells[c].row->p50 : lo;
            hi = cells[c].row->p50 > hi ? cells[c].row->p50 : hi;
        }
    fprintf(f, "pw_nvariants = %u\npw_ncpus = %u\npw_unit = \"%s\"\npw_order = \"%s\"\n",
            nvariants, o->ncpus, tsc_hz ? "ns" : "cycles", pairwise_order_text(o->kind));
    /* Medians spread over more than 30x (a pair sharing a PU under
     * overcommit, say): a logarithmic colour scale keeps the rest apart. */
    fprintf(f, "pw_logcb = %d\n", hi > 0 && lo > 0 && hi / lo >= 30);
    fprintf(f, "pw_titles = \"");
    for (unsigned v = 0; v < nvariants; v++)
        fprintf(f, "%s%s", v ? " " : "", variants[v]);
    fprintf(f, "\"\npw_cells = \"");
    for (unsigned v = 0; v < nvariants; v++) {
        unsigned measured = 0;

        for (size_t c = 0; c < n; c++)
            measured += cells[c].variant == v && cells[c].row->n > 0;
        fprintf(f, "%s%u", v ? " " : "", measured);
    }
    fprintf(f, "\"\npw_ticks = \"");
    for (unsigned p = 0; p < o->ncpus; p++) {
        fprintf(f, "%sv%" PRIu32, p ? " " : "", o->vcpu_at[p]);
        if (o->pu[o->vcpu_at[p]] >= 0)
            fprintf(f, "@PU%d", o->pu[o->vcpu_at[p]]);
    }
    fprintf(f, "\"\n");
    if (!finish(f, "pairwise.vars", err, errcap))
        return false;
    for (unsigned v = 0; v < nvariants; v++) {
        char name[32];

        fmt(name, sizeof(name), "pairwise-%u.dat", v + 1);
        if (!(f = create(dir, name, err, errcap)))
            return false;
        for (; k < n && cells[k].variant == v; k++)
            if (cells[k].row->n)
                fprintf(f, "%" PRIu32 "\t%" PRIu32 "\t%.1f\n", cells[k].tpos, cells[k].ipos,
                        tsc_hz ? (double)cells[k].row->p50 * 1e9 / (double)tsc_hz
                               : (double)cells[k].row->p50);
        if (!finish(f, name, err, errcap))
            return false;
    }
    return true;
}

/* meta.json, or NULL when the run has none that parses (vCPU order). */
static json_t *load_meta(const char *run_dir)
{
    char path[4096];

    fmt(path, sizeof(path), "%s/meta.json", run_dir);
    return json_load_file(path, 0, NULL);
}

bool pairwise_write(const char *run_dir, const char *data_dir, struct pairwise_counts *cnt,
                    char *err, size_t errcap)
{
    static char variants[PAIRWISE_VARIANTS_MAX][64];
    struct summary_row *rows = NULL;
    struct pair_cell *cells = NULL;
    struct pairwise_order *order = NULL;
    size_t nrows, ncells = 0;
    unsigned ncpus = 0;
    uint64_t tsc_hz = 0;
    json_t *meta = NULL;
    bool ok = false;
    FILE *f;

    memset(cnt, 0, sizeof(*cnt));
    if (!summary_rows_read(run_dir, &rows, &nrows, err, errcap))
        return false;
    cells = calloc(nrows ? nrows : 1, sizeof(*cells));
    order = malloc(sizeof(*order));
    if (!cells || !order) {
        fmt(err, errcap, "out of memory in the pairwise table");
        goto out;
    }
    for (size_t i = 0; i < nrows; i++) {
        struct pair_cell *c = &cells[ncells];
        char variant[64];
        unsigned v;

        if (!pairwise_label_split(rows[i].label, variant, sizeof(variant), &c->initiator,
                                  &c->target))
            continue;
        for (v = 0; v < cnt->variants && strcmp(variants[v], variant); v++)
            ;
        if (v == cnt->variants) {
            if (v == PAIRWISE_VARIANTS_MAX) {
                fmt(err, errcap, "more than %d pairwise variants in %s/summary.csv",
                    PAIRWISE_VARIANTS_MAX, run_dir);
                goto out;
            }
            fmt(variants[cnt->variants++], sizeof(variants[0]), "%s", variant);
        }
        c->row = &rows[i];
        c->variant = v;
        if (c->initiator >= ncpus)
            ncpus = c->initiator + 1;
        if (c->target >= ncpus)
            ncpus = c->target + 1;
        ncells++;
    }
    if (!ncells) {
        /* No pairs: no pairwise.csv; the plot says there is nothing to draw. */
        pairwise_order_from_meta(NULL, 0, order);
        ok = !data_dir || put_plot_data(data_dir, cells, 0, variants, 0, order, 0, err,
                                        errcap);
        goto out;
    }
    meta = load_meta(run_dir);
    if (json_integer_value(json_object_get(json_object_get(meta, "vm"), "smp")) > ncpus)
        ncpus = (unsigned)json_integer_value(json_object_get(json_object_get(meta, "vm"),
                                                             "smp"));
    if (json_integer_value(json_object_get(meta, "tsc_hz")) > 0)
        tsc_hz = (uint64_t)json_integer_value(json_object_get(meta, "tsc_hz"));
    pairwise_order_from_meta(meta, ncpus, order);
    for (size_t k = 0; k < ncells; k++) {
        cells[k].ipos = order->pos_of[cells[k].initiator];
        cells[k].tpos = order->pos_of[cells[k].target];
        cnt->measured += cells[k].row->n > 0;
    }
    qsort(cells, ncells, sizeof(*cells), cell_cmp);
    cnt->pairs = (unsigned)ncells;
    cnt->order = order->kind;
    if (!(f = create(run_dir, "pairwise.csv", err, errcap)))
        goto out;
    put_csv(f, cells, ncells, variants, order, tsc_hz);
    if (!finish(f, "pairwise.csv", err, errcap))
        goto out;
    ok = !data_dir || put_plot_data(data_dir, cells, ncells, variants, cnt->variants, order,
                                    tsc_hz, err, errcap);
out:
    json_decref(meta);
    free(rows);
    free(cells);
    free(order);
    return ok;
}

void pairwise_print(FILE *out, const struct pairwise_counts *cnt)
{
    if (cnt->variants)
        fprintf(out, "pairwise: %u (initiator, target) pairs, %u with samples, %u heat "
                "map%s (pairwise.csv); %s\n", cnt->pairs, cnt->measured, cnt->variants,
                cnt->variants == 1 ? "" : "s", pairwise_order_text(cnt->order));
}
