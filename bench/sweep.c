/*
 * Sweep parser (grammar: bench/sweeps/README.md).  Runs on the
 * host before QEMU starts and again in the guest on the validated text.
 */
#include <stddef.h>
#include <bench/sweep.h>
#include <bench/text.h>
#include <bench/ci_target.h>
#include <bench/hv_rule.h>
#include "sweep_items.h"
#include "sweep_targets.h"
#include "sweep_pairs.h"

/* ---- error reporting ---------------------------------------------------------- */

static bool fail(struct sweep_error *err, unsigned lineno, const char *a,
                 const char *b, size_t blen, const char *c)
{
    char tmp[64];

    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), a);
    if (b) {
        text_copy(tmp, sizeof(tmp), b, blen);
        text_append(err->msg, sizeof(err->msg), tmp);
    }
    if (c)
        text_append(err->msg, sizeof(err->msg), c);
    return false;
}

/* ---- tokenising ------------------------------------------------------------- */

struct span { const char *s; size_t n; };

/* Splits a line into whitespace-separated words; returns the count. */
static unsigned split_words(const char *s, size_t n, struct span *w, unsigned max)
{
    unsigned count = 0;
    size_t i = 0;

    while (i < n) {
        while (i < n && text_is_space(s[i]))
            i++;
        if (i == n)
            break;
        if (count == max)
            return max + 1;
        w[count].s = s + i;
        while (i < n && !text_is_space(s[i]))
            i++;
        w[count].n = (size_t)(s + i - w[count].s);
        count++;
    }
    return count;
}

/* Calls item() for each comma-separated element of v. */
static bool for_each_item(struct span v, unsigned max, unsigned *count,
                          bool (*item)(const char *s, size_t n, void *out, unsigned idx),
                          void *out)
{
    size_t i = 0;

    *count = 0;
    for (;;) {
        size_t start = i;

        while (i < v.n && v.s[i] != ',')
            i++;
        if (i == start || *count == max)
            return false;
        if (!item(v.s + start, i - start, out, *count))
            return false;
        (*count)++;
        if (i == v.n)
            return true;
        i++;                           /* skip ',' */
    }
}

static bool parse_count(struct span v, uint64_t lo, uint64_t hi, uint32_t *out)
{
    uint64_t x;

    if (!text_parse_u64(v.s, v.n, 10, &x) || x < lo || x > hi)
        return false;
    *out = (uint32_t)x;
    return true;
}

/* ---- "measure" lines ---------------------------------------------------------- */

#define KEY_FLUSH   (1u << 0)
#define KEY_PAGES   (1u << 1)
#define KEY_TARGETS (1u << 2)
#define KEY_STATE   (1u << 3)
#define KEY_SAMPLES (1u << 4)
#define KEY_WARMUP  (1u << 5)
#define KEY_VERIFY  (1u << 6)
#define KEY_INPUT   (1u << 7)
#define KEY_SCOPE   (1u << 8)
#define KEY_NONGLOBAL (1u << 9)
#define KEY_PROCS   (1u << 10)
#define KEY_INITIATOR (1u << 11)
#define KEY_PLACEMENT (1u << 12)
#define KEY_INITIATORS (1u << 13)
#define KEY_SHARE   (1u << 14)
#define KEY_WORKING_SET (1u << 15)
#define KEY_SPACES  (1u << 16)
#define KEY_PCID    (1u << 17)
#define KEY_GLOBAL  (1u << 18)
#define KEY_LARGE   (1u << 19)
#define KEY_IPI_CALL (1u << 20)   /* 24-25: ci-target=, time-cap= (bench/ci_target.h) */
/* 21: pairs= (bench/sweep_pairs.h) */
#define KEYS_PAIRS_CONFLICT (KEY_TARGETS | KEY_INITIATOR | KEY_PLACEMENT | KEY_INITIATORS | \
                             KEY_SHARE)
#define KEYS_HV     (KEY_INPUT | KEY_SCOPE | KEY_NONGLOBAL | KEY_PROCS)

