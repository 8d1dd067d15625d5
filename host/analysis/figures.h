/*
 * One configuration's figures beyond host/analysis/stats.c, computed on the host
 * from its raw samples with the guest's own code: the log-linear
 * histogram (bench/hdr.c: p90 and p99.9 within 0.78 % below the exact
 * nearest-rank value; mean and standard deviation exact, from its running
 * sums) and the median's 95 % confidence interval (bench/median_ci.c: the
 * same ranks the guest's adaptive sampling used).  They are the last
 * columns of summary.csv (FIGURES_HEADER).
 */
#ifndef HOST_ANALYSIS_FIGURES_H
#define HOST_ANALYSIS_FIGURES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/collect.h"

#define FIGURES_HEADER \
    "hdr_p90_cyc,hdr_p999_cyc,hdr_mean_cyc,hdr_stddev_cyc," \
    "hdr_p90_ns,hdr_p999_ns,hdr_mean_ns,hdr_stddev_ns,ci_lo_cyc,ci_hi_cyc,ci_rel,ci_flag"

struct config_figures {
    uint64_t n;
    uint64_t p50;                 /* exact nearest rank */
    uint64_t hdr_p90, hdr_p999;
    double hdr_mean, hdr_stddev;
    bool have_ci;                 /* n >= 6 */
    uint64_t ci_lo, ci_hi;
    double ci_rel;                /* (ci_hi - ci_lo) / 2 / p50; 0 when p50 is 0 */
    const char *ci_flag;          /* "ok", "ci-wide" (ci-target missed) or "-" */
};

/* The figures of samples[0..n) (any order) for configuration cfg.  False
 * when memory ran out. */
bool figures_compute(const struct sweep_config *cfg, const uint64_t *samples, size_t n,
                     struct config_figures *out);

/* Writes ",<FIGURES_HEADER columns>" of one summary.csv row (no newline);
 * empty fields without samples. */
void figures_put_columns(FILE *f, const struct config_figures *g, uint64_t tsc_hz);

#endif
