/*
 * The cost model: per strategy (strategy, flush, input, scope, procs and
 * target state; baselines and fail/error configurations left out), a
 * least-squares fit  p50 ~ a + b * targets + c * pages  over its
 * configurations (GSL, gsl_multifit_linear), with R^2 and the RMS
 * residual.  A regressor that does not vary across the strategy's
 * configurations is dropped (its coefficient reads `-` and the note says
 * so); with fewer configurations than parameters no fit is made.
 * Written to RUN/costmodel.csv.
 */
#ifndef HOST_ANALYSIS_COSTMODEL_H
#define HOST_ANALYSIS_COSTMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "analysis/rows.h"

#define COSTMODEL_HEADER \
    "strategy,points,a_cyc,b_cyc_per_target,c_cyc_per_page,r2,rms_resid_cyc,note"

struct cost_fit {
    char strategy[96];
    size_t points;
    bool fitted;                /* false: too few points (note says) */
    bool has_b, has_c;          /* targets / pages kept as regressors */
    double a, b, c;             /* cycles, cycles per target, cycles per page */
    double r2;                  /* NaN when the p50s do not vary at all */
    double rms;                 /* sqrt(mean squared residual), cycles */
    char note[160];
};

/* Fits every strategy of rows[0..n) (usable rows only) into *fits
 * (malloc'd, in order of first appearance).  Returns the count, or -1
 * when memory ran out. */
int costmodel_fit(const struct summary_row *rows, size_t n, struct cost_fit **fits);

/* The CSV (header and rows) to f. */
void costmodel_put_csv(FILE *f, const struct cost_fit *fits, int n);

#endif
