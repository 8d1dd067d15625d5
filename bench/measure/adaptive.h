/* Adaptive sampling of one configuration's latency (adaptive.c). */
#ifndef BENCH_MEASURE_ADAPTIVE_H
#define BENCH_MEASURE_ADAPTIVE_H

#include <stdint.h>
#include <stdbool.h>
#include <bench/record.h>
#include <bench/sweep.h>

/* How a configuration's sampling ended (the `latency` record's tail). */
struct latency_ci {
    uint32_t n;          /* samples taken */
    uint32_t rounds;     /* rounds of c->samples each */
    bool have;           /* lo/hi computed (ci-target on and n >= 6) */
    bool wide;           /* stopped on the time cap or the sample limit first */
    uint64_t lo, hi;     /* the median's 95 % CI, cycles */
};

/* One round: c->samples timed samples into dst, after `warmup` discarded
 * iterations.  False when the configuration had to be abandoned. */
typedef bool latency_round_fn(void *ctx, uint64_t *dst, uint32_t warmup);

/* Runs rounds until the configuration is done (see adaptive.c); samples
 * must hold sweep_samples_limit(c).  False when a round failed. */
bool adaptive_sample(const struct sweep_config *c, uint64_t *samples,
                     latency_round_fn *round, void *ctx, struct latency_ci *out);

/* Appends n rounds ci_target ci_lo ci_hi ci_wide to the open record. */
void adaptive_record_fields(struct record_writer *w, const struct sweep_config *c,
                            const struct latency_ci *ci);

#endif
