/*
 * The pairs= key (bench/sweeps/README.md): one configuration per ordered
 * (initiator, target) pair of vCPUs, for the pairwise latency heat map
 * (host/analysis/pairwise.c).  A pairs=all line stands for ncpus x
 * (ncpus - 1) ordinary lines, initiator=i placement=cpus:j targets=1 for
 * every i != j, initiator-major; each expands as any line does, so the
 * guest measures a pair exactly as it measures `initiator=` and
 * `placement=cpus:` (bench/placement.c).  Pure logic, compiled for the
 * guest and the host like the rest of the sweep code.
 */
#include <bench/sweep.h>
#include <bench/text.h>
#include "sweep_items.h"
#include "sweep_pairs.h"

bool sweep_pairs_line_key(struct sweep_line *l, const char *key, size_t kn, const char *val,
                          size_t vn, unsigned *bit, bool *ok, const char **bad)
{
    if (!text_eq_n(key, kn, "pairs"))
        return false;
    *bit = SWEEP_KEY_PAIRS;
    *ok = text_eq_n(val, vn, "all") || text_eq_n(val, vn, "off");
    l->pairs = text_eq_n(val, vn, "all");
    *bad = "' for pairs (all, off)";
    return true;
}

static bool check_fail(struct sweep_error *err, unsigned lineno, const char *a, const char *b,
                       const char *c)
{
    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), a);
    text_append(err->msg, sizeof(err->msg), b);
    text_append(err->msg, sizeof(err->msg), c);
    return false;
}

bool sweep_pairs_check_line(const struct sweep_line *l, const char *conflict,
                            struct sweep_error *err)
{
    if (!l->pairs)
        return true;
    if (!strategy_has_targets(l->strategy))
        return check_fail(err, l->lineno, "pairs= belongs to the strategies with targets "
                          "(ipi, hv-space, hv-list, hv-space-ex, hv-list-ex, hv-ipi-invlpg, "
                          "kvm-pv)", "", "");
    if (conflict)
        return check_fail(err, l->lineno, "pairs=all names every (initiator, target) pair "
                          "itself: drop ", conflict, "=");
    return true;
}

unsigned sweep_pairs_count(const struct sweep_line *l, unsigned ncpus)
{
    if (!l->pairs)
        return 1;
    return ncpus < 2 ? 0 : ncpus * (ncpus - 1);
}

const struct sweep_line *sweep_pairs_line(const struct sweep_line *l, unsigned ncpus,
                                          unsigned k, struct sweep_line *scratch)
{
    uint32_t initiator, target;
    unsigned w;

    if (!l->pairs)
        return l;
    initiator = k / (ncpus - 1);
    target = k % (ncpus - 1);
    if (target >= initiator)
        target++;                       /* skip the initiator itself */
    *scratch = *l;
    scratch->ninitiator = 1;
    scratch->initiator[0] = initiator;
    scratch->nplacement = 1;
    scratch->placement[0] = PLACEMENT_CPUS;
    scratch->stride[0] = 0;
    for (w = 0; w < SWEEP_CPUSET_WORDS; w++)
        scratch->cpuset[0][w] = 0;
    scratch->cpuset[0][target / 64] = 1ull << (target % 64);
    scratch->ntargets = 1;
    scratch->targets[0] = 1;
    scratch->targets_given = true;
    return scratch;
}

/* The configurations one pair of line l expands to (sweep_expand()'s
 * loops but initiator, placement, initiators, share and targets, which a
 * pair fixes). */
static uint64_t per_pair(const struct sweep_line *l)
{
    return (uint64_t)l->nflush * l->ninput * l->nscope * l->nnonglobal *
           sweep_space_combos(l) * l->nprocs * l->nstates * l->npages;
}

static void append_u(char *buf, size_t cap, uint64_t v)
{
    char num[24];

    num[text_u64_dec(num, v)] = '\0';
    text_append(buf, cap, num);
}

bool sweep_pairs_fit(const struct sweep_line *l, unsigned ncpus, unsigned used,
                     unsigned limit, struct sweep_error *err)
{
    uint64_t pairs = sweep_pairs_count(l, ncpus), each = per_pair(l);

    if (!l->pairs || used + pairs * each <= limit)
        return true;
    err->lineno = l->lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), "pairs=all on ");
    append_u(err->msg, sizeof(err->msg), ncpus);
    text_append(err->msg, sizeof(err->msg), " vCPUs makes ");
    append_u(err->msg, sizeof(err->msg), pairs);
    text_append(err->msg, sizeof(err->msg), " pairs x ");
    append_u(err->msg, sizeof(err->msg), each);
    text_append(err->msg, sizeof(err->msg), " = ");
    append_u(err->msg, sizeof(err->msg), pairs * each);
    text_append(err->msg, sizeof(err->msg), " configurations");
    if (used) {
        text_append(err->msg, sizeof(err->msg), " after the ");
        append_u(err->msg, sizeof(err->msg), used);
        text_append(err->msg, sizeof(err->msg), " of the lines before it");
    }
    text_append(err->msg, sizeof(err->msg), ": more than the ");
    append_u(err->msg, sizeof(err->msg), limit);
    text_append(err->msg, sizeof(err->msg), " a sweep may have");
    return false;
}

void sweep_pairs_label(const struct sweep_config *c, char *buf, size_t n)
{
    uint32_t cpu;

    text_append(buf, n, "/i");
    append_u(buf, n, c->initiator);
    for (cpu = 0; cpu < SWEEP_MAX_CPUS; cpu++)
        if (c->cpuset[cpu / 64] >> (cpu % 64) & 1) {
            text_append(buf, n, "-t");
            append_u(buf, n, cpu);
            return;
        }
}
