/*
 * The shape of every file a run directory holds (results/README.md),
 * checked against the sweep the run was given, expanded here with the
 * same bench/ code for the CPU count the guest reported.  Shared by the
 * `smoke` integration tests (test_smoke_tcg.c, test_smoke_lab.c).
 *
 * Each check counts its problems (one line on stderr each) rather than
 * stopping at the first, so a doctored copy of a run (shapes_faults.c)
 * shows which check caught which fault.
 */
#ifndef TESTS_SHAPES_H
#define TESTS_SHAPES_H

#include <stdbool.h>
#include <bench/sweep.h>
#include "harness.h"

#define problem(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), 1u)

/* What the run was asked for. */
struct shapes_expect {
    const char *sweep_file;      /* the sweep file the run was named after */
    const char *sweep_name;      /* its `name` */
    const char *timing_class;    /* meta.json's accelerator.timing_class */
};

/* The sweep expanded for the run's CPU count (shapes_expand()). */
struct shapes_sweep {
    struct sweep sw;
    struct sweep_config cfg[SWEEP_CONFIGS_MAX];
    int n;
    unsigned cpus;
};
extern struct shapes_sweep shapes_sw;

/* Parses e->sweep_file and expands it for cpus; false (and a message) if
 * it cannot. */
bool shapes_expand(const struct shapes_expect *e, unsigned cpus);
/* Runs `hvflush ARGS`, saying its wall time under `what`, then `hvflush
 * plot` on its run directory.  NULL (with the reason on stderr) when the
 * run left no directory or the plot failed. */
struct run_result *shapes_run_and_plot(const char *args, const char *what);
/* The expanded configuration with this id; NULL if none. */
const struct sweep_config *shapes_config(unsigned id);
/* The summary.csv row of configuration id; -1 if none. */
int shapes_row_of_id(const struct csv_table *t, unsigned id);
/* True when the file's first line is exactly header. */
bool shapes_header_is(const struct run_result *r, const char *name, const char *header);

/* shapes.c: the run directory (every entry documented in
 * results/README.md), meta.json, summary.csv. */
unsigned shapes_check_files(const struct run_result *r);
unsigned shapes_check_meta(const struct run_result *r, const struct shapes_expect *e);
unsigned shapes_check_summary(const struct run_result *r, const struct shapes_expect *e);
/* shapes_outputs.c: samples.csv, verify.csv, conformance.csv, the logs,
 * the plots and the `verdicts:` line (with the exit status). */
unsigned shapes_check_samples_verify(const struct run_result *r);
unsigned shapes_check_conformance(const struct run_result *r);
unsigned shapes_check_logs_plots(const struct run_result *r);
unsigned shapes_check_verdict_line(const struct run_result *r);
/* shapes_tables.c: ratio.csv, throughput.csv, interference.csv,
 * costmodel.csv, decision.csv. */
unsigned shapes_check_ratio(const struct run_result *r);
unsigned shapes_check_throughput(const struct run_result *r);
unsigned shapes_check_interference(const struct run_result *r);
unsigned shapes_check_costmodel(const struct run_result *r);
unsigned shapes_check_decision(const struct run_result *r);

/* Every check above; the number of problems. */
unsigned shapes_check_all(const struct run_result *r, const struct shapes_expect *e);

/* shapes_faults.c: copies the run once per fault, doctors the copy and
 * fails (cmocka) unless shapes_check_all() counts a problem for each. */
void shapes_assert_faults_caught(const struct run_result *r, const struct shapes_expect *e);

#endif
