/*
 * "hvflush report RUN [RUN ...] [--out FILE]": one self-contained HTML
 * file (see report.h).  The runs are checked first (each must hold a
 * readable meta.json), then the output is opened as a temporary file
 * beside its final name, so that bad input writes nothing and an
 * existing report is replaced only by a complete one (rename).  A run
 * without plots is plotted first; given several runs, compare_runs()
 * writes its page into a folder next to the report and its body is
 * inlined.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "paths.h"
#include "util.h"
#include "analysis/compare.h"
#include "analysis/plot.h"
#include "analysis/report.h"
#include "run_state.h"

#define REPORT_RUNS_MAX 32
/* The comparison's change threshold in the report (compare's --threshold). */
#define REPORT_COMPARE_THRESHOLD_PCT 5.0

static const char usage[] =
    "usage: hvflush report RUN [RUN ...] [--out FILE] [--help]\n"
    "\n"
    "Writes one self-contained HTML file (plots inlined, no network needed) and\n"
    "prints its path: the environment, warnings (unpinned vCPUs, nested or\n"
    "emulated timings, TSC not invariant, noise-dominated or wide-CI\n"
    "configurations, failed verifications, unsupported rows), the summary,\n"
    "verification, precision and conformance tables, the decision map and\n"
    "cost model, throughput and interference where the run has them, and,\n"
    "given several runs, their comparison (hvflush compare, against the first).\n"
    "A run without plots is plotted first.\n"
    "\n"
    "  --out FILE   write the report to FILE (default: RUN/report.html for one\n"
    "               run; <results>/report-<UTC time>.html for several, <results>\n"
    "               being the folder that holds the first run)\n"
    "  --help       this text\n"
    "\n"
    "Exit status: 0 written, 1 it could not be written completely, 2 bad input\n"
    "(a folder that is not a run, an output that cannot be written).\n";

struct report_run {
    char dir[PATH_MAX];
    json_t *meta;
};

static int load_run(const char *arg, struct report_run *r)
{
    char path[PATH_MAX + 16];
    json_error_t jerr;
    struct stat st;

    if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode)) {
        hv_err("report: '%s' is not a run directory%s%s", arg, errno ? ": " : "",
               errno ? strerror(errno) : "");
        return 2;
    }
    if (!realpath(arg, r->dir)) {
        hv_err("report: cannot resolve '%s': %s", arg, strerror(errno));
        return 2;
    }
    fmt(path, sizeof(path), "%s/meta.json", r->dir);
    r->meta = json_load_file(path, 0, &jerr);
    if (!r->meta || !json_is_object(r->meta)) {
        hv_err("report: '%s' is not a run directory: cannot read meta.json (%s)", arg,
               jerr.text);
        json_decref(r->meta);
        r->meta = NULL;
        return 2;
    }
    if (run_state_unfinished(r->dir, path, sizeof(path))) {
        hv_err("report: %s", path);
        json_decref(r->meta);
        r->meta = NULL;
        return 2;
    }
    return 0;
}

static const char *meta_str(json_t *meta, const char *a, const char *b)
{
    json_t *v = json_object_get(meta, a);

    return json_string_value(b ? json_object_get(v, b) : v);
}

/* Runs the plot step on a finished run that has no plots yet.  Returns
 * false (with the reason in why) when plotting was needed and failed. */
static bool ensure_plots(const struct report_run *r, char *why, size_t cap)
{
    char path[PATH_MAX + 32];
    const char *status = meta_str(r->meta, "status", NULL);
    int rc, saved, devnull;

    fmt(path, sizeof(path), "%s/plots/latency.png", r->dir);
    if (access(path, R_OK) == 0)
        return true;
    if (!status || strcmp(status, "ok")) {
        fmt(why, cap, "no plots: the run's status is %s", status ? status : "missing");
        return false;
    }
    /* The plot step lists its files on stdout; the report's stdout is its
     * own path alone. */
    fflush(stdout);
    saved = dup(STDOUT_FILENO);
    devnull = open("/dev/null", O_WRONLY);
    if (saved >= 0 && devnull >= 0)
        dup2(devnull, STDOUT_FILENO);
    rc = plot_command(r->dir);
    fflush(stdout);
    if (saved >= 0 && devnull >= 0)
        dup2(saved, STDOUT_FILENO);
    if (saved >= 0)
        close(saved);
    if (devnull >= 0)
        close(devnull);
    if (!rc)
        hv_note("report: plotted %s/plots first", paths_display(r->dir));
    if (rc) {
        fmt(why, cap, "the plot step failed (exit %d); see %s/plots/gnuplot.log", rc,
            paths_display(r->dir));
        return false;
    }
    return true;
}

