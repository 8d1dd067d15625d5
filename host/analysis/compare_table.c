/*
 * The side-by-side tables of compare's non-timing parts (see
 * compare_table.h): filling, comparing, the HTML and CSV forms and the
 * runs' names (the text form is compare_table_text.c).
 */
#include "analysis/compare_table.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void cmp_table_init(struct cmp_table *t, const char *id, const char *title, const char *what,
                    unsigned nruns, unsigned ref, unsigned nkeys, const char *const *key_names)
{
    memset(t, 0, sizeof(*t));
    t->id = id;
    t->title = title;
    t->what = what;
    t->nruns = nruns;
    t->ref = ref;
    t->ref_word = "baseline";
    t->nkeys = nkeys > CMP_KEYS_MAX ? CMP_KEYS_MAX : nkeys;
    for (unsigned k = 0; k < t->nkeys; k++)
        t->key_names[k] = key_names[k];
    t->absent = calloc(nruns ? nruns : 1, sizeof(*t->absent));
    t->oom = !t->absent;
}

void cmp_table_free(struct cmp_table *t)
{
    for (unsigned i = 0; i < t->nrows; i++) {
        for (unsigned k = 0; k < t->nkeys; k++)
            free(t->rows[i].key[k]);
        for (unsigned r = 0; r < t->nruns; r++)
            free(t->rows[i].val[r]);
        free(t->rows[i].val);
    }
    free(t->rows);
    free(t->absent);
    memset(t, 0, sizeof(*t));
}

static struct cmp_row *find_row(struct cmp_table *t, const char *const *keys)
{
    for (unsigned i = 0; i < t->nrows; i++) {
        unsigned k = 0;

        while (k < t->nkeys && !strcmp(t->rows[i].key[k], keys[k]))
            k++;
        if (k == t->nkeys)
            return &t->rows[i];
    }
    return NULL;
}

static struct cmp_row *add_row(struct cmp_table *t, const char *const *keys)
{
    struct cmp_row *row;

    if (t->nrows == t->cap) {
        unsigned cap = t->cap ? 2 * t->cap : 32;
        struct cmp_row *rows = realloc(t->rows, cap * sizeof(*rows));

        if (!rows)
            return NULL;
        t->rows = rows;
        t->cap = cap;
    }
    row = &t->rows[t->nrows];
    memset(row, 0, sizeof(*row));
    row->val = calloc(t->nruns, sizeof(*row->val));
    if (!row->val)
        return NULL;
    for (unsigned k = 0; k < t->nkeys; k++)
        if (!(row->key[k] = strdup(keys[k]))) {
            while (k--)
                free(row->key[k]);
            free(row->val);
            return NULL;
        }
    t->nrows++;
    return row;
}

void cmp_table_set(struct cmp_table *t, const char *const *keys, unsigned run,
                   const char *value, bool overwrite)
{
    struct cmp_row *row = find_row(t, keys);
    char *copy;

    if (run >= t->nruns || t->oom)
        return;
    if (!row && !(row = add_row(t, keys))) {
        t->oom = true;
        return;
    }
    if (row->val[run] && !overwrite)
        return;
    if (!(copy = strdup(value))) {
        t->oom = true;
        return;
    }
    free(row->val[run]);
    row->val[run] = copy;
}

void cmp_table_mark_absent(struct cmp_table *t, unsigned run)
{
    if (run < t->nruns && t->absent)
        t->absent[run] = true;
}

const char *cmp_cell(const struct cmp_table *t, const struct cmp_row *r, unsigned run)
{
    if (t->absent[run])
        return CMP_ABSENT;
    return r->val[run] ? r->val[run] : CMP_NOT_IN_RUN;
}

static bool has_value(const struct cmp_table *t, const struct cmp_row *r, unsigned run)
{
    return !t->absent[run] && r->val[run];
}

bool cmp_cell_differs(const struct cmp_table *t, const struct cmp_row *r, unsigned run)
{
    return run != t->ref && has_value(t, r, run) && has_value(t, r, t->ref) &&
           strcmp(r->val[run], r->val[t->ref]) != 0;
}

bool cmp_row_partial(const struct cmp_table *t, const struct cmp_row *r)
{
    for (unsigned run = 0; run < t->nruns; run++)
        if (!t->absent[run] && !r->val[run])
            return true;
    return false;
}

unsigned cmp_table_compare(struct cmp_table *t)
{
    unsigned total = 0;

    for (unsigned i = 0; i < t->nrows; i++) {
        struct cmp_row *r = &t->rows[i];

        r->differs = 0;
        for (unsigned run = 0; run < t->nruns; run++)
            r->differs += cmp_cell_differs(t, r, run);
        total += r->differs;
    }
    return total;
}

