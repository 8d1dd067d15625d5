/*
 * The measurement routines that run inside the guest (guest-only part of
 * bench/).  Each routine's file starts with what it measures, the exact
 * sequence of events on the initiator and the targets, the races it
 * tolerates and how it is verified.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stdint.h>
#include <stdbool.h>
#include <bench/record.h>
#include <bench/sweep.h>
#include "adaptive.h"

/* The record stream of this run (emit.c). */
extern struct record_writer records;
void records_init(void);
/* Emits the `output` record and the end record, then marks the results
 * area complete; every stream ends through it. */
void records_end(bool ok);

/* tsc_skew.c: every CPU's TSC against CPU 0's, one `tscskew` record each. */
void tsc_skew_measure(void);

/* Verdicts and their power rule (pure logic, shared with the host). */
#include <bench/verdict.h>

/* The sweep's `inject` value for this run (run.c sets it before the first
 * configuration; verify.c and hypercall.c act on skip-flush and
 * hv-wrong-mask). */
extern enum sweep_inject bench_inject;

/* emit_inject.c: the stream faults of `inject` (record-truncate, ...,
 * page-fault-mid-config).  emit_inject_plan() gets the number of
 * configurations; emit_inject_line() returns how many times to send the
 * line and in *out and *out_len what to send: the line itself or a damaged
 * copy in buf (RECORD_LINE_MAX bytes); emit_inject_after() runs once the
 * line is out, outside the emit lock. */
void emit_inject_plan(unsigned nconfigs);
unsigned emit_inject_line(const char *line, size_t len, char *buf, const char **out,
                          size_t *out_len);
void emit_inject_after(void);

/* run.c: the sweep driver, called by the guest's main. */
int bench_run(void);

/* cpus_missing.c: NULL when every CPU configuration c would use is online
 * (its initiator, targets[0..ntargets), precision and throughput CPUs),
 * else "cpu-N-never-came-up" for the first that is not, in buf. */
const char *config_missing_cpu(const struct sweep_config *c, const uint32_t *targets,
                               uint32_t ntargets, char *buf, unsigned cap);
/* The CPUs that never came up as a cpu_list_format() list ("-" for none). */
void cpus_missing_list(char *buf, unsigned cap);

/* timer.c: the cost of an empty timed region, in cycles. */
struct timer_overhead { uint64_t min, p1, p50, p99; uint32_t n; };
void timer_measure_overhead(struct timer_overhead *out);
uint64_t timer_overhead_cycles(void);   /* p50 of the last measurement */
void u64_sort(uint64_t *v, uint32_t n);

/* probe.c: one-CPU platform calibration (stale reads, exit survival). */
struct platform_facts {
    bool stale_observable;       /* a stale translation was read at least once */
    bool survives_exits;         /* and it survived a plain VM exit */
};
extern struct platform_facts platform_facts;
void probe_platform(void);
/* probe_global.c: does a global entry survive a CR3 reload (`probe`
 * record global-cr3: survives / flushed / unknown)? */
void probe_global_cr3(void);

/* precision.c: does a flush hypercall flush only what it names?  Emits
 * `precision` records (informational). */
void precision_config(const struct sweep_config *c);

/* latency.c: the timed samples of one configuration into samples[], with
 * c->initiator timing and cpus[0..c->targets) as the targets.  Returns
 * false (after emitting an error record) if it could not finish. */
struct latency_counts {
    uint32_t clamped;    /* samples floored at 0 by the overhead subtraction */
    uint32_t excluded;   /* iterations dropped: a halted target had not parked */
    struct latency_ci ci;/* samples taken, rounds, the median's CI (adaptive.c) */
};
bool latency_measure(const struct sweep_config *c, const uint32_t *cpus,
                     uint64_t *samples, struct latency_counts *counts);

/* verify.c: the stale-TLB effect probe of one configuration, on
 * c->initiator with cpus[0..c->targets) as the targets (the latency
 * placement).  For hv-* the calls must have been built for that placement
 * (hv_config_set_targets()). */
enum verdict verify_config(const struct sweep_config *c, const uint32_t *cpus);

/* conformance.c: the `hyperv` record (and one `vp` record per CPU once the
 * hypercall page is enabled), after hv_init(); then the Hyper-V
 * conformance suite, one `conformance` record per case (only when
 * hv_usable()). */
void hv_emit_records(void);
void conformance_run(void);

#endif