/* The list-valued keys of a "measure" line: where each list and its count
 * live in struct sweep_line, how one item parses, and what the error
 * message offers. */
struct list_key {
    const char *name;
    unsigned bit, max;
    bool (*item)(const char *s, size_t n, void *out, unsigned idx);
    size_t list, count;         /* offsets in struct sweep_line */
    const char *values;
};

#define LIST_KEY(name, bit, max, item, list, count, values) \
    { name, bit, max, item, offsetof(struct sweep_line, list), \
      offsetof(struct sweep_line, count), values }

static const struct list_key list_keys[] = {
    LIST_KEY("flush", KEY_FLUSH, FLUSH_OP_COUNT, sweep_item_flush, flush, nflush,
             "invlpg, cr3, none, invpcid"),
    LIST_KEY("pages", KEY_PAGES, SWEEP_LIST_MAX, sweep_item_pages, pages, npages, "1-512"),
    LIST_KEY("targets", KEY_TARGETS, SWEEP_LIST_MAX, sweep_item_targets, targets, ntargets,
             "pow2, null, self, all-but-self, all or counts >= 1"),
    LIST_KEY("state", KEY_STATE, TARGET_STATE_COUNT, sweep_item_state, state, nstates,
             "spin, halt, work"),
    LIST_KEY("input", KEY_INPUT, HV_INPUT_COUNT, sweep_item_input, input, ninput,
             "slow, fast"),
    LIST_KEY("scope", KEY_SCOPE, SCOPE_COUNT, sweep_item_scope, scope, nscope,
             "cr3, all, other, unloaded"),
    LIST_KEY("nonglobal", KEY_NONGLOBAL, 2, sweep_item_onoff, nonglobal, nnonglobal,
             "off, on"),
    LIST_KEY("procs", KEY_PROCS, PROCS_COUNT, sweep_item_procs, procs, nprocs, "mask, all"),
    LIST_KEY("initiator", KEY_INITIATOR, SWEEP_LIST_MAX, sweep_item_cpu, initiator,
             ninitiator, "CPU numbers 0-255"),
    LIST_KEY("placement", KEY_PLACEMENT, PLACEMENT_COUNT, sweep_item_placement, placement,
             nplacement, "first, last, spread, contiguous, strided:S, cpus:A+B-C"),
    LIST_KEY("initiators", KEY_INITIATORS, SWEEP_LIST_MAX, sweep_item_initiators, initiators,
             ninitiators, "1-16 or pow2"),
    LIST_KEY("share", KEY_SHARE, SHARE_COUNT, sweep_item_share, share, nshare,
             "own, shared"),
    LIST_KEY("spaces", KEY_SPACES, SWEEP_LIST_MAX, sweep_item_spaces, spaces, nspaces, "1-16"),
    LIST_KEY("pcid", KEY_PCID, 2, sweep_item_onoff, pcid, npcid, "off, on"),
    LIST_KEY("global", KEY_GLOBAL, 2, sweep_item_onoff, global, nglobal, "off, on"),
    LIST_KEY("large", KEY_LARGE, 2, sweep_item_onoff, large, nlarge, "off, on"),
    LIST_KEY("ipi-call", KEY_IPI_CALL, 1, sweep_item_ipi_call, ipi_call, nipi_call,
             "auto, plain, ex; one value"),
};