bool cmp_table_write_csv(const struct cmp_table *t, const char *path,
                         const char *const *names)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (!f) {
        hv_err("compare: %s: %s", path, strerror(errno));
        return false;
    }
    for (unsigned k = 0; k < t->nkeys; k++)
        fprintf(f, "%s,", t->key_names[k]);
    for (unsigned run = 0; run < t->nruns; run++) {
        csv_put_text(f, names[run]);
        fputc(',', f);
    }
    fputs("differs\n", f);
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *r = &t->rows[i];
        char differs[1024] = "";

        for (unsigned k = 0; k < t->nkeys; k++) {
            csv_put_text(f, r->key[k]);
            fputc(',', f);
        }
        for (unsigned run = 0; run < t->nruns; run++) {
            csv_put_text(f, cmp_cell(t, r, run));
            fputc(',', f);
            if (cmp_cell_differs(t, r, run))
                append(differs, sizeof(differs), "%s%s", differs[0] ? " " : "", names[run]);
        }
        csv_put_text(f, differs[0] ? differs : "-");
        fputc('\n', f);
    }
    ok = !ferror(f);
    if (fclose(f) != 0 || !ok) {
        hv_err("compare: %s: write failed", path);
        return false;
    }
    return true;
}

void cmp_html_text(FILE *f, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
}

static void html_cell(FILE *f, const struct cmp_table *t, const struct cmp_row *r, unsigned run)
{
    const char *v = cmp_cell(t, r, run);

    if (cmp_cell_differs(t, r, run))
        fputs("<td class=\"differs\">" CMP_DIFF_MARK " ", f);
    else if (!has_value(t, r, run))
        fputs("<td class=\"absent\">", f);
    else
        fputs("<td>", f);
    cmp_html_text(f, v);
    fputs("</td>", f);
}

void cmp_table_html(const struct cmp_table *t, FILE *f, const char *const *names)
{
    unsigned differing = 0;

    if (!f)
        return;
    for (unsigned i = 0; i < t->nrows; i++)
        differing += t->rows[i].differs != 0;
    fprintf(f, "<section id=\"compare-%s\" class=\"compare-part\">\n<h2>", t->id);
    cmp_html_text(f, t->title);
    fputs("</h2>\n<p>", f);
    cmp_html_text(f, t->what);
    fprintf(f, " %u of %u rows differ%s%s (marked " CMP_DIFF_MARK ").</p>\n", differing,
            t->nrows, t->ref_word ? " from the " : "", t->ref_word ? t->ref_word : "");
    fputs("<table>\n<thead><tr>", f);
    for (unsigned k = 0; k < t->nkeys; k++) {
        fputs("<th>", f);
        cmp_html_text(f, t->key_names[k]);
        fputs("</th>", f);
    }
    for (unsigned run = 0; run < t->nruns; run++) {
        fputs("<th>", f);
        cmp_html_text(f, names[run]);
        if (run == t->ref && t->ref_word)
            fprintf(f, " (%s)", t->ref_word);
        fputs("</th>", f);
    }
    fputs("</tr></thead>\n<tbody>\n", f);
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *r = &t->rows[i];

        fputs(r->differs ? "<tr class=\"differs\">" : "<tr>", f);
        for (unsigned k = 0; k < t->nkeys; k++) {
            fputs("<td>", f);
            cmp_html_text(f, r->key[k]);
            fputs("</td>", f);
        }
        for (unsigned run = 0; run < t->nruns; run++)
            html_cell(f, t, r, run);
        fputs("</tr>\n", f);
    }
    fputs("</tbody>\n</table>\n</section>\n", f);
}

char **cmp_run_names(const char *const *runs, unsigned nruns)
{
    char **names = calloc(nruns ? nruns : 1, sizeof(*names));

    if (!names)
        return NULL;
    for (unsigned i = 0; i < nruns; i++) {
        char real[PATH_MAX], name[PATH_MAX + 16];
        const char *base;
        size_t n;
        unsigned same = 1;

        if (!realpath(runs[i], real))
            fmt(real, sizeof(real), "%s", runs[i]);
        n = strlen(real);
        while (n > 1 && real[n - 1] == '/')
            real[--n] = '\0';
        base = strrchr(real, '/');
        base = base && base[1] ? base + 1 : real;
        for (unsigned j = 0; j < i; j++) {
            const char *hash = strrchr(names[j], '#');
            size_t len = hash ? (size_t)(hash - names[j]) : strlen(names[j]);

            same += strlen(base) == len && !strncmp(names[j], base, len);
        }
        if (same > 1)
            fmt(name, sizeof(name), "%s#%u", base, same);
        else
            fmt(name, sizeof(name), "%s", base);
        if (!(names[i] = strdup(name))) {
            cmp_run_names_free(names, i);
            return NULL;
        }
    }
    return names;
}

void cmp_run_names_free(char **names, unsigned nruns)
{
    if (!names)
        return;
    for (unsigned i = 0; i < nruns; i++)
        free(names[i]);
    free(names);
}
