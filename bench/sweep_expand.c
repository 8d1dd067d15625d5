/*
 * Sweep vocabulary (the names used in sweeps, records, CSVs and plots) and
 * expansion of a parsed sweep into configurations for a given CPU count.
 * Compiled for both guest and host, like the parser in sweep.c.
 */
#include <bench/sweep.h>
#include <bench/text.h>
#include "sweep_items.h"

static const char *const strategy_names[STRATEGY_COUNT] = {
    "local", "ipi", "hv-space", "hv-list", "hv-space-ex", "hv-list-ex",
    "hv-null", "hv-invalid", "cpuid"
};
static const char *const input_names[HV_INPUT_COUNT] = { "slow", "fast" };
static const char *const scope_names[SCOPE_COUNT] = { "cr3", "all", "other", "unloaded" };
static const char *const procs_names[PROCS_COUNT] = { "mask", "all" };
static const char *const flush_names[FLUSH_OP_COUNT] = { "invlpg", "cr3", "none" };
static const char *const state_names[TARGET_STATE_COUNT] = { "spin", "halt", "work" };
static const char *const placement_names[PLACEMENT_COUNT] = { "first", "last", "spread" };
static const char *const share_names[SHARE_COUNT] = { "own", "shared" };
static const char *const inject_names[INJECT_COUNT] = { "none", "page-fault", "hang", "no-end",
                                                       "skip-flush", "hv-wrong-mask" };

const char *strategy_name(enum strategy s) { return s < STRATEGY_COUNT ? strategy_names[s] : "?"; }
const char *flush_op_name(enum flush_op f) { return f < FLUSH_OP_COUNT ? flush_names[f] : "?"; }
const char *target_state_name(enum target_state t) { return t < TARGET_STATE_COUNT ? state_names[t] : "?"; }
const char *sweep_inject_name(enum sweep_inject i) { return i < INJECT_COUNT ? inject_names[i] : "?"; }
const char *hv_input_name(enum hv_input i) { return i < HV_INPUT_COUNT ? input_names[i] : "?"; }
const char *flush_scope_name(enum flush_scope s) { return s < SCOPE_COUNT ? scope_names[s] : "?"; }
const char *proc_set_name(enum proc_set p) { return p < PROCS_COUNT ? procs_names[p] : "?"; }
const char *placement_name(enum placement p) { return p < PLACEMENT_COUNT ? placement_names[p] : "?"; }
const char *share_mode_name(enum share_mode s) { return s < SHARE_COUNT ? share_names[s] : "?"; }

static bool name_lookup(const char *const *names, unsigned count,
                        const char *s, size_t n, unsigned *out)
{
    unsigned i;

    for (i = 0; i < count; i++)
        if (text_eq_n(s, n, names[i])) {
            *out = i;
            return true;
        }
    return false;
}

/* NAME_from_name(): the enum value whose name is exactly the n bytes at s. */
#define FROM_NAME(fn, type, names, count)                          \
    bool fn(const char *s, size_t n, type *out)                    \
    {                                                              \
        unsigned i;                                                \
        bool ok = name_lookup(names, count, s, n, &i);             \
                                                                   \
        if (ok)                                                    \
            *out = (type)i;                                        \
        return ok;                                                 \
    }

FROM_NAME(strategy_from_name, enum strategy, strategy_names, STRATEGY_COUNT)
FROM_NAME(flush_op_from_name, enum flush_op, flush_names, FLUSH_OP_COUNT)
FROM_NAME(target_state_from_name, enum target_state, state_names, TARGET_STATE_COUNT)
FROM_NAME(sweep_inject_from_name, enum sweep_inject, inject_names, INJECT_COUNT)
FROM_NAME(hv_input_from_name, enum hv_input, input_names, HV_INPUT_COUNT)
FROM_NAME(flush_scope_from_name, enum flush_scope, scope_names, SCOPE_COUNT)
FROM_NAME(proc_set_from_name, enum proc_set, procs_names, PROCS_COUNT)
FROM_NAME(placement_from_name, enum placement, placement_names, PLACEMENT_COUNT)
FROM_NAME(share_mode_from_name, enum share_mode, share_names, SHARE_COUNT)

