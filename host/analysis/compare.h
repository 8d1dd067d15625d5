/*
 * "hvflush compare": runs joined configuration by configuration (by the
 * configuration's label), the ratio of a metric against a baseline run with
 * a bootstrap 95 % confidence interval, and a verdict per configuration.
 * The report (host/analysis/report.c) calls compare_runs() for several runs.
 */
#ifndef HOST_ANALYSIS_COMPARE_H
#define HOST_ANALYSIS_COMPARE_H

#include <stdio.h>

enum compare_metric {
    COMPARE_P50,
    COMPARE_P99,
    COMPARE_THROUGHPUT,
};

struct compare_opts {
    const char *const *runs;     /* run directories */
    unsigned nruns;              /* at least 2 */
    unsigned baseline;           /* index into runs (default 0) */
    double threshold_pct;        /* a ratio beyond 1 +/- threshold is a change */
    enum compare_metric metric;
    const char *out_dir;         /* created; receives compare.csv, compare.txt,
                                    compare.html (a whole page), compare-body.html
                                    (the same without <html>/<head>, for the report;
                                    images referenced by file name relative to
                                    out_dir), compare.svg and compare.png */
    FILE *text;                  /* the text table as well, or NULL */
    unsigned min_boots;          /* a slower cell whose runs have fewer boots does not
                                    fail the gate (0 or 1: every slower cell does) */
};

/* Returns the exit status: 0 no regression, 1 some configuration slower
 * beyond the threshold with its whole interval beyond it, 2 bad input
 * (message printed, nothing written). */
int compare_runs(const struct compare_opts *o);

#endif