static bool parse_measure_key(struct sweep_line *l, struct span key, struct span val,
                              unsigned *seen, unsigned lineno, struct sweep_error *err)
{
    const struct list_key *list = NULL;
    const char *bad = "' (expected a count in range)";
    char why[80];
    unsigned bit, i;
    bool ok;

    for (i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]); i++)
        if (text_eq_n(key.s, key.n, list_keys[i].name))
            list = &list_keys[i];
    if (list) {
        unsigned count = 0;

        bit = list->bit;
        ok = for_each_item(val, list->max, &count, list->item, (char *)l + list->list);
        *(unsigned *)((char *)l + list->count) = count;
        why[0] = '\0';
        text_append(why, sizeof(why), "' for ");
        text_append(why, sizeof(why), list->name);
        text_append(why, sizeof(why), " (");
        text_append(why, sizeof(why), list->values);
        text_append(why, sizeof(why), "; comma-separated)");
        bad = why;
    } else if (text_eq_n(key.s, key.n, "samples")) {
        bit = KEY_SAMPLES;
        ok = parse_count(val, 1, SWEEP_SAMPLES_MAX, &l->samples);
    } else if (text_eq_n(key.s, key.n, "warmup")) {
        bit = KEY_WARMUP;
        ok = parse_count(val, 0, SWEEP_SAMPLES_MAX, &l->warmup);
    } else if (text_eq_n(key.s, key.n, "verify")) {
        bit = KEY_VERIFY;
        ok = text_eq_n(val.s, val.n, "on") || text_eq_n(val.s, val.n, "off");
        l->verify = text_eq_n(val.s, val.n, "on");
        bad = "' for verify (on, off)";
    } else if (text_eq_n(key.s, key.n, "working-set")) {
        bit = KEY_WORKING_SET;
        ok = parse_count(val, 1, SWEEP_PAGES_MAX, &l->working_set);
        bad = "' for working-set (pages of the test window, 1-512)";
    } else if (sweep_ci_line_key(l, key.s, key.n, val.s, val.n, &bit, &ok, &bad)) {
        /* ci-target=, time-cap=: bench/ci_target.c */
    } else if (sweep_pairs_line_key(l, key.s, key.n, val.s, val.n, &bit, &ok, &bad)) {
        /* pairs=: bench/sweep_pairs.c */
    } else {
        return fail(err, lineno, "unknown key '", key.s, key.n,
                    "' (expected flush, pages, targets, state, initiator, placement, input, "
                    "scope, nonglobal, procs, spaces, pcid, global, large, ipi-call, samples, "
                    "warmup, verify, initiators, share, working-set, ci-target, time-cap or pairs)");
    }
    if (*seen & bit)
        return fail(err, lineno, "key '", key.s, key.n, "' given twice");
    *seen |= bit;
    if (!ok)
        return fail(err, lineno, "bad value '", val.s, val.n, bad);
    return true;
}

/* The name of a key the line has that pairs=all refuses, or NULL. */
static const char *pairs_conflict(unsigned seen)
{
    unsigned i;

    for (i = 0; i < sizeof(list_keys) / sizeof(list_keys[0]); i++)
        if (seen & list_keys[i].bit & KEYS_PAIRS_CONFLICT)
            return list_keys[i].name;
    return NULL;
}

/* Whether the line's flush= list names none (the ipi-only baseline). */
static bool line_has_flush_none(const struct sweep_line *l)
{
    unsigned i;

    for (i = 0; i < l->nflush; i++)
        if (l->flush[i] == FLUSH_NONE)
            return true;
    return false;
}

