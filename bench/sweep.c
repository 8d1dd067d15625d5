/*
 * Sweep parser and expander (grammar: bench/sweeps/README.md).  Runs on the
 * host before QEMU starts and again in the guest on the validated text.
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

static bool item_flush(const char *s, size_t n, void *out, unsigned idx)
{
    return flush_op_from_name(s, n, &((enum flush_op *)out)[idx]);
}

static bool item_state(const char *s, size_t n, void *out, unsigned idx)
{
    return target_state_from_name(s, n, &((enum target_state *)out)[idx]);
}

static bool item_pages(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;

    if (!text_parse_u64(s, n, 10, &v) || v < 1 || v > SWEEP_PAGES_MAX)
        return false;
    ((uint32_t *)out)[idx] = (uint32_t)v;
    return true;
}

static bool item_targets(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;
    int32_t *t = out;

    if (text_eq_n(s, n, "pow2"))
        t[idx] = SWEEP_TARGETS_POW2;
    else if (text_eq_n(s, n, "all"))
        t[idx] = SWEEP_TARGETS_ALL;
    else if (text_parse_u64(s, n, 10, &v) && v >= 1 && v < 4096)
        t[idx] = (int32_t)v;
    else
        return false;
    return true;
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

static bool parse_measure_key(struct sweep_line *l, struct span key, struct span val,
                              unsigned *seen, unsigned lineno, struct sweep_error *err)
{
    unsigned bit, count = 0;
    bool ok;

    if (text_eq_n(key.s, key.n, "flush")) {
        bit = KEY_FLUSH;
        ok = for_each_item(val, FLUSH_OP_COUNT, &count, item_flush, l->flush);
        l->nflush = count;
    } else if (text_eq_n(key.s, key.n, "pages")) {
        bit = KEY_PAGES;
        ok = for_each_item(val, SWEEP_LIST_MAX, &count, item_pages, l->pages);
        l->npages = count;
    } else if (text_eq_n(key.s, key.n, "targets")) {
        bit = KEY_TARGETS;
        ok = for_each_item(val, SWEEP_LIST_MAX, &count, item_targets, l->targets);
        l->ntargets = count;
    } else if (text_eq_n(key.s, key.n, "state")) {
        bit = KEY_STATE;
        ok = for_each_item(val, TARGET_STATE_COUNT, &count, item_state, l->state);
        l->nstates = count;
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
    } else {
        return fail(err, lineno, "unknown key '", key.s, key.n,
                    "' (expected flush, pages, targets, state, samples, warmup or verify)");
    }
    if (*seen & bit)
        return fail(err, lineno, "key '", key.s, key.n, "' given twice");
    *seen |= bit;
    if (!ok)
        return fail(err, lineno, "bad value '", val.s, val.n, bit == KEY_FLUSH ?
                    "' for flush (invlpg, cr3; comma-separated)" : bit == KEY_PAGES ?
                    "' for pages (1-512; comma-separated)" : bit == KEY_TARGETS ?
                    "' for targets (pow2, all or counts >= 1; comma-separated)" : bit == KEY_STATE ?
                    "' for state (spin, halt; comma-separated)" : bit == KEY_VERIFY ?
                    "' for verify (on, off)" : "' (expected a count in range)");
    return true;
}

static bool parse_measure(struct sweep *sw, const struct span *w, unsigned nw,
                          unsigned lineno, struct sweep_error *err)
{
    struct sweep_line *l;
    unsigned i, seen = 0;

    if (sw->nlines == SWEEP_LINES_MAX)
        return fail(err, lineno, "too many measure lines (at most 32)", NULL, 0, NULL);
    if (nw < 2)
        return fail(err, lineno, "measure needs a strategy (local, ipi)", NULL, 0, NULL);
    l = &sw->lines[sw->nlines];
    l->lineno = lineno;
    if (!strategy_from_name(w[1].s, w[1].n, &l->strategy))
        return fail(err, lineno, "unknown strategy '", w[1].s, w[1].n, "' (expected local or ipi)");
    l->nflush = 1;   l->flush[0] = FLUSH_INVLPG;
    l->npages = 1;   l->pages[0] = 1;
    l->ntargets = 1; l->targets[0] = SWEEP_TARGETS_POW2;
    l->nstates = 1;  l->state[0] = TARGET_SPIN;
    l->samples = 0;
    l->warmup = UINT32_MAX;
    l->verify = true;

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
    if (l->strategy == STRATEGY_LOCAL && (seen & (KEY_TARGETS | KEY_STATE)))
        return fail(err, lineno, "strategy local has no targets: drop targets= and state=",
                    NULL, 0, NULL);
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
        unsigned i;

        if (!name_lookup(inject_names, INJECT_COUNT, w[1].s, w[1].n, &i))
            return fail(err, lineno, "unknown fault '", w[1].s, w[1].n,
                        "' for inject (none, page-fault, hang, no-end)");
        sw->inject = (enum sweep_inject)i;
        return true;
    }
    if (text_eq_n(w[0].s, w[0].n, "verify-rounds"))
        return parse_count(w[1], 1, 100000, &sw->verify_rounds) ||
               fail(err, lineno, "verify-rounds must be 1-100000, got '", w[1].s, w[1].n, "'");
    return fail(err, lineno, "unknown directive '", w[0].s, w[0].n,
                "' (expected name, samples, warmup, verify-rounds, inject or measure)");
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
    sw->nlines = 0;
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

/* ---- expansion -------------------------------------------------------------- */

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
                    fail(err, l->lineno, "targets needs ", num, text_len(num),
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
                            fail(err, l->lineno, "sweep expands to too many configurations",
                                 NULL, 0, NULL);
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
