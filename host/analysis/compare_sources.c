/*
 * The loaders of compare's non-timing tables (see compare_sources.h):
 * verification and precision, conformance, accepted hv-* flags and the
 * decision map, each one run's column at a time.  A file a run lacks makes
 * its column absent; nothing here fails a comparison.
 */
#include "analysis/compare_sources.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CSV_FIELDS_MAX 128
#define COLS_MAX 4

int cmp_csv_rows(const char *dir, const char *file, const char *const *cols, unsigned ncols,
                 cmp_csv_row_fn fn, void *ctx)
{
    char path[4096], *line = NULL, *f[CSV_FIELDS_MAX];
    const char *fields[COLS_MAX];
    int idx[COLS_MAX], n;
    size_t cap = 0;
    FILE *in;

    if (ncols > COLS_MAX || !fmt(path, sizeof(path), "%s/%s", dir, file))
        return 0;
    if (!(in = fopen(path, "r"))) {
        if (errno != ENOENT)
            hv_err("%s: %s (taken as absent)", path, strerror(errno));
        return 0;
    }
    if (getline(&line, &cap, in) < 0) {
        free(line);
        fclose(in);
        return 0;
    }
    n = csv_split_line(line, f, CSV_FIELDS_MAX);
    for (unsigned c = 0; c < ncols; c++) {
        idx[c] = -1;
        for (int i = 0; cols[c][0] != '=' && i < n; i++)
            if (!strcmp(f[i], cols[c]))
                idx[c] = i;
        if (cols[c][0] != '=' && idx[c] < 0) {
            free(line);
            fclose(in);
            return 0;
        }
    }
    while (getline(&line, &cap, in) >= 0) {
        bool complete = true;

        n = csv_split_line(line, f, CSV_FIELDS_MAX);
        for (unsigned c = 0; c < ncols; c++) {
            if (cols[c][0] == '=')
                fields[c] = cols[c] + 1;
            else if (idx[c] < n)
                fields[c] = f[idx[c]];
            else
                complete = false;
        }
        if (complete && (n > 1 || f[0][0]))
            fn(ctx, fields);
    }
    free(line);
    fclose(in);
    return 1;
}

/* Fills one run's column: fields[0..nkeys) are the keys, fields[nkeys] the
 * value; values in skip (NULL-terminated) are left out. */
struct fill {
    struct cmp_table *t;
    unsigned run;
    bool overwrite;
    const char *const *skip;
};

static void fill_row(void *ctx, const char *const *fields)
{
    struct fill *x = ctx;

    for (unsigned i = 0; x->skip && x->skip[i]; i++)
        if (!strcmp(fields[x->t->nkeys], x->skip[i]))
            return;
    cmp_table_set(x->t, fields, x->run, fields[x->t->nkeys], x->overwrite);
}

/* summary.csv's id -> label, for precision records (which name the id). */
struct labels {
    char **id, **label;
    unsigned n, cap;
};

static void add_label(void *ctx, const char *const *fields)
{
    struct labels *l = ctx;

    if (l->n == l->cap) {
        unsigned cap = l->cap ? 2 * l->cap : 64;
        char **id = realloc(l->id, cap * sizeof(*id));
        char **label;

        if (!id)
            return;
        l->id = id;
        if (!(label = realloc(l->label, cap * sizeof(*label))))
            return;
        l->label = label;
        l->cap = cap;
    }
    l->id[l->n] = strdup(fields[0]);
    l->label[l->n] = strdup(fields[1]);
    if (l->id[l->n] && l->label[l->n]) {
        l->n++;
    } else {
        free(l->id[l->n]);
        free(l->label[l->n]);
    }
}

static const char *label_of(const struct labels *l, const char *id)
{
    for (unsigned i = 0; i < l->n; i++)
        if (!strcmp(l->id[i], id))
            return l->label[i];
    return NULL;
}

static void labels_free(struct labels *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        free(l->id[i]);
        free(l->label[i]);
    }
    free(l->id);
    free(l->label);
}