static bool parse_measure(struct sweep *sw, const struct span *w, unsigned nw,
                          unsigned lineno, struct sweep_error *err)
{
    struct sweep_line *l;
    unsigned i, seen = 0;

    if (sw->nlines == SWEEP_LINES_MAX)
        return fail(err, lineno, "too many measure lines (at most 32)", NULL, 0, NULL);
    if (nw < 2)
        return fail(err, lineno, "measure needs a strategy (local, ipi, hv-space, hv-list, hv-space-ex, "
                    "hv-list-ex, hv-null, hv-invalid, cpuid, hv-ipi-invlpg, kvm-pv)", NULL, 0,
                    NULL);
    l = &sw->lines[sw->nlines];
    l->lineno = lineno;
    if (!strategy_from_name(w[1].s, w[1].n, &l->strategy))
        return fail(err, lineno, "unknown strategy '", w[1].s, w[1].n,
                    "' (expected local, ipi, hv-space, hv-list, hv-space-ex, hv-list-ex, "
                    "hv-null, hv-invalid, cpuid, hv-ipi-invlpg or kvm-pv)");
    sweep_line_defaults(l);

    for (i = 2; i < nw; i++) {
        struct span key = w[i], val;
        size_t eq = 0;

        while (eq < key.n && key.s[eq] != '=')
            eq++;
        if (eq == key.n || eq == 0 || eq + 1 == key.n)
            return fail(err, lineno, "expected key=value, got '", w[i].s, w[i].n, "'");
        val.s = key.s + eq + 1;
        val.n = key.n - eq - 1;
        key.n = eq;
        if (!parse_measure_key(l, key, val, &seen, lineno, err))
            return false;
    }
    if (!strategy_has_targets(l->strategy) &&
        (seen & (KEY_TARGETS | KEY_STATE | KEY_PLACEMENT)))
        return fail(err, lineno, "strategy ", w[1].s, w[1].n, " has no targets: drop "
                    "targets=, state= and placement=");
    if (strategy_is_baseline(l->strategy) && (seen & (KEY_PAGES | KEY_FLUSH)))
        return fail(err, lineno, "strategy ", w[1].s, w[1].n, " flushes nothing (a "
                    "baseline): drop pages= and flush=");
    if (seen & KEYS_HV & ~(strategy_is_hv(l->strategy) ? KEYS_HV :
                           l->strategy == STRATEGY_HV_NULL ||
                           l->strategy == STRATEGY_HV_IPI_INVLPG ? KEY_INPUT : 0))
        return fail(err, lineno, "input=, scope=, nonglobal= and procs= belong to the "
                    "hypercall strategies (hv-*; hv-null takes input= only, as does "
                    "hv-ipi-invlpg)", NULL, 0, NULL);
    if (strategy_is_hv(l->strategy) && (seen & KEY_FLUSH))
        return fail(err, lineno, "flush= does not apply to a hypercall strategy: the "
                    "hypervisor performs the flush", NULL, 0, NULL);
    if (l->strategy != STRATEGY_IPI && line_has_flush_none(l))
        return fail(err, lineno, "flush=none belongs to strategy ipi only (the IPI round "
                    "trip without invalidation)", NULL, 0, NULL);
    l->targets_given = seen & KEY_TARGETS;
    if (!sweep_line_check_targets(l, seen & KEY_FLUSH, seen & KEY_IPI_CALL, err))
        return false;
    if (strategy_is_list(l->strategy) &&
        (l->nonglobal[0] || (l->nnonglobal > 1 && l->nonglobal[1])))
        return fail(err, lineno, "nonglobal=on is not valid for List calls (the TLFS "
                    "treats NON_GLOBAL_MAPPINGS_ONLY there as an invalid option)", NULL, 0, NULL);
    if (!sweep_line_check_initiators(l, seen & KEY_INITIATORS, seen & KEY_SHARE,
                                     seen & KEY_WORKING_SET, err))
        return false;
    if (!sweep_space_check_line(l, lineno, err))
        return false;
    if (!sweep_pairs_check_line(l, pairs_conflict(seen), err))
        return false;
    sw->nlines++;
    return true;
}

/* ---- top level ---------------------------------------------------------------- */

