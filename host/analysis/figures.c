/*
 * The histogram and confidence-interval figures of one configuration
 * (see figures.h).
 */
#include "analysis/figures.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bench/hdr.h>
#include <bench/median_ci.h>
#include <bench/timing.h>

#include "analysis/stats.h"

bool figures_compute(const struct sweep_config *cfg, const uint64_t *samples, size_t n,
                     struct config_figures *out)
{
    struct hdr *h;
    uint64_t *sorted;

    memset(out, 0, sizeof(*out));
    out->ci_flag = "-";
    out->n = n;
    if (n == 0)
        return true;
    h = malloc(sizeof(*h));
    sorted = malloc(n * sizeof(*sorted));
    if (!h || !sorted) {
        free(h);
        free(sorted);
        return false;
    }
    hdr_init(h);
    hdr_record_n(h, samples, n);
    out->hdr_p90 = hdr_value_at_quantile(h, 900000);
    out->hdr_p999 = hdr_value_at_quantile(h, 999000);
    out->hdr_mean = hdr_mean(h);
    out->hdr_stddev = hdr_stddev(h);
    memcpy(sorted, samples, n * sizeof(*sorted));
    stats_sort(sorted, n);
    out->p50 = timing_percentile(sorted, (uint32_t)n, 50);
    out->have_ci = median_ci(sorted, (uint32_t)n, &out->ci_lo, &out->ci_hi);
    if (out->have_ci) {
        out->ci_rel = out->p50 ? (double)(out->ci_hi - out->ci_lo) / 2 / (double)out->p50 : 0;
        if (cfg->ci_target_bp)
            out->ci_flag = median_ci_within(out->ci_lo, out->ci_hi, out->p50,
                                            cfg->ci_target_bp) ? "ok" : "ci-wide";
    } else if (cfg->ci_target_bp) {
        out->ci_flag = "ci-wide";          /* too few samples for any interval */
    }
    free(h);
    free(sorted);
    return true;
}

static void put_ns(FILE *f, double cycles, uint64_t hz)
{
    if (hz)
        fprintf(f, ",%.1f", cycles * 1e9 / (double)hz);
    else
        fputc(',', f);
}

void figures_put_columns(FILE *f, const struct config_figures *g, uint64_t tsc_hz)
{
    if (g->n == 0) {
        fprintf(f, ",,,,,,,,,,,,%s", g->ci_flag);
        return;
    }
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.1f,%.1f", g->hdr_p90, g->hdr_p999, g->hdr_mean,
            g->hdr_stddev);
    put_ns(f, (double)g->hdr_p90, tsc_hz);
    put_ns(f, (double)g->hdr_p999, tsc_hz);
    put_ns(f, g->hdr_mean, tsc_hz);
    put_ns(f, g->hdr_stddev, tsc_hz);
    if (g->have_ci)
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.6f", g->ci_lo, g->ci_hi, g->ci_rel);
    else
        fputs(",,,", f);
    fprintf(f, ",%s", g->ci_flag);
}
