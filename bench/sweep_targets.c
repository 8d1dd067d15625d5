/*
 * Which CPUs a sweep line's configurations target (bench/sweeps/README.md,
 * `targets` and `placement`): the targets= list resolved for a CPU count
 * and checked against every placement of the line.  Pure logic, compiled
 * for the guest and the host like the rest of the sweep code.
 */
#include <bench/sweep.h>
#include <bench/text.h>
#include "sweep_targets.h"

static int refuse(struct sweep_error *err, unsigned lineno, const char *a, uint64_t x,
                  const char *b, uint64_t y, const char *c)
{
    char num[24];

    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), a);
    num[text_u64_dec(num, x)] = '\0';
    text_append(err->msg, sizeof(err->msg), num);
    text_append(err->msg, sizeof(err->msg), b);
    if (c) {
        num[text_u64_dec(num, y)] = '\0';
        text_append(err->msg, sizeof(err->msg), num);
        text_append(err->msg, sizeof(err->msg), c);
    }
    return -1;
}

/* The fewest CPUs any initiator/placement pair of l reaches, or -1 (err
 * filled) when a pair is unusable: a cpus: list naming the initiator or a
 * CPU the VM lacks, a stride that reaches no CPU. */
static int line_room(const struct sweep_line *l, unsigned ncpus, struct sweep_error *err)
{
    uint32_t room = ncpus ? ncpus - 1 : 0;
    unsigned ni, pi, w, b;

    for (ni = 0; ni < l->ninitiator; ni++)
        for (pi = 0; pi < l->nplacement; pi++) {
            uint32_t init = l->initiator[ni], r;

            if (l->placement[pi] == PLACEMENT_CPUS)
                for (w = 0; w < SWEEP_CPUSET_WORDS; w++)
                    for (b = 0; b < 64; b++) {
                        uint32_t cpu = w * 64 + b;

                        if (!(l->cpuset[pi][w] >> b & 1))
                            continue;
                        if (cpu == init)
                            return refuse(err, l->lineno, "placement cpus: names CPU ", cpu,
                                          ", the initiator (targets=self or all include it)",
                                          0, NULL);
                        if (cpu >= ncpus)
                            return refuse(err, l->lineno, "placement cpus: names CPU ", cpu,
                                          ", which needs ", (uint64_t)cpu + 1,
                                          " vCPUs but the VM has fewer");
                    }
            r = sweep_placement_room(l, pi, init, ncpus);
            if (r == 0 && ncpus > 1)
                return refuse(err, l->lineno, "placement strided reaches no CPU from initiator ",
                              init, " on ", ncpus, " vCPUs");
            if (r < room)
                room = r;
        }
    return (int)room;
}

/* Appends (count, set) unless already there; false when out is full. */
static bool add(uint32_t *counts, enum target_set *sets, unsigned *n, unsigned max,
                uint32_t count, enum target_set set)
{
    unsigned d;

    for (d = 0; d < *n; d++)
        if (counts[d] == count && sets[d] == set)
            return true;
    if (*n == max)
        return false;
    counts[*n] = count;
    sets[(*n)++] = set;
    return true;
}

int sweep_line_targets(const struct sweep_line *l, unsigned ncpus, uint32_t *counts,
                       enum target_set *sets, unsigned max, struct sweep_error *err)
{
    int room = line_room(l, ncpus, err);
    unsigned n = 0, ti, pi;
    bool listed = false, ok = true;
    uint32_t v;

