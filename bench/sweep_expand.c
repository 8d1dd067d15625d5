/*
 * Sweep vocabulary (the names used in sweeps, records, CSVs and plots) and
 * expansion of a parsed sweep into configurations for a given CPU count.
 * Compiled for both guest and host, like the parser in sweep.c.
 */
#include <bench/sweep.h>
#include <bench/text.h>
#include "sweep_items.h"
#include "sweep_targets.h"
#include "sweep_pairs.h"

static const char *const strategy_names[STRATEGY_COUNT] = {
    "local", "ipi", "hv-space", "hv-list", "hv-space-ex", "hv-list-ex",
    "hv-null", "hv-invalid", "cpuid", "hv-ipi-invlpg", "kvm-pv"
};
static const char *const input_names[HV_INPUT_COUNT] = { "slow", "fast" };
static const char *const scope_names[SCOPE_COUNT] = { "cr3", "all", "other", "unloaded" };
static const char *const procs_names[PROCS_COUNT] = { "mask", "all" };
static const char *const flush_names[FLUSH_OP_COUNT] = { "invlpg", "cr3", "none",
                                                                "invpcid" };
static const char *const state_names[TARGET_STATE_COUNT] = { "spin", "halt", "work" };
static const char *const placement_names[PLACEMENT_COUNT] = { "first", "last", "spread",
                                                                  "contiguous", "strided",
                                                                  "cpus" };
static const char *const share_names[SHARE_COUNT] = { "own", "shared" };
static const char *const ipi_call_names[IPI_CALL_COUNT] = { "auto", "plain", "ex" };
static const char *const target_set_names[TARGET_SET_COUNT] = { "others", "null", "self",
                                                                "all" };
static const char *const inject_names[INJECT_COUNT] = { "none", "page-fault", "hang", "no-end",
                                                       "skip-flush", "hv-wrong-mask",
                                                       "hv-pretend", "hv-unknown-status",
                                                       "ap-never-starts",
                                                       "record-truncate", "record-corrupt",
                                                       "record-duplicate", "hang-mid-config",
                                                       "page-fault-mid-config" };

const char *strategy_name(enum strategy s) { return s < STRATEGY_COUNT ? strategy_names[s] : "?"; }
const char *flush_op_name(enum flush_op f) { return f < FLUSH_OP_COUNT ? flush_names[f] : "?"; }
const char *target_state_name(enum target_state t) { return t < TARGET_STATE_COUNT ? state_names[t] : "?"; }
const char *sweep_inject_name(enum sweep_inject i) { return i < INJECT_COUNT ? inject_names[i] : "?"; }
const char *hv_input_name(enum hv_input i) { return i < HV_INPUT_COUNT ? input_names[i] : "?"; }
const char *flush_scope_name(enum flush_scope s) { return s < SCOPE_COUNT ? scope_names[s] : "?"; }
const char *proc_set_name(enum proc_set p) { return p < PROCS_COUNT ? procs_names[p] : "?"; }
const char *placement_name(enum placement p) { return p < PLACEMENT_COUNT ? placement_names[p] : "?"; }
const char *share_mode_name(enum share_mode s) { return s < SHARE_COUNT ? share_names[s] : "?"; }
const char *ipi_call_name(enum ipi_call i) { return i < IPI_CALL_COUNT ? ipi_call_names[i] : "?"; }
const char *target_set_name(enum target_set t) { return t < TARGET_SET_COUNT ? target_set_names[t] : "?"; }

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
FROM_NAME(ipi_call_from_name, enum ipi_call, ipi_call_names, IPI_CALL_COUNT)

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

static bool line_has_share_own(const struct sweep_line *l)
{
    unsigned i;

    for (i = 0; i < l->nshare; i++)
        if (l->share[i] == SHARE_OWN)
            return true;
    return false;
}

int sweep_expand(const struct sweep *sw, unsigned ncpus,
                 struct sweep_config *configs, unsigned max,
                 struct sweep_error *err)
{
    static struct sweep_line pair_line;     /* the pair's line of a pairs=all line */
    unsigned count = 0, li, pk;

