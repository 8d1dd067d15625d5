/*
 * "hvflush compare"'s timing section as HTML: the runs, the ratio table
 * (verdicts marked by class: compare.c's style sheet colours them and the
 * verdict word stays, for black and white), the configurations in some runs
 * only, those not measured, and the regression gate.
 */
#include <string.h>

#include "analysis/compare_internal.h"
#include "util.h"

void compare_html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static char letter(unsigned r)
{
    return (char)(r < 26 ? 'A' + r : '?');
}

static void html_runs(FILE *f, const struct cmp_table *t)
{
    fputs("<table class=\"runs\">\n<tr><th></th><th>run</th><th>timing class</th></tr>\n", f);
    for (unsigned r = 0; r < t->o->nruns; r++) {
        fprintf(f, "<tr><td>%c</td><td>", letter(r));
        compare_html_text(f, t->runs[r].name);
        if (r == t->o->baseline)
            fputs(" <b>(baseline)</b>", f);
        fputs("</td><td>", f);
        compare_html_text(f, t->runs[r].timing_class);
        fputs(" (", f);
        compare_html_text(f, t->runs[r].tc_label);
        fprintf(f, "), %u boot%s</td></tr>\n", t->runs[r].nboots + 1,
                t->runs[r].nboots ? "s" : "");
    }
    fputs("</table>\n", f);
}

static void html_ratios(FILE *f, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    const char *unit = compare_metric_unit(o->metric);

    fprintf(f, "<table class=\"ratios\">\n<tr><th>configuration</th><th>run</th>"
            "<th>baseline %s (%s)</th><th>run (%s)</th><th>ratio</th>"
            "<th>95 %% interval</th><th>verdict</th></tr>\n",
            compare_metric_name(o->metric), unit, unit);
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *row = &t->rows[i];

        for (unsigned r = 0; r < o->nruns; r++) {
            const struct cmp_cell *c = &row->cell[r];
            const char *v = compare_verdict_name(c->verdict);
            char vbuf[48];

            if (r == o->baseline || c->verdict == CMP_MISSING || c->verdict == CMP_UNSUPPORTED)
                continue;
            fputs("<tr><td>", f);
            compare_html_text(f, row->label);
            fprintf(f, "</td><td>%c</td><td>%.1f</td><td>%.1f</td>", letter(r), c->base,
                    c->value);
            if (c->has_ratio)
                fprintf(f, "<td>%.3f</td>", c->ratio);
            else
                fputs("<td>-</td>", f);
            if (c->has_ci)
                fprintf(f, "<td>[%.3f, %.3f]</td>", c->lo, c->hi);
            else
                fputs("<td>-</td>", f);
            fprintf(f, "<td class=\"v-%s\">", v);
            compare_html_text(f, compare_cell_verdict(c, vbuf, sizeof(vbuf)));
            fprintf(f, "%s</td></tr>\n", c->has_ci && !c->between_boot ? " (within-boot)" : "");
        }
    }
    fputs("</table>\n", f);
}

static void html_lists(FILE *f, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    unsigned partial = 0;

    for (unsigned i = 0; i < t->nrows; i++)
        partial += t->rows[i].present < o->nruns;
    fprintf(f, "<h3>Configurations only in some runs (%u)</h3>\n", partial);
    if (partial) {
        fputs("<table class=\"partial\">\n<tr><th>configuration</th><th>in</th>"
              "<th>not in</th></tr>\n", f);
        for (unsigned i = 0; i < t->nrows; i++) {
            const struct cmp_row *row = &t->rows[i];

            if (row->present == o->nruns)
                continue;
            fputs("<tr><td>", f);
            compare_html_text(f, row->label);
            fputs("</td><td>", f);
            for (unsigned r = 0; r < o->nruns; r++)
                if (row->e[r])
                    fprintf(f, "%c ", letter(r));
            fputs("</td><td>", f);
            for (unsigned r = 0; r < o->nruns; r++)
                if (!row->e[r])
                    fprintf(f, "%c ", letter(r));
            fputs("</td></tr>\n", f);
        }
        fputs("</table>\n", f);
    }
    fprintf(f, "<h3>Not measured (n = 0) in the baseline or the run (%u)</h3>\n",
            t->counts[CMP_UNSUPPORTED]);
    if (t->counts[CMP_UNSUPPORTED]) {
        fputs("<ul>\n", f);
        for (unsigned i = 0; i < t->nrows; i++)
            for (unsigned r = 0; r < o->nruns; r++)
                if (r != o->baseline && t->rows[i].cell[r].verdict == CMP_UNSUPPORTED) {
                    fputs("<li>", f);
                    compare_html_text(f, t->rows[i].label);
                    fprintf(f, " in %c (n = %zu, baseline n = %zu)</li>\n", letter(r),
                            t->rows[i].cell[r].n_run, t->rows[i].cell[r].n_base);
                }
        fputs("</ul>\n", f);
    }
}

void compare_write_html_table(FILE *f, const struct cmp_table *t)
{
    const struct compare_opts *o = t->o;
    char classes[256];

    compare_classes(t, classes, sizeof(classes));
    fputs("<section class=\"compare-timing\">\n<h2>Timing: ", f);
    compare_html_text(f, compare_metric_name(o->metric));
    fprintf(f, " against the baseline (%s)</h2>\n", classes);
    fprintf(f, "<p>Ratio run / baseline %c with its 95 %% percentile-bootstrap interval "
            "(B = %u); threshold &plusmn;%.4g %%; %s.</p>\n", letter(o->baseline),
            COMPARE_BOOT_REPS, o->threshold_pct,
            o->metric == COMPARE_THROUGHPUT ? "above 1 is faster" : "above 1 is slower");
    if (t->within_boot)
        fprintf(f, "<p class=\"note\">Note: %u interval(s) come from a single boot (marked "
                "within-boot): they hold within-boot noise only, not the shift from one boot "
                "to the next; a regression gate should compare runs made with "
                "<code>--repeat</code> (3 boots or more) and set <code>--min-boots</code>.</p>\n",
                t->within_boot);
    html_runs(f, t);
    fputs("<p><img src=\"compare.svg\" alt=\"ratio per configuration with 95 % intervals, "
          "the threshold band and the 1.0 line\"></p>\n", f);
    html_ratios(f, t);
    html_lists(f, t);
    fputs("<p class=\"counts\">Verdicts:", f);
    for (unsigned v = CMP_SAME; v <= CMP_MISSING; v++)
        fprintf(f, " %s %u%s", compare_verdict_name(v), t->counts[v],
                v == CMP_MISSING ? "" : ",");
    fputs("</p>\n", f);
    if (t->slower_exempt)
        fprintf(f, "<p class=\"gate\">%u slower configuration(s) have fewer boots than "
                "--min-boots %u: reported, not gating.</p>\n", t->slower_exempt, o->min_boots);
    if (compare_exit_status(t))
        fprintf(f, "<p class=\"gate fail\">Regression: %u configuration(s) slower beyond "
                "%.4g %% with the whole interval beyond it (exit 1).</p>\n",
                t->counts[CMP_SLOWER] - t->slower_exempt, o->threshold_pct);
    else
        fprintf(f, "<p class=\"gate ok\">No regression beyond %.4g %% (exit 0).</p>\n",
                o->threshold_pct);
    fputs("</section>\n", f);
}
