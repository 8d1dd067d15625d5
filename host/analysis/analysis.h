/*
 * The analyses a run ends with, from its summary.csv: costmodel.csv
 * (analysis/costmodel.h) and decision.csv (analysis/decision.h), written
 * at the end of `hvflush run` (after ratio.csv) and again by
 * `hvflush plot`, which also gets the decision map's plot data.
 */
#ifndef HOST_ANALYSIS_ANALYSIS_H
#define HOST_ANALYSIS_ANALYSIS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct analysis_counts {
    int fits, cells, decisive;
    unsigned ci_ok, ci_wide;    /* configurations whose ci_flag is ok / ci-wide */
};

/* Reads run_dir/summary.csv and writes run_dir/costmodel.csv and
 * run_dir/decision.csv, and data_dir/decision.dat when data_dir is not
 * NULL.  False with a message in err. */
bool analysis_write(const char *run_dir, const char *data_dir, struct analysis_counts *n,
                    char *err, size_t errcap);

/* One line for the end-of-run table. */
void analysis_print(FILE *out, const struct analysis_counts *n);

#endif
