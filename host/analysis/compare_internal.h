/*
 * "hvflush compare" inside: the runs as loaded (compare_load.c), the join
 * of their configurations by label (compare_join.c), the bootstrap
 * (compare_bootstrap.c) and the writers (compare_write.c: text and CSV;
 * compare_html.c; compare_plot.c).  compare.c drives them.
 */
#ifndef HOST_ANALYSIS_COMPARE_INTERNAL_H
#define HOST_ANALYSIS_COMPARE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "analysis/compare.h"

#define COMPARE_BOOT_REPS      2000        /* bootstrap replicates per ratio */
#define COMPARE_BOOT_SEED      20261127UL  /* gsl_rng_mt19937 seed: same output for the same runs */
#define COMPARE_THRESHOLD_PCT  5.0         /* default --threshold */
#define COMPARE_LABEL_MAX      160
#define COMPARE_BOOTS_CAP      64          /* boots of one run used per configuration */

/* One configuration of one run: a summary.csv row (latency metrics) or a
 * throughput.csv row (throughput). */
struct cmp_entry {
    char label[COMPARE_LABEL_MAX];  /* the join key: the CSV's label, with "#K"
                                       appended to its K-th repeat in one run */
    long id;                        /* the configuration id */
    size_t n;                       /* summary.csv n (0: unsupported / not measured) */
    double p50_ns, p99_ns;          /* summary.csv (latency) */
    double *samples_ns;             /* samples.csv ns, sorted ascending (latency) */
    size_t nsamples, cap;
    double aggregate_per_s;         /* throughput.csv */
    double flushes;                 /* throughput.csv: flushes of all initiators */
};

struct cmp_run {
    const char *dir;
    char name[256];                 /* the directory's base name */
    char timing_class[64];          /* meta.json accelerator.timing_class */
    char tc_label[128];             /* meta.json accelerator.label */
    char status[32];                /* meta.json status */
    bool has_samples;               /* samples.csv was there */
    struct cmp_entry *lat;          /* summary.csv rows */
    unsigned nlat;
    struct cmp_entry *thru;         /* throughput.csv rows (none without the file) */
    unsigned nthru;
    struct cmp_run *boot;           /* --repeat: boots 2..R (RUN/boot-N), loaded as runs */
    unsigned nboots;                /* entries in boot[] (0: a single boot) */
};

/* Loads one run directory.  A directory without a readable meta.json or
 * summary.csv is not a run: false with the reason in err (nothing else
 * printed).  samples.csv and throughput.csv are optional. */
bool compare_load_run(const char *dir, struct cmp_run *run, char *err, size_t errcap);
/* summary.csv, samples.csv and throughput.csv of dir into run (no meta.json). */
bool compare_load_tables(const char *dir, struct cmp_run *run, char *err, size_t errcap);
void compare_free_run(struct cmp_run *run);

enum cmp_verdict {
    CMP_SAME,            /* whole CI within 1 +/- threshold */
    CMP_FASTER,          /* whole CI beyond the threshold, on the faster side */
    CMP_SLOWER,          /* whole CI beyond the threshold, on the slower side */
    CMP_WITHIN_NOISE,    /* the CI reaches across a threshold edge */
    CMP_NO_CI,           /* a ratio, but no interval could be computed */
    CMP_UNSUPPORTED,     /* not measured (n = 0) in the baseline or this run */
    CMP_MISSING,         /* not in both the baseline and this run */
};

const char *compare_verdict_name(enum cmp_verdict v);

/* The verdict of a ratio's 95 % interval [lo, hi] against a threshold t
 * (a fraction: 0.05 for 5 %).  higher_is_faster: throughput; otherwise a
 * ratio above 1 is slower (latency). */
enum cmp_verdict compare_verdict(double lo, double hi, double t, bool higher_is_faster);

/* One configuration of one non-baseline run against the baseline. */
struct cmp_cell {
    enum cmp_verdict verdict;
    bool has_ratio, has_ci;
    double base, value;          /* the metric in the baseline and in this run */
    size_t n_base, n_run;
    double ratio, lo, hi;
    unsigned boots_base, boots_run; /* boots holding the configuration's samples */
    bool between_boot;           /* two-stage interval (both sides have 2 boots or more) */
    bool gate_exempt;            /* slower, but a side has fewer boots than --min-boots */
};

/* A joined configuration: its entry in each run (NULL where absent) and a
 * cell per run (the baseline's cell is unused). */
struct cmp_row {
    const char *label;
    const struct cmp_entry **e;  /* [nruns] */
    struct cmp_cell *cell;       /* [nruns] */
    unsigned present;            /* runs holding it */
};

struct cmp_table {
    const struct compare_opts *o;
    const struct cmp_run *runs;  /* [o->nruns] */
    struct cmp_row *rows;
    unsigned nrows;
    unsigned counts[CMP_MISSING + 1];
    bool classes_differ;         /* from compare_env() */
    unsigned slower_exempt;      /* slower cells that do not fail the gate (--min-boots) */
    unsigned within_boot;        /* cells with a single-boot (within-boot) interval */
};

/* Joins the runs' configurations (summary.csv rows, or throughput.csv rows
 * for --metric throughput) by label, in order of first appearance (the
 * baseline's first).  Fills rows with their entries only.  False with err
 * when some run shares no configuration with the baseline. */
bool compare_join(const struct compare_opts *o, const struct cmp_run *runs,
                  struct cmp_table *t, char *err, size_t errcap);