    for (li = 0; li < sw->nlines; li++)
    for (pk = 0; pk < sweep_pairs_count(&sw->lines[li], ncpus); pk++) {
        /* pairs=all: one line per (initiator, target) pair (bench/sweep_pairs.c). */
        const struct sweep_line *l = sweep_pairs_line(&sw->lines[li], ncpus, pk, &pair_line);
        uint32_t counts[SWEEP_LIST_MAX * 16];
        enum target_set sets[SWEEP_LIST_MAX * 16];
        uint32_t placed[SWEEP_LIST_MAX * 16], ks[SWEEP_LIST_MAX * 5];
        bool kadaptive[SWEEP_LIST_MAX * 5];
        unsigned nks;
        unsigned ncounts = 0, nplaced = 0, fi, ii, ci, gi, xi, ri, ni, li2, si, pi, ti, ki, hi;
        bool local = !strategy_has_targets(l->strategy);

        for (ni = 0; ni < l->ninitiator; ni++)
            if (l->initiator[ni] >= ncpus) {
                char num[24];

                num[text_u64_dec(num, (uint64_t)l->initiator[ni] + 1)] = '\0';
                expand_fail(err, l->lineno, "initiator needs ", num,
                            " vCPUs (CPU numbers start at 0) but the VM has fewer");
                return -1;
            }
        if (pk == 0 && !sweep_pairs_fit(l, ncpus, count, max < SWEEP_CONFIGS_MAX ? max :
                                        SWEEP_CONFIGS_MAX, err))
            return -1;

        if (local) {
            sets[ncounts] = TARGETS_OTHERS;
            counts[ncounts++] = 0;
        } else {
            /* bench/sweep_targets.c: counts, null, self, all-but-self, all. */
            int nt = sweep_line_targets(l, ncpus, counts, sets, SWEEP_LIST_MAX * 16, err);

            if (nt < 0)
                return -1;
            ncounts = (unsigned)nt;
        }
        /* Concurrent initiators place their targets among the other CPUs:
         * only counts (not null, self or all) go with initiators= above 1. */
        for (ti = 0; ti < ncounts; ti++) {
            if (sets[ti] == TARGETS_OTHERS) {
                placed[nplaced++] = counts[ti];
                continue;
            }
            for (ki = 0; ki < l->ninitiators; ki++)
                if (l->initiators[ki] != 1) {
                    expand_fail(err, l->lineno, "initiators= above 1 takes target counts, ",
                                "not targets=null, self or all", "");
                    return -1;
                }
        }
        if (!local && !sweep_initiators_fit(l, ncpus, placed, nplaced, err))
            return -1;
        nks = sweep_line_initiator_counts(l, ncpus, ks, kadaptive, SWEEP_LIST_MAX * 5);
        for (fi = 0; fi < l->nflush; fi++)
        for (ii = 0; ii < l->ninput; ii++)
        for (ci = 0; ci < l->nscope; ci++)
        for (gi = 0; gi < l->nnonglobal; gi++)
        for (xi = 0; xi < sweep_space_combos(l); xi++)
        for (ri = 0; ri < l->nprocs; ri++)
        for (ni = 0; ni < l->ninitiator; ni++)
        for (li2 = 0; li2 < l->nplacement; li2++)
        for (ki = 0; ki < (local ? 1u : nks); ki++)
        for (hi = 0; hi < (local ? 1u : l->nshare); hi++)
            for (si = 0; si < (local ? 1u : l->nstates); si++)
                for (pi = 0; pi < l->npages; pi++)
                    for (ti = 0; ti < ncounts; ti++) {
                        struct sweep_config *c;

                        /* null, self and all name no placement: once each. */
                        if (sets[ti] != TARGETS_OTHERS && li2 > 0)
                            continue;
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
                        sweep_config_set_targets(c, l, li2, sets[ti]);
                        c->pair = l->pairs;
                        c->initiators = local ? 1 : ks[ki];
                        c->share = local ? SHARE_OWN : l->share[hi];
                        c->working_set = l->working_set;
                        c->throughput = !local && (l->throughput || c->state == TARGET_WORK);
                        sweep_space_apply(l, xi, c);
                        if (c->target_set == TARGETS_NULL || c->target_set == TARGETS_SELF)
                            c->verify = false;      /* nothing remote to verify */
                        c->ci_target_bp = l->ci_target_bp != UINT32_MAX ?
                                          l->ci_target_bp : sw->ci_target_bp;
                        c->time_cap_ms = l->time_cap_ms ? l->time_cap_ms : sw->time_cap_ms;
                        if (!local && kadaptive[ki] && !sweep_initiators_config_fits(c, ncpus))
                            continue;   /* initiators=pow2: only the counts that fit */
                        /* One initiator owns its targets either way: share=own
                         * and share=shared are the same configuration then. */
                        if (!local && c->initiators == 1 && c->share == SHARE_SHARED &&
                            line_has_share_own(l))
                            continue;
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
    } else if (c->strategy == STRATEGY_HV_IPI_INVLPG) {
        text_append(buf, n, hv_input_name(c->input));
    } else {
        text_append(buf, n, flush_op_name(c->flush));
    }
    append_num(buf, n, "/p", c->pages);
    if (strategy_has_targets(c->strategy)) {
        if (c->pair)
            sweep_pairs_label(c, buf, n);       /* "/i2-t1" */
        else if (c->target_set == TARGETS_SELF || c->target_set == TARGETS_ALL)
            text_append(buf, n, c->target_set == TARGETS_SELF ? "/self" : "/all");
        else
            append_num(buf, n, "/t", c->targets);
        text_append(buf, n, "/");
        text_append(buf, n, target_state_name(c->state));
    }
    if (c->initiator != 0 && !c->pair)
        append_num(buf, n, "/i", c->initiator);
    if (c->placement != PLACEMENT_FIRST && strategy_has_targets(c->strategy) &&
        c->target_set == TARGETS_OTHERS && !c->pair) {
        char where[48];

        sweep_placement_text(c, where, sizeof(where));
        text_append(buf, n, "/");
        text_append(buf, n, where);
    }
    if (c->strategy == STRATEGY_HV_IPI_INVLPG && c->ipi_call != IPI_CALL_AUTO) {
        text_append(buf, n, "/");
        text_append(buf, n, ipi_call_name(c->ipi_call));
    }
    if (c->nonglobal)
        text_append(buf, n, "/nonglobal");
    if (c->procs == PROCS_ALL)
        text_append(buf, n, "/all-vps");
    /* "/kN" on every configuration initiators= gave a throughput
     * measurement, k = 1 included, so none shares a label with the plain
     * latency configuration beside it (state=work ones carry "/wsW"). */
    if (c->initiators > 1 || (c->throughput && c->state != TARGET_WORK))
        append_num(buf, n, "/k", c->initiators);
    if ((c->initiators > 1 || (c->throughput && c->state != TARGET_WORK)) &&
        c->share == SHARE_SHARED)
        text_append(buf, n, "/shared");
    if (c->state == TARGET_WORK && strategy_has_targets(c->strategy))
        append_num(buf, n, "/ws", c->working_set);
    sweep_space_label(c, buf, n);
    return text_len(buf);
}
