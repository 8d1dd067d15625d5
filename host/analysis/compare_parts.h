/*
 * The parts of "hvflush compare" that are not timing ratios
 * (host/analysis/compare_env.c, host/analysis/compare_nontiming.c), called
 * by compare_runs() (host/analysis/compare.c) for runs it has already
 * checked to be run directories.
 */
#ifndef HOST_ANALYSIS_COMPARE_PARTS_H
#define HOST_ANALYSIS_COMPARE_PARTS_H

#include <stdbool.h>
#include <stdio.h>

/* The environment difference of the runs, from their meta.json: host
 * kernel, L1 kernel (lab), QEMU, CPU model, accelerator and timing class,
 * pinning, sweep, git revision -- as text lines (text) and an HTML section
 * (html); either stream may be NULL.  *classes_differ is set when the runs'
 * timing classes differ (the caller says so loudly).  Returns 0, or 2 with
 * a message printed when a meta.json cannot be read. */
int compare_env(const char *const *runs, unsigned nruns, FILE *text, FILE *html,
                bool *classes_differ);

/* What is compared that is not a timing: verification verdicts, precision
 * results, the conformance table (status per case side by side, differences
 * marked), accepted hv-* flags and the decision map (cells whose winner
 * changed), each against runs[baseline].  Writes compare-verify.csv,
 * compare-conformance.csv, compare-flags.csv and compare-decision.csv into
 * out_dir, and text and HTML sections (either stream may be NULL).  Returns
 * the number of differences found, or -1 with a message printed on bad
 * input. */
int compare_nontiming(const char *const *runs, unsigned nruns, unsigned baseline,
                      const char *out_dir, FILE *text, FILE *html);

#endif
