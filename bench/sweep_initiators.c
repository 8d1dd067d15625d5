/*
 * Concurrent initiators (sweep keys initiators=, share=, working-set=):
 * the parser's checks of a measure line, the expansion's vCPU-count check
 * and where the throughput measurement runs.  Pure logic, compiled for the
 * guest and the host (bench/sweep.h).
 *
 * Placement (sweep_throughput_placement): k initiators are the k
 * consecutive CPUs from the line's initiator= (default CPUs 0..k-1); the
 * target pool is taken from the remaining CPUs in ascending order by the
 * line's placement -- first: the lowest; last: the highest; spread: of the
 * m remaining CPUs, those at index floor((2i + 1) * m / (2 * n)) -- with
 * n = k * targets (share=own: initiator i takes pool entries
 * i*targets .. (i+1)*targets - 1) or n = targets (share=shared: every
 * initiator names the whole pool).
 */
#include <bench/sweep.h>
#include <bench/text.h>
#include "sweep_items.h"

static bool check_fail(struct sweep_error *err, unsigned lineno, const char *msg)
{
    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), msg);
    return false;
}

static void append_u(char *buf, size_t cap, uint64_t v)
{
    char num[24];

    num[text_u64_dec(num, v)] = '\0';
    text_append(buf, cap, num);
}

bool sweep_line_check_initiators(struct sweep_line *l, bool initiators, bool share,
                                 bool working_set, struct sweep_error *err)
{
    bool many = false, derived = false, work = false;
    unsigned i;

    if ((initiators || share) && !strategy_has_targets(l->strategy))
        return check_fail(err, l->lineno, "initiators= and share= belong to the strategies "
                          "with targets (ipi, hv-space, hv-list, hv-space-ex, hv-list-ex)");
    for (i = 0; i < l->ninitiators; i++)
        many |= l->initiators[i] != 1;     /* pow2 included */
    for (i = 0; i < l->ntargets; i++)
        derived |= l->targets[i] < 0;
    for (i = 0; i < l->nstates; i++)
        work |= l->state[i] == TARGET_WORK;
    if (many && derived)
        return check_fail(err, l->lineno, "initiators above 1 need explicit target counts "
                          "(targets=1,2,...): pow2 and all count the CPUs of one initiator");
    if (working_set && !work)
        return check_fail(err, l->lineno, "working-set= applies to state=work only");
    l->throughput = initiators;
    return true;
}

/* The CPUs k initiators with count targets each need under share s. */
static uint64_t cpus_needed(uint32_t k, enum share_mode s, uint32_t count)
{
    return (uint64_t)k + (s == SHARE_SHARED ? count : (uint64_t)k * count);
}

bool sweep_initiators_fit(const struct sweep_line *l, unsigned ncpus, const uint32_t *counts,
                          unsigned ncounts, struct sweep_error *err)
{
    unsigned ki, hi, ti, ni;

    for (ki = 0; ki < l->ninitiators; ki++) {
        uint32_t k = l->initiators[ki];

        if (k == SWEEP_INITIATORS_POW2)     /* adapts: sweep_initiators_config_fits() */
            continue;

        for (ni = 0; ni < l->ninitiator; ni++)
            if ((uint64_t)l->initiator[ni] + k > ncpus) {
                check_fail(err, l->lineno, "initiators=");
                append_u(err->msg, sizeof(err->msg), k);
                text_append(err->msg, sizeof(err->msg), " from initiator=");
                append_u(err->msg, sizeof(err->msg), l->initiator[ni]);
                text_append(err->msg, sizeof(err->msg), " needs ");
                append_u(err->msg, sizeof(err->msg), (uint64_t)l->initiator[ni] + k);
                text_append(err->msg, sizeof(err->msg), " vCPUs but the VM has fewer");
                return false;
            }
        for (hi = 0; hi < l->nshare; hi++)
            for (ti = 0; ti < ncounts; ti++) {
                enum share_mode s = l->share[hi];
                uint64_t need = cpus_needed(k, s, counts[ti]);

                if (need <= ncpus)
                    continue;
                check_fail(err, l->lineno, "initiators=");
                append_u(err->msg, sizeof(err->msg), k);
                text_append(err->msg, sizeof(err->msg), " share=");
                text_append(err->msg, sizeof(err->msg), share_mode_name(s));
                text_append(err->msg, sizeof(err->msg), " with targets=");
                append_u(err->msg, sizeof(err->msg), counts[ti]);
                text_append(err->msg, sizeof(err->msg), " needs ");
                append_u(err->msg, sizeof(err->msg), need);
                text_append(err->msg, sizeof(err->msg), s == SHARE_SHARED ?
                            " vCPUs (initiators + targets) but the VM has " :
                            " vCPUs (initiators + initiators x targets) but the VM has ");
                append_u(err->msg, sizeof(err->msg), ncpus);
                return false;
            }
    }
    return true;
}

uint32_t sweep_throughput_target_count(const struct sweep_config *c)
{
    return c->share == SHARE_SHARED ? c->targets : c->initiators * c->targets;
}

bool sweep_throughput_placement(const struct sweep_config *c, unsigned ncpus,
                                uint32_t *inits, uint32_t *targets)
{
    uint32_t others[SWEEP_MAX_CPUS];
    uint32_t k = c->initiators, n = sweep_throughput_target_count(c), m = 0, i, cpu;

    if (k == 0 || ncpus > SWEEP_MAX_CPUS || (uint64_t)c->initiator + k > ncpus)
        return false;
    for (i = 0; i < k; i++)
        inits[i] = c->initiator + i;
    for (cpu = 0; cpu < ncpus; cpu++)
        if (cpu < c->initiator || cpu >= c->initiator + k)
            others[m++] = cpu;
    if (n > m)
        return false;
    for (i = 0; i < n; i++) {
        switch (c->placement) {
        case PLACEMENT_LAST:
            targets[i] = others[m - n + i];
            break;
        case PLACEMENT_SPREAD:
            targets[i] = others[(2ull * i + 1) * m / (2ull * n)];
            break;
        default:
            targets[i] = others[i];
            break;
        }
    }
    return true;
}

unsigned sweep_line_initiator_counts(const struct sweep_line *l, unsigned ncpus,
                                     uint32_t *ks, bool *adaptive, unsigned cap)
{
    unsigned i, n = 0, d;
    uint32_t k;

    for (i = 0; i < l->ninitiators; i++) {
        bool pow2 = l->initiators[i] == SWEEP_INITIATORS_POW2;

        for (k = pow2 ? 1 : l->initiators[i];
             k <= (pow2 ? (ncpus < SWEEP_INITIATORS_MAX ? ncpus : SWEEP_INITIATORS_MAX) : k);
             k *= 2) {
            for (d = 0; d < n && ks[d] != k; d++)
                ;
            if (d < n) {
                adaptive[d] = adaptive[d] && pow2;   /* named explicitly: must fit */
            } else if (n < cap) {
                ks[n] = k;
                adaptive[n++] = pow2;
            }
            if (!pow2)
                break;
        }
    }
    return n;
}

bool sweep_initiators_config_fits(const struct sweep_config *c, unsigned ncpus)
{
    return (uint64_t)c->initiator + c->initiators <= ncpus &&
           cpus_needed(c->initiators, c->share, c->targets) <= ncpus;
}
