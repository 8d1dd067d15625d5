/*
 * Least-squares cost model per strategy (see costmodel.h).
 */
#include "analysis/costmodel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "util.h"

/* The usable rows of one strategy key: their indexes into rows[]. */
static size_t members(const struct summary_row *rows, size_t n, const char *key, size_t *idx)
{
    char k[96];
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        if (!summary_row_usable(&rows[i]))
            continue;
        summary_row_key(&rows[i], true, k, sizeof(k));
        if (!strcmp(k, key))
            idx[m++] = i;
    }
    return m;
}

static bool varies(const struct summary_row *rows, const size_t *idx, size_t m, bool targets)
{
    for (size_t i = 1; i < m; i++)
        if ((targets ? rows[idx[i]].targets : rows[idx[i]].pages) !=
            (targets ? rows[idx[0]].targets : rows[idx[0]].pages))
            return true;
    return false;
}

/* One strategy's fit over rows idx[0..m). */
static void fit_one(const struct summary_row *rows, const size_t *idx, size_t m,
                    struct cost_fit *out)
{
    size_t p = 1, col;
    gsl_matrix *X, *cov;
    gsl_vector *y, *beta;
    gsl_multifit_linear_workspace *w;
    double chisq, mean = 0, sstot = 0;

    out->points = m;
    out->has_b = varies(rows, idx, m, true);
    out->has_c = varies(rows, idx, m, false);
    p += out->has_b + out->has_c;
    fmt(out->note, sizeof(out->note), "%s%s", out->has_b ? "" : "targets constant, dropped; ",
        out->has_c ? "" : "pages constant, dropped; ");
    if (m < p) {
        fmt(out->note + strlen(out->note), sizeof(out->note) - strlen(out->note),
            "too few points for %zu parameters", p);
        return;
    }
    X = gsl_matrix_alloc(m, p);
    y = gsl_vector_alloc(m);
    beta = gsl_vector_alloc(p);
    cov = gsl_matrix_alloc(p, p);
    w = gsl_multifit_linear_alloc(m, p);
    if (!X || !y || !beta || !cov || !w)
        goto out;
    for (size_t i = 0; i < m; i++) {
        const struct summary_row *r = &rows[idx[i]];

        col = 0;
        gsl_matrix_set(X, i, col++, 1.0);
        if (out->has_b)
            gsl_matrix_set(X, i, col++, (double)r->targets);
        if (out->has_c)
            gsl_matrix_set(X, i, col++, (double)r->pages);
        gsl_vector_set(y, i, (double)r->p50);
        mean += (double)r->p50 / (double)m;
    }
    if (gsl_multifit_linear(X, y, beta, cov, &chisq, w) != GSL_SUCCESS) {
        fmt(out->note + strlen(out->note), sizeof(out->note) - strlen(out->note),
            "fit failed");
        goto out;
    }
    for (size_t i = 0; i < m; i++)
        sstot += (gsl_vector_get(y, i) - mean) * (gsl_vector_get(y, i) - mean);
    col = 0;
    out->a = gsl_vector_get(beta, col++);
    out->b = out->has_b ? gsl_vector_get(beta, col++) : 0;
    out->c = out->has_c ? gsl_vector_get(beta, col++) : 0;
    out->rms = sqrt(chisq / (double)m);
    /* With constant p50s R^2 is undefined (0/0). */
    out->r2 = sstot > 0 ? 1.0 - chisq / sstot : NAN;
    if (p == 1 && sstot > 0)
        out->r2 = 0;                       /* the mean alone explains nothing, by definition */
    out->fitted = true;
    if (m == p)
        fmt(out->note + strlen(out->note), sizeof(out->note) - strlen(out->note),
            "exact: as many points as parameters");
out:
    gsl_multifit_linear_free(w);
    gsl_matrix_free(cov);
    gsl_vector_free(beta);
    gsl_vector_free(y);
    gsl_matrix_free(X);
    /* Drop a trailing "; ". */
    size_t len = strlen(out->note);

    if (len >= 2 && !strcmp(out->note + len - 2, "; "))
        out->note[len - 2] = '\0';
}

int costmodel_fit(const struct summary_row *rows, size_t n, struct cost_fit **fits)
{
    size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
    int count = 0;

    *fits = calloc(n ? n : 1, sizeof(**fits));
    if (!idx || !*fits) {
        free(idx);
        free(*fits);
        *fits = NULL;
        return -1;
    }
    gsl_set_error_handler_off();
    for (size_t i = 0; i < n; i++) {
        char key[96];
        bool seen = false;

        if (!summary_row_usable(&rows[i]))
            continue;
        summary_row_key(&rows[i], true, key, sizeof(key));
        for (int k = 0; k < count && !seen; k++)
            seen = !strcmp((*fits)[k].strategy, key);
        if (seen)
            continue;
        fmt((*fits)[count].strategy, sizeof((*fits)[count].strategy), "%s", key);
        fit_one(rows, idx, members(rows, n, key, idx), &(*fits)[count]);
        count++;
    }
    free(idx);
    return count;
}

void costmodel_put_csv(FILE *f, const struct cost_fit *fits, int n)
{
    fprintf(f, "%s\n", COSTMODEL_HEADER);
    for (int i = 0; i < n; i++) {
        const struct cost_fit *c = &fits[i];

        fprintf(f, "%s,%zu,", c->strategy, c->points);
        if (!c->fitted) {
            fprintf(f, "-,-,-,-,-,");
        } else {
            fprintf(f, "%.2f,", c->a);
            c->has_b ? fprintf(f, "%.2f,", c->b) : fprintf(f, "-,");
            c->has_c ? fprintf(f, "%.2f,", c->c) : fprintf(f, "-,");
            isnan(c->r2) ? fprintf(f, "-,") : fprintf(f, "%.6f,", c->r2);
            fprintf(f, "%.2f,", c->rms);
        }
        csv_put_text(f, c->note[0] ? c->note : "-");
        fputc('\n', f);
    }
}