static json_t *load_meta(const char *dir)
{
    char path[4096];

    if (!fmt(path, sizeof(path), "%s/meta.json", dir))
        return NULL;
    return json_load_file(path, 0, NULL);
}

/* The precision records of meta.json, keyed by the configuration's label
 * ("id N" where summary.csv does not name it) and the check.  Returns
 * false when meta.json or its guest.precision is absent. */
static bool load_precision(struct cmp_table *t, unsigned run, const char *dir,
                           const struct labels *labels)
{
    json_t *meta = load_meta(dir), *list, *p;
    size_t i;

    list = json_object_get(json_object_get(meta, "guest"), "precision");
    if (!json_is_array(list)) {
        json_decref(meta);
        return false;
    }
    json_array_foreach(list, i, p) {
        char id[32], fallback[48];
        const char *label, *check = json_string_value(json_object_get(p, "check"));
        const char *result = json_string_value(json_object_get(p, "result"));

        if (!check || !result)
            continue;
        fmt(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(p, "id")));
        label = label_of(labels, id);
        if (!label) {
            fmt(fallback, sizeof(fallback), "id %s", id);
            label = fallback;
        }
        cmp_table_set(t, (const char *const[]){ label, check }, run, result, true);
    }
    json_decref(meta);
    return true;
}

void cmp_load_verify(struct cmp_table *t, unsigned run, const char *dir)
{
    static const char *const verify_cols[] = { "label", "=verify", "verdict" };
    static const char *const label_cols[] = { "id", "label" };
    static const char *const no_verdict[] = { "-", NULL };
    struct fill x = { t, run, false, no_verdict };
    struct labels labels = { 0 };
    int found = 0;

    found += cmp_csv_rows(dir, "verify.csv", verify_cols, 3, fill_row, &x);
    /* summary.csv adds the configurations verify.csv has no row for
     * (unsupported ones); verify.csv's verdicts stand. */
    found += cmp_csv_rows(dir, "summary.csv", verify_cols, 3, fill_row, &x);
    cmp_csv_rows(dir, "summary.csv", label_cols, 2, add_label, &labels);
    found += load_precision(t, run, dir, &labels);
    labels_free(&labels);
    if (!found)
        cmp_table_mark_absent(t, run);
}

void cmp_load_conformance(struct cmp_table *t, unsigned run, const char *dir)
{
    static const char *const cols[] = { "case", "outcome" };
    struct fill x = { t, run, true, NULL };

    if (!cmp_csv_rows(dir, "conformance.csv", cols, 2, fill_row, &x))
        cmp_table_mark_absent(t, run);
}

void cmp_load_decision(struct cmp_table *t, unsigned run, const char *dir)
{
    static const char *const cols[] = { "targets", "pages", "state", "best" };
    struct fill x = { t, run, true, NULL };

    if (!cmp_csv_rows(dir, "decision.csv", cols, 4, fill_row, &x))
        cmp_table_mark_absent(t, run);
}

static void set_flags(struct cmp_table *t, unsigned run, const json_t *list, const char *field,
                      const char *value)
{
    const json_t *v;
    size_t i;

    json_array_foreach(list, i, v) {
        const char *flag = json_string_value(field ? json_object_get(v, field) : v);

        if (flag)
            cmp_table_set(t, &flag, run, value, true);
    }
}

void cmp_load_flags(struct cmp_table *t, unsigned run, const char *dir)
{
    json_t *meta = load_meta(dir);
    const json_t *hv = json_object_get(meta, "hyperv_flags");

    if (!json_is_object(hv)) {
        cmp_table_mark_absent(t, run);
        json_decref(meta);
        return;
    }
    /* Requested first, so that a flag neither accepted nor refused (none
     * probed) reads not-probed; then what the probe decided. */
    set_flags(t, run, json_object_get(hv, "requested"), NULL, "not-probed");
    set_flags(t, run, json_object_get(hv, "accepted"), NULL, "accepted");
    set_flags(t, run, json_object_get(hv, "refused"), "flag", "refused");
    json_decref(meta);
}
