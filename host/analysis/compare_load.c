/*
 * Reading a run directory for "hvflush compare": meta.json (status and
 * timing class), summary.csv (one entry per configuration), samples.csv
 * (each configuration's samples in ns, matched by id and label) and
 * throughput.csv.  Columns are found by their header names, so columns
 * added at the end of a file later change nothing here.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "analysis/compare_internal.h"
#include "util.h"

#define CSV_FIELDS_MAX 96

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void meta_string(json_t *o, const char *key, char *out, size_t cap)
{
    const char *s = json_string_value(json_object_get(o, key));

    fmt(out, cap, "%s", s ? s : "unknown");
}

static bool read_meta(const char *dir, struct cmp_run *run, char *err, size_t errcap)
{
    char path[4096];
    json_error_t jerr;
    json_t *meta, *accel;

    fmt(path, sizeof(path), "%s/meta.json", dir);
    meta = json_load_file(path, 0, &jerr);
    if (!meta || !json_is_object(meta)) {
        fmt(err, errcap, "no readable meta.json (%s)", meta ? "not an object" : jerr.text);
        json_decref(meta);
        return false;
    }
    accel = json_object_get(meta, "accelerator");
    meta_string(accel, "timing_class", run->timing_class, sizeof(run->timing_class));
    meta_string(accel, "label", run->tc_label, sizeof(run->tc_label));
    meta_string(meta, "status", run->status, sizeof(run->status));
    json_decref(meta);
    return true;
}

/* A CSV file read line by line, its header's columns looked up by name. */
struct csv_in {
    FILE *f;
    char *line;
    size_t cap;
    char *hdr[CSV_FIELDS_MAX];
    char *hdr_line;
    int nhdr;
    char *field[CSV_FIELDS_MAX];
    int nfield;
};

static bool csv_open(struct csv_in *c, const char *dir, const char *name)
{
    char path[4096];

    memset(c, 0, sizeof(*c));
    fmt(path, sizeof(path), "%s/%s", dir, name);
    c->f = fopen(path, "r");
    if (!c->f)
        return false;
    if (getline(&c->line, &c->cap, c->f) < 0) {
        fclose(c->f);
        free(c->line);
        c->f = NULL;
        return false;
    }
    c->hdr_line = c->line;
    c->line = NULL;
    c->cap = 0;
    c->nhdr = csv_split_line(c->hdr_line, c->hdr, CSV_FIELDS_MAX);
    return true;
}

static int csv_col(const struct csv_in *c, const char *name)
{
    for (int i = 0; i < c->nhdr; i++)
        if (!strcmp(c->hdr[i], name))
            return i;
    return -1;
}

static bool csv_next(struct csv_in *c)
{
    while (getline(&c->line, &c->cap, c->f) >= 0) {
        c->nfield = csv_split_line(c->line, c->field, CSV_FIELDS_MAX);
        if (c->nfield >= 2)
            return true;
    }
    return false;
}

static const char *csv_at(const struct csv_in *c, int col)
{
    return col >= 0 && col < c->nfield ? c->field[col] : "";
}

static void csv_close(struct csv_in *c)
{
    if (c->f)
        fclose(c->f);
    free(c->line);
    free(c->hdr_line);
}

static double num(const char *s)
{
    return *s ? strtod(s, NULL) : 0;
}

/* Appends an entry; the K-th repeat of a label in this run becomes
 * "label#K" so that each configuration keeps its own join key. */
static struct cmp_entry *add_entry(struct cmp_entry **v, unsigned *n, const char *label)
{
    struct cmp_entry *e, *nv = realloc(*v, (*n + 1) * sizeof(**v));
    unsigned repeat = 1;

    if (!nv)
        return NULL;
    *v = nv;
    for (unsigned i = 0; i < *n; i++) {
        const char *l = nv[i].label;
        size_t len = strlen(label);

        if (!strncmp(l, label, len) && (l[len] == '\0' || l[len] == '#'))
            repeat++;
    }
    e = &nv[(*n)++];
    memset(e, 0, sizeof(*e));
    if (repeat == 1)
        fmt(e->label, sizeof(e->label), "%s", label);
    else
        fmt(e->label, sizeof(e->label), "%s#%u", label, repeat);
    return e;
}

static bool read_summary(const char *dir, struct cmp_run *run, char *err, size_t errcap)
{
    struct csv_in c;
    int id, label, n, p50, p99;

    if (!csv_open(&c, dir, "summary.csv")) {
        fmt(err, errcap, "no readable summary.csv");
        return false;
    }
    id = csv_col(&c, "id");
    label = csv_col(&c, "label");
    n = csv_col(&c, "n");
    p50 = csv_col(&c, "p50_ns");
    p99 = csv_col(&c, "p99_ns");
    if (id < 0 || label < 0 || n < 0 || p50 < 0 || p99 < 0) {
        fmt(err, errcap, "summary.csv lacks the id, label, n, p50_ns or p99_ns column");
        csv_close(&c);
        return false;
    }
    while (csv_next(&c)) {
        struct cmp_entry *e = add_entry(&run->lat, &run->nlat, csv_at(&c, label));

        if (!e) {
            fmt(err, errcap, "out of memory");
            csv_close(&c);
            return false;
        }
        e->id = strtol(csv_at(&c, id), NULL, 10);
        e->n = strtoull(csv_at(&c, n), NULL, 10);
        e->p50_ns = num(csv_at(&c, p50));
        e->p99_ns = num(csv_at(&c, p99));
    }
    csv_close(&c);
    return true;
}

