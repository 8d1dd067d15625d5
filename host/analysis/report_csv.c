/*
 * A whole CSV file for the report's tables (see report.h): RFC 4180
 * quoting, so that free-text fields with commas (costmodel.csv's note,
 * conformance.csv's reason) stay one cell.
 */
#include "analysis/report.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CSV_MAX (256u << 20)

/* One record starting at *p: its fields (heap strings) into *fields.
 * Returns the field count, 0 at the end of the text, -1 when memory ran out. */
static int parse_record(const char **p, char ***fields)
{
    const char *s = *p;
    char **f = NULL;
    int n = 0, cap = 0;

    if (!*s)
        return 0;
    for (;;) {
        size_t len = 0, fcap = 16;
        char *v = malloc(fcap);

        if (!v)
            goto oom;
        bool quoted = *s == '"';

        if (quoted)
            s++;
        while (*s) {
            if (quoted && *s == '"') {
                if (s[1] != '"') {
                    s++;
                    quoted = false;
                    continue;
                }
                s++;
            } else if (!quoted && (*s == ',' || *s == '\n' || *s == '\r')) {
                break;
            }
            if (len + 2 > fcap) {
                char *bigger = realloc(v, fcap *= 2);

                if (!bigger) {
                    free(v);
                    goto oom;
                }
                v = bigger;
            }
            v[len++] = *s++;
        }
        v[len] = '\0';
        if (n == cap) {
            char **bigger = realloc(f, (size_t)(cap = cap ? cap * 2 : 16) * sizeof(*f));

            if (!bigger) {
                free(v);
                goto oom;
            }
            f = bigger;
        }
        f[n++] = v;
        if (*s != ',')
            break;
        s++;
    }
    while (*s == '\r' || *s == '\n')
        s++;
    *p = s;
    *fields = f;
    return n;
oom:
    while (n > 0)
        free(f[--n]);
    free(f);
    return -1;
}

static void free_fields(char **f, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        free(f[i]);
    free(f);
}

bool report_csv_read(const char *path, struct report_csv *t)
{
    char *text, **f;
    const char *p;
    size_t len;
    unsigned cap = 0;
    int n;

    memset(t, 0, sizeof(*t));
    if (!read_file(path, &text, &len, CSV_MAX))
        return false;
    p = text;
    n = parse_record(&p, &t->cols);
    if (n <= 0) {
        free(text);
        return n == 0;
    }
    t->ncols = (unsigned)n;
    while ((n = parse_record(&p, &f)) > 0) {
        /* Short rows are padded with empty fields; long ones cut. */
        char **row = calloc(t->ncols, sizeof(*row));

        if (row && t->nrows == cap) {
            char ***bigger = realloc(t->rows, (cap ? cap * 2 : 64) * sizeof(*t->rows));

            if (bigger) {
                t->rows = bigger;
                cap = cap ? cap * 2 : 64;
            }
        }
        if (!row || t->nrows == cap) {
            free(row);
            free_fields(f, (unsigned)n);
            n = -1;
            break;
        }
        for (unsigned c = 0; c < t->ncols; c++)
            row[c] = c < (unsigned)n ? f[c] : strdup("");
        for (unsigned c = t->ncols; c < (unsigned)n; c++)
            free(f[c]);
        free(f);
        t->rows[t->nrows++] = row;
    }
    free(text);
    if (n < 0) {
        report_csv_free(t);
        return false;
    }
    return true;
}

int report_csv_col(const struct report_csv *t, const char *name)
{
    for (unsigned c = 0; c < t->ncols; c++)
        if (!strcmp(t->cols[c], name))
            return (int)c;
    return -1;
}

const char *report_csv_cell(const struct report_csv *t, unsigned row, const char *col)
{
    int c = report_csv_col(t, col);

    return c < 0 || row >= t->nrows || !t->rows[row][c] ? "" : t->rows[row][c];
}

void report_csv_free(struct report_csv *t)
{
    for (unsigned r = 0; r < t->nrows; r++)
        free_fields(t->rows[r], t->ncols);
    free(t->rows);
    free_fields(t->cols, t->ncols);
    memset(t, 0, sizeof(*t));
}
