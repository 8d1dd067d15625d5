/*
 * Reading summary.csv for the analyses (see rows.h).
 */
#include "analysis/rows.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FIELDS_MAX 96

enum col { C_LABEL, C_STRATEGY, C_FLUSH, C_INPUT, C_SCOPE, C_PROCS, C_STATE, C_VERDICT,
           C_TARGETS, C_PAGES, C_N, C_P50, C_CI_LO, C_CI_HI, C_CI_FLAG, C_TARGET_SET, NCOL };
static const char *const col_names[NCOL] = {
    "label", "strategy", "flush", "input", "scope", "procs", "state", "verdict",
    "targets", "pages", "n", "p50_cyc", "ci_lo_cyc", "ci_hi_cyc", "ci_flag", "target_set",
};

static uint64_t num(const char *s, bool *ok)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    *ok = *s && !*end && !errno;
    return v;
}

/* The CI columns may be missing (summary.csv of an older run): no intervals. */
static bool optional(int c)
{
    return c == C_CI_LO || c == C_CI_HI || c == C_CI_FLAG || c == C_TARGET_SET;
}

static const char *field(char **f, const int *col, int c)
{
    return col[c] < 0 ? "" : f[col[c]];
}

static bool parse_row(char **f, int nf, const int *col, struct summary_row *r)
{
    bool ok = true, a, b;

    memset(r, 0, sizeof(*r));
    for (int i = 0; i < NCOL; i++)
        if (col[i] >= nf)
            return false;
    fmt(r->label, sizeof(r->label), "%s", f[col[C_LABEL]]);
    fmt(r->strategy, sizeof(r->strategy), "%s", f[col[C_STRATEGY]]);
    fmt(r->flush, sizeof(r->flush), "%s", f[col[C_FLUSH]]);
    fmt(r->input, sizeof(r->input), "%s", f[col[C_INPUT]]);
    fmt(r->scope, sizeof(r->scope), "%s", f[col[C_SCOPE]]);
    fmt(r->procs, sizeof(r->procs), "%s", f[col[C_PROCS]]);
    fmt(r->state, sizeof(r->state), "%s", f[col[C_STATE]]);
    fmt(r->verdict, sizeof(r->verdict), "%s", f[col[C_VERDICT]]);
    fmt(r->ci_flag, sizeof(r->ci_flag), "%s", field(f, col, C_CI_FLAG));
    fmt(r->target_set, sizeof(r->target_set), "%s",
        *field(f, col, C_TARGET_SET) ? field(f, col, C_TARGET_SET) : "others");
    r->targets = (uint32_t)num(f[col[C_TARGETS]], &a);
    ok &= a;
    r->pages = (uint32_t)num(f[col[C_PAGES]], &a);
    ok &= a;
    r->n = (size_t)num(f[col[C_N]], &a);
    ok &= a;
    if (r->n) {
        r->p50 = num(f[col[C_P50]], &a);
        ok &= a;
        r->ci_lo = num(field(f, col, C_CI_LO), &a);
        r->ci_hi = num(field(f, col, C_CI_HI), &b);
        r->have_ci = a && b;
    }
    return ok;
}

bool summary_rows_read(const char *run_dir, struct summary_row **rows, size_t *n,
                       char *err, size_t errcap)
{
    char path[4096], line[8192], *f[FIELDS_MAX];
    int col[NCOL], nf;
    size_t cap = 0, lineno = 1;
    FILE *in;

    *rows = NULL;
    *n = 0;
    fmt(path, sizeof(path), "%s/summary.csv", run_dir);
    in = fopen(path, "r");
    if (!in) {
        fmt(err, errcap, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    if (!fgets(line, sizeof(line), in)) {
        fmt(err, errcap, "%s is empty", path);
        fclose(in);
        return false;
    }
    nf = csv_split_line(line, f, FIELDS_MAX);
    for (int i = 0; i < NCOL; i++) {
        col[i] = -1;
        for (int k = 0; k < nf; k++)
            if (!strcmp(f[k], col_names[i]))
                col[i] = k;
        if (col[i] < 0 && !optional(i)) {
            fmt(err, errcap, "%s has no column %s", path, col_names[i]);
            fclose(in);
            return false;
        }
    }
    while (fgets(line, sizeof(line), in)) {
        lineno++;
        if (*n == cap) {
            struct summary_row *bigger;

            cap = cap ? cap * 2 : 64;
            bigger = realloc(*rows, cap * sizeof(**rows));
            if (!bigger) {
                fmt(err, errcap, "out of memory reading %s", path);
                fclose(in);
                free(*rows);
                *rows = NULL;
                *n = 0;
                return false;
            }
            *rows = bigger;
        }
        nf = csv_split_line(line, f, FIELDS_MAX);
        if (!parse_row(f, nf, col, &(*rows)[*n])) {
            fmt(err, errcap, "%s line %zu: malformed row", path, lineno);
            fclose(in);
            free(*rows);        /* false leaves the caller nothing to free */
            *rows = NULL;
            *n = 0;
            return false;
        }
        (*n)++;
    }
    fclose(in);
    return true;
}

bool summary_row_usable(const struct summary_row *r)
{
    static const char *const baselines[] = { "hv-null", "hv-invalid", "cpuid" };

    if (r->n == 0 || !strcmp(r->verdict, "fail") || !strcmp(r->verdict, "error"))
        return false;
    if ((r->target_set[0] && strcmp(r->target_set, "others")) || !strcmp(r->scope, "unloaded"))
        return false;
    for (size_t i = 0; i < sizeof(baselines) / sizeof(baselines[0]); i++)
        if (!strcmp(r->strategy, baselines[i]))
            return false;
    return !(!strcmp(r->strategy, "ipi") && !strcmp(r->flush, "none"));
}

void summary_row_key(const struct summary_row *r, bool with_state, char *buf, size_t cap)
{
    const char *sep = with_state ? "/" : "", *state = with_state ? r->state : "";

    /* Only the fields that apply: flush for local and ipi, the hypercall's
     * input, scope and processor set for hv-*. */
    if (!strncmp(r->strategy, "hv-", 3))
        fmt(buf, cap, "%s/%s/%s/%s%s%s", r->strategy, r->input, r->scope, r->procs, sep,
            state);
    else
        fmt(buf, cap, "%s/%s%s%s", r->strategy, r->flush, sep, state);
}
