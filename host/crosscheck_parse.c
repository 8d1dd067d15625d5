/*
 * The pure parts of "hvflush crosscheck vmexit" (see crosscheck.h): reading
 * kvm-unit-tests' vmexit console output and hvflush's summary.csv, and the
 * table of what is compared with what.
 */
#include "crosscheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/*
 * What is compared (README.md, "Cross-check against kvm-unit-tests"):
 * vmexit's ipi brackets on_cpu(1, nop): one fixed IPI (xAPIC ICR write) to
 * CPU 1, which sits in its idle `hlt` loop, and a spin until the handler
 * sets ipi_done (before its EOI).  hvflush's `ipi flush=none targets=1`
 * is the same round trip; state=halt parks the target in `sti; hlt` like
 * vmexit's idle loop, state=spin is the lower bound without the wake-up.
 * vmexit's cpuid loop is one cpuid per iteration, as hvflush's `cpuid`.
 */
const struct crosscheck_pair crosscheck_pairs[CROSSCHECK_PAIRS] = {
    { "ipi-halt", "ipi", true, "ipi", "none", "1", "halt" },
    { "ipi-spin", "ipi", true, "ipi", "none", "1", "spin" },
    { "cpuid", "cpuid", false, "cpuid", NULL, NULL, NULL },
};
const unsigned crosscheck_npairs = sizeof(crosscheck_pairs) / sizeof(crosscheck_pairs[0]);

const char crosscheck_sweep[] =
    "# crosscheck-vmexit: the baselines compared with kvm-unit-tests' vmexit\n"
    "name crosscheck-vmexit\n"
    "samples 2000\n"
    "warmup 200\n"
    "measure ipi flush=none targets=1 state=halt,spin\n"
    "measure cpuid\n";

/* A decimal number filling [s, end) up to trailing blanks; false otherwise. */
static bool whole_number(const char *s, const char *end, uint64_t *v)
{
    char buf[32];
    char *stop;
    size_t n = (size_t)(end - s);

    while (n && (s[n - 1] == ' ' || s[n - 1] == '\r' || s[n - 1] == '\t'))
        n--;
    if (n == 0 || n >= sizeof(buf) || s[0] < '0' || s[0] > '9')
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    *v = strtoull(buf, &stop, 10);
    return !errno && *stop == '\0';
}

bool kut_vmexit_parse(const char *text, const char *test, struct kut_figure *out)
{
    size_t tn = strlen(test);

    memset(out, 0, sizeof(*out));
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        const char *next = end ? end + 1 : NULL;
        uint64_t v;

        if (!end)
            end = line + strlen(line);
        /* "NAME CYCLES" or "NAME (skipped)" */
        if ((size_t)(end - line) > tn && !strncmp(line, test, tn) && line[tn] == ' ') {
            const char *rest = line + tn + 1;

            if (whole_number(rest, end, &v)) {
                out->found = true;
                out->per_iter = v;
            } else if (!strncmp(rest, "(skipped)", 9)) {
                out->skipped = true;
            }
        }
        /* "  ipi NAME CYCLES" */
        if ((size_t)(end - line) > 6 + tn && !strncmp(line, "  ipi ", 6) &&
            !strncmp(line + 6, test, tn) && line[6 + tn] == ' ' &&
            whole_number(line + 7 + tn, end, &v)) {
            out->has_bracket = true;
            out->bracket = v;
        }
        line = next;
    }
    if (out->found) {
        out->runs = 1;
        out->worst = kut_figure_value(out);
    }
    return out->found || out->skipped;
}

uint64_t kut_figure_value(const struct kut_figure *k)
{
    return !k->found ? 0 : k->has_bracket ? k->bracket : k->per_iter;
}

void kut_figure_merge(struct kut_figure *best, const struct kut_figure *next)
{
    unsigned runs;
    uint64_t worst;

    if (!next->found) {
        best->skipped |= next->skipped;
        return;
    }
    if (!best->found) {
        *best = *next;
        return;
    }
    runs = best->runs + next->runs;
    worst = best->worst > next->worst ? best->worst : next->worst;
    if (kut_figure_value(next) < kut_figure_value(best))
        *best = *next;
    best->runs = runs;
    best->worst = worst;
}

/* Splits one CSV line (RFC 4180 quoting, no newline inside a field) in
 * place; returns the number of fields (at most cap). */
static unsigned csv_split(char *line, char **fields, unsigned cap)
{
    unsigned n = 0;
    char *r = line, *w;

    while (n < cap) {
        fields[n++] = w = r;
        if (*r == '"') {
            for (r++; *r; r++) {
                if (*r == '"' && r[1] == '"')
                    *w++ = '"', r++;
                else if (*r == '"')
                    break;
                else
                    *w++ = *r;
            }
            if (*r == '"')
                r++;
        }
        while (*r && *r != ',')
            *w++ = *r++;
        if (*r != ',') {
            *w = '\0';
            break;
        }
        r++;
        *w = '\0';
    }
    return n;
}

