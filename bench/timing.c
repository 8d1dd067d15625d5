/*
 * Timing arithmetic shared by guest and host (see bench/timing.h).
 */
#include <bench/timing.h>

uint64_t timing_percentile(const uint64_t *sorted, uint32_t n, uint32_t pct)
{
    /* Integer ceil(pct * n / 100): no floating point in the guest. */
    uint64_t rank = ((uint64_t)pct * n + 99) / 100;

    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

uint64_t timing_net(uint64_t t0, uint64_t t1, uint64_t overhead, bool *clamped)
{
    uint64_t d = t1 - t0;

    *clamped = d < overhead;
    return *clamped ? 0 : d - overhead;
}

bool timing_noise_dominated(uint64_t net_p50, uint64_t timer_p1, uint64_t timer_p99)
{
    uint64_t spread = timer_p99 > timer_p1 ? timer_p99 - timer_p1 : 0;

    return net_p50 <= spread;
}

enum sample_fate timing_gate(struct sample_gate *g, bool targets_ready)
{
    if (!targets_ready)
        return ++g->excluded > g->excluded_max ? SAMPLE_ABANDON : SAMPLE_EXCLUDED;
    g->ready++;
    return g->ready > g->warmup ? SAMPLE_KEEP : SAMPLE_DISCARD;
}
