/*
 * A boot of a --repeat run that left its guest's record stream only
 * (RUN/boot-N/records.txt and sweep.txt, no summary.csv): its entries for
 * "hvflush compare" come from the records themselves.  The boot's
 * sweep.txt is expanded for the run's vCPU count (meta.json vm.smp), the
 * stream is read by the same collector `hvflush run` uses, and each
 * configuration becomes a struct cmp_entry as compare_load.c makes from
 * summary.csv + samples.csv: its label ("#K" appended to the K-th repeat of
 * a label), id, n, samples in ns with this boot's own TSC rate (as
 * samples.csv: cycles * 1e9 / tsc_hz), sorted; and a throughput entry with
 * the aggregate rate and flush count where a throughput record arrived.
 * A boot whose stream failed part-way keeps what was collected before the
 * failure (the collector's rule), so a configuration it lacks simply has
 * one boot fewer.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "analysis/collect.h"
#include "analysis/compare_internal.h"
#include "analysis/throughput.h"
#include "util.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

unsigned compare_run_smp(const char *run_dir)
{
    char path[4096];
    json_t *meta;
    json_int_t smp;

    fmt(path, sizeof(path), "%s/meta.json", run_dir);
    meta = json_load_file(path, 0, NULL);
    smp = json_integer_value(json_object_get(json_object_get(meta, "vm"), "smp"));
    json_decref(meta);
    return smp > 0 && smp <= SWEEP_MAX_CPUS ? (unsigned)smp : 0;
}

/* Appends an entry named label, "#K" appended to its K-th occurrence. */
static struct cmp_entry *add_entry(struct cmp_entry **v, unsigned *n, const char *label)
{
    struct cmp_entry *nv = realloc(*v, (*n + 1) * sizeof(**v)), *e;
    unsigned repeat = 1;
    size_t len = strlen(label);

    if (!nv)
        return NULL;
    *v = nv;
    for (unsigned i = 0; i < *n; i++)
        repeat += !strncmp(nv[i].label, label, len) &&
                  (nv[i].label[len] == '\0' || nv[i].label[len] == '#');
    e = &nv[(*n)++];
    memset(e, 0, sizeof(*e));
    if (repeat == 1)
        fmt(e->label, sizeof(e->label), "%s", label);
    else
        fmt(e->label, sizeof(e->label), "%s#%u", label, repeat);
    return e;
}

static bool add_latency(struct cmp_run *boot, const struct config_result *c, unsigned id,
                        uint64_t tsc_hz)
{
    struct cmp_entry *e = add_entry(&boot->lat, &boot->nlat, c->label);

    if (!e)
        return false;
    e->id = id;
    if (!c->nsamples || !tsc_hz)
        return true;            /* not measured in this boot: nothing to resample */
    e->samples_ns = malloc(c->nsamples * sizeof(double));
    if (!e->samples_ns)
        return false;
    for (size_t k = 0; k < c->nsamples; k++)
        e->samples_ns[k] = (double)c->samples[k] * 1e9 / (double)tsc_hz;
    qsort(e->samples_ns, c->nsamples, sizeof(double), cmp_double);
    e->n = e->nsamples = e->cap = c->nsamples;
    boot->has_samples = true;
    return true;
}

static bool add_throughput(struct cmp_run *boot, const struct config_result *c, unsigned id)
{
    struct cmp_entry *e;

    if (!c->throughput || !c->throughput->have_total)
        return true;
    e = add_entry(&boot->thru, &boot->nthru, c->label);
    if (!e)
        return false;
    e->id = id;
    e->aggregate_per_s = (double)c->throughput->aggregate_per_s;
    e->flushes = (double)c->throughput->flushes;
    e->n = (size_t)c->throughput->flushes;
    return true;
}

bool compare_load_boot_records(const char *boot_dir, unsigned smp, struct cmp_run *boot,
                               char *err, size_t errcap)
{
    char path[4096], *text = NULL;
    size_t len;
    struct sweep sw;
    struct sweep_error serr = { 0 };
    struct sweep_config *configs = NULL;
    struct run_data d;
    bool ok = false;
    int n;

    fmt(path, sizeof(path), "%s/sweep.txt", boot_dir);
    if (!smp || !read_file(path, &text, &len, SWEEP_TEXT_MAX)) {
        fmt(err, errcap, "no sweep.txt or no vm.smp in meta.json to read records.txt with");
        return false;
    }
    configs = calloc(SWEEP_CONFIGS_MAX, sizeof(*configs));
    if (!configs || !sweep_parse(text, len, &sw, &serr) ||
        (n = sweep_expand(&sw, smp, configs, SWEEP_CONFIGS_MAX, &serr)) < 0) {
        fmt(err, errcap, "sweep.txt: %s", configs ? serr.msg : "out of memory");
        goto out;
    }
    if (!collect_init(&d, configs, (unsigned)n, smp)) {
        fmt(err, errcap, "out of memory");
        goto out;
    }
    fmt(path, sizeof(path), "%s/records.txt", boot_dir);
    collect_file(&d, path);
    ok = true;
    for (unsigned i = 0; ok && i < d.nconfigs; i++)
        ok = add_latency(boot, &d.configs[i], i, d.tsc_hz) &&
             add_throughput(boot, &d.configs[i], i);
    if (!ok)
        fmt(err, errcap, "out of memory");
    collect_free(&d);
out:
    free(configs);
    free(text);
    return ok;
}