/* ---- expansion -------------------------------------------------------------- */

static void expand_fail(struct sweep_error *err, unsigned lineno, const char *a,
                        const char *b, const char *c)
{
    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), a);
    text_append(err->msg, sizeof(err->msg), b);
    text_append(err->msg, sizeof(err->msg), c);
}

/* Resolves one targets= entry to counts; returns how many were written. */
static unsigned resolve_targets(int32_t t, unsigned ncpus, uint32_t *out)
{
    unsigned others = ncpus ? ncpus - 1 : 0, n = 0, v;

    if (t == SWEEP_TARGETS_ALL) {
        if (others)
            out[n++] = others;
    } else if (t == SWEEP_TARGETS_POW2) {
        for (v = 1; v < others; v *= 2)
            out[n++] = v;
        if (others)
            out[n++] = others;
    } else {
        out[n++] = (uint32_t)t;
    }
    return n;
}

int sweep_expand(const struct sweep *sw, unsigned ncpus,
                 struct sweep_config *configs, unsigned max,
                 struct sweep_error *err)
{
    unsigned count = 0, li;

    for (li = 0; li < sw->nlines; li++) {
        const struct sweep_line *l = &sw->lines[li];
        uint32_t counts[SWEEP_LIST_MAX * 16];
        unsigned ncounts = 0, fi, ii, ci, gi, xi, ri, ni, li2, si, pi, ti, k, ki, hi;
        bool local = !strategy_has_targets(l->strategy);

        for (ni = 0; ni < l->ninitiator; ni++)
            if (l->initiator[ni] >= ncpus) {
                char num[24];

                num[text_u64_dec(num, (uint64_t)l->initiator[ni] + 1)] = '\0';
                expand_fail(err, l->lineno, "initiator needs ", num,
                            " vCPUs (CPU numbers start at 0) but the VM has fewer");
                return -1;
            }

        if (local) {
            counts[ncounts++] = 0;
        } else {
            for (ti = 0; ti < l->ntargets; ti++) {
                if (l->targets[ti] > 0 && (unsigned)l->targets[ti] >= ncpus) {
                    char num[24];

                    num[text_u64_dec(num, (uint64_t)l->targets[ti] + 1)] = '\0';
                    expand_fail(err, l->lineno, "targets needs ", num,
                                " vCPUs (the initiator plus its targets) but the VM has fewer");
                    return -1;
                }
                uint32_t tmp[16];
                unsigned nt = resolve_targets(l->targets[ti], ncpus, tmp);
                for (k = 0; k < nt; k++) {
                    unsigned d;
                    for (d = 0; d < ncounts && counts[d] != tmp[k]; d++)
                        ;
                    if (d == ncounts)
                        counts[ncounts++] = tmp[k];
                }
            }
        }
        if (!local && !sweep_initiators_fit(l, ncpus, counts, ncounts, err))
            return -1;
        for (fi = 0; fi < l->nflush; fi++)
        for (ii = 0; ii < l->ninput; ii++)
        for (ci = 0; ci < l->nscope; ci++)
        for (gi = 0; gi < l->nnonglobal; gi++)
        for (xi = 0; xi < sweep_space_combos(l); xi++)
        for (ri = 0; ri < l->nprocs; ri++)
        for (ni = 0; ni < l->ninitiator; ni++)
        for (li2 = 0; li2 < l->nplacement; li2++)
        for (ki = 0; ki < (local ? 1u : l->ninitiators); ki++)
        for (hi = 0; hi < (local ? 1u : l->nshare); hi++)
            for (si = 0; si < (local ? 1u : l->nstates); si++)
                for (pi = 0; pi < l->npages; pi++)
                    for (ti = 0; ti < ncounts; ti++) {
                        struct sweep_config *c;

                        if (count == max || count == SWEEP_CONFIGS_MAX) {
                            expand_fail(err, l->lineno,
                                        "sweep expands to too many configurations", "", "");
                            return -1;
                        }
                        c = &configs[count];
                        c->id = count;
                        c->lineno = l->lineno;
                        c->strategy = l->strategy;
                        c->flush = l->flush[fi];
                        c->input = l->input[ii];
                        c->scope = l->scope[ci];
                        c->nonglobal = l->nonglobal[gi];
                        c->procs = l->procs[ri];
                        c->pages = l->pages[pi];
                        c->targets = counts[ti];
                        c->initiator = l->initiator[ni];
                        c->placement = l->placement[li2];
                        c->state = local ? TARGET_SPIN : l->state[si];
                        c->samples = l->samples ? l->samples : sw->samples;
                        c->warmup = l->warmup != UINT32_MAX ? l->warmup : sw->warmup;
                        c->verify = l->verify && !local &&
                                    !config_is_baseline(c->strategy, c->flush);
                        c->verify_rounds = sw->verify_rounds;
                        c->initiators = local ? 1 : l->initiators[ki];
                        c->share = local ? SHARE_OWN : l->share[hi];
                        c->working_set = l->working_set;
                        c->throughput = !local && (l->throughput || c->state == TARGET_WORK);
                        sweep_space_apply(l, xi, c);
                        c->ci_target_bp = l->ci_target_bp != UINT32_MAX ?
                                          l->ci_target_bp : sw->ci_target_bp;
                        c->time_cap_ms = l->time_cap_ms ? l->time_cap_ms : sw->time_cap_ms;
                        count++;
                    }
    }
    {
        static uint32_t order[SWEEP_CONFIGS_MAX];
        uint32_t i;

        sweep_order(sw, order, count);
        for (i = 0; i < count; i++)
            configs[order[i]].run_index = i;
    }
    return (int)count;
}

