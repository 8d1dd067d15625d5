/*
 * The address-space keys of a "measure" line (grammar in
 * bench/sweeps/README.md): spaces=N, pcid=on|off, global=on|off,
 * large=on|off, and what they do to a configuration's verification.
 * Compiled for both guest and host, like the parser in sweep.c.
 *
 *   spaces  1-16: the address spaces the targets touch the test window in
 *           before every sample (their home space last); without PCID each
 *           CR3 switch empties the TLB, so only the home space stays cached;
 *   pcid    targets run with CR4.PCIDE and switch with CR3 bit 63 (no
 *           flush), so every space they touched keeps its entries;
 *   global  the test window's entries carry the G bit;
 *   large   the test window is mapped with one 2 MiB page (pages=1 only).
 *
 * Effect verification does not apply (c->verify false, verdict `-`) where
 * no flush is owed: scope=unloaded (the named space is loaded nowhere) and
 * nonglobal=on with global=on (NON_GLOBAL_MAPPINGS_ONLY may keep every
 * entry of a global window).  Their precision checks still run.
 */
#include <bench/sweep.h>
#include <bench/text.h>

void sweep_space_line_defaults(struct sweep_line *l)
{
    l->nspaces = 1; l->spaces[0] = 1;
    l->npcid = 1;   l->pcid[0] = false;
    l->nglobal = 1; l->global[0] = false;
    l->nlarge = 1;  l->large[0] = false;
}

static bool any_on(const bool *v, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++)
        if (v[i])
            return true;
    return false;
}

static bool refuse(struct sweep_error *err, unsigned lineno, const char *msg)
{
    err->lineno = lineno;
    err->msg[0] = '\0';
    text_append(err->msg, sizeof(err->msg), msg);
    return false;
}

bool sweep_space_check_line(const struct sweep_line *l, unsigned lineno,
                            struct sweep_error *err)
{
    bool many_spaces = l->nspaces > 1 || l->spaces[0] != 1;
    unsigned i;

    if (!strategy_has_targets(l->strategy) && (many_spaces || any_on(l->pcid, l->npcid)))
        return refuse(err, lineno, "spaces= and pcid= act on the targets' address spaces: "
                      "they belong to ipi and the hv-* flushes");
    if (strategy_is_baseline(l->strategy) &&
        (any_on(l->global, l->nglobal) || any_on(l->large, l->nlarge)))
        return refuse(err, lineno, "global= and large= change the test window, which a "
                      "baseline never touches");
    if (any_on(l->large, l->nlarge))
        for (i = 0; i < l->npages; i++)
            if (l->pages[i] != 1)
                return refuse(err, lineno, "large=on maps the test window with one 2 MiB "
                              "page: pages= must be 1");
    return true;
}

unsigned sweep_space_combos(const struct sweep_line *l)
{
    return l->nspaces * l->npcid * l->nglobal * l->nlarge;
}

void sweep_space_apply(const struct sweep_line *l, unsigned k, struct sweep_config *c)
{
    /* Innermost first: large, global, pcid, spaces (expansion order). */
    c->large = l->large[k % l->nlarge];
    k /= l->nlarge;
    c->global = l->global[k % l->nglobal];
    k /= l->nglobal;
    c->pcid = l->pcid[k % l->npcid];
    k /= l->npcid;
    c->spaces = l->spaces[k % l->nspaces];
    c->precision = l->verify && strategy_is_hv(c->strategy);
    if (c->scope == SCOPE_UNLOADED || (c->nonglobal && c->global))
        c->verify = false;
}

const char *sweep_space_unverified_reason(const struct sweep_config *c)
{
    if (!c->precision)                /* not hv-*, or verify=off on the line */
        return NULL;
    if (c->scope == SCOPE_UNLOADED)
        return "no-flush-owed:unloaded-space";
    if (c->nonglobal && c->global)
        return "no-flush-owed:nonglobal-call-global-window";
    return NULL;
}

void sweep_space_label_scope(const struct sweep_config *c, char *buf, size_t n)
{
    static const char *const scope_labels[SCOPE_COUNT] = {
        "/cr3", "/all-as", "/other-as", "/unloaded-as"
    };

    text_append(buf, n, c->scope < SCOPE_COUNT ? scope_labels[c->scope] : "/?");
}

void sweep_space_label(const struct sweep_config *c, char *buf, size_t n)
{
    if (c->spaces != 1) {
        char num[24];

        num[text_u64_dec(num, c->spaces)] = '\0';
        text_append(buf, n, "/s");
        text_append(buf, n, num);
    }
    if (c->pcid)
        text_append(buf, n, "/pcid");
    if (c->global)
        text_append(buf, n, "/global");
    if (c->large)
        text_append(buf, n, "/large");
}
