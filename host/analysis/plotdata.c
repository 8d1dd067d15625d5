/*
 * Per-series and per-configuration data files for the plot scripts
 * (see plotdata.h).  The CSVs read here are the ones summary.c writes;
 * columns are found by their header names.
 */
#include "analysis/plotdata.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FIELDS_MAX 64

struct row {
    unsigned id;
    char label[64];
    char series[64];
    unsigned targets;
    size_t n;
    double p10, p50, p90, p99;
    int series_idx;             /* 1-based */
    int cdf_idx;                /* 1-based; 0: no samples to draw */
};

/* A series is every configuration that differs only in its target count:
 * the label without its "/t<N>" part ("ipi/invlpg/p1/t4/spin" ->
 * "ipi/invlpg/p1/spin"). */
static void series_of_label(const char *label, char *out, size_t cap)
{
    const char *t = strstr(label, "/t");

    while (t && !(t[2] >= '0' && t[2] <= '9'))
        t = strstr(t + 2, "/t");
    if (!t) {
        fmt(out, cap, "%s", label);
        return;
    }
    const char *rest = t + 2;

    while (*rest >= '0' && *rest <= '9')
        rest++;
    fmt(out, cap, "%.*s%s", (int)(t - label), label, rest);
}

static int column(char **hdr, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(hdr[i], name))
            return i;
    return -1;
}

static bool read_rows(const char *run_dir, struct row **rows, unsigned *nrows,
                      char *err, size_t errcap)
{
    enum { ID, LABEL, TARGETS, N, P10, P50, P90, P99, NCOL };
    static const char *const names[NCOL] = {
        "id", "label", "targets", "n", "p10_ns", "p50_ns", "p90_ns", "p99_ns",
    };
    char path[4096], line[4096], *f[FIELDS_MAX];
    int col[NCOL], nf;
    unsigned cap = 0;
    FILE *in;

    *rows = NULL;
    *nrows = 0;
    fmt(path, sizeof(path), "%s/summary.csv", run_dir);
    in = fopen(path, "r");
    if (!in)
        return fmt(err, errcap, "cannot read %s: %s", path, strerror(errno)), false;
    nf = fgets(line, sizeof(line), in) ? csv_split_line(line, f, FIELDS_MAX) : 0;
    for (int c = 0; c < NCOL; c++)
        if ((col[c] = column(f, nf, names[c])) < 0) {
            fclose(in);
            return fmt(err, errcap, "%s: no '%s' column", path, names[c]), false;
        }
    while (fgets(line, sizeof(line), in)) {
        struct row *r;

        if (csv_split_line(line, f, FIELDS_MAX) < nf)
            continue;
        if (*nrows == cap) {
            struct row *bigger = realloc(*rows, (cap = cap ? cap * 2 : 64) * sizeof(**rows));

            if (!bigger) {
                fclose(in);
                return fmt(err, errcap, "out of memory"), false;
            }
            *rows = bigger;
        }
        r = &(*rows)[(*nrows)++];
        memset(r, 0, sizeof(*r));
        r->id = (unsigned)strtoul(f[col[ID]], NULL, 10);
        fmt(r->label, sizeof(r->label), "%s", f[col[LABEL]]);
        series_of_label(f[col[LABEL]], r->series, sizeof(r->series));
        r->targets = (unsigned)strtoul(f[col[TARGETS]], NULL, 10);
        r->n = strtoul(f[col[N]], NULL, 10);
        /* Rows without samples or without a known TSC rate have no ns values. */
        if (r->n == 0 || !*f[col[P50]])
            r->n = 0;
        r->p10 = atof(f[col[P10]]);
        r->p50 = atof(f[col[P50]]);
        r->p90 = atof(f[col[P90]]);
        r->p99 = atof(f[col[P99]]);
    }
    fclose(in);
    return true;
}

static int by_series_then_targets(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    if (x->series_idx != y->series_idx)
        return x->series_idx - y->series_idx;
    return x->targets < y->targets ? -1 : x->targets > y->targets;
}

/* Writes series-K.dat files; rows must be sorted by series, then targets. */
static bool write_series(const char *data_dir, struct row *rows, unsigned nrows,
                         char *err, size_t errcap)
{
    FILE *out = NULL;
    int current = 0;

    for (unsigned i = 0; i < nrows; i++) {
        struct row *r = &rows[i];

        if (!r->n)
            continue;
        if (r->series_idx != current) {
            char path[4096];

            if (out)
                fclose(out);
            current = r->series_idx;
            fmt(path, sizeof(path), "%s/series-%d.dat", data_dir, current);
            out = fopen(path, "w");
            if (!out)
                return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
            fprintf(out, "# %s: targets p10_ns p50_ns p90_ns p99_ns\n", r->series);
        }
        fprintf(out, "%u %.1f %.1f %.1f %.1f\n", r->targets, r->p10, r->p50, r->p90, r->p99);
    }
    if (out)
        fclose(out);
    return true;
}

