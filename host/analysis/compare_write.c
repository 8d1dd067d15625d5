/*
 * "hvflush compare"'s text table and compare.csv.  Runs are lettered A, B,
 * C ... in command-line order; the text names the baseline.
 */
#include <string.h>

#include "analysis/compare_internal.h"
#include "util.h"

const char *compare_metric_name(enum compare_metric m)
{
    return m == COMPARE_P99 ? "p99" : m == COMPARE_THROUGHPUT ? "throughput" : "p50";
}

const char *compare_metric_unit(enum compare_metric m)
{
    return m == COMPARE_THROUGHPUT ? "flushes/s" : "ns";
}

void compare_classes(const struct cmp_table *t, char *out, size_t cap)
{
    out[0] = '\0';
    for (unsigned r = 0; r < t->o->nruns; r++) {
        bool seen = false;

        for (unsigned q = 0; q < r; q++)
            seen |= !strcmp(t->runs[q].timing_class, t->runs[r].timing_class);
        if (!seen)
            append(out, cap, "%s%s", r ? " vs " : "", t->runs[r].timing_class);
    }
}

static char letter(unsigned r)
{
    return (char)(r < 26 ? 'A' + r : '?');
}

static int label_width(const struct cmp_table *t)
{
    size_t w = strlen("configuration");

    for (unsigned i = 0; i < t->nrows; i++)
        if (strlen(t->rows[i].label) > w)
            w = strlen(t->rows[i].label);
    return (int)w;
}

static void text_header(FILE *f, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;

    fprintf(f, "%s of each configuration, run / baseline %c: ratio with its 95 %% "
            "percentile-bootstrap interval (B = %u), threshold +/-%.4g %%%s\n",
            o->metric == COMPARE_THROUGHPUT ? "aggregate flushes/s" :
            o->metric == COMPARE_P99 ? "p99 latency" : "p50 latency",
            letter(o->baseline), COMPARE_BOOT_REPS, o->threshold_pct,
            o->metric == COMPARE_THROUGHPUT ? " (above 1 is faster)" : " (above 1 is slower)");
    for (unsigned r = 0; r < o->nruns; r++)
        fprintf(f, "  %c  %s%s  %s (%s), %u boot%s\n", letter(r), t->runs[r].name,
                r == o->baseline ? "  (baseline)" : "", t->runs[r].timing_class,
                t->runs[r].tc_label, t->runs[r].nboots + 1, t->runs[r].nboots ? "s" : "");
    for (unsigned r = 0, shown = 0; r < o->nruns && !shown; r++)
        if ((shown = t->runs[r].nboots > 0))
            fprintf(f, "boots: where both runs hold 2 boots or more of a configuration, its "
                    "metric pools all boots' samples and its interval is a two-stage "
                    "bootstrap (boots, then samples within each), widened for few boots\n");
    if (t->within_boot)
        fprintf(f, "note: %u interval(s) come from a single boot (marked within-boot): they "
                "hold within-boot noise only, not the shift from one boot to the next; a "
                "regression gate should compare runs made with --repeat (3 boots or more) "
                "and set --min-boots\n", t->within_boot);
}

static void text_table(FILE *f, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    int w = label_width(t);
    char base_h[32], run_h[32];

    fmt(base_h, sizeof(base_h), "%c %s %s", letter(o->baseline), compare_metric_name(o->metric),
        compare_metric_unit(o->metric));
    fmt(run_h, sizeof(run_h), "run %s", compare_metric_unit(o->metric));
    fprintf(f, "\n%-*s  run  %22s  %14s  %8s  %-19s  %s\n", w, "configuration", base_h, run_h,
            "ratio", "95 % interval", "verdict");
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *row = &t->rows[i];

        for (unsigned r = 0; r < o->nruns; r++) {
            const struct cmp_cell *c = &row->cell[r];
            char ci[40] = "-", vbuf[48];

            if (r == o->baseline || c->verdict == CMP_MISSING || c->verdict == CMP_UNSUPPORTED)
                continue;
            if (c->has_ci)
                fmt(ci, sizeof(ci), "[%.3f, %.3f]", c->lo, c->hi);
            fprintf(f, "%-*s  %c    %22.1f  %14.1f  ", w, row->label, letter(r), c->base, c->value);
            if (c->has_ratio)
                fprintf(f, "%8.3f", c->ratio);
            else
                fprintf(f, "%8s", "-");
            fprintf(f, "  %-19s  %s%s\n", ci, compare_cell_verdict(c, vbuf, sizeof(vbuf)),
                    c->has_ci && !c->between_boot ? "  [within-boot]" : "");
        }
    }
}

