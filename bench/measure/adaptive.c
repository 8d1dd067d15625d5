/*
 * Adaptive sampling: how many rounds of samples one configuration takes.
 *
 * Algorithm (on the initiator, interrupts off, inside the latency loop):
 * round 1 takes c->samples samples after c->warmup discarded iterations;
 * without ci-target that is all (one round, exactly as before).  With
 * ci-target, after each round the samples so far are copied and sorted,
 * the median's 95 % CI [lo, hi] is taken by order statistics
 * (bench/median_ci.c, the host computes the same from the same samples),
 * and sampling stops when (hi - lo) / 2 <= ci-target * median; otherwise
 * another round of c->samples (no warm-up) follows, unless the next round
 * would pass the sample limit (sweep_samples_limit) or the time cap
 * (time-cap ms of TSC time since the first round began, sorting included)
 * has run out -- then the configuration is flagged wide.  The cap is
 * checked between rounds, so a configuration overruns it by at most one
 * round.
 *
 * Races: none of its own; each round is latency.c's loop, with the races
 * that loop tolerates.  Samples stay in the order they were taken (the
 * `samples` records stream them in index order); only the copy is sorted.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/ci_target.h>
#include <bench/median_ci.h>
#include <bench/timing.h>
#include <guest/platform.h>
#include "adaptive.h"
#include "measure.h"

static uint64_t *sorted;        /* scratch copy, grown on demand */
static uint32_t sorted_cap;

static bool scratch_reserve(uint32_t n)
{
    if (n <= sorted_cap)
        return true;
    sorted = pages_alloc(((size_t)n * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE);
    sorted_cap = n;
    return sorted != 0;
}

/* The CI of samples[0..n) into out; true when it meets the target. */
static bool ci_update(const struct sweep_config *c, const uint64_t *samples, uint32_t n,
                      struct latency_ci *out)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        sorted[i] = samples[i];
    u64_sort(sorted, n);
    out->have = median_ci(sorted, n, &out->lo, &out->hi);
    return out->have &&
           median_ci_within(out->lo, out->hi, timing_percentile(sorted, n, 50),
                            c->ci_target_bp);
}

bool adaptive_sample(const struct sweep_config *c, uint64_t *samples,
                     latency_round_fn *round, void *ctx, struct latency_ci *out)
{
    uint64_t start = rdtsc(), cap = tsc_info.hz / 1000 * c->time_cap_ms;
    uint32_t limit = sweep_samples_limit(c);

    out->n = out->rounds = 0;
    out->have = out->wide = false;
    out->lo = out->hi = 0;
    if (c->ci_target_bp && !scratch_reserve(limit))
        return false;
    for (;;) {
        if (!round(ctx, samples + out->n, out->rounds ? 0 : c->warmup))
            return false;
        out->n += c->samples;
        out->rounds++;
        if (!c->ci_target_bp || ci_update(c, samples, out->n, out))
            return true;
        if (out->n + c->samples > limit || rdtsc() - start >= cap) {
            out->wide = true;
            return true;
        }
    }
}

void adaptive_record_fields(struct record_writer *w, const struct sweep_config *c,
                            const struct latency_ci *ci)
{
    char target[16];

    ci_target_format(c->ci_target_bp, target, sizeof(target));
    record_u64(w, "n", ci->n);
    record_u64(w, "rounds", ci->rounds);
    record_str(w, "ci_target", target);
    if (ci->have) {
        record_u64(w, "ci_lo", ci->lo);
        record_u64(w, "ci_hi", ci->hi);
    } else {
        record_str(w, "ci_lo", "-");
        record_str(w, "ci_hi", "-");
    }
    record_u64(w, "ci_wide", ci->wide);
}
