/*
 * "hvflush compare RUN_A RUN_B [RUN ...]": the command line and the driver.
 * Everything is read and checked before anything is written; the outputs
 * are written into a fresh staging directory beside --out and renamed into
 * place at the end, so bad input (exit 2) leaves nothing behind.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "analysis/compare_internal.h"
#include "analysis/compare_parts.h"
#include "analysis/noise.h"
#include "paths.h"
#include "results.h"
#include "util.h"
#include "run_state.h"

const char compare_usage_text[] =
    "usage: hvflush compare RUN_A RUN_B [RUN_C ...] [options]\n"
    "\n"
    "Joins the runs' configurations by label and gives, per configuration and\n"
    "per run, the ratio run / baseline of a metric with a 95 % percentile-\n"
    "bootstrap interval (2000 replicates, fixed seed) and a verdict:\n"
    "  same          the whole interval within 1 +/- threshold\n"
    "  faster/slower the whole interval beyond the threshold on that side\n"
    "                (latency: above 1 is slower; throughput: above 1 is faster)\n"
    "  within-noise  the interval reaches across a threshold edge\n"
    "  no-ci         a ratio but no interval (no samples, no flushes): never decisive\n"
    "Configurations in some runs only and those not measured (n = 0) are listed.\n"
    "\n"
    "Runs made with hvflush run --repeat R hold R boots (RUN/, RUN/boot-2 ...).\n"
    "Where both runs hold two boots or more of a configuration, its metric is\n"
    "that of all boots' samples pooled and its interval a two-stage bootstrap\n"
    "(boots drawn with replacement, then samples within each drawn boot), so it\n"
    "holds the variation from one boot to the next (compare.csv interval =\n"
    "between-boot).  Otherwise it is boot 1's samples only (interval =\n"
    "within-boot, marked, and a note says so): within-boot noise only, too\n"
    "narrow wherever the metric moves between boots.\n"
    "The environment difference comes first; runs of different timing classes\n"
    "may be compared and a WARNING says so.  Then verification, precision,\n"
    "conformance, hv-* flags and the decision map, side by side.\n"
    "\n"
    "options:\n"
    "  --baseline RUN     the run the others are divided by (default: the first)\n"
    "  --threshold PCT    a change smaller than PCT % is no change (default 5)\n"
    "  --metric M         p50 (default) or p99 latency from samples.csv, or\n"
    "                     throughput (aggregate flushes/s from throughput.csv; its\n"
    "                     interval redraws each flush count as Poisson)\n"
    "  --out DIR          output directory, new or empty (default\n"
    "                     <root>/results/compare-<UTC yyyymmdd-HHMMSS>): compare.txt,\n"
    "                     compare.csv, compare.svg, compare.png, compare.html,\n"
    "                     compare-body.html (the page without <html>/<head>) and the\n"
    "                     non-timing comparisons' compare-*.csv\n"
    "  --min-boots N      a slower configuration whose baseline or run holds fewer\n"
    "                     than N boots of it does not fail the gate: it is reported\n"
    "                     as `slower (single boot)` (or `slower (K boots)`) and the\n"
    "                     exit status stays 0 (default 1: every slower fails it)\n"
    "  --quiet            no table on stdout\n"
    "  --help             this text\n"
    "\n"
    "exit status:\n"
    "  0  no configuration slower beyond the threshold, or only ones whose\n"
    "     baseline or run has fewer boots than --min-boots\n"
    "  1  some configuration slower beyond the threshold with its whole 95 %\n"
    "     interval beyond it, its runs holding at least --min-boots boots of it\n"
    "     (a regression gate)\n"
    "  2  bad input: a directory that is not a run (no meta.json or summary.csv),\n"
    "     runs with no configuration in common with the baseline, a bad option;\n"
    "     nothing is written then\n";

static const char page_style[] =
    "body{font-family:'DejaVu Sans',sans-serif;margin:1.5em;color:#111}\n"
    "table{border-collapse:collapse;margin:0.5em 0}\n"
    "td,th{border:1px solid #bbb;padding:2px 6px;font-size:0.9em;text-align:left}\n"
    ".warning{border:3px solid #b00;background:#fee;padding:0.5em;font-weight:bold}\n"
    ".v-slower{background:#f8c8c8;font-weight:bold}.v-faster{background:#c8f0c8;"
    "font-weight:bold}\n.v-same{background:#eee}.v-no-ci{font-style:italic}\n"
    ".gate.fail{color:#b00;font-weight:bold}\n"
    "img{max-width:100%}\n";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void remove_tree(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* 0: dir is absent or an empty directory; otherwise the reason in err. */
