/*
 * Where a configuration runs (its initiator and target CPUs) and the order
 * in which configurations run.  Pure logic, compiled for the guest and the
 * host (see bench/sweep.h).
 */
#include <bench/sweep.h>
#include <bench/text.h>

bool sweep_placement(const struct sweep_config *c, unsigned ncpus, uint32_t *out)
{
    uint32_t others[SWEEP_MAX_CPUS];
    uint32_t m = 0, i, cpu;

    if (c->initiator >= ncpus || ncpus > SWEEP_MAX_CPUS)
        return false;
    for (cpu = 0; cpu < ncpus; cpu++)
        if (cpu != c->initiator)
            others[m++] = cpu;
    if (c->targets > m)
        return false;
    for (i = 0; i < c->targets; i++) {
        switch (c->placement) {
        case PLACEMENT_LAST:
            out[i] = others[m - c->targets + i];
            break;
        case PLACEMENT_SPREAD:
            /* The middle of the i-th of `targets` equal slices. */
            out[i] = others[(2ull * i + 1) * m / (2ull * c->targets)];
            break;
        default:
            out[i] = others[i];
            break;
        }
    }
    return true;
}

/* splitmix64: a small, well-mixed generator; the same sequence everywhere. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sweep_order(const struct sweep *sw, uint32_t *order, uint32_t n)
{
    uint64_t state = sw->seed;
    uint32_t i;

    for (i = 0; i < n; i++)
        order[i] = i;
    if (!sw->shuffle)
        return;
    for (i = n; i > 1; i--) {
        /* The modulo bias over at most 512 entries is below 2^-54. */
        uint32_t j = (uint32_t)(splitmix64(&state) % i), tmp = order[i - 1];

        order[i - 1] = order[j];
        order[j] = tmp;
    }
}

static void append_cpu(char *buf, size_t cap, uint32_t cpu)
{
    char num[24];

    num[text_u64_dec(num, cpu)] = '\0';
    text_append(buf, cap, num);
}

bool cpu_list_has(const uint32_t *cpus, uint32_t n, uint32_t cpu)
{
    uint32_t t;

    for (t = 0; t < n; t++)
        if (cpus[t] == cpu)
            return true;
    return false;
}

size_t cpu_list_format(const uint32_t *cpus, uint32_t n, char *buf, size_t cap)
{
    uint32_t i = 0;

    if (cap == 0)
        return 0;
    buf[0] = '\0';
    if (n == 0)
        text_append(buf, cap, "-");
    while (i < n) {
        uint32_t end = i;

        while (end + 1 < n && cpus[end + 1] == cpus[end] + 1)
            end++;
        if (i)
            text_append(buf, cap, ",");
        append_cpu(buf, cap, cpus[i]);
        if (end > i) {
            text_append(buf, cap, "-");
            append_cpu(buf, cap, cpus[end]);
        }
        i = end + 1;
    }
    return text_len(buf);
}
