/*
 * Sweep vocabulary (the names used in sweeps, records, CSVs and plots) and
 * expansion of a parsed sweep into configurations for a given CPU count.
 * Compiled for both guest and host, like the parser in sweep.c.
 */
#include <bench/sweep.h>
#include <bench/text.h>

static const char *const strategy_names[STRATEGY_COUNT] = { "local", "ipi" };
static const char *const flush_names[FLUSH_OP_COUNT] = { "invlpg", "cr3" };
static const char *const state_names[TARGET_STATE_COUNT] = { "spin", "halt" };
static const char *const inject_names[INJECT_COUNT] = { "none", "page-fault", "hang", "no-end" };

const char *strategy_name(enum strategy s) { return s < STRATEGY_COUNT ? strategy_names[s] : "?"; }
const char *flush_op_name(enum flush_op f) { return f < FLUSH_OP_COUNT ? flush_names[f] : "?"; }
const char *target_state_name(enum target_state t) { return t < TARGET_STATE_COUNT ? state_names[t] : "?"; }
const char *sweep_inject_name(enum sweep_inject i) { return i < INJECT_COUNT ? inject_names[i] : "?"; }

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

bool strategy_from_name(const char *s, size_t n, enum strategy *out)
{
    unsigned i;
    bool ok = name_lookup(strategy_names, STRATEGY_COUNT, s, n, &i);

    if (ok)
        *out = (enum strategy)i;
    return ok;
}

bool flush_op_from_name(const char *s, size_t n, enum flush_op *out)
{
    unsigned i;
    bool ok = name_lookup(flush_names, FLUSH_OP_COUNT, s, n, &i);

    if (ok)
        *out = (enum flush_op)i;
    return ok;
}

bool target_state_from_name(const char *s, size_t n, enum target_state *out)
{
    unsigned i;
    bool ok = name_lookup(state_names, TARGET_STATE_COUNT, s, n, &i);

    if (ok)
        *out = (enum target_state)i;
    return ok;
}

bool sweep_inject_from_name(const char *s, size_t n, enum sweep_inject *out)
{
    unsigned i;
    bool ok = name_lookup(inject_names, INJECT_COUNT, s, n, &i);

    if (ok)
        *out = (enum sweep_inject)i;
    return ok;
}

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
        unsigned ncounts = 0, fi, si, pi, ti, k;
        bool local = l->strategy == STRATEGY_LOCAL;

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
        for (fi = 0; fi < l->nflush; fi++)
            for (si = 0; si < (local ? 1u : l->nstates); si++)
                for (pi = 0; pi < l->npages; pi++)
                    for (ti = 0; ti < ncounts; ti++) {
                        struct sweep_config *c;

                        if (count == max) {
                            expand_fail(err, l->lineno,
                                        "sweep expands to too many configurations", "", "");
                            return -1;
                        }
                        c = &configs[count];
                        c->id = count;
                        c->lineno = l->lineno;
                        c->strategy = l->strategy;
                        c->flush = l->flush[fi];
                        c->pages = l->pages[pi];
                        c->targets = counts[ti];
                        c->state = local ? TARGET_SPIN : l->state[si];
                        c->samples = l->samples ? l->samples : sw->samples;
                        c->warmup = l->warmup != UINT32_MAX ? l->warmup : sw->warmup;
                        c->verify = l->verify && !local;
                        c->verify_rounds = sw->verify_rounds;
                        count++;
                    }
    }
    return (int)count;
}

size_t sweep_config_label(const struct sweep_config *c, char *buf, size_t n)
{
    char num[24];

    if (n == 0)
        return 0;
    buf[0] = '\0';
    text_append(buf, n, strategy_name(c->strategy));
    text_append(buf, n, "/");
    text_append(buf, n, flush_op_name(c->flush));
    text_append(buf, n, "/p");
    num[text_u64_dec(num, c->pages)] = '\0';
    text_append(buf, n, num);
    if (c->strategy != STRATEGY_LOCAL) {
        text_append(buf, n, "/t");
        num[text_u64_dec(num, c->targets)] = '\0';
        text_append(buf, n, num);
        text_append(buf, n, "/");
        text_append(buf, n, target_state_name(c->state));
    }
    return text_len(buf);
}