/* The default output path for several runs: beside the first run. */
static void default_out(const struct report_run *runs, unsigned n, char *out, size_t cap)
{
    char parent[PATH_MAX], stamp[32];
    time_t now = time(NULL);
    struct tm tm;

    if (n == 1) {
        fmt(out, cap, "%s/report.html", runs[0].dir);
        return;
    }
    fmt(parent, sizeof(parent), "%s", runs[0].dir);
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    const char *root = dirname(parent);

    fmt(out, cap, "%s/report-%s.html", root, stamp);
    /* Two reports within one second get their own names. */
    for (unsigned k = 2; access(out, F_OK) == 0 && k < 1000; k++)
        fmt(out, cap, "%s/report-%s-%u.html", root, stamp, k);
}

/* The comparison section: compare_runs() into cmp_dir, its body inlined. */
static void comparison(FILE *out, const struct report_run *runs, unsigned n,
                       const char *cmp_dir)
{
    const char *dirs[REPORT_RUNS_MAX];
    char path[PATH_MAX + 32], *body;
    size_t len;
    unsigned missing = 0, inlined;
    int rc;

    for (unsigned i = 0; i < n; i++)
        dirs[i] = runs[i].dir;
    struct compare_opts o = {
        .runs = dirs, .nruns = n, .baseline = 0,
        .threshold_pct = REPORT_COMPARE_THRESHOLD_PCT, .metric = COMPARE_P50,
        .out_dir = cmp_dir, .text = NULL,
    };

    fputs("<h2 id=\"comparison\">Comparison</h2>\n<p>Against the first run, by p50, ", out);
    fprintf(out, "threshold %.0f %%; the folder ", REPORT_COMPARE_THRESHOLD_PCT);
    report_put_text(out, paths_display(cmp_dir));
    fputs(" holds compare.csv and the plots.</p>\n", out);
    fflush(stdout);
    rc = compare_runs(&o);
    if (rc == 2) {
        fputs("<p class=\"compare-failed\" data-compare=\"failed\">The comparison could not be "
              "made (hvflush compare exited 2: bad input, runs with nothing in common, or "
              "compare not available in this build).</p>\n", out);
        return;
    }
    if (rc == 1)
        fputs("<p class=\"compare-failed\" data-compare=\"regression\">Some configuration is "
              "slower beyond the threshold with its whole interval beyond it (compare exit "
              "status 1).</p>\n", out);
    fmt(path, sizeof(path), "%s/compare-body.html", cmp_dir);
    if (!read_file(path, &body, &len, 0)) {
        fputs("<p class=\"compare-failed\">compare wrote no compare-body.html.</p>\n", out);
        return;
    }
    inlined = report_inline_imgs(out, body, cmp_dir, &missing);
    free(body);
    if (missing)
        fprintf(out, "<p class=\"compare-failed\">%u image(s) of the comparison could not be "
                "read.</p>\n", missing);
    fmt(path, sizeof(path), "%s/compare.svg", cmp_dir);
    if (inlined == 0 && access(path, R_OK) == 0)
        report_plot(out, path, "Ratio per configuration against the baseline, 95 % CI");
}

