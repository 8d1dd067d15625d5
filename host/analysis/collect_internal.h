/* Shared between the collector's files (collect.c, collect_config.c). */
#ifndef HOST_COLLECT_INTERNAL_H
#define HOST_COLLECT_INTERNAL_H

#include <jansson.h>
#include <bench/ci_target.h>
#include "analysis/collect.h"

/* A record as a JSON object (digit-only values become integers). */
json_t *record_json(const struct record *r);
/* Reads key as an unsigned number, or marks the run failed and says why. */
bool need_u64(struct run_data *d, const struct record *r, const char *key, uint64_t *out);

void collect_on_config(struct run_data *d, const struct record *r);
void collect_on_samples(struct run_data *d, const struct record *r);
void collect_on_latency(struct run_data *d, const struct record *r);
void collect_on_verify(struct run_data *d, const struct record *r);
void collect_on_unsupported(struct run_data *d, const struct record *r);
void collect_on_error(struct run_data *d, const struct record *r);
/* host/analysis/latency_ci.c: the latency record's adaptive-sampling
 * fields, checked against the samples; false after a collect_problem. */
bool collect_latency_ci(struct run_data *d, struct config_result *c, const struct record *r);

#endif
