/*
 * A configuration's flush hypercall: what it names (targets' VP indexes,
 * address space, flags, GVA ranges) and issuing it.  Shared by the latency
 * measurement and the effect probe so both issue exactly the same call.
 */
#ifndef BENCH_MEASURE_HYPERCALL_H
#define BENCH_MEASURE_HYPERCALL_H

#include <stdbool.h>
#include <bench/sweep.h>
#include <guest/hv.h>

/* NULL when this platform can run configuration c, else why not (a word
 * for the records, e.g. "no-hyperv", "xmm-input-not-advertised"). */
const char *hv_config_unsupported(const struct sweep_config *c);
/* Builds the request for c (call once per configuration, after the check). */
void hv_config_prepare(const struct sweep_config *c);
/* Names cpus[0..n) as the prepared request's targets instead of CPUs
 * 1..n (the latency measurement's placement).  NULL, or why these CPUs
 * cannot be named (a word as hv_config_unsupported() gives). */
const char *hv_config_set_targets(const struct sweep_config *c, const uint32_t *cpus,
                                  uint32_t n);
/* Issues the prepared flush once. */
struct hv_result hv_config_flush(void);
/* "hv-status-INVALID_PARAMETER", "hv-fault-6": why a call did not succeed;
 * NULL when it did. */
const char *hv_result_problem(const struct hv_result *r, char *buf, unsigned n);

#endif
