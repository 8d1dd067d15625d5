/*
 * compare_nontiming(): what "hvflush compare" compares that is not a
 * timing, each part a side-by-side table against the baseline run
 * (compare_table.h) read by its loader (compare_sources.c):
 *   compare-verify.csv       verification verdicts and precision results
 *   compare-conformance.csv  the conformance table's outcome per case
 *   compare-flags.csv        the hv-* flags QEMU accepted
 *   compare-decision.csv     the decision map's winner per cell
 * A difference is a value that differs from the baseline's; a cell a run
 * lacks (absent file, missing row) is shown, never counted.
 */
#include "analysis/compare_parts.h"

#include <stdlib.h>

#include "analysis/compare_sources.h"
#include "analysis/compare_table.h"
#include "results.h"
#include "util.h"

static const char *const verify_keys[] = { "label", "check" };
static const char *const conformance_keys[] = { "case" };
static const char *const flag_keys[] = { "flag" };
static const char *const decision_keys[] = { "targets", "pages", "state" };

/* The parts, in the order they are shown. */
static const struct nontiming_part {
    const char *id, *title, *what, *csv;
    unsigned nkeys;
    const char *const *keys;
    void (*load)(struct cmp_table *t, unsigned run, const char *dir);
    bool text_all;              /* the text shows every row, not only differences */
} parts[] = {
    { "verify", "verification and precision",
      "check `verify`: the configuration's verdict (verify.csv, summary.csv); other checks: "
      "the precision result (meta.json).",
      "compare-verify.csv", 2, verify_keys, cmp_load_verify, false },
    { "conformance", "conformance",
      "what each case of the conformance table came back with (conformance.csv outcome).",
      "compare-conformance.csv", 1, conformance_keys, cmp_load_conformance, true },
    { "flags", "hv-* flags",
      "whether QEMU accepted each hv-* flag (meta.json hyperv_flags).",
      "compare-flags.csv", 1, flag_keys, cmp_load_flags, false },
    { "decision", "decision map",
      "the fastest strategy of each (targets, pages, state) cell (decision.csv best).",
      "compare-decision.csv", 3, decision_keys, cmp_load_decision, false },
};
#define N_PARTS (sizeof(parts) / sizeof(parts[0]))

/* One part: load every run's column, compare, write its CSV, text and
 * HTML.  Returns the differences, or -1 on failure (message printed). */
static int compare_part(const struct nontiming_part *p, const char *const *runs,
                        unsigned nruns, unsigned baseline, const char *out_dir,
                        const char *const *names, FILE *text, FILE *html)
{
    struct cmp_table t;
    char path[4096];
    int differences;

    cmp_table_init(&t, p->id, p->title, p->what, nruns, baseline, p->nkeys, p->keys);
    for (unsigned run = 0; run < nruns; run++)
        p->load(&t, run, runs[run]);
    if (t.oom) {
        hv_err("compare: out of memory");
        cmp_table_free(&t);
        return -1;
    }
    differences = (int)cmp_table_compare(&t);
    if (!fmt(path, sizeof(path), "%s/%s", out_dir, p->csv)) {
        hv_err("compare: %s: path too long", out_dir);
        differences = -1;
    } else if (!cmp_table_write_csv(&t, path, names)) {
        differences = -1;
    } else {
        cmp_table_text(&t, text, names, p->text_all);
        cmp_table_html(&t, html, names);
    }
    cmp_table_free(&t);
    return differences;
}

int compare_nontiming(const char *const *runs, unsigned nruns, unsigned baseline,
                      const char *out_dir, FILE *text, FILE *html)
{
    char **names;
    int total = 0;

    if (!nruns || baseline >= nruns) {
        hv_err("compare: baseline %u is not one of the %u runs", baseline, nruns);
        return -1;
    }
    if (!results_mkdirs(out_dir)) {
        hv_err("compare: cannot create %s", out_dir);
        return -1;
    }
    if (!(names = cmp_run_names(runs, nruns))) {
        hv_err("compare: out of memory");
        return -1;
    }
    for (unsigned i = 0; i < N_PARTS && total >= 0; i++) {
        int d = compare_part(&parts[i], runs, nruns, baseline, out_dir,
                             (const char *const *)names, text, html);

        total = d < 0 ? -1 : total + d;
    }
    if (text && total >= 0)
        fprintf(text, "non-timing differences from the baseline: %d\n", total);
    cmp_run_names_free(names, nruns);
    return total;
}