enum { COL_LABEL, COL_STRATEGY, COL_FLUSH, COL_TARGETS, COL_STATE, COL_N, COL_MIN,
       COL_P50, COL_MEAN, COL_CLASS, NCOLS };
static const char *const col_names[NCOLS] = {
    "label", "strategy", "flush", "targets", "state", "n", "min_cyc", "p50_cyc",
    "mean_cyc", "timing_class",
};

#define MAX_FIELDS 256

static bool matches(const char *field, const char *want)
{
    return !want || !strcmp(field, want);
}

bool summary_find(const char *csv, const char *strategy, const char *flush,
                  const char *targets, const char *state, struct hvflush_figure *out)
{
    char *copy = strdup(csv), *line, *save = NULL;
    char *f[MAX_FIELDS];
    int col[NCOLS];
    unsigned nf;
    bool ok = false;

    memset(out, 0, sizeof(*out));
    if (!copy || !(line = strtok_r(copy, "\n", &save)))
        goto done;
    nf = csv_split(line, f, MAX_FIELDS);
    for (unsigned c = 0; c < NCOLS; c++) {
        col[c] = -1;
        for (unsigned i = 0; i < nf; i++)
            if (!strcmp(f[i], col_names[c]))
                col[c] = (int)i;
        if (col[c] < 0)
            goto done;
    }
    while ((line = strtok_r(NULL, "\n", &save))) {
        nf = csv_split(line, f, MAX_FIELDS);
        if (nf < NCOLS || (unsigned)col[NCOLS - 1] >= nf)
            continue;
        for (unsigned c = 0; c < NCOLS; c++)
            if ((unsigned)col[c] >= nf)
                goto next;
        if (!matches(f[col[COL_STRATEGY]], strategy) || !matches(f[col[COL_FLUSH]], flush) ||
            !matches(f[col[COL_TARGETS]], targets) || !matches(f[col[COL_STATE]], state))
            continue;
        out->n = strtoull(f[col[COL_N]], NULL, 10);
        if (out->n == 0)
            continue;
        out->min = strtoull(f[col[COL_MIN]], NULL, 10);
        out->p50 = strtoull(f[col[COL_P50]], NULL, 10);
        out->mean = strtod(f[col[COL_MEAN]], NULL);
        fmt(out->label, sizeof(out->label), "%s", f[col[COL_LABEL]]);
        fmt(out->timing_class, sizeof(out->timing_class), "%s", f[col[COL_CLASS]]);
        out->found = ok = true;
        break;
next:;
    }
done:
    free(copy);
    return ok;
}

uint64_t crosscheck_kut_value(const struct crosscheck_pair *p, const struct kut_figure *k)
{
    if (!k || !k->found)
        return 0;
    return p->kut_bracket && k->has_bracket ? k->bracket : k->per_iter;
}

void crosscheck_csv_header(FILE *f)
{
    fputs("name,kut_test,kut_figure,kut_cycles,kut_loop_cycles,hvflush_label,hvflush_n,"
          "hvflush_min_cyc,hvflush_p50_cyc,hvflush_mean_cyc,ratio_kut_p50,ratio_kut_mean,"
          "accel,cpu,timing_class,kut_runs,kut_worst_cycles\n", f);
}

void crosscheck_csv_row(FILE *f, const struct crosscheck_pair *p, const char *accel,
                        const char *cpu, const struct kut_figure *k,
                        const struct hvflush_figure *h)
{
    uint64_t kv = crosscheck_kut_value(p, k);
    bool have_h = h && h->found;

    fprintf(f, "%s,%s,%s,", p->name, p->kut_test,
            !kv ? "" : p->kut_bracket && k->has_bracket ? "bracket-mean" : "loop-mean");
    if (kv)
        fprintf(f, "%" PRIu64 ",%" PRIu64 ",", kv, k->per_iter);
    else
        fputs(",,", f);
    if (have_h)
        fprintf(f, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%.1f,", h->label, h->n, h->min,
                h->p50, h->mean);
    else
        fputs(",,,,,", f);
    if (kv && have_h && h->p50)
        fprintf(f, "%.3f,", (double)kv / (double)h->p50);
    else
        fputs(",", f);
    if (kv && have_h && h->mean > 0)
        fprintf(f, "%.3f,", (double)kv / h->mean);
    else
        fputs(",", f);
    csv_put_text(f, accel);
    fputc(',', f);
    csv_put_text(f, cpu);
    fprintf(f, ",%s,", have_h ? h->timing_class : "");
    if (kv)
        fprintf(f, "%u,%" PRIu64 "\n", k->runs, k->worst);
    else
        fputs(",\n", f);
}
