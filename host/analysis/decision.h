/*
 * The decision map: for each (targets, pages, state) cell, the fastest
 * strategy by p50 and the runner-up (each strategy represented by its
 * fastest usable configuration in the cell: baselines and fail/error
 * configurations left out, as in the cost model), the margin between
 * them, and the call:
 *   decisive      the two medians' 95 % CIs do not overlap
 *                 (best ci_hi < runner-up ci_lo);
 *   within-noise  they overlap (a tie always does);
 *   no-ci         one of them has no interval (fewer than 6 samples);
 *   only-one      the cell has one strategy (no runner-up).
 * Written to RUN/decision.csv, and drawn as a heat map
 * (plot/decision.gp, RUN/plots/decision.svg).
 */
#ifndef HOST_ANALYSIS_DECISION_H
#define HOST_ANALYSIS_DECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/rows.h"

#define DECISION_HEADER \
    "targets,pages,state,best,best_label,best_p50_cyc,best_ci_lo_cyc,best_ci_hi_cyc," \
    "runner_up,runner_label,runner_p50_cyc,runner_ci_lo_cyc,runner_ci_hi_cyc," \
    "margin_cyc,margin_rel,call,strategies"

struct decision_cell {
    uint32_t targets, pages;
    char state[16];
    int best, runner;           /* indexes into the rows; runner -1 when only one */
    char best_key[64], runner_key[64];
    unsigned strategies;        /* distinct strategies in the cell */
    const char *call;           /* decisive, within-noise, no-ci, only-one */
};

/* The cells of rows[0..n) into *cells (malloc'd), ordered by state, pages,
 * targets.  Returns the count, or -1 when memory ran out. */
int decision_compute(const struct summary_row *rows, size_t n, struct decision_cell **cells);

void decision_put_csv(FILE *f, const struct summary_row *rows,
                      const struct decision_cell *cells, int n);

/* The heat map's data file (tab-separated: x y colour decisive xlabel
 * ylabel text) for plot/decision.gp. */
void decision_put_plot_data(FILE *f, const struct summary_row *rows,
                            const struct decision_cell *cells, int n);

#endif
