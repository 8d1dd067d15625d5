/*
 * "hvflush compare"'s ratio plot: compare-plot.dat (the configurations
 * with a ratio, then one block per compared run) and <root>/plot/compare/ratios.gp
 * run by gnuplot as `hvflush plot` runs its scripts (variables by -e, its
 * messages to a log file), writing compare.svg and compare.png.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/compare_internal.h"
#include "analysis/plot.h"
#include "paths.h"
#include "util.h"

#define PLOT_VARS 11

static bool plotted(const struct cmp_row *row, const struct compare_opts *o)
{
    for (unsigned r = 0; r < o->nruns; r++)
        if (r != o->baseline && row->cell[r].has_ratio)
            return true;
    return false;
}

/* Writes the data file; returns the number of configurations on the x axis
 * and the ratios' spread (largest / smallest) in *spread. */
static int write_data(const char *path, const struct cmp_table *t, double *spread)
{
    const struct compare_opts *o = t->o;
    double min = INFINITY, max = 0;
    FILE *f = fopen(path, "w");
    int x = 0;

    if (!f)
        return -1;
    for (unsigned i = 0; i < t->nrows; i++)
        if (plotted(&t->rows[i], o)) {
            /* Labels hold no double quote: sweep labels are [a-z0-9/#-]. */
            fprintf(f, "%d \"%s\"\n", x++, t->rows[i].label);
        }
    for (unsigned r = 0; r < o->nruns; r++) {
        if (r == o->baseline)
            continue;
        fputs("\n\n", f);
        x = 0;
        for (unsigned i = 0; i < t->nrows; i++) {
            const struct cmp_cell *c = &t->rows[i].cell[r];

            if (!plotted(&t->rows[i], o))
                continue;
            if (c->has_ratio) {
                double lo = c->has_ci ? c->lo : c->ratio, hi = c->has_ci ? c->hi : c->ratio;

                fprintf(f, "%d %.6g %.6g %.6g\n", x, c->ratio, lo, hi);
                if (lo > 0 && lo < min)
                    min = lo;
                if (hi > max)
                    max = hi;
            }
            x++;
        }
        if (x == 0 || !t->nrows)
            fputs("0 NaN NaN NaN\n", f);
    }
    *spread = min < INFINITY && min > 0 ? max / min : 1;
    if (ferror(f) | (fclose(f) != 0))
        return -1;
    return x;
}

/* A gnuplot string assignment name='value' (' doubled); NULL on no memory. */
static char *gp_string(const char *name, const char *value)
{
    size_t n = strlen(name) + 4 + 2 * strlen(value);
    char *out = malloc(n), *p;

    if (!out)
        return NULL;
    p = out + sprintf(out, "%s='", name);
    for (; *value; value++) {
        if (*value == '\'')
            *p++ = '\'';
        *p++ = *value;
    }
    strcpy(p, "'");
    return out;
}

bool compare_plot(const char *out_dir, const struct cmp_table *t)
{
    char gnuplot[PATH_MAX], root[PATH_MAX], script[PATH_MAX + 32], data[PATH_MAX + 32];
    char base[PATH_MAX + 32], log_path[PATH_MAX + 32], classes[256], series[4096] = "";
    char *vars[PLOT_VARS] = { NULL };
    double spread = 1;
    int nconfigs, nvars = 0;
    bool ok;

    if (!find_executable("gnuplot", gnuplot, sizeof(gnuplot))) {
        hv_err("compare: gnuplot not found (Debian package: gnuplot-nox)");
        return false;
    }
    if (!paths_root(root, sizeof(root))) {
        hv_err("compare: cannot determine the hvflush root directory; set HVFLUSH_ROOT");
        return false;
    }
    fmt(script, sizeof(script), "%s/plot/compare/ratios.gp", root);
    fmt(data, sizeof(data), "%s/compare-plot.dat", out_dir);
    fmt(base, sizeof(base), "%s/compare", out_dir);
    fmt(log_path, sizeof(log_path), "%s/compare-gnuplot.log", out_dir);
    nconfigs = write_data(data, t, &spread);
    if (nconfigs < 0) {
        hv_err("compare: cannot write %s: %s", paths_display(data), strerror(errno));
        return false;
    }
    compare_classes(t, classes, sizeof(classes));
    for (unsigned r = 0; r < t->o->nruns; r++)
        if (r != t->o->baseline)
            append(series, sizeof(series), "%s%s", series[0] ? " " : "", t->runs[r].name);
    vars[nvars++] = gp_string("datafile", data);
    vars[nvars++] = gp_string("outbase", base);
    vars[nvars++] = gp_string("tclabel", classes);
    vars[nvars++] = gp_string("metric", compare_metric_name(t->o->metric));
    vars[nvars++] = gp_string("baseline", t->runs[t->o->baseline].name);
    vars[nvars++] = gp_string("series", series);
    if (asprintf(&vars[nvars++], "nseries=%u", t->o->nruns - 1) < 0)
        vars[nvars - 1] = NULL;
    if (asprintf(&vars[nvars++], "nconfigs=%d", nconfigs > 0 ? nconfigs : 1) < 0)
        vars[nvars - 1] = NULL;
    if (asprintf(&vars[nvars++], "threshold=%.6g", t->o->threshold_pct / 100) < 0)
        vars[nvars - 1] = NULL;
    if (asprintf(&vars[nvars++], "logy=%d", spread > 8 ? 1 : 0) < 0)
        vars[nvars - 1] = NULL;
    ok = true;
    for (int i = 0; i < nvars; i++)
        ok &= vars[i] != NULL;
    if (ok && !plot_run_gnuplot(gnuplot, vars, nvars, script, log_path)) {
        hv_err("compare: gnuplot failed on %s (see %s)", paths_display(script),
               paths_display(log_path));
        ok = false;
    }
    for (int i = 0; i < nvars; i++)
        free(vars[i]);
    return ok;
}