/* The entry a samples.csv row belongs to: same id and (undecorated) label. */
static struct cmp_entry *entry_of(struct cmp_run *run, long id, const char *label,
                                  unsigned *hint)
{
    size_t len = strlen(label);

    for (unsigned k = 0; k < run->nlat; k++) {
        unsigned i = (*hint + k) % run->nlat;
        struct cmp_entry *e = &run->lat[i];

        if (e->id == id && !strncmp(e->label, label, len) &&
            (e->label[len] == '\0' || e->label[len] == '#')) {
            *hint = i;
            return e;
        }
    }
    return NULL;
}

static bool read_samples(const char *dir, struct cmp_run *run, char *err, size_t errcap)
{
    struct csv_in c;
    int id, label, ns;
    unsigned hint = 0;

    if (!csv_open(&c, dir, "samples.csv"))
        return true;            /* optional: ratios without intervals */
    id = csv_col(&c, "id");
    label = csv_col(&c, "label");
    ns = csv_col(&c, "ns");
    if (id < 0 || label < 0 || ns < 0) {
        fmt(err, errcap, "samples.csv lacks the id, label or ns column");
        csv_close(&c);
        return false;
    }
    run->has_samples = true;
    while (csv_next(&c)) {
        struct cmp_entry *e = run->nlat ? entry_of(run, strtol(csv_at(&c, id), NULL, 10),
                                                   csv_at(&c, label), &hint) : NULL;

        if (!e)
            continue;           /* a configuration summary.csv has no row for */
        if (e->nsamples == e->cap) {
            size_t cap = e->cap ? 2 * e->cap : 1024;
            double *v = realloc(e->samples_ns, cap * sizeof(*v));

            if (!v) {
                fmt(err, errcap, "out of memory");
                csv_close(&c);
                return false;
            }
            e->samples_ns = v;
            e->cap = cap;
        }
        e->samples_ns[e->nsamples++] = num(csv_at(&c, ns));
    }
    csv_close(&c);
    for (unsigned i = 0; i < run->nlat; i++)
        if (run->lat[i].nsamples)
            qsort(run->lat[i].samples_ns, run->lat[i].nsamples, sizeof(double), cmp_double);
    return true;
}

static bool read_throughput(const char *dir, struct cmp_run *run, char *err, size_t errcap)
{
    struct csv_in c;
    int id, label, agg, flushes;

    if (!csv_open(&c, dir, "throughput.csv"))
        return true;            /* only sweeps with initiators= or state=work */
    id = csv_col(&c, "id");
    label = csv_col(&c, "label");
    agg = csv_col(&c, "aggregate_per_s");
    flushes = csv_col(&c, "flushes");
    if (id < 0 || label < 0 || agg < 0 || flushes < 0) {
        fmt(err, errcap, "throughput.csv lacks the id, label, aggregate_per_s or flushes column");
        csv_close(&c);
        return false;
    }
    while (csv_next(&c)) {
        struct cmp_entry *e = add_entry(&run->thru, &run->nthru, csv_at(&c, label));

        if (!e) {
            fmt(err, errcap, "out of memory");
            csv_close(&c);
            return false;
        }
        e->id = strtol(csv_at(&c, id), NULL, 10);
        e->aggregate_per_s = num(csv_at(&c, agg));
        e->flushes = num(csv_at(&c, flushes));
        /* A damaged count (NaN, inf, 3e90) fits no size_t and no bootstrap. */
        if (!(e->flushes <= 1e18)) {
            fmt(err, errcap, "throughput.csv: flushes '%s' is not a count", csv_at(&c, flushes));
            csv_close(&c);
            return false;
        }
        e->n = e->flushes > 0 ? (size_t)e->flushes : 0;
    }
    csv_close(&c);
    return true;
}

bool compare_load_run(const char *dir, struct cmp_run *run, char *err, size_t errcap)
{
    const char *slash;
    size_t len = strlen(dir);

    memset(run, 0, sizeof(*run));
    run->dir = dir;
    while (len > 1 && dir[len - 1] == '/')
        len--;
    for (slash = dir + len; slash > dir && slash[-1] != '/'; slash--)
        ;
    fmt(run->name, sizeof(run->name), "%.*s", (int)(dir + len - slash), slash);
    if (!read_meta(dir, run, err, errcap) || !compare_load_tables(dir, run, err, errcap) ||
        !compare_load_boots(run, err, errcap)) {
        compare_free_run(run);
        return false;
    }
    return true;
}

bool compare_load_tables(const char *dir, struct cmp_run *run, char *err, size_t errcap)
{
    return read_summary(dir, run, err, errcap) && read_samples(dir, run, err, errcap) &&
           read_throughput(dir, run, err, errcap);
}

void compare_free_run(struct cmp_run *run)
{
    for (unsigned b = 0; b < run->nboots; b++)
        compare_free_run(&run->boot[b]);
    free(run->boot);
    run->boot = NULL;
    run->nboots = 0;
    for (unsigned i = 0; i < run->nlat; i++)
        free(run->lat[i].samples_ns);
    free(run->lat);
    free(run->thru);
    run->lat = run->thru = NULL;
    run->nlat = run->nthru = 0;
}
