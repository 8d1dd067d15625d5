/*
 * Shared by test_stream_faults_tcg.c and test_guest_stops_tcg.c
 * (stream_checks.c): a two-configuration sweep under TCG --smp 2 whose
 * `inject` damages the record stream or stops the guest, and the checks
 * of what such a run leaves.
 */
#ifndef TESTS_STREAM_CHECKS_H
#define TESTS_STREAM_CHECKS_H

#include "harness.h"

/* The sweep's configurations: 64 samples each, two `samples` records. */
#define FIRST "local/invlpg/p1"
#define SECOND "ipi/invlpg/p1/t1/spin"

/* The tests' scratch directory (stream_setup makes it, with TMPDIR in it). */
extern char stream_tmp[];

/* Writes the sweep with `inject inject` to path. */
void write_sweep(const char *path, const char *inject);
/* No process whose command line names dir; nothing left in TMPDIR. */
void assert_nothing_left(const char *dir);
/* meta.json's a (.b) as a string, in static storage. */
const char *meta_at(const char *dir, const char *a, const char *b);
/* summary.csv: the records column (and n, unless NULL) of FIRST, the
 * records column of SECOND. */
void assert_rows(const char *dir, const char *first_records, const char *first_n,
                 const char *second_records);
/* status failed, reason containing needle, meta.json record_stream's
 * counts, serial.log and records.txt kept. */
void assert_damage(const char *dir, const char *rejected, const char *dups,
                   const char *missing, const char *needle);
/* `hvflush run` of the sweep with inject and extra options: asserts exit 1,
 * one "hvflush: run failed: " line, and nothing left behind. */
struct run_result *run_sweep(const char *inject, const char *extra);

/* cmocka group setup and teardown: stream_tmp, its TMPDIR, removal. */
int stream_setup(void **state);
int stream_teardown(void **state);

#endif
