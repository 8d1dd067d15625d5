/*
 * Adaptive sampling's sweep directives and limits, shared by the guest
 * (which samples) and the host (which validates the sweep and checks the
 * sample counts that come back):
 *
 *   ci-target P%   take samples in rounds of `samples` until the median's
 *                  95 % CI half-width is within P % of the median
 *                  (0.01 %..100 %, at most two decimals; `off`, the
 *                  default, takes exactly `samples` as before);
 *   time-cap MS    with ci-target: stop after the round during which MS
 *                  milliseconds of TSC time (from the first round's start)
 *                  ran out (1..3600000, default 1000).
 *
 * A configuration also stops at its sample limit (sweep_samples_limit):
 * at most CI_ROUNDS_MAX rounds and CI_SAMPLES_LIMIT samples (whole
 * rounds), never fewer than one round.  Stopping on the cap or the limit
 * without reaching the target marks the configuration ci-wide.
 */
#ifndef BENCH_CI_TARGET_H
#define BENCH_CI_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <bench/sweep.h>

#define CI_TIME_CAP_DEFAULT_MS 1000u
#define CI_TIME_CAP_MAX_MS     3600000u
#define CI_ROUNDS_MAX          64u
#define CI_SAMPLES_LIMIT       131072u    /* 1 MiB of samples in the guest */

/* Parses a `ci-target` or `time-cap` directive line (word key, its one
 * value).  Returns 0 when key is neither, 1 when parsed into sw, -1 with
 * err filled on a bad value. */
int sweep_ci_directive(struct sweep *sw, const char *key, size_t kn, const char *val,
                       size_t vn, unsigned lineno, struct sweep_error *err);

/* The same two as keys of a measure line (ci-target=1%, time-cap=300),
 * overriding the directives for that line's configurations.  Returns
 * false when key is neither; else sets *bit (the key's "seen" bit), *ok
 * and *bad (the error text's tail when !*ok). */
#define SWEEP_KEY_CI_TARGET (1u << 24)
#define SWEEP_KEY_TIME_CAP  (1u << 25)
bool sweep_ci_line_key(struct sweep_line *l, const char *key, size_t kn, const char *val,
                       size_t vn, unsigned *bit, bool *ok, const char **bad);

/* The most samples configuration c may take (c->samples without
 * ci-target). */
uint32_t sweep_samples_limit(const struct sweep_config *c);

/* Whether n samples is a count c can end with: exactly c->samples without
 * ci-target, else whole rounds from one up to the limit. */
bool sweep_samples_count_ok(const struct sweep_config *c, uint64_t n);

/* "1%", "0.25%" (basis points as a percentage; buf >= 16 bytes), or
 * "off" for 0. */
size_t ci_target_format(uint32_t bp, char *buf, size_t cap);

#endif