/* Splits samples.csv into cdf-K.dat files (ns only), K = rows' cdf_idx. */
static bool write_cdfs(const char *run_dir, const char *data_dir, const struct row *rows,
                       unsigned nrows, double *lo, double *hi, char *err, size_t errcap)
{
    char path[4096], *line = NULL, *f[FIELDS_MAX];
    size_t cap = 0;
    FILE *in, *out = NULL;
    int cid, cns, nf;
    long current = -1;

    fmt(path, sizeof(path), "%s/samples.csv", run_dir);
    in = fopen(path, "r");
    if (!in)
        return fmt(err, errcap, "cannot read %s: %s", path, strerror(errno)), false;
    nf = getline(&line, &cap, in) > 0 ? csv_split_line(line, f, FIELDS_MAX) : 0;
    cid = column(f, nf, "id");
    cns = column(f, nf, "ns");
    if (cid < 0 || cns < 0) {
        fclose(in);
        free(line);
        return fmt(err, errcap, "%s: no id or ns column", path), false;
    }
    while (getline(&line, &cap, in) > 0) {
        long id;
        double ns;

        if (csv_split_line(line, f, FIELDS_MAX) < nf || !*f[cns])
            continue;
        id = strtol(f[cid], NULL, 10);
        if (id != current) {
            int k = 0;

            for (unsigned i = 0; i < nrows; i++)
                if (rows[i].id == (unsigned)id)
                    k = rows[i].cdf_idx;
            if (out)
                fclose(out);
            out = NULL;
            current = id;
            if (!k)
                continue;
            fmt(path, sizeof(path), "%s/cdf-%d.dat", data_dir, k);
            if (!(out = fopen(path, "w"))) {
                fclose(in);
                free(line);
                return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
            }
        }
        if (!out)
            continue;
        ns = atof(f[cns]);
        *lo = fmin(*lo, ns);
        *hi = fmax(*hi, ns);
        fprintf(out, "%s\n", f[cns]);
    }
    if (out)
        fclose(out);
    fclose(in);
    free(line);
    return true;
}

static bool add_word(char **list, const char *word)
{
    size_t used = *list ? strlen(*list) : 0;
    char *bigger = realloc(*list, used + strlen(word) + 2);

    if (!bigger)
        return false;
    sprintf(bigger + used, "%s%s", used ? " " : "", word);
    *list = bigger;
    return true;
}

bool plot_data_prepare(const char *run_dir, const char *data_dir, struct plot_data *pd,
                       char *err, size_t errcap)
{
    struct row *rows;
    unsigned nrows;
    double lo = INFINITY, hi = 0, slo = INFINITY, shi = 0;
    bool ok = true;

    memset(pd, 0, sizeof(*pd));
    if (!read_rows(run_dir, &rows, &nrows, err, errcap))
        return false;
    /* Number the series in order of first appearance, and the drawable
     * configurations in summary order. */
    for (unsigned i = 0; i < nrows && ok; i++) {
        struct row *r = &rows[i];

        if (!r->n)
            continue;
        for (unsigned j = 0; j < i && !r->series_idx; j++)
            if (rows[j].n && !strcmp(rows[j].series, r->series))
                r->series_idx = rows[j].series_idx;
        if (!r->series_idx) {
            r->series_idx = (int)++pd->nseries;
            ok &= add_word(&pd->series_titles, r->series);
        }
        r->cdf_idx = (int)++pd->nconfigs;
        ok &= add_word(&pd->config_titles, r->label);
        lo = fmin(lo, r->p10);
        hi = fmax(hi, r->p99);
        if (r->targets > pd->max_targets)
            pd->max_targets = r->targets;
    }
    if (!ok)
        fmt(err, errcap, "out of memory");
    ok = ok && write_cdfs(run_dir, data_dir, rows, nrows, &slo, &shi, err, errcap);
    if (nrows)              /* rows is NULL for a summary.csv without rows */
        qsort(rows, nrows, sizeof(*rows), by_series_then_targets);
    ok = ok && write_series(data_dir, rows, nrows, err, errcap);
    /* A log axis only where values are positive and span a wide range. */
    pd->logy = lo > 0 && hi / lo > 20;
    pd->logx_cdf = slo > 0 && shi / slo > 10;
    free(rows);
    if (!ok)
        plot_data_free(pd);
    return ok;
}

void plot_data_free(struct plot_data *pd)
{
    free(pd->series_titles);
    free(pd->config_titles);
    memset(pd, 0, sizeof(*pd));
}
