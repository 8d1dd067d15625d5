/*
 * Where a configuration runs (its initiator and target CPUs) and the order
 * in which configurations run.  Pure logic, compiled for the guest and the
 * host (see bench/sweep.h).
 */
#include <bench/sweep.h>
#include <bench/text.h>

static void append_cpu(char *buf, size_t cap, uint32_t cpu);

static bool set_has(const uint64_t *set, uint32_t cpu)
{
    return cpu < SWEEP_MAX_CPUS && (set[cpu / 64] >> (cpu % 64) & 1);
}

/* null, self and all; contiguous, strided and cpus (placement_pattern()). */
static bool place_set(const struct sweep_config *c, unsigned ncpus, uint32_t *out);

bool sweep_placement(const struct sweep_config *c, unsigned ncpus, uint32_t *out)
{
    uint32_t others[SWEEP_MAX_CPUS];
    uint32_t m = 0, i, cpu;

    if (c->initiator >= ncpus || ncpus > SWEEP_MAX_CPUS)
        return false;
    if (c->target_set != TARGETS_OTHERS || c->placement >= PLACEMENT_CONTIGUOUS)
        return place_set(c, ncpus, out);
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

/* The target sets other than a placed count, and the placement patterns:
 *   null        no CPU;  self  the initiator;  all  CPUs 0..ncpus-1;
 *   contiguous  initiator+1, +2, ... modulo ncpus (the initiator's
 *               neighbours; from CPU 0 the same as first);
 *   strided:S   initiator+S, +2S, ... each below ncpus (no wrap);
 *   cpus:LIST   the lowest `targets` CPUs of LIST (never the initiator).
 * Written ascending, as every target list is. */
static bool place_set(const struct sweep_config *c, unsigned ncpus, uint32_t *out)
{
    uint32_t i, cpu, n = 0;

    switch (c->target_set) {
    case TARGETS_NULL:
        return c->targets == 0;
    case TARGETS_SELF:
        out[0] = c->initiator;
        return c->targets == 1;
    case TARGETS_ALL:
        for (cpu = 0; cpu < ncpus; cpu++)
            out[cpu] = cpu;
        return c->targets == ncpus;
    default:
        break;
    }
    if (c->targets >= ncpus)
        return false;
    switch (c->placement) {
    case PLACEMENT_CONTIGUOUS:
        /* Ascending: the wrapped-around part first. */
        for (cpu = 0; cpu < ncpus; cpu++) {
            uint32_t dist = (cpu + ncpus - c->initiator) % ncpus;

            if (dist >= 1 && dist <= c->targets)
                out[n++] = cpu;
        }
        break;
    case PLACEMENT_STRIDED:
        for (i = 1; i <= c->targets; i++) {
            uint64_t t = c->initiator + (uint64_t)c->stride * i;

            if (c->stride == 0 || t >= ncpus)
                return false;
            out[n++] = (uint32_t)t;
        }
        break;
    case PLACEMENT_CPUS:
        for (cpu = 0; cpu < ncpus && n < c->targets; cpu++)
            if (set_has(c->cpuset, cpu)) {
                if (cpu == c->initiator)
                    return false;
                out[n++] = cpu;
            }
        break;
    default:
        return false;
    }
    return n == c->targets;
}

uint32_t sweep_placement_room(const struct sweep_line *l, unsigned pi, uint32_t initiator,
                              unsigned ncpus)
{
    uint32_t n = 0, cpu;

    if (initiator >= ncpus)
        return 0;
    switch (l->placement[pi]) {
    case PLACEMENT_STRIDED:
        return l->stride[pi] ? (ncpus - 1 - initiator) / l->stride[pi] : 0;
    case PLACEMENT_CPUS:
        for (cpu = 0; cpu < ncpus; cpu++)
            n += cpu != initiator && set_has(l->cpuset[pi], cpu);
        return n;
    default:
        return ncpus - 1;
    }
}

/* Parses "N" or "N-M" (CPU numbers below SWEEP_MAX_CPUS) into set. */
static bool parse_run(const char *s, size_t n, uint64_t *set)
{
    uint64_t lo, hi;
    size_t dash = 0;

    while (dash < n && s[dash] != '-')
        dash++;
    if (!text_parse_u64(s, dash, 10, &lo))
        return false;
    hi = lo;
    if (dash < n && !text_parse_u64(s + dash + 1, n - dash - 1, 10, &hi))
        return false;
    if (lo > hi || hi >= SWEEP_MAX_CPUS)
        return false;
    for (; lo <= hi; lo++)
        set[lo / 64] |= 1ull << (lo % 64);
    return true;
}

bool sweep_placement_parse(const char *s, size_t n, struct sweep_line *l, unsigned idx)
{
    uint64_t v;
    unsigned w;
    size_t i = 5, start;

    l->stride[idx] = 0;
    for (w = 0; w < SWEEP_CPUSET_WORDS; w++)
        l->cpuset[idx][w] = 0;
    if (n > 8 && text_eq_n(s, 8, "strided:")) {
        if (!text_parse_u64(s + 8, n - 8, 10, &v) || v < 1 || v >= SWEEP_MAX_CPUS)
            return false;
        l->placement[idx] = PLACEMENT_STRIDED;
        l->stride[idx] = (uint32_t)v;
        return true;
    }
    if (n > 5 && text_eq_n(s, 5, "cpus:")) {
        /* Runs joined by '+' (',' separates list items): 1+3+5, 4-7+9. */
        for (;;) {
            start = i;
            while (i < n && s[i] != '+')
                i++;
            if (i == start || !parse_run(s + start, i - start, l->cpuset[idx]))
                return false;
            if (i == n)
                break;
            i++;
        }
        l->placement[idx] = PLACEMENT_CPUS;
        return true;
    }
    return placement_from_name(s, n, &l->placement[idx]) &&
           l->placement[idx] < PLACEMENT_STRIDED;
}

size_t sweep_placement_text(const struct sweep_config *c, char *buf, size_t cap)
{
    uint32_t cpus[SWEEP_MAX_CPUS], n = 0, cpu;
    size_t len;

    if (cap == 0)
        return 0;
    buf[0] = '\0';
    text_append(buf, cap, placement_name(c->placement));
    if (c->placement == PLACEMENT_STRIDED) {
        text_append(buf, cap, ":");
        append_cpu(buf, cap, c->stride);
    } else if (c->placement == PLACEMENT_CPUS) {
        text_append(buf, cap, ":");
        for (cpu = 0; cpu < SWEEP_MAX_CPUS; cpu++)
            if (set_has(c->cpuset, cpu))
                cpus[n++] = cpu;
        len = text_len(buf);
        cpu_list_format(cpus, n, buf + len, cap - len);
        for (; buf[len]; len++)
            if (buf[len] == ',')
                buf[len] = '+';
    }
    return text_len(buf);
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
