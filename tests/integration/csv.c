/*
 * CSV files of a run, read (and, for fault injection, rewritten) by their
 * header names, so added columns do not break a test (see harness.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Splits one line into fields (quoted fields may hold commas and ""). */
static char **csv_split(const char *line, unsigned *n)
{
    char **f = NULL, *cur = malloc(strlen(line) + 1);
    size_t len = 0;
    bool quoted = false;

    *n = 0;
    for (const char *p = line;; p++) {
        if (quoted && *p == '"' && p[1] == '"') {
            cur[len++] = '"';
            p++;
        } else if (*p == '"') {
            quoted = !quoted;
        } else if ((*p == ',' && !quoted) || *p == '\0' || (*p == '\n' && !quoted)) {
            f = realloc(f, (*n + 1) * sizeof(*f));
            cur[len] = '\0';
            f[(*n)++] = strdup(cur);
            len = 0;
            if (*p != ',')
                break;
        } else {
            cur[len++] = *p;
        }
    }
    free(cur);
    return f;
}

bool csv_read(const struct run_result *r, const char *name, struct csv_table *t)
{
    char path[700], *line = NULL;
    size_t cap = 0;
    bool ok = true;
    FILE *f;

    memset(t, 0, sizeof(*t));
    snprintf(path, sizeof(path), "%s/%s", r->run_dir, name);
    f = fopen(path, "r");
    if (!f)
        return false;
    if (getline(&line, &cap, f) <= 0) {
        ok = false;
    } else {
        t->cols = csv_split(line, &t->ncols);
        while (getline(&line, &cap, f) > 0) {
            unsigned n;
            char **row = csv_split(line, &n);

            t->rows = realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
            t->rows[t->nrows++] = row;
            if (n != t->ncols) {
                fprintf(stderr, "%s row %u: %u fields, header has %u\n", name, t->nrows, n,
                        t->ncols);
                ok = false;
            }
            /* Every row keeps ncols fields, so csv_get and csv_free stay in bounds. */
            for (; n > t->ncols; n--)
                free(row[n - 1]);
            row = realloc(row, (t->ncols ? t->ncols : 1) * sizeof(*row));
            for (; n < t->ncols; n++)
                row[n] = strdup("");
            t->rows[t->nrows - 1] = row;
        }
    }
    free(line);
    fclose(f);
    return ok;
}

const char *csv_get(const struct csv_table *t, unsigned row, const char *col)
{
    for (unsigned c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c], col))
            return row < t->nrows ? t->rows[row][c] : NULL;
    return NULL;
}

void csv_free(struct csv_table *t)
{
    for (unsigned r = 0; r < t->nrows; r++) {
        for (unsigned c = 0; c < t->ncols; c++)
            free(t->rows[r][c]);
        free(t->rows[r]);
    }
    for (unsigned c = 0; c < t->ncols; c++)
        free(t->cols[c]);
    free(t->rows);
    free(t->cols);
    memset(t, 0, sizeof(*t));
}

/* A field, "" where the column is missing. */
const char *csv_cell(const struct csv_table *t, unsigned row, const char *col)
{
    const char *v = csv_get(t, row, col);

    return v ? v : "";
}

int csv_row_of(const struct csv_table *t, const char *label)
{
    for (unsigned i = 0; i < t->nrows; i++)
        if (!strcmp(csv_cell(t, i, "label"), label))
            return (int)i;
    return -1;
}

double csv_num(const struct csv_table *t, unsigned row, const char *col)
{
    const char *v = csv_cell(t, row, col);
    char *end;
    double d;

    if (!v || !*v)
        return -1;
    d = strtod(v, &end);
    return *end ? -1 : d;
}

bool csv_write(const char *path, const struct csv_table *t)
{
    FILE *f = fopen(path, "w");

    if (!f)
        return false;
    for (unsigned r = 0; r <= t->nrows; r++)
        for (unsigned c = 0; c < t->ncols; c++) {
            const char *v = r ? t->rows[r - 1][c] : t->cols[c];

            fprintf(f, strchr(v, ',') ? "\"%s\"%s" : "%s%s", v, c + 1 < t->ncols ? "," : "\n");
        }
    return fclose(f) == 0;
}

void csv_set(struct csv_table *t, unsigned row, const char *col, const char *v)
{
    for (unsigned c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c], col)) {
            free(t->rows[row][c]);
            t->rows[row][c] = strdup(v);
        }
}

