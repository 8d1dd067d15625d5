/*
 * Throughput and interference data for the plot scripts (see
 * plotdata_load.h).  The CSVs are throughput.c's; columns are found by
 * their header names.
 */
#include "analysis/plotdata_load.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/report.h"
#include "util.h"

#define TP_SERIES_MAX 64

/* "ipi/invlpg/p1/t1/spin/k2/shared" -> "ipi/invlpg/p1/t1/spin/shared". */
static void series_of_tp_label(const char *label, char *out, size_t cap)
{
    const char *k = strstr(label, "/k");

    while (k && !(k[2] >= '0' && k[2] <= '9'))
        k = strstr(k + 2, "/k");
    if (!k) {
        fmt(out, cap, "%s", label);
        return;
    }
    const char *rest = k + 2;

    while (*rest >= '0' && *rest <= '9')
        rest++;
    fmt(out, cap, "%.*s%s", (int)(k - label), label, rest);
}

static int by_initiators(const void *a, const void *b)
{
    const double *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static bool write_throughput(const char *run_dir, const char *data_dir,
                             struct plot_data_load *pl, char *err, size_t errcap)
{
    char path[4096], series[TP_SERIES_MAX][96];
    struct report_csv t;
    double (*pts)[3];
    unsigned *owner;

    fmt(path, sizeof(path), "%s/throughput.csv", run_dir);
    if (!report_csv_read(path, &t))
        return true;                        /* no throughput in this run */
    pts = calloc(t.nrows + 1, sizeof(*pts));
    owner = calloc(t.nrows + 1, sizeof(*owner));
    if (!pts || !owner) {
        free(pts);
        free(owner);
        report_csv_free(&t);
        return fmt(err, errcap, "out of memory"), false;
    }
    for (unsigned r = 0; r < t.nrows; r++) {
        char s[96];
        unsigned k;
        const char *agg = report_csv_cell(&t, r, "aggregate_per_s");

        owner[r] = 0;
        if (!*agg)
            continue;
        series_of_tp_label(report_csv_cell(&t, r, "label"), s, sizeof(s));
        for (k = 0; k < pl->ntp && strcmp(series[k], s); k++)
            ;
        if (k == pl->ntp) {
            if (pl->ntp == TP_SERIES_MAX)
                continue;
            fmt(series[pl->ntp++], sizeof(series[0]), "%s", s);
            size_t used = pl->tp_titles ? strlen(pl->tp_titles) : 0;
            char *bigger = realloc(pl->tp_titles, used + strlen(s) + 2);

            if (!bigger)
                break;
            sprintf(bigger + used, "%s%s", used ? " " : "", s);
            pl->tp_titles = bigger;
        }
        owner[r] = k + 1;
        pts[r][0] = atof(report_csv_cell(&t, r, "initiators"));
        pts[r][1] = atof(agg);
        pts[r][2] = pts[r][0] > 0 ? pts[r][1] / pts[r][0] : 0;
    }
    for (unsigned k = 1; k <= pl->ntp; k++) {
        double (*mine)[3] = calloc(t.nrows + 1, sizeof(*mine));
        unsigned n = 0;
        FILE *out;

        fmt(path, sizeof(path), "%s/tp-%u.dat", data_dir, k);
        if (!mine || !(out = fopen(path, "w"))) {
            free(mine);
            free(pts);
            free(owner);
            report_csv_free(&t);
            return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
        }
        for (unsigned r = 0; r < t.nrows; r++)
            if (owner[r] == k)
                memcpy(mine[n++], pts[r], sizeof(pts[r]));
        qsort(mine, n, sizeof(*mine), by_initiators);
        fprintf(out, "# %s: initiators aggregate_per_s mean_per_initiator_per_s\n",
                series[k - 1]);
        for (unsigned i = 0; i < n; i++)
            fprintf(out, "%.0f %.0f %.1f\n", mine[i][0], mine[i][1], mine[i][2]);
        fclose(out);
        free(mine);
    }
    free(pts);
    free(owner);
    report_csv_free(&t);
    return true;
}

static bool write_interference(const char *run_dir, const char *data_dir,
                               struct plot_data_load *pl, char *err, size_t errcap)
{
    char path[4096];
    struct report_csv t;
    FILE *out;

    fmt(path, sizeof(path), "%s/interference.csv", run_dir);
    if (!report_csv_read(path, &t))
        return true;
    fmt(path, sizeof(path), "%s/interference.dat", data_dir);
    if (!(out = fopen(path, "w"))) {
        report_csv_free(&t);
        return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
    }
    fprintf(out, "# index \"label cpu N\" cycles_lost_per_flush refill_cycles\n");
    for (unsigned r = 0; r < t.nrows; r++) {
        const char *lost = report_csv_cell(&t, r, "cycles_lost_per_flush");
        const char *refill = report_csv_cell(&t, r, "refill_cycles");

        if (!*lost && !*refill)
            continue;
        fprintf(out, "%u \"%s cpu %s\" %s %s\n", pl->ninterf++, report_csv_cell(&t, r, "label"),
                report_csv_cell(&t, r, "cpu"), *lost ? lost : "NaN", *refill ? refill : "NaN");
    }
    fclose(out);
    report_csv_free(&t);
    return true;
}

bool plot_data_load_prepare(const char *run_dir, const char *data_dir,
                            struct plot_data_load *pl, char *err, size_t errcap)
{
    memset(pl, 0, sizeof(*pl));
    if (!write_throughput(run_dir, data_dir, pl, err, errcap) ||
        !write_interference(run_dir, data_dir, pl, err, errcap)) {
        plot_data_load_free(pl);
        return false;
    }
    return true;
}

void plot_data_load_free(struct plot_data_load *pl)
{
    free(pl->tp_titles);
    memset(pl, 0, sizeof(*pl));
}
