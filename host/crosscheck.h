/*
 * "hvflush crosscheck vmexit": hvflush's decomposition baselines against
 * kvm-unit-tests' x86/vmexit.flat on the same QEMU, accelerator and CPU
 * model (README.md, "Cross-check against kvm-unit-tests").
 *
 * crosscheck_parse.c holds the pure parts (vmexit's console output,
 * summary.csv rows, the pairing table); crosscheck.c runs things.
 */
#ifndef HOST_CROSSCHECK_H
#define HOST_CROSSCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

/* One test's figures from vmexit's console.  do_test() prints
 * "NAME CYCLES" (the whole loop's TSC cycles / iterations) and, for the
 * tests that bracket their call (ipi), "  ipi NAME CYCLES" (the sum of the
 * rdtsc brackets / iterations).  Both are means. */
struct kut_figure {
    bool found;            /* "NAME CYCLES" was there */
    bool skipped;          /* "NAME (skipped)" (e.g. ipi with one CPU) */
    uint64_t per_iter;     /* the loop's cycles per iteration */
    bool has_bracket;
    uint64_t bracket;      /* the "  ipi NAME" figure */
    unsigned runs;         /* boots merged into this figure (1 after parsing) */
    uint64_t worst;        /* the highest compared figure of those boots */
};

/* Boots of vmexit per test: its figures are means, which every host
 * preemption during the loop pulls up, so the lowest of a few is kept. */
#define KUT_RUNS 3

/* The figure a boot is ranked by: the bracket where printed, else the loop. */
uint64_t kut_figure_value(const struct kut_figure *k);
/* Merges another boot's figures into best, keeping the lowest-valued boot's
 * numbers and counting runs and the worst value. */
void kut_figure_merge(struct kut_figure *best, const struct kut_figure *next);

/* Reads test's figures from vmexit's console text.  Returns true when the
 * test printed a figure or said it was skipped. */
bool kut_vmexit_parse(const char *text, const char *test, struct kut_figure *out);

/* One hvflush configuration from summary.csv. */
struct hvflush_figure {
    bool found;
    char label[64];
    uint64_t n, min, p50;
    double mean;
    char timing_class[32];
};

/* Finds the first summary.csv row (whole file text) whose strategy, flush,
 * targets and state columns equal the given values (NULL: any) and has
 * samples.  False when the header lacks a column or no row matches. */
bool summary_find(const char *csv, const char *strategy, const char *flush,
                  const char *targets, const char *state, struct hvflush_figure *out);

/* A row of the cross-check: which vmexit test and figure is compared with
 * which hvflush configuration. */
struct crosscheck_pair {
    const char *name;          /* the row's name in the table and csv */
    const char *kut_test;      /* vmexit's test name (its -append argument) */
    bool kut_bracket;          /* compare the "  ipi NAME" figure, not the loop's */
    const char *strategy, *flush, *targets, *state;   /* the hvflush row */
};
#define CROSSCHECK_PAIRS 3
extern const struct crosscheck_pair crosscheck_pairs[CROSSCHECK_PAIRS];
extern const unsigned crosscheck_npairs;
/* The vmexit figure a pair compares (its bracket or its loop); 0: none. */
uint64_t crosscheck_kut_value(const struct crosscheck_pair *p, const struct kut_figure *k);
/* The sweep hvflush measures for the cross-check. */
extern const char crosscheck_sweep[];

/* Writes crosscheck.csv's header and one row (kut or hv may be missing). */
void crosscheck_csv_header(FILE *f);
void crosscheck_csv_row(FILE *f, const struct crosscheck_pair *p, const char *accel,
                        const char *cpu, const struct kut_figure *k,
                        const struct hvflush_figure *h);

/* The whole command; returns the exit status (2: bad input). */
int crosscheck_command(const struct cli_options *o);

#endif
