/*
 * The collector's check of a latency record's adaptive-sampling fields
 * (bench/record-format.md, `latency`): n and rounds must match the samples
 * that arrived, and the guest's median CI and ci_wide flag must be what
 * the host computes from the same samples with the same code
 * (bench/median_ci.c) -- the two sides may never disagree about whether a
 * configuration reached its ci-target.  Streams without these fields
 * (older guests, hand-made tests) are accepted as they were.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bench/median_ci.h>
#include <bench/timing.h>

#include "analysis/collect_internal.h"
#include "analysis/stats.h"

static bool opt_u64(struct run_data *d, const struct record *r, const char *key,
                    uint64_t *out, bool *present)
{
    const char *v = record_get(r, key);

    *present = v && strcmp(v, "-") != 0;
    return !*present || need_u64(d, r, key, out);
}

/* The host's own interval of c's samples; false when out of memory. */
static bool host_ci(const struct config_result *c, bool *have, uint64_t *lo, uint64_t *hi,
                    bool *met)
{
    uint64_t *sorted = malloc(c->nsamples * sizeof(*sorted));

    if (!sorted)
        return false;
    memcpy(sorted, c->samples, c->nsamples * sizeof(*sorted));
    stats_sort(sorted, c->nsamples);
    *have = median_ci(sorted, (uint32_t)c->nsamples, lo, hi);
    *met = *have && median_ci_within(*lo, *hi, timing_percentile(sorted,
                                     (uint32_t)c->nsamples, 50), c->cfg.ci_target_bp);
    free(sorted);
    return true;
}

bool collect_latency_ci(struct run_data *d, struct config_result *c, const struct record *r)
{
    uint64_t n, rounds, lo, hi, wide;
    bool has_n, has_rounds, has_lo, has_hi, has_wide, have, met;
    const unsigned id = c->cfg.id;

    if (!opt_u64(d, r, "n", &n, &has_n) || !opt_u64(d, r, "rounds", &rounds, &has_rounds) ||
        !opt_u64(d, r, "ci_lo", &lo, &has_lo) || !opt_u64(d, r, "ci_hi", &hi, &has_hi) ||
        !opt_u64(d, r, "ci_wide", &wide, &has_wide))
        return false;
    if (has_n && n != c->nsamples) {
        collect_problem(d, "configuration %u: latency record says n=%" PRIu64 ", %zu samples "
                        "arrived", id, n, c->nsamples);
        return false;
    }
    c->guest_rounds = has_rounds ? rounds : 1;
    if (c->guest_rounds * c->cfg.samples != c->nsamples) {
        collect_problem(d, "configuration %u: %" PRIu64 " rounds of %" PRIu32 " samples, but "
                        "%zu arrived", id, c->guest_rounds, c->cfg.samples, c->nsamples);
        return false;
    }
    c->has_guest_ci = has_lo && has_hi;
    c->guest_ci_lo = has_lo ? lo : 0;
    c->guest_ci_hi = has_hi ? hi : 0;
    c->guest_ci_wide = has_wide && wide;
    if (!c->cfg.ci_target_bp || !has_wide)
        return true;
    if (!host_ci(c, &have, &lo, &hi, &met)) {
        collect_problem(d, "out of memory checking configuration %u's interval", id);
        return false;
    }
    if (have != c->has_guest_ci || (have && (lo != c->guest_ci_lo || hi != c->guest_ci_hi))) {
        collect_problem(d, "configuration %u: the guest's median CI [%" PRIu64 ", %" PRIu64
                        "] is not the host's [%" PRIu64 ", %" PRIu64 "] of the same samples",
                        id, c->guest_ci_lo, c->guest_ci_hi, lo, hi);
        return false;
    }
    if (met == c->guest_ci_wide) {
        collect_problem(d, "configuration %u: ci_wide=%d but the interval %s the ci-target",
                        id, c->guest_ci_wide, met ? "meets" : "misses");
        return false;
    }
    return true;
}