/* Computes every cell: ratio, bootstrap CI (compare_bootstrap.c) and
 * verdict; fills t->counts. */
void compare_evaluate(struct cmp_table *t);
void compare_free_table(struct cmp_table *t);
/* 1 when some cell is CMP_SLOWER (the regression gate), else 0. */
int compare_exit_status(const struct cmp_table *t);

/* ---- bootstrap (compare_bootstrap.c) ------------------------------------- */

/* Nearest-rank percentile of sorted[0..n) (n > 0): rank ceil(pct * n / 100)
 * clamped to [1, n], as bench/timing.c's timing_percentile(). */
double compare_percentile(const double *sorted, size_t n, unsigned pct);
/* reps bootstrap replicates of the nearest-rank pct-percentile of
 * sorted[0..n) resampled with replacement, into out.  False on no memory. */
bool compare_boot_quantile(gsl_rng *r, const double *sorted, size_t n, unsigned pct,
                           double *out, unsigned reps);
/* reps bootstrap replicates of an aggregate rate measured from flushes
 * flushes (> 0): rate * Poisson(flushes) / flushes. */
void compare_boot_rate(gsl_rng *r, double rate, double flushes, double *out, unsigned reps);
/* The percentile 95 % interval of num[i] / den[i] over reps replicates.
 * False when some den[i] is 0. */
bool compare_boot_ratio_ci(const double *num, const double *den, unsigned reps,
                           double *lo, double *hi);

/* ---- boots of a --repeat run (compare_boots.c) ------------------------------ */

/* Loads RUN/boot-2, boot-3 ... (until one is missing) into run->boot,
 * from each one's summary.csv + samples.csv, else its records.txt.  A boot
 * directory with neither (a boot that failed before any record) is
 * skipped.  False with err on no memory or a
 * damaged samples.csv. */
bool compare_load_boots(struct cmp_run *run, char *err, size_t errcap);
/* The vCPU count of a run (meta.json vm.smp), 0 when it cannot be read. */
unsigned compare_run_smp(const char *run_dir);
/* A boot directory with records.txt and sweep.txt only: its entries from
 * the records, the sweep expanded for smp vCPUs (compare_boot_records.c).
 * False with err when the sweep cannot be read or on no memory. */
bool compare_load_boot_records(const char *boot_dir, unsigned smp, struct cmp_run *boot,
                               char *err, size_t errcap);
/* The entries of e's configuration in each boot of run (boot 1 = e itself),
 * those with something to resample (samples; flushes for throughput), into
 * out[0..cap); returns how many. */
unsigned compare_entry_boots(const struct cmp_run *run, const struct cmp_entry *e,
                             enum compare_metric m, const struct cmp_entry **out, unsigned cap);
/* The nearest-rank pct-percentile of all boots' samples pooled. */
double compare_pooled_percentile(const struct cmp_entry *const *boots, unsigned nboots,
                                 unsigned pct);
/* Two-stage bootstrap: reps replicates, each drawing nboots boots with
 * replacement, then each chosen boot's samples with replacement (as many
 * as it has), and taking the pct-percentile of the pooled resample.  False
 * on no memory. */
bool compare_boot2_quantile(gsl_rng *r, const struct cmp_entry *const *boots, unsigned nboots,
                            unsigned pct, double *out, unsigned reps);
/* The mean of the boots' aggregate rates, and its two-stage replicates:
 * boots drawn with replacement, each one's flush count redrawn as Poisson. */
double compare_mean_rate(const struct cmp_entry *const *boots, unsigned nboots);
void compare_boot2_rate(gsl_rng *r, const struct cmp_entry *const *boots, unsigned nboots,
                        double *out, unsigned reps);
/* Expands a two-stage interval [lo, hi] of ratio about the ratio (in log
 * space) for the few boots it rests on, boots_a and boots_b (both >= 2). */
void compare_boot2_expand(double ratio, unsigned boots_a, unsigned boots_b, double *lo,
                          double *hi);
/* A cell's verdict as written: "slower (single boot)" / "slower (N boots)"
 * for a gate-exempt slower, else compare_verdict_name(). */
const char *compare_cell_verdict(const struct cmp_cell *c, char *buf, size_t cap);

/* ---- writers ---------------------------------------------------------------- */

const char *compare_metric_name(enum compare_metric m);   /* "p50", "p99", "throughput" */
const char *compare_metric_unit(enum compare_metric m);   /* "ns", "flushes/s" */
/* The runs' timing classes, distinct ones joined by " vs ". */
void compare_classes(const struct cmp_table *t, char *out, size_t cap);

/* The timing table and the lists of configurations in some runs only and
 * not measured, as text. */
void compare_write_text(FILE *f, const struct cmp_table *t);
/* compare.csv (columns: results/README.md).  False on a write error. */
bool compare_write_csv(const char *path, const struct cmp_table *t);
/* The same as an HTML fragment (a <section>). */
void compare_write_html_table(FILE *f, const struct cmp_table *t);
/* Writes HTML-escaped text. */
void compare_html_text(FILE *f, const char *s);
/* Writes compare-plot.dat and runs <root>/plot/compare/ratios.gp into out_dir
 * (compare.svg, compare.png; gnuplot's messages in compare-gnuplot.log).
 * False with a message printed when gnuplot is missing or fails. */
bool compare_plot(const char *out_dir, const struct cmp_table *t);

#endif
