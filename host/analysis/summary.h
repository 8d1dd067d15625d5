/*
 * The tables of a run: summary.csv (one row of statistics per
 * configuration), samples.csv (every sample, for CDFs), verify.csv (the
 * effect probe of each configuration) and the short table printed at the
 * end of "hvflush run".  In summary.csv, target_cpus lists the target CPUs
 * as runs separated by spaces ("1-3 7"); clamped counts samples floored at
 * 0 by the overhead subtraction, excluded the iterations dropped because a
 * halted target had not parked yet; noise_dominated is 1 when the p50
 * (cycles, overhead subtracted) is no larger than the empty timer's p99 - p1
 * (bench/timing.c), 0 otherwise, empty without samples or timer spread;
 * spaces, pcid, global and large are the configuration's keys (1/0 for the
 * on/off ones).
 * The last columns (FIGURES_HEADER) are host/analysis/figures.h's:
 * histogram percentiles, the median's 95 % CI, ci_rel = half-width / p50,
 * ci_flag ok / ci-wide against the sweep's ci-target, `-` without one;
 * then target_set (others / null / self / all: bench/sweep_targets.c);
 * last, noise: the configuration's noise reasons (host/analysis/noise.h).
 */
#ifndef HOST_SUMMARY_H
#define HOST_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "accel.h"
#include "analysis/collect.h"
#include "analysis/figures.h"

#define SUMMARY_HEADER \
    "id,label,strategy,flush,pages,targets,state,input,scope,nonglobal,procs,n," \
    "min_cyc,p10_cyc,p50_cyc,p90_cyc,p99_cyc,max_cyc,mean_cyc,stddev_cyc," \
    "min_ns,p10_ns,p50_ns,p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,overhead_cyc,timing_class,verdict," \
    "initiator,target_cpus,clamped,excluded,noise_dominated,spaces,pcid,global,large," FIGURES_HEADER \
    ",target_set,records,noise"

/* Writes summary.csv, samples.csv and verify.csv into run_dir.  Returns
 * false with a message in err if a file cannot be written. */
bool summary_write(const char *run_dir, const struct run_data *d,
                   const struct timing_class *tc, char *err, size_t errcap);

/* Prints the end-of-run table (heading = the timing-class label). */
void summary_print(FILE *out, const struct run_data *d, const struct timing_class *tc);

#endif