static bool parse_line(struct sweep *sw, const char *s, size_t n, unsigned lineno,
                       unsigned *seen, struct sweep_error *err)
{
    struct span w[24];
    unsigned nw = split_words(s, n, w, 23);

    if (nw == 0)
        return true;
    if (nw > 23)
        return fail(err, lineno, "too many words on one line", NULL, 0, NULL);
    if (text_eq_n(w[0].s, w[0].n, "measure"))
        return parse_measure(sw, w, nw, lineno, err);
    if (nw != 2)
        return fail(err, lineno, "'", w[0].s, w[0].n, "' takes exactly one value");
    if (text_eq_n(w[0].s, w[0].n, "name")) {
        if (w[1].n >= SWEEP_NAME_MAX)
            return fail(err, lineno, "name too long (at most 47 characters)", NULL, 0, NULL);
        text_copy(sw->name, sizeof(sw->name), w[1].s, w[1].n);
        *seen |= 1;
        return true;
    }
    if (text_eq_n(w[0].s, w[0].n, "samples"))
        return parse_count(w[1], 1, SWEEP_SAMPLES_MAX, &sw->samples) ||
               fail(err, lineno, "samples must be 1-1000000, got '", w[1].s, w[1].n, "'");
    if (text_eq_n(w[0].s, w[0].n, "warmup"))
        return parse_count(w[1], 0, SWEEP_SAMPLES_MAX, &sw->warmup) ||
               fail(err, lineno, "warmup must be 0-1000000, got '", w[1].s, w[1].n, "'");
    if (text_eq_n(w[0].s, w[0].n, "inject")) {
        if (!sweep_inject_from_name(w[1].s, w[1].n, &sw->inject))
            return fail(err, lineno, "unknown fault '", w[1].s, w[1].n,
                        "' for inject (none, page-fault, hang, no-end, "
                        "skip-flush, hv-wrong-mask, hv-pretend, hv-unknown-status, "
                        "ap-never-starts, record-truncate, record-corrupt, "
                        "record-duplicate, hang-mid-config, page-fault-mid-config)");
        return true;
    }
    if (text_eq_n(w[0].s, w[0].n, "seed")) {
        uint64_t seed;

        /* The last seed line wins: the host appends --seed's. */
        if (!text_parse_u64(w[1].s, w[1].n, 10, &seed))
            return fail(err, lineno, "seed must be a decimal number, got '", w[1].s, w[1].n,
                        "'");
        sw->seed = seed;
        sw->shuffle = true;
        return true;
    }
    if (text_eq_n(w[0].s, w[0].n, "verify-rounds"))
        return parse_count(w[1], 1, 100000, &sw->verify_rounds) ||
               fail(err, lineno, "verify-rounds must be 1-100000, got '", w[1].s, w[1].n, "'");
    switch (sweep_ci_directive(sw, w[0].s, w[0].n, w[1].s, w[1].n, lineno, err)) {
    case 1:
        return true;
    case -1:
        return false;
    }
    switch (sweep_hv_rule_directive(sw, w[0].s, w[0].n, w[1].s, w[1].n, lineno, err)) {
    case 1:
        return true;
    case -1:
        return false;
    }
    return fail(err, lineno, "unknown directive '", w[0].s, w[0].n,
                "' (expected name, samples, warmup, verify-rounds, seed, inject, ci-target, "
                "time-cap, hv-rule or measure)");
}

bool sweep_parse(const char *text, size_t len, struct sweep *sw,
                 struct sweep_error *err)
{
    unsigned lineno = 0, seen = 0;
    size_t i = 0;

    sw->name[0] = '\0';
    sw->inject = INJECT_NONE;
    sw->samples = 1000;
    sw->warmup = 100;
    sw->verify_rounds = 32;
    sw->shuffle = false;
    sw->seed = 0;
    sw->nlines = 0;
    sw->ci_target_bp = 0;
    sw->time_cap_ms = CI_TIME_CAP_DEFAULT_MS;
    sw->hv_rule = HV_RULE_RECOMMENDED;
    err->lineno = 0;
    err->msg[0] = '\0';

    if (len > SWEEP_TEXT_MAX)
        return fail(err, 0, "sweep text too long (at most 16384 bytes)", NULL, 0, NULL);
    while (i < len) {
        size_t start = i, end;

        lineno++;
        while (i < len && text[i] != '\n')
            i++;
        end = i;
        if (i < len)
            i++;
        for (size_t k = start; k < end; k++) {
            unsigned char c = (unsigned char)text[k];

            if (c == '#') {
                end = k;
                break;
            }
            if ((c < ' ' && c != '\t' && c != '\r') || c >= 0x7f)
                return fail(err, lineno, "unexpected control or non-ASCII character",
                            NULL, 0, NULL);
        }
        if (!parse_line(sw, text + start, end - start, lineno, &seen, err))
            return false;
    }
    if (!(seen & 1))
        return fail(err, 0, "missing 'name' line", NULL, 0, NULL);
    return true;
}

