/*
 * The rows of a run's summary.csv that the cost model and the decision
 * map read (columns found by their header names), so that both work from
 * the file a run leaves -- at the end of `hvflush run` and again in
 * `hvflush plot` -- and can be tested on synthetic summaries.
 */
#ifndef HOST_ANALYSIS_ROWS_H
#define HOST_ANALYSIS_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct summary_row {
    char label[64];
    char strategy[24], flush[16], input[16], scope[16], procs[16], state[16];
    char verdict[16];
    char ci_flag[12];           /* ok, ci-wide, - */
    char target_set[8];         /* others, null, self, all ("others" when absent) */
    uint32_t targets, pages;
    size_t n;
    uint64_t p50;               /* cycles */
    bool have_ci;
    uint64_t ci_lo, ci_hi;      /* cycles */
};

/* Reads run_dir/summary.csv into *rows (malloc'd, *n of them).  False with
 * a message in err when the file cannot be read or lacks a column. */
bool summary_rows_read(const char *run_dir, struct summary_row **rows, size_t *n,
                       char *err, size_t errcap);

/* Whether a row is a candidate for the cost model and the decision map:
 * it has samples, it is not a decomposition baseline (hv-null, hv-invalid,
 * cpuid, ipi flush=none) and its verdict is neither fail nor error; nor is
 * it a flush with no like for like beside the others: a target set of
 * null, self or all, or scope=unloaded (a space loaded nowhere), which
 * ratio.csv excludes too. */
bool summary_row_usable(const struct summary_row *r);

/* The strategy key: "ipi/invlpg", "local/cr3", "hv-list/fast/cr3/mask"
 * (the fields that apply to it) plus "/spin" (the state) when with_state (the cost model's unit; the decision map compares
 * strategies within a cell, whose state is fixed). */
void summary_row_key(const struct summary_row *r, bool with_state, char *buf, size_t cap);

#endif