    if (room < 0)
        return -1;
    for (pi = 0; pi < l->nplacement; pi++)
        listed |= l->placement[pi] == PLACEMENT_CPUS;
    /* An explicit CPU list without targets=: every listed CPU. */
    if (listed && !l->targets_given)
        return add(counts, sets, &n, max, (uint32_t)room, TARGETS_OTHERS) && room > 0 ?
               (int)n : 0;
    for (ti = 0; ti < l->ntargets && ok; ti++) {
        int32_t t = l->targets[ti];

        if (t > 0 && (unsigned)t >= ncpus)
            return refuse(err, l->lineno, "targets needs ", (uint64_t)t + 1,
                          " vCPUs (the initiator plus its targets) but the VM has fewer", 0,
                          NULL);
        if (t > 0 && t > room)
            return refuse(err, l->lineno, "targets needs ", (uint64_t)t,
                          " CPUs but the line's placement reaches only ", (uint64_t)room,
                          " from its initiator");
        switch (t) {
        case SWEEP_TARGETS_NULL:
            ok = add(counts, sets, &n, max, 0, TARGETS_NULL);
            break;
        case SWEEP_TARGETS_SELF:
            ok = add(counts, sets, &n, max, 1, TARGETS_SELF);
            break;
        case SWEEP_TARGETS_EVERY:
            ok = add(counts, sets, &n, max, ncpus, TARGETS_ALL);
            break;
        case SWEEP_TARGETS_POW2:
            for (v = 1; ok && v < (uint32_t)room; v *= 2)
                ok = add(counts, sets, &n, max, v, TARGETS_OTHERS);
            __attribute__((fallthrough));   /* and all-but-self */
        case SWEEP_TARGETS_ALL:
            if (room > 0 && ok)
                ok = add(counts, sets, &n, max, (uint32_t)room, TARGETS_OTHERS);
            break;
        default:
            ok = add(counts, sets, &n, max, (uint32_t)t, TARGETS_OTHERS);
            break;
        }
    }
    if (!ok)
        return refuse(err, l->lineno, "targets= expands to more than ", max, " counts", 0,
                      NULL);
    return (int)n;
}

void sweep_config_set_targets(struct sweep_config *c, const struct sweep_line *l, unsigned pi,
                              enum target_set set)
{
    unsigned w;

    c->target_set = set;
    c->stride = l->stride[pi];
    for (w = 0; w < SWEEP_CPUSET_WORDS; w++)
        c->cpuset[w] = l->cpuset[pi][w];
    c->ipi_call = l->nipi_call ? l->ipi_call[0] : IPI_CALL_AUTO;
    if (set == TARGETS_NULL || set == TARGETS_SELF)
        c->verify = false;
}

static bool line_has_target(const struct sweep_line *l, int32_t t)
{
    unsigned i;

    for (i = 0; i < l->ntargets; i++)
        if (l->targets[i] == t)
            return true;
    return false;
}

static bool check_fail(struct sweep_error *err, unsigned lineno, const char *msg)
{
    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), msg);
    return false;
}

bool sweep_line_check_targets(const struct sweep_line *l, bool flush_given,
                              bool ipi_call_given, struct sweep_error *err)
{
    unsigned i;

    if (l->strategy == STRATEGY_HV_IPI_INVLPG && flush_given)
        return check_fail(err, l->lineno, "hv-ipi-invlpg flushes with invlpg on each target: "
                          "drop flush=");
    if (ipi_call_given && l->strategy != STRATEGY_HV_IPI_INVLPG)
        return check_fail(err, l->lineno, "ipi-call= belongs to strategy hv-ipi-invlpg");
    if (!strategy_has_targets(l->strategy))
        return true;
    if (line_has_target(l, SWEEP_TARGETS_NULL)) {
        if (strategy_is_hv(l->strategy) && !strategy_is_ex(l->strategy))
            return check_fail(err, l->lineno, "targets=null is refused for hv-space and "
                              "hv-list: KVM takes an empty ProcessorMask as all processors "
                              "(use hv-space-ex or hv-list-ex)");
        for (i = 0; i < l->nprocs; i++)
            if (strategy_is_hv(l->strategy) && l->procs[i] == PROCS_ALL)
                return check_fail(err, l->lineno, "targets=null names no processor: "
                                  "procs=all contradicts it");
    }
    if (line_has_target(l, SWEEP_TARGETS_SELF))
        for (i = 0; i < l->nstates; i++)
            if (l->state[i] == TARGET_HALT || l->state[i] == TARGET_WORK)
                return check_fail(err, l->lineno, "targets=self: the initiator is the "
                                  "target and can neither halt nor walk a working set "
                                  "(use state=spin)");
    return true;
}