static int check_out_dir(const char *dir, char *err, size_t errcap)
{
    struct stat st;
    DIR *d;
    struct dirent *de;
    bool empty = true;

    if (stat(dir, &st) < 0)
        return errno == ENOENT ? 0 : (fmt(err, errcap, "%s", strerror(errno)), 2);
    if (!S_ISDIR(st.st_mode)) {
        fmt(err, errcap, "exists and is not a directory");
        return 2;
    }
    d = opendir(dir);
    if (!d) {
        fmt(err, errcap, "%s", strerror(errno));
        return 2;
    }
    while (empty && (de = readdir(d)))
        empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
    closedir(d);
    if (!empty) {
        fmt(err, errcap, "exists and is not empty");
        return 2;
    }
    return 0;
}

static bool write_pages(const char *dir, const char *title, const char *body)
{
    char path[PATH_MAX + 32];
    FILE *f;
    bool ok;

    fmt(path, sizeof(path), "%s/compare-body.html", dir);
    if (!write_file(path, body, strlen(body)))
        return false;
    fmt(path, sizeof(path), "%s/compare.html", dir);
    f = fopen(path, "w");
    if (!f)
        return false;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
    compare_html_text(f, title);
    fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n%s</body>\n</html>\n",
            page_style, body);
    ok = !ferror(f);
    return (fclose(f) == 0) & ok;
}

/* Text and HTML of the whole comparison, in memory. */
struct outputs {
    char *text, *html;
    size_t text_len, html_len;
    FILE *tf, *hf;
};

static int write_outputs(const struct compare_opts *o, struct cmp_table *t, const char *dir,
                         struct outputs *out, char *err, size_t errcap)
{
    char path[PATH_MAX + 32], classes[256], title[512];
    int nontiming;

    compare_classes(t, classes, sizeof(classes));
    fmt(title, sizeof(title), "hvflush compare: %s against %s (%s)",
        compare_metric_name(o->metric), t->runs[o->baseline].name, classes);
    fprintf(out->hf, "<div class=\"hvflush-compare\">\n<h1>");
    compare_html_text(out->hf, title);
    fputs("</h1>\n", out->hf);
    if (compare_env(o->runs, o->nruns, out->tf, out->hf, &t->classes_differ) != 0) {
        fmt(err, errcap, "cannot compare the runs' environments");
        return 2;
    }
    /* The timing classes as loaded here too: the warning never depends on
     * the environment section's wording. */
    for (unsigned r = 1; r < o->nruns; r++)
        t->classes_differ |= strcmp(t->runs[r].timing_class, t->runs[0].timing_class) != 0;
    if (t->classes_differ) {
        fprintf(out->tf, "WARNING: the runs' timing classes differ (%s): their ratios mix "
                "different clocks and virtualisation layers, not only the change under test\n",
                classes);
        fprintf(out->hf, "<p class=\"warning\">WARNING: the runs' timing classes differ (");
        compare_html_text(out->hf, classes);
        fputs("): their ratios mix different clocks and virtualisation layers, not only "
              "the change under test.</p>\n", out->hf);
    }
    fputc('\n', out->tf);
    compare_write_text(out->tf, t);
    compare_write_html_table(out->hf, t);
    fputc('\n', out->tf);
    nontiming = compare_nontiming(o->runs, o->nruns, o->baseline, dir, out->tf, out->hf);
    if (nontiming < 0) {
        fmt(err, errcap, "cannot compare what is not a timing");
        return 2;
    }
    fputs("</div>\n", out->hf);
    if (fclose(out->tf) | fclose(out->hf)) {
        out->tf = out->hf = NULL;
        fmt(err, errcap, "out of memory");
        return 2;
    }
    out->tf = out->hf = NULL;
    fmt(path, sizeof(path), "%s/compare.txt", dir);
    if (!write_file(path, out->text, out->text_len))
        goto write_error;
    fmt(path, sizeof(path), "%s/compare.csv", dir);
    if (!compare_write_csv(path, t))
        goto write_error;
    if (!write_pages(dir, title, out->html)) {
        fmt(path, sizeof(path), "%s/compare.html", dir);
        goto write_error;
    }
    if (!compare_plot(dir, t)) {
        fmt(err, errcap, "no ratio plot");
        return 2;
    }
    return 0;
write_error:
    fmt(err, errcap, "cannot write %s: %s", paths_display(path), strerror(errno));
    return 2;
}

