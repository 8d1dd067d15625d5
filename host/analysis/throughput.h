/*
 * The throughput and interference results of a run (host/analysis/throughput.c):
 * the guest's `initiator`, `throughput` and `interference` records
 * (bench/record-format.md), checked against the configuration the host
 * expanded, and written to throughput.csv (one row per configuration with
 * a throughput measurement) and interference.csv (one row per target of
 * a state=work configuration).  In both, lists (one value per initiator,
 * in initiator order) are separated by spaces.
 */
#ifndef HOST_THROUGHPUT_H
#define HOST_THROUGHPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "accel.h"
#include "analysis/collect.h"

#define THROUGHPUT_HEADER \
    "id,label,strategy,targets,state,initiators,share,aggregate_per_s,per_initiator_per_s," \
    "flushes,window_cycles,p50_cyc,p99_cyc,p50_ns,p99_ns,initiator_cpus,target_cpus," \
    "timing_class,verdict"
#define INTERFERENCE_HEADER \
    "id,label,strategy,initiators,share,cpu,working_set,received,cycles_lost_per_flush," \
    "refill_cycles,steady_walk_cycles,refill_walk_cycles,quiet_walks,quiet_cycles," \
    "loaded_walks,loaded_cycles,refill_rounds,timing_class"

struct tp_initiator_result {
    uint64_t cpu, flushes, window, per_s, kept, p50, p99;
    char target_cpus[RECORD_LINE_MAX / 4];
};

struct tp_interference_result {
    uint64_t cpu, working_set, received, quiet_walks, quiet_cycles, loaded_walks,
             loaded_cycles, steady, refill_walk, refill_rounds;
    int64_t lost_per_flush, refill;
};

struct throughput_result {
    unsigned ninit;
    struct tp_initiator_result init[SWEEP_INITIATORS_MAX];
    bool have_total;            /* the throughput record arrived */
    uint64_t window, flushes, aggregate_per_s;
    unsigned ninterf;
    struct tp_interference_result interf[SWEEP_MAX_CPUS];
};

/* The collector's handler of `initiator`, `throughput` and `interference`
 * records (marks the run failed on a record that does not fit). */
void collect_on_throughput(struct run_data *d, const struct record *r);
/* After a complete stream: every throughput configuration measured and
 * not abandoned has its records. */
void throughput_check_complete(struct run_data *d);
/* throughput.csv and interference.csv, when the sweep has such
 * configurations; false with a message in err when one cannot be written. */
bool throughput_write(const char *run_dir, const struct run_data *d,
                      const struct timing_class *tc, char *err, size_t errcap);

#endif