static void text_lists(FILE *f, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    unsigned partial = 0, unsupported = t->counts[CMP_UNSUPPORTED];

    for (unsigned i = 0; i < t->nrows; i++)
        partial += t->rows[i].present < o->nruns;
    fprintf(f, "\nconfigurations only in some runs: %u\n", partial);
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *row = &t->rows[i];

        if (row->present == o->nruns)
            continue;
        fprintf(f, "  %-*s  in", label_width(t), row->label);
        for (unsigned r = 0; r < o->nruns; r++)
            if (row->e[r])
                fprintf(f, " %c", letter(r));
        fputs(", not in", f);
        for (unsigned r = 0; r < o->nruns; r++)
            if (!row->e[r])
                fprintf(f, " %c", letter(r));
        fputc('\n', f);
    }
    fprintf(f, "not measured (n = 0) in the baseline or the run: %u\n", unsupported);
    for (unsigned i = 0; i < t->nrows; i++)
        for (unsigned r = 0; r < o->nruns; r++)
            if (r != o->baseline && t->rows[i].cell[r].verdict == CMP_UNSUPPORTED)
                fprintf(f, "  %-*s  %c (n = %zu, baseline n = %zu)\n", label_width(t),
                        t->rows[i].label, letter(r), t->rows[i].cell[r].n_run,
                        t->rows[i].cell[r].n_base);
}

void compare_write_text(FILE *f, const struct cmp_table *t)
{
    int gate = compare_exit_status(t);

    text_header(f, t);
    text_table(f, t);
    text_lists(f, t);
    fputs("verdicts:", f);
    for (unsigned v = CMP_SAME; v <= CMP_MISSING; v++)
        fprintf(f, " %s %u%s", compare_verdict_name(v), t->counts[v],
                v == CMP_MISSING ? "\n" : ",");
    if (t->slower_exempt)
        fprintf(f, "%u slower configuration(s) have fewer boots than --min-boots %u: "
                "reported, not gating\n", t->slower_exempt, t->o->min_boots);
    if (gate)
        fprintf(f, "regression: %u configuration(s) slower beyond %.4g %% with the whole "
                "interval beyond it (exit 1)\n", t->counts[CMP_SLOWER] - t->slower_exempt,
                t->o->threshold_pct);
    else
        fprintf(f, "regression: none beyond %.4g %% (exit 0)\n", t->o->threshold_pct);
}

static void csv_num(FILE *f, bool have, double v)
{
    if (have)
        fprintf(f, "%.6g", v);
    fputc(',', f);
}

bool compare_write_csv(const char *path, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    FILE *f = fopen(path, "w");

    if (!f)
        return false;
    fputs("label,run,baseline,metric,unit,n_baseline,n_run,value_baseline,value_run,"
          "ratio,ci_lo,ci_hi,verdict,threshold_pct,timing_class,present_in,"
          "boots_baseline,boots_run,interval\n", f);
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *row = &t->rows[i];

        for (unsigned r = 0; r < o->nruns; r++) {
            const struct cmp_cell *c = &row->cell[r];
            bool measured = c->verdict != CMP_MISSING && c->verdict != CMP_UNSUPPORTED;
            bool paired = c->verdict != CMP_MISSING;
            char present[4096], vbuf[48];

            if (r == o->baseline)
                continue;
            csv_put_text(f, row->label);
            fputc(',', f);
            csv_put_text(f, t->runs[r].name);
            fputc(',', f);
            csv_put_text(f, t->runs[o->baseline].name);
            fprintf(f, ",%s,%s,", compare_metric_name(o->metric), compare_metric_unit(o->metric));
            if (paired)
                fprintf(f, "%zu,%zu,", c->n_base, c->n_run);
            else
                fputs(",,", f);
            csv_num(f, measured, c->base);
            csv_num(f, measured, c->value);
            csv_num(f, c->has_ratio, c->ratio);
            csv_num(f, c->has_ci, c->lo);
            csv_num(f, c->has_ci, c->hi);
            csv_put_text(f, compare_cell_verdict(c, vbuf, sizeof(vbuf)));
            fprintf(f, ",%.6g,", o->threshold_pct);
            csv_put_text(f, t->runs[r].timing_class);
            fputc(',', f);
            present[0] = '\0';
            for (unsigned q = 0, k = 0; q < o->nruns; q++)
                if (row->e[q])
                    append(present, sizeof(present), "%s%s", k++ ? " " : "", t->runs[q].name);
            csv_put_text(f, present);
            if (measured)
                fprintf(f, ",%u,%u,", c->boots_base, c->boots_run);
            else
                fputs(",,,", f);
            if (c->has_ci)
                fputs(c->between_boot ? "between-boot" : "within-boot", f);
            fputc('\n', f);
        }
    }
    return !(ferror(f) | (fclose(f) != 0));
}