/* Everything after the runs are loaded and joined. */
static int compare_write_all(const struct compare_opts *o, struct cmp_table *t)
{
    char staging[PATH_MAX], err[512], gnuplot[PATH_MAX];
    struct outputs out = { 0 };
    int rc;

    if (!find_executable("gnuplot", gnuplot, sizeof(gnuplot))) {
        hv_err("compare: gnuplot not found (Debian package: gnuplot-nox)");
        return 2;
    }
    compare_evaluate(t);
    fmt(staging, sizeof(staging), "%s.partial-%ld", o->out_dir, (long)getpid());
    if (!results_mkdirs(staging)) {
        hv_err("compare: cannot create %s: %s", paths_display(staging), strerror(errno));
        return 2;
    }
    out.tf = open_memstream(&out.text, &out.text_len);
    out.hf = open_memstream(&out.html, &out.html_len);
    rc = out.tf && out.hf ? write_outputs(o, t, staging, &out, err, sizeof(err))
                          : (fmt(err, sizeof(err), "out of memory"), 2);
    if (out.tf)
        fclose(out.tf);
    if (out.hf)
        fclose(out.hf);
    if (rc == 0) {
        rmdir(o->out_dir);      /* an empty --out directory is replaced */
        if (rename(staging, o->out_dir) < 0) {
            fmt(err, sizeof(err), "cannot rename %s to %s: %s", staging, o->out_dir,
                strerror(errno));
            rc = 2;
        }
    }
    if (rc) {
        hv_err("compare: %s", err);
        remove_tree(staging);
    } else {
        if (o->text)
            fwrite(out.text, 1, out.text_len, o->text);
        hv_note("compare: wrote %s/compare.{txt,csv,svg,png,html}", paths_display(o->out_dir));
    }
    free(out.text);
    free(out.html);
    return rc ? 2 : compare_exit_status(t);
}

int compare_runs(const struct compare_opts *o)
{
    struct cmp_run *runs;
    struct cmp_table t;
    char err[512];
    int rc = 2;

    if (o->nruns < 2 || o->baseline >= o->nruns || !o->out_dir ||
        !(o->threshold_pct > 0 && o->threshold_pct < 100)) {
        hv_err("compare: needs two runs or more, a baseline among them, a threshold "
               "between 0 and 100 and an output directory");
        return 2;
    }
    if (check_out_dir(o->out_dir, err, sizeof(err))) {
        hv_err("compare: --out %s: %s", o->out_dir, err);
        return 2;
    }
    runs = calloc(o->nruns, sizeof(*runs));
    if (!runs) {
        hv_err("compare: out of memory");
        return 2;
    }
    for (unsigned r = 0; r < o->nruns; r++)
        if (run_state_unfinished(o->runs[r], err, sizeof(err))) {
            hv_err("compare: %s", err);
            goto out;
        }
    for (unsigned r = 0; r < o->nruns; r++)
        if (!compare_load_run(o->runs[r], &runs[r], err, sizeof(err))) {
            hv_err("compare: %s: not a run directory (%s)", o->runs[r], err);
            goto out;
        }
    for (unsigned r = 0; r < o->nruns; r++)
        noise_warn_run(o->runs[r], "compare");
    if (!compare_join(o, runs, &t, err, sizeof(err))) {
        hv_err("compare: %s", err);
        goto out;
    }
    rc = compare_write_all(o, &t);
    compare_free_table(&t);
out:
    for (unsigned r = 0; r < o->nruns; r++)
        compare_free_run(&runs[r]);
    free(runs);
    return rc;
}
