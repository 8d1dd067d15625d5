/*
 * Hand-made record streams for the collector's unit tests
 * (test_host_collect*.c): a good stream answering sweep_text, written with
 * the bench/ record writer, and knobs that spoil it in one way each.
 */
#ifndef TESTS_UNIT_COLLECT_STREAM_H
#define TESTS_UNIT_COLLECT_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/collect.h"

#define SMP 2
#define SAMPLES 40

/* The sweep the streams answer: one local and one IPI configuration. */
extern const char sweep_text[];
/* The sweep the collector checks against instead, when set (a seed line). */
extern const char *seeded_text;

struct sink {
    char text[1 << 16];
    size_t len;
};

/* Ways to spoil the stream. */
struct knobs {
    unsigned short_by;          /* samples missing from configuration 1 */
    bool gap;                   /* configuration 1's second record starts one too late */
    bool no_verify;
    bool no_end;
    bool end_failed;
    bool wrong_label;
    bool extra_type;            /* a record type the host does not know */
    bool unsupported;           /* configuration 1 cannot run on this platform */
    bool abandoned;             /* configuration 1 ends with an error, no samples */
    bool no_latency;            /* configuration 1 has no latency record */
    bool wrong_cpus;            /* configuration 1 names target CPU 0 */
    bool precision_on_ipi;      /* configuration 1 (ipi) claims precision checks ran */
    unsigned clamped;           /* configuration 1's clamped count */
    unsigned identity;          /* sweeptext records and this many hypervisor records */
};

/* Writes the stream k describes into s. */
void build_stream(struct sink *s, const struct knobs *k);
/* Runs the collector over text, line by line, against the sweep. */
void collect_text(struct run_data *d, const char *text);
/* build_stream + collect_text into static storage. */
struct run_data *collect_with(const struct knobs *k);
/* Asserts that the run failed with a reason containing needle, then frees d. */
void expect_failure(struct run_data *d, const char *needle);

#endif
