/*
 * The collector: reads the guest's record stream (records.txt), validates
 * it with the bench/ stream validator and against the configurations the
 * host expanded from the sweep, and gathers what summary.c and meta.c
 * write out.  Any problem marks the run failed with a reason; whatever was
 * collected before the problem is kept, so a failed run still leaves data.
 */
#ifndef HOST_COLLECT_H
#define HOST_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include <bench/record.h>
#include <bench/sweep.h>

struct verify_result {
    char verdict[16];           /* pass, fail, error, inconclusive, unsupported */
    uint64_t rounds, fresh, stale, control_rounds, control_stale, control_stale_rounds;
    char noop_pass_p[16];       /* chance a no-op flush passes every round, "1e-3"-style */
    char reason[128];
};

struct config_result {
    struct sweep_config cfg;    /* what the host expanded from the sweep */
    char label[64];
    char target_cpus[RECORD_LINE_MAX / 2];  /* sweep_placement(), as cpu_list_format() */
    bool has_latency;           /* the guest's latency record arrived */
    uint64_t clamped;           /* samples floored at 0 by the overhead subtraction */
    uint64_t excluded;          /* iterations dropped: a halted target had not parked */
    bool announced;             /* the guest's config record arrived */
    uint64_t *samples;          /* cycles, in index order */
    size_t nsamples, cap;
    bool has_verify;
    struct verify_result verify;
    char error[128];            /* "what" of a guest error record for this id */
    char unsupported[96];       /* reason of a guest unsupported record, "" if none */
    struct throughput_result *throughput;   /* host/analysis/throughput.c; NULL until one arrives */
    /* The latency record's adaptive-sampling fields (host/analysis/latency_ci.c). */
    bool has_guest_ci;          /* it carried ci_lo and ci_hi */
    uint64_t guest_rounds;      /* rounds, 1 when absent */
    uint64_t guest_ci_lo, guest_ci_hi;
    bool guest_ci_wide;         /* the guest stopped on the time cap or sample limit */
    /* Records of this configuration that may have been damaged on the way
     * (collect_damage.c): "" when none, else e.g. "rejected+missing". */
    char damaged[48];
};

struct run_data {
    /* Inputs. */
    unsigned smp;
    unsigned nconfigs;
    struct config_result *configs;

    /* What the guest reported. */
    bool have_hello, have_platform, have_timer, have_end;
    bool end_ok;
    uint64_t tsc_hz;
    uint64_t platform_cpus;
    uint64_t timer_overhead;
    bool have_timer_spread;     /* the timer record carried p1 and p99 */
    uint64_t timer_p1, timer_p99;
    unsigned cpus_seen;
    unsigned announced;         /* config records so far (their run order) */
    json_t *guest;              /* hello, platform, cpus, timer, probes, errors,
                                   hyperv, vps, conformance, precision */

    /* Stream state and verdict. */
    struct record_stream stream;
    struct record rec;
    bool stream_broken;         /* stop interpreting after the first bad line */
    bool failed;
    char reason[1024];          /* "; "-separated problems, first one first */

    /* Damage in the stream, skipped so that the rest can be read
     * (host/analysis/collect_damage.c; meta.json "record_stream"). */
    unsigned accepted;          /* lines taken as records */
    unsigned rejected;          /* lines that did not parse or failed their CRC-32 */
    unsigned duplicates;        /* well-formed lines with an earlier number: dropped */
    uint64_t missing;           /* sequence numbers never received intact */
    int current;                /* the configuration last announced, -1 before one */
    json_t *damage;             /* [{line, what, configuration}], the first 64 */
    /* The run's host-load noise reason (host/analysis/noise.h), set before
     * summary_write; every summary.csv row's noise column carries it. */
    bool noise_host_load;
};

/* Prepares d for a run of smp vCPUs whose sweep expanded to configs[0..n). */
bool collect_init(struct run_data *d, const struct sweep_config *configs, unsigned n,
                  unsigned smp);
/* Feeds one line (with or without its newline). */
void collect_line(struct run_data *d, const char *line, size_t len);
/* Checks the stream's end and completeness; call once after the last line. */
void collect_finish(struct run_data *d);
/* Reads a records file line by line and finishes.  A missing file counts as
 * an empty stream. */
void collect_file(struct run_data *d, const char *path);
void collect_free(struct run_data *d);

/* Marks the run failed and appends a reason. */
void collect_problem(struct run_data *d, const char *f, ...)
    __attribute__((format(printf, 2, 3)));

/* collect_damage.c: screens a line before the stream validator sees it;
 * false when the line is damaged or a duplicate (counted, reported with its
 * position and configuration, and skipped). */
bool collect_screen_line(struct run_data *d, const char *line, size_t len);
/* The totals as one problem, when there was any damage (collect_finish). */
void collect_damage_finish(struct run_data *d);
/* meta.json "record_stream": lines, accepted, rejected, duplicates, missing,
 * damage (a new reference). */
json_t *collect_damage_json(const struct run_data *d);

/* The verdict shown in tables: the verify verdict, "error" when the guest
 * reported an error for the configuration, else "-". */
const char *collect_verdict(const struct config_result *c);

#endif