static void write_report(FILE *out, const struct report_run *runs, unsigned n,
                         const char *cmp_dir, char (*plot_why)[512])
{
    char title[512] = "hvflush report:";
    const char *tc0 = meta_str(runs[0].meta, "accelerator", "timing_class");
    bool mixed = false;

    for (unsigned i = 0; i < n; i++)
        append(title, sizeof(title), " %s", meta_str(runs[i].meta, "run_id", NULL) ?:
               basename((char *)runs[i].dir));
    report_page_start(out, title);
    fputs("<h1>", out);
    report_put_text(out, title);
    fputs("</h1>\n<ul class=\"runs\">\n", out);
    for (unsigned i = 0; i < n; i++) {
        const char *tc = meta_str(runs[i].meta, "accelerator", "timing_class");

        mixed |= !tc || !tc0 || strcmp(tc, tc0);
        fprintf(out, "<li><a href=\"#run-%u\">", i + 1);
        report_put_text(out, meta_str(runs[i].meta, "run_id", NULL) ?: runs[i].dir);
        fputs("</a>: ", out);
        report_put_text(out, meta_str(runs[i].meta, "accelerator", "label") ?: "unknown timing");
        fputs(", sweep ", out);
        report_put_text(out, meta_str(runs[i].meta, "sweep", "name") ?: "?");
        fputs("</li>\n", out);
    }
    if (n > 1)
        fputs("<li><a href=\"#comparison\">comparison</a></li>\n", out);
    fputs("</ul>\n", out);
    if (mixed)
        fputs("<p class=\"compare-failed\">These runs have different timing classes: their "
              "numbers are not comparable as they stand.</p>\n", out);
    for (unsigned i = 0; i < n; i++) {
        struct report_warnings w;

        fprintf(out, "<h2 id=\"run-%u\">", i + 1);
        report_put_text(out, meta_str(runs[i].meta, "run_id", NULL) ?: runs[i].dir);
        fputs("</h2>\n", out);
        if (plot_why[i][0]) {
            fputs("<p class=\"note\">", out);
            report_put_text(out, plot_why[i]);
            fputs("</p>\n", out);
        }
        if (!report_warnings_collect(runs[i].dir, runs[i].meta, &w))
            fputs("<p class=\"compare-failed\">out of memory collecting warnings</p>\n", out);
        report_run_sections(out, runs[i].dir, runs[i].meta, &w);
        report_warnings_free(&w);
    }
    if (n > 1)
        comparison(out, runs, n, cmp_dir);
    report_page_end(out);
}

static int report_main(const char *const *args, unsigned n, const char *out_arg)
{
    static struct report_run runs[REPORT_RUNS_MAX];
    static char plot_why[REPORT_RUNS_MAX][512];
    char out_path[PATH_MAX], tmp[PATH_MAX + 16], cmp_dir[PATH_MAX + 16];
    int rc = 0, fd;
    FILE *out;

    for (unsigned i = 0; i < n && !rc; i++) {
        errno = 0;
        rc = load_run(args[i], &runs[i]);
    }
    if (!rc) {
        if (out_arg)
            fmt(out_path, sizeof(out_path), "%s", out_arg);
        else
            default_out(runs, n, out_path, sizeof(out_path));
        fmt(tmp, sizeof(tmp), "%s.XXXXXX", out_path);
        fd = mkstemp(tmp);
        if (fd < 0 || !(out = fdopen(fd, "w"))) {
            hv_err("report: cannot write %s: %s", out_path, strerror(errno));
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            rc = 2;
        }
    }
    if (rc) {
        for (unsigned i = 0; i < n; i++)
            json_decref(runs[i].meta);
        return rc;
    }
    for (unsigned i = 0; i < n; i++) {
        plot_why[i][0] = '\0';
        ensure_plots(&runs[i], plot_why[i], sizeof(plot_why[i]));
    }
    fmt(cmp_dir, sizeof(cmp_dir), "%.*s-compare", (int)(strlen(out_path) -
        (strlen(out_path) > 5 && !strcmp(out_path + strlen(out_path) - 5, ".html") ? 5 : 0)),
        out_path);
    write_report(out, runs, n, cmp_dir, plot_why);
    fchmod(fileno(out), 0644);
    if (fflush(out) != 0 || ferror(out) || fclose(out) != 0 || rename(tmp, out_path) != 0) {
        hv_err("report: cannot write %s: %s", out_path, strerror(errno));
        unlink(tmp);
        rc = 1;
    } else {
        printf("%s\n", paths_display(out_path));
    }
    for (unsigned i = 0; i < n; i++)
        json_decref(runs[i].meta);
    return rc;
}

int report_command(int argc, char **argv)
{
    const char *args[REPORT_RUNS_MAX], *out = NULL;
    unsigned n = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--out")) {
            if (++i >= argc) {
                hv_err("report: --out needs a file name");
                return 2;
            }
            out = argv[i];
        } else if (!strncmp(argv[i], "--out=", 6)) {
            out = argv[i] + 6;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            hv_err("report: unknown option '%s' (see hvflush report --help)", argv[i]);
            return 2;
        } else if (n == REPORT_RUNS_MAX) {
            hv_err("report: at most %d runs", REPORT_RUNS_MAX);
            return 2;
        } else {
            args[n++] = argv[i];
        }
    }
    if (n == 0 || (out && !*out)) {
        hv_err("report: %s (see hvflush report --help)", n ? "--out needs a file name" :
               "no run given");
        return 2;
    }
    return report_main(args, n, out);
}
