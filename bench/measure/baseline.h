/*
 * The decomposition baselines' hypercalls (bench/measure/baseline.c):
 * hv-null, a flush call that names no processor, and hv-invalid, a call
 * with an unknown code.  Prepared once per configuration, outside any
 * timed region, like the flush calls of hypercall.h.
 */
#ifndef BENCH_MEASURE_BASELINE_H
#define BENCH_MEASURE_BASELINE_H

#include <bench/sweep.h>
#include <guest/hv.h>

/* NULL when this platform can run hv-null/hv-invalid configuration c,
 * else why not (a word for the `unsupported` record). */
const char *hv_baseline_unsupported(const struct sweep_config *c);
/* Builds c's call input. */
void hv_baseline_prepare(const struct sweep_config *c);
/* Issues the prepared call once. */
struct hv_result hv_baseline_issue(void);
/* NULL when r is the answer c's call must get (SUCCESS for hv-null,
 * INVALID_HYPERCALL_CODE for hv-invalid), else what went wrong
 * ("hv-status-SUCCESS", "hv-fault-6", ...), written into buf. */
const char *hv_baseline_problem(const struct sweep_config *c, const struct hv_result *r,
                                char *buf, unsigned n);

#endif
