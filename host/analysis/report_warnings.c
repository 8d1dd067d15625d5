/*
 * The warnings at the top of a report (see report.h): what a reader must
 * know before trusting a number.  One check per row of the table below;
 * each reads meta.json or the run's CSVs and adds at most one warning.
 */
#include "analysis/report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The labels listed in one warning before "and N more". */
#define LIST_MAX 8

struct warn_input {
    const char *run_dir;
    json_t *meta;
    struct report_csv summary, verify;
    bool have_summary, have_verify;
};

static bool add(struct report_warnings *w, const char *kind, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static bool add(struct report_warnings *w, const char *kind, const char *f, ...)
{
    va_list ap;

    if (w->n == w->cap) {
        struct report_warning *bigger = realloc(w->v, (w->cap ? w->cap * 2 : 8) * sizeof(*w->v));

        if (!bigger)
            return false;
        w->v = bigger;
        w->cap = w->cap ? w->cap * 2 : 8;
    }
    w->v[w->n].kind = kind;
    va_start(ap, f);
    vsnprintf(w->v[w->n].text, sizeof(w->v[w->n].text), f, ap);
    va_end(ap);
    w->n++;
    return true;
}

static json_t *at(json_t *o, const char *a, const char *b)
{
    o = json_object_get(o, a);
    return b ? json_object_get(o, b) : o;
}

/* The rows of t whose column col is one of the '|'-separated values:
 * their count, and the first LIST_MAX labels (", "-separated) in list. */
static unsigned rows_matching(const struct report_csv *t, const char *col, const char *values,
                              char *list, size_t cap)
{
    unsigned n = 0;

    list[0] = '\0';
    for (unsigned r = 0; r < t->nrows; r++) {
        const char *v = report_csv_cell(t, r, col);
        size_t len = strlen(v);
        const char *hit = len ? strstr(values, v) : NULL;

        while (hit && !((hit == values || hit[-1] == '|') && (hit[len] == '|' || !hit[len])))
            hit = strstr(hit + 1, v);
        if (!hit)
            continue;
        if (n < LIST_MAX)
            append(list, cap, "%s%s", n ? ", " : "", report_csv_cell(t, r, "label"));
        else if (n == LIST_MAX)
            append(list, cap, ", …");
        n++;
    }
    return n;
}

static bool check_status(const struct warn_input *in, struct report_warnings *w)
{
    const char *status = json_string_value(at(in->meta, "status", NULL));
    const char *reason = json_string_value(at(in->meta, "reason", NULL));

    if (status && !strcmp(status, "ok"))
        return true;
    return add(w, "status", "The run did not finish: status %s%s%s.", status ? status : "missing",
               reason ? ", " : "", reason ? reason : "");
}

static bool check_pinning(const struct warn_input *in, struct report_warnings *w)
{
    json_t *pin = at(in->meta, "pinning", NULL), *e;
    const char *policy = json_string_value(json_object_get(pin, "policy"));
    unsigned unpinned = 0, n = 0;
    size_t i;

    json_array_foreach(json_object_get(pin, "map"), i, e) {
        const char *pus = json_string_value(json_object_get(e, "pus"));

        n++;
        if (!pus || !*pus || !strcmp(pus, "unpinned"))
            unpinned++;
    }
    if (!pin || !policy || !strcmp(policy, "none") || n == 0)
        return add(w, "unpinned", "vCPUs were not pinned (policy %s): the host scheduler moved "
                   "them, so cross-CPU timings include its choices.", policy ? policy : "unknown");
    if (unpinned)
        return add(w, "unpinned", "%u of %u vCPUs were not pinned (policy %s).", unpinned, n,
                   policy);
    return true;
}

static bool check_timing_class(const struct warn_input *in, struct report_warnings *w)
{
    const char *tc = json_string_value(at(in->meta, "accelerator", "timing_class"));
    const char *label = json_string_value(at(in->meta, "accelerator", "label"));

    if (tc && !strcmp(tc, "hardware"))
        return true;
    return add(w, "timing-class", "Timing class %s (%s): these are not bare-metal hardware "
               "timings; compare them only with runs of the same class.", tc ? tc : "unknown",
               label ? label : "no label");
}

static bool check_tsc(const struct warn_input *in, struct report_warnings *w)
{
    json_t *inv = at(at(in->meta, "guest", "platform"), "tsc_invariant", NULL);

    if (!inv)
        inv = at(in->meta, "tsc_skew", "tsc_invariant");
    if (json_is_integer(inv) && json_integer_value(inv))
        return true;
    if (json_is_true(inv))
        return true;
    return add(w, "tsc", "The guest's TSC is not invariant (%s): cycle counts may drift with "
               "frequency or between CPUs.", inv ? "CPUID 0x80000007 EDX bit 8 clear" : "not reported");
}

static bool check_tsc_skew(const struct warn_input *in, struct report_warnings *w)
{
    json_int_t bad = json_integer_value(at(in->meta, "tsc_skew", "inconsistent"));

    if (bad <= 0)
        return true;
    return add(w, "tsc-skew", "%lld CPU(s) had an inconsistent TSC offset to CPU 0: "
               "cross-CPU timestamps are suspect.", (long long)bad);
}

static bool check_noise(const struct warn_input *in, struct report_warnings *w)
{
    char list[512];
    unsigned n = in->have_summary ?
        rows_matching(&in->summary, "noise_dominated", "1", list, sizeof(list)) : 0;

    if (!n)
        return true;
    return add(w, "noise", "%u configuration(s) noise-dominated (the timer's overhead is "
               "comparable to the latency): %s.", n, list);
}

static bool check_ci_wide(const struct warn_input *in, struct report_warnings *w)
{
    char list[512];
    unsigned n = in->have_summary ?
        rows_matching(&in->summary, "ci_flag", "ci-wide", list, sizeof(list)) : 0;

    if (!n)
        return true;
    return add(w, "ci-wide", "%u configuration(s) missed the sweep's ci-target (the median's "
               "95 %% CI is wider): %s.", n, list);
}

static bool check_verification(const struct warn_input *in, struct report_warnings *w)
{
    char list[512];
    unsigned n = in->have_verify ?
        rows_matching(&in->verify, "verdict", "fail|error", list, sizeof(list)) : 0;

    if (!n)
        return true;
    return add(w, "verification", "%u configuration(s) failed verification or ended in an "
               "error (their flush did not take effect, or the probe broke): %s.", n, list);
}

static bool check_unsupported(const struct warn_input *in, struct report_warnings *w)
{
    char list[512];
    unsigned n = in->have_summary ?
        rows_matching(&in->summary, "verdict", "unsupported", list, sizeof(list)) : 0;

    if (!n)
        return true;
    return add(w, "unsupported", "%u configuration(s) unsupported on this platform (no "
               "samples): %s.", n, list);
}

static const struct {
    bool (*check)(const struct warn_input *in, struct report_warnings *w);
} checks[] = {
    { check_status },
    { check_timing_class },
    { check_pinning },
    { check_tsc },
    { check_tsc_skew },
    { check_verification },
    { check_noise },
    { check_ci_wide },
    { check_unsupported },
};

bool report_warnings_collect(const char *run_dir, json_t *meta, struct report_warnings *w)
{
    struct warn_input in = { .run_dir = run_dir, .meta = meta };
    char path[4096];
    bool ok = true;

    memset(w, 0, sizeof(*w));
    fmt(path, sizeof(path), "%s/summary.csv", run_dir);
    in.have_summary = report_csv_read(path, &in.summary);
    fmt(path, sizeof(path), "%s/verify.csv", run_dir);
    in.have_verify = report_csv_read(path, &in.verify);
    for (size_t i = 0; ok && i < sizeof(checks) / sizeof(checks[0]); i++)
        ok = checks[i].check(&in, w);
    if (in.have_summary)
        report_csv_free(&in.summary);
    if (in.have_verify)
        report_csv_free(&in.verify);
    return ok;
}

unsigned report_warnings_count(const struct report_warnings *w, const char *kind)
{
    unsigned n = 0;

    for (unsigned i = 0; i < w->n; i++)
        n += !strcmp(w->v[i].kind, kind);
    return n;
}

void report_warnings_free(struct report_warnings *w)
{
    free(w->v);
    memset(w, 0, sizeof(*w));
}
