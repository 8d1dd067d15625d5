/*
 * The side-by-side tables of "hvflush compare"'s non-timing parts
 * (host/analysis/compare_env.c, compare_nontiming.c, compare_sources.c):
 * rows named by one to three keys, one value per run, each value compared
 * with the reference run's (the baseline; the first run for the
 * environment).  Printed as a text table (compare_table_text.c), an HTML
 * <section> and a CSV file (compare_table.c).
 *
 * A cell is one of
 *   a value          what the run says;
 *   CMP_ABSENT       the run lacks the file the table is read from (no
 *                    conformance.csv in a TCG run, no meta.json section);
 *   CMP_NOT_IN_RUN   the file is there but has no such row (a configuration
 *                    or case that run did not have).
 * Only two values differ: a cell that is absent or not in the run is shown
 * as such, never counted as a difference.
 */
#ifndef HOST_ANALYSIS_COMPARE_TABLE_H
#define HOST_ANALYSIS_COMPARE_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#define CMP_ABSENT     "absent"
#define CMP_NOT_IN_RUN "not-in-run"
/* The visible mark of a value that differs from the reference run's. */
#define CMP_DIFF_MARK  "\u2260"
#define CMP_KEYS_MAX   3
/* A text table wider than this is printed as one block per row. */
#define CMP_TEXT_WIDTH_MAX 160

struct cmp_row {
    char *key[CMP_KEYS_MAX];
    char **val;                 /* per run; NULL: not in the run */
    unsigned differs;           /* runs whose value differs from the reference's */
};

struct cmp_table {
    const char *id;             /* "conformance": the HTML id is compare-<id> */
    const char *title;          /* section heading */
    const char *what;           /* what a cell holds, one sentence */
    unsigned nkeys;
    const char *key_names[CMP_KEYS_MAX];
    unsigned nruns, ref;
    const char *ref_word;       /* "baseline" (default): the reference run's column
                                   head says so; NULL: it is not named */
    bool *absent;               /* per run: the table's source is absent */
    struct cmp_row *rows;
    unsigned nrows, cap;
    bool oom;                   /* memory ran out while filling */
};

void cmp_table_init(struct cmp_table *t, const char *id, const char *title, const char *what,
                    unsigned nruns, unsigned ref, unsigned nkeys, const char *const *key_names);
void cmp_table_free(struct cmp_table *t);

/* Sets run's value in the row named by keys (nkeys of them), adding the
 * row (at the end) when new.  An existing value is kept unless overwrite. */
void cmp_table_set(struct cmp_table *t, const char *const *keys, unsigned run,
                   const char *value, bool overwrite);
/* The table's source is absent in run: its every cell reads CMP_ABSENT. */
void cmp_table_mark_absent(struct cmp_table *t, unsigned run);

/* A cell as shown: the value, CMP_ABSENT or CMP_NOT_IN_RUN. */
const char *cmp_cell(const struct cmp_table *t, const struct cmp_row *r, unsigned run);
/* True when the cell and the reference run's cell both hold values and
 * the values differ. */
bool cmp_cell_differs(const struct cmp_table *t, const struct cmp_row *r, unsigned run);
/* True when some run has no such row (its file is there). */
bool cmp_row_partial(const struct cmp_table *t, const struct cmp_row *r);

/* Compares every row with the reference run; returns the differing cells. */
unsigned cmp_table_compare(struct cmp_table *t);

/* Writes path: the key columns, one column per run (headed by its name),
 * then `differs`: the names of the runs whose value differs from the
 * reference's, space-separated, or `-`.  False with a message on failure. */
bool cmp_table_write_csv(const struct cmp_table *t, const char *path,
                         const char *const *names);

/* The text table: a heading line, then the rows (all of them, or only
 * those that differ), differing values prefixed with CMP_DIFF_MARK (one
 * block per row when wider than CMP_TEXT_WIDTH_MAX), then one line counting
 * the rows that differ, those not in every run, and the runs the table's
 * source is absent from. */
void cmp_table_text(const struct cmp_table *t, FILE *f, const char *const *names,
                    bool all_rows);
/* The HTML <section id="compare-ID">: heading, sentence, every row; a row
 * with a difference has class "differs", a differing cell class "differs"
 * and the CMP_DIFF_MARK before its value, an absent or missing cell class
 * "absent". */
void cmp_table_html(const struct cmp_table *t, FILE *f, const char *const *names);

/* Writes s with &, <, >, " escaped. */
void cmp_html_text(FILE *f, const char *s);

/* The runs' names for column heads: the base name of each directory once
 * resolved (so "results/latest" reads as its run id), made unique with
 * "#2", "#3", ...  NULL when memory ran out. */
char **cmp_run_names(const char *const *runs, unsigned nruns);
void cmp_run_names_free(char **names, unsigned nruns);

#endif