static void append_num(char *buf, size_t n, const char *prefix, uint64_t v)
{
    char num[24];

    num[text_u64_dec(num, v)] = '\0';
    text_append(buf, n, prefix);
    text_append(buf, n, num);
}

size_t sweep_config_label(const struct sweep_config *c, char *buf, size_t n)
{
    if (n == 0)
        return 0;
    buf[0] = '\0';
    text_append(buf, n, strategy_name(c->strategy));
    if (strategy_is_baseline(c->strategy)) {   /* cpuid, hv-invalid, hv-null/slow */
        if (c->strategy == STRATEGY_HV_NULL) {
            text_append(buf, n, "/");
            text_append(buf, n, hv_input_name(c->input));
        }
        if (c->initiator != 0)
            append_num(buf, n, "/i", c->initiator);
        return text_len(buf);
    }
    text_append(buf, n, "/");
    if (strategy_is_hv(c->strategy)) {
        text_append(buf, n, hv_input_name(c->input));
        sweep_space_label_scope(c, buf, n);
    } else {
        text_append(buf, n, flush_op_name(c->flush));
    }
    append_num(buf, n, "/p", c->pages);
    if (strategy_has_targets(c->strategy)) {
        append_num(buf, n, "/t", c->targets);
        text_append(buf, n, "/");
        text_append(buf, n, target_state_name(c->state));
    }
    if (c->initiator != 0)
        append_num(buf, n, "/i", c->initiator);
    if (c->placement != PLACEMENT_FIRST && strategy_has_targets(c->strategy)) {
        text_append(buf, n, "/");
        text_append(buf, n, placement_name(c->placement));
    }
    if (c->nonglobal)
        text_append(buf, n, "/nonglobal");
    if (c->procs == PROCS_ALL)
        text_append(buf, n, "/all-vps");
    if (c->initiators > 1)
        append_num(buf, n, "/k", c->initiators);
    if (c->initiators > 1 && c->share == SHARE_SHARED)
        text_append(buf, n, "/shared");
    if (c->state == TARGET_WORK && strategy_has_targets(c->strategy))
        append_num(buf, n, "/ws", c->working_set);
    sweep_space_label(c, buf, n);
    return text_len(buf);
}
