/*
 * Between-boot variation for --repeat (see repeat.h).  A configuration's
 * p50 per boot is the nearest-rank median of that boot's samples (the
 * convention of summary.csv), in ns with that boot's own TSC rate, so
 * boots whose calibration differed stay comparable.
 */
#include "analysis/repeat.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "util.h"

void repeat_stat_compute(const double *p50, unsigned boots, struct repeat_stat *s)
{
    double sum = 0, sq = 0;

    memset(s, 0, sizeof(*s));
    s->min = INFINITY;
    s->max = -INFINITY;
    for (unsigned b = 0; b < boots; b++) {
        if (isnan(p50[b]))
            continue;
        s->n++;
        sum += p50[b];
        if (p50[b] < s->min)
            s->min = p50[b];
        if (p50[b] > s->max)
            s->max = p50[b];
    }
    if (!s->n) {
        s->mean = s->cv = s->min = s->max = NAN;
        return;
    }
    s->mean = sum / s->n;
    for (unsigned b = 0; b < boots; b++)
        if (!isnan(p50[b]))
            sq += (p50[b] - s->mean) * (p50[b] - s->mean);
    s->sd = s->n > 1 ? sqrt(sq / (s->n - 1)) : 0;
    s->cv = s->n > 1 && s->mean != 0 ? s->sd / s->mean : NAN;
}

bool repeat_init(struct repeat_table *t, unsigned boots, unsigned nconfigs)
{
    memset(t, 0, sizeof(*t));
    t->boots = boots;
    t->nconfigs = nconfigs;
    t->p50_ns = malloc((size_t)boots * (nconfigs ? nconfigs : 1) * sizeof(double));
    if (!t->p50_ns)
        return false;
    for (size_t i = 0; i < (size_t)boots * nconfigs; i++)
        t->p50_ns[i] = NAN;
    return true;
}

void repeat_add_boot(struct repeat_table *t, unsigned boot, const struct run_data *d)
{
    for (unsigned i = 0; i < t->nconfigs && i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        uint64_t *v;

        if (!c->nsamples || !d->tsc_hz || !(v = malloc(c->nsamples * sizeof(*v))))
            continue;
        memcpy(v, c->samples, c->nsamples * sizeof(*v));
        stats_sort(v, c->nsamples);
        t->p50_ns[(size_t)i * t->boots + boot] =
            (double)stats_percentile(v, c->nsamples, 50) * 1e9 / (double)d->tsc_hz;
        free(v);
    }
}

void repeat_free(struct repeat_table *t)
{
    free(t->p50_ns);
    t->p50_ns = NULL;
}

static void put_num(FILE *f, double v, const char *fmt_, const char *sep)
{
    if (!isnan(v))
        fprintf(f, fmt_, v);
    fputs(sep, f);
}

bool repeat_write(const char *run_dir, const struct repeat_table *t, const struct run_data *d,
                  char *err, size_t errcap)
{
    char path[4096 + 16];
    FILE *f;

    fmt(path, sizeof(path), "%s/repeat.csv", run_dir);
    if (!(f = fopen(path, "w")))
        return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
    fprintf(f, "id,label,boots,mean_p50_ns,cv,min_p50_ns,max_p50_ns,p50_ns_per_boot\n");
    for (unsigned i = 0; i < t->nconfigs; i++) {
        const double *v = &t->p50_ns[(size_t)i * t->boots];
        struct repeat_stat s;

        repeat_stat_compute(v, t->boots, &s);
        fprintf(f, "%u,", i);
        csv_put_text(f, d->configs[i].label);
        fprintf(f, ",%u,", s.n);
        put_num(f, s.mean, "%.1f", ",");
        put_num(f, s.cv, "%.4f", ",");
        put_num(f, s.min, "%.1f", ",");
        put_num(f, s.max, "%.1f", ",");
        for (unsigned b = 0; b < t->boots; b++)
            put_num(f, v[b], "%.1f", b + 1 < t->boots ? ";" : "\n");
    }
    if (fclose(f) != 0)
        return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
    return true;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void repeat_print(FILE *f, const struct repeat_table *t, const struct run_data *d)
{
    double *cvs = malloc((t->nconfigs ? t->nconfigs : 1) * sizeof(double)), max = -1;
    unsigned n = 0, max_id = 0;

    if (!cvs)
        return;
    for (unsigned i = 0; i < t->nconfigs; i++) {
        struct repeat_stat s;

        repeat_stat_compute(&t->p50_ns[(size_t)i * t->boots], t->boots, &s);
        if (isnan(s.cv))
            continue;
        cvs[n++] = s.cv;
        if (s.cv > max)
            max = s.cv, max_id = i;
    }
    fprintf(f, "repeat: %u boots (%u failed)", t->boots, t->failed_boots);
    if (n) {
        qsort(cvs, n, sizeof(*cvs), cmp_double);
        fprintf(f, "; between-boot CV of p50: median %.1f %%, max %.1f %% (%s); repeat.csv",
                100 * cvs[(n - 1) / 2], 100 * max, d->configs[max_id].label);
    }
    fprintf(f, "\n");
    free(cvs);
}

json_t *repeat_json(const struct repeat_table *t)
{
    json_t *dirs = json_array();

    for (unsigned b = 1; b < t->boots; b++) {
        char name[32];

        fmt(name, sizeof(name), "boot-%u", b + 1);
        json_array_append_new(dirs, json_string(name));
    }
    return json_pack("{s:i, s:i, s:o, s:o}", "boots", (int)t->boots,
                     "failed_boots", (int)t->failed_boots, "boot_dirs", dirs,
                     "first_failure", t->first_failure[0] ? json_string(t->first_failure)
                                                          : json_null());
}
