/*
 * Best hypercall vs best IPI shootdown per target count (see ratio.h).
 */
#include "analysis/ratio.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "util.h"

/* p50 of a configuration's samples (nearest rank); false when it has none
 * or memory ran out. */
static bool config_p50(const struct config_result *c, uint64_t *p50)
{
    uint64_t *sorted;

    if (!c->nsamples)
        return false;
    sorted = malloc(c->nsamples * sizeof(*sorted));
    if (!sorted)
        return false;
    memcpy(sorted, c->samples, c->nsamples * sizeof(*sorted));
    stats_sort(sorted, c->nsamples);
    *p50 = stats_percentile(sorted, c->nsamples, 50);
    free(sorted);
    return true;
}

static bool usable(const struct config_result *c)
{
    if (!c->announced || c->error[0] || c->unsupported[0])
        return false;
    if (c->has_verify && (!strcmp(c->verify.verdict, "fail") ||
                          !strcmp(c->verify.verdict, "error")))
        return false;
    return true;
}

static struct ratio_row *row_for(struct ratio_row *rows, unsigned *n, unsigned max,
                                 uint32_t targets)
{
    unsigned i;

    for (i = 0; i < *n; i++)
        if (rows[i].targets == targets)
            return &rows[i];
    if (*n == max)
        return NULL;
    /* Keep rows ordered by target count: insertion into a short array. */
    for (i = *n; i > 0 && rows[i - 1].targets > targets; i--)
        rows[i] = rows[i - 1];
    rows[i] = (struct ratio_row){ .targets = targets, .hv = -1, .ipi = -1 };
    (*n)++;
    return &rows[i];
}

unsigned ratio_compute(const struct run_data *d, struct ratio_row *rows, unsigned max)
{
    unsigned n = 0;

    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        bool hv = strategy_is_hv(c->cfg.strategy);
        struct ratio_row *r;
        uint64_t p50;

        /* A baseline (ipi flush=none) flushes nothing: never the best IPI. */
        if ((!hv && c->cfg.strategy != STRATEGY_IPI) ||
            config_is_baseline(c->cfg.strategy, c->cfg.flush) ||
            c->cfg.scope == SCOPE_UNLOADED ||   /* names a space loaded nowhere */
            c->cfg.target_set != TARGETS_OTHERS ||   /* null, self, all: no like for like */
            !usable(c) || !config_p50(c, &p50))
            continue;
        r = row_for(rows, &n, max, c->cfg.targets);
        if (!r)
            continue;
        if (hv && (r->hv < 0 || p50 < r->hv_p50)) {
            r->hv = (int)i;
            r->hv_p50 = p50;
        } else if (!hv && (r->ipi < 0 || p50 < r->ipi_p50)) {
            r->ipi = (int)i;
            r->ipi_p50 = p50;
        }
    }
    return n;
}

static double ns(uint64_t cycles, uint64_t hz)
{
    return (double)cycles * 1e9 / (double)hz;
}

/* "12.3 us" style, for the terminal. */
static const char *human(uint64_t cycles, uint64_t hz, char *buf, size_t cap)
{
    double v;

    if (!hz)
        return fmt(buf, cap, "%" PRIu64 " cycles", cycles), buf;
    v = ns(cycles, hz);
    if (v >= 1e6)
        fmt(buf, cap, "%.2f ms", v / 1e6);
    else if (v >= 1e3)
        fmt(buf, cap, "%.2f us", v / 1e3);
    else
        fmt(buf, cap, "%.0f ns", v);
    return buf;
}

void ratio_print(FILE *out, const struct run_data *d, const struct timing_class *tc,
                 const struct ratio_row *rows, unsigned n)
{
    bool any = false;

    for (unsigned i = 0; i < n; i++) {
        const struct ratio_row *r = &rows[i];
        char a[32], b[32];
        double q;

        if (r->hv < 0 && r->ipi < 0)
            continue;
        if (!any)
            fprintf(out, "hypercall vs IPI, best p50 per target count (%s):\n", tc->label);
        any = true;
        if (r->hv < 0 || r->ipi < 0) {
            fprintf(out, "  %3" PRIu32 " target%s: no %s measured here (best %s: %s %s)\n",
                    r->targets, r->targets == 1 ? " " : "s", r->hv < 0 ? "hypercall" : "IPI",
                    r->hv < 0 ? "IPI" : "hypercall",
                    d->configs[r->hv < 0 ? r->ipi : r->hv].label,
                    human(r->hv < 0 ? r->ipi_p50 : r->hv_p50, d->tsc_hz, a, sizeof(a)));
            continue;
        }
        q = r->ipi_p50 ? (double)r->hv_p50 / (double)r->ipi_p50 : 0.0 / 0.0;
        fprintf(out, "  %3" PRIu32 " target%s: hypercall %s %s vs IPI %s %s = %.2fx (%s)\n",
                r->targets, r->targets == 1 ? " " : "s", d->configs[r->hv].label,
                human(r->hv_p50, d->tsc_hz, a, sizeof(a)), d->configs[r->ipi].label,
                human(r->ipi_p50, d->tsc_hz, b, sizeof(b)), q,
                q < 1 ? "hypercall faster" : q > 1 ? "IPI faster" : "equal");
    }
    if (!any)
        fprintf(out, "hypercall vs IPI: nothing to compare (no target count has both)\n");
}

bool ratio_write(const char *run_dir, const struct run_data *d,
                 const struct timing_class *tc, const struct ratio_row *rows, unsigned n,
                 char *err, size_t errcap)
{
    char path[4096];
    FILE *f;
    bool ok;

    fmt(path, sizeof(path), "%s/ratio.csv", run_dir);
    f = fopen(path, "w");
    if (!f)
        return fmt(err, errcap, "cannot write %s: %s", path, strerror(errno)), false;
    fprintf(f, "%s\n", RATIO_HEADER);
    for (unsigned i = 0; i < n; i++) {
        const struct ratio_row *r = &rows[i];

        fprintf(f, "%" PRIu32 ",", r->targets);
        if (r->hv >= 0) {
            fprintf(f, "%s,%" PRIu64 ",", d->configs[r->hv].label, r->hv_p50);
            if (d->tsc_hz)
                fprintf(f, "%.1f", ns(r->hv_p50, d->tsc_hz));
        } else {
            fputs(",,", f);
        }
        fputc(',', f);
        if (r->ipi >= 0) {
            fprintf(f, "%s,%" PRIu64 ",", d->configs[r->ipi].label, r->ipi_p50);
            if (d->tsc_hz)
                fprintf(f, "%.1f", ns(r->ipi_p50, d->tsc_hz));
        } else {
            fputs(",,", f);
        }
        fputc(',', f);
        if (r->hv >= 0 && r->ipi >= 0 && r->ipi_p50)
            fprintf(f, "%.4f", (double)r->hv_p50 / (double)r->ipi_p50);
        fprintf(f, ",%s\n", tc->name);
    }
    ok = !ferror(f);
    ok = (fclose(f) == 0) && ok;
    if (!ok)
        fmt(err, errcap, "error writing %s", path);
    return ok;
}
