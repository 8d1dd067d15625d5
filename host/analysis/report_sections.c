/*
 * The sections of one run in the report (see report.h): environment,
 * warnings, the tables from the run's CSVs and meta.json, and the plots,
 * each plot inlined as a data: URI.  Which table shows which columns is
 * the table below; a file a run lacks gives a note, not an error.
 */
#include "analysis/report.h"
#include "analysis/noise.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Columns whose values name a verdict: their cells get a class v-<value>. */
static bool verdict_column(const char *name)
{
    static const char *const names[] = {
        "verdict", "result", "call", "tlfs_verdict", "kvm_verdict", "ci_flag", "status",
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(name, names[i]))
            return true;
    return false;
}

static void put_cell(FILE *out, const char *col, const char *v)
{
    if (verdict_column(col) && *v && !strpbrk(v, " \"<>&'")) {
        fprintf(out, "<td class=\"v-%s\">", v);
    } else {
        fputs("<td>", out);
    }
    report_put_text(out, v);
    fputs("</td>", out);
}

void report_csv_table(FILE *out, const char *path, const char *const *cols)
{
    struct report_csv t;
    int idx[64];
    unsigned n = 0;

    if (access(path, R_OK) != 0 || !report_csv_read(path, &t)) {
        fputs("<p class=\"note\">not in this run (", out);
        report_put_text(out, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
        fputs(" absent)</p>\n", out);
        return;
    }
    for (unsigned c = 0; cols ? cols[c] != NULL : c < t.ncols; c++) {
        int i = cols ? report_csv_col(&t, cols[c]) : (int)c;

        if (i >= 0 && n < sizeof(idx) / sizeof(idx[0]))
            idx[n++] = i;
    }
    if (t.nrows == 0) {
        fputs("<p class=\"note\">no rows</p>\n", out);
        report_csv_free(&t);
        return;
    }
    fputs("<table>\n<tr>", out);
    for (unsigned c = 0; c < n; c++) {
        fputs("<th>", out);
        report_put_text(out, t.cols[idx[c]]);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (unsigned r = 0; r < t.nrows; r++) {
        fputs("<tr>", out);
        for (unsigned c = 0; c < n; c++)
            put_cell(out, t.cols[idx[c]], t.rows[r][idx[c]]);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
    report_csv_free(&t);
}

void report_plot(FILE *out, const char *path, const char *caption)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

    fputs("<figure><img alt=\"", out);
    report_put_text(out, name);
    fputs("\" src=\"", out);
    if (!report_put_data_uri(out, path))
        report_put_text(out, name);    /* unreadable: the page check reports it */
    fputs("\"><figcaption>", out);
    report_put_text(out, caption);
    fputs("</figcaption></figure>\n", out);
}

/* RUN/plots/NAME.png, else NAME.svg; false when the run has neither. */
static bool run_plot(FILE *out, const char *run_dir, const char *name, const char *caption)
{
    char path[4096];

    fmt(path, sizeof(path), "%s/plots/%s.png", run_dir, name);
    if (access(path, R_OK) != 0)
        fmt(path, sizeof(path), "%s/plots/%s.svg", run_dir, name);
    if (access(path, R_OK) != 0)
        return false;
    report_plot(out, path, caption);
    return true;
}

/* ---- environment ---------------------------------------------------------- */

static void put_json_value(FILE *out, json_t *v)
{
    if (json_is_string(v)) {
        report_put_text(out, json_string_value(v));
    } else if (json_is_array(v)) {
        json_t *e;
        size_t i;

        json_array_foreach(v, i, e) {
            if (i)
                fputs(", ", out);
            if (json_is_object(e) && json_object_get(e, "flag"))
                e = json_object_get(e, "flag");
            put_json_value(out, e);
        }
    } else if (v && !json_is_null(v)) {
        char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

        report_put_text(out, s);
        free(s);
    } else {
        fputs("-", out);
    }
}

/* The environment rows: a label and a path into meta.json ("a.b.c"). */
static const struct { const char *label, *path; } env_rows[] = {
    { "run", "run_id" },
    { "label", "label" },
    { "status", "status" },
    { "started (UTC)", "start_utc" },
    { "ended (UTC)", "end_utc" },
    { "hvflush revision", "hvflush.git_rev" },
    { "host kernel", "host.kernel" },
    { "host CPU", "host.cpu_model" },
    { "host PUs", "host.nproc" },
    { "QEMU", "qemu.version" },
    { "accelerator", "accelerator.name" },
    { "timing class", "accelerator.timing_class" },
    { "timing class label", "accelerator.label" },
    { "accelerator choice", "accelerator.choice_reason" },
    { "lab L1 kernel", "lab.l1.kernel_release" },
    { "lab L0 accelerator", "lab.l0.accel" },
    { "sweep", "sweep.name" },
    { "configurations", "sweep.configurations" },
    { "vCPUs", "vm.smp" },
    { "pinning policy", "pinning.policy" },
    { "TSC (Hz)", "tsc_hz" },
    { "TSC source", "guest.platform.tsc_src" },
    { "TSC invariant", "guest.platform.tsc_invariant" },
    { "hypervisor vendor", "guest.platform.hv" },
    { "hv-* flags accepted", "hyperv_flags.accepted" },
    { "hv-* flags refused", "hyperv_flags.refused" },
    { "verdicts", "verdicts" },
};

static json_t *meta_path(json_t *meta, const char *path)
{
    char key[64];

    while (meta && *path) {
        size_t n = strcspn(path, ".");

        fmt(key, sizeof(key), "%.*s", (int)n, path);
        meta = json_object_get(meta, key);
        path += n + (path[n] == '.');
    }
    return meta;
}

static void environment(FILE *out, json_t *meta)
{
    json_t *map = meta_path(meta, "pinning.map"), *e;
    size_t i;

    fputs("<h3>Environment</h3>\n<table class=\"env\">\n", out);
    for (size_t r = 0; r < sizeof(env_rows) / sizeof(env_rows[0]); r++) {
        json_t *v = meta_path(meta, env_rows[r].path);

        if (!v)
            continue;
        fputs("<tr><th>", out);
        report_put_text(out, env_rows[r].label);
        fputs("</th><td>", out);
        put_json_value(out, v);
        fputs("</td></tr>\n", out);
    }
    if (json_array_size(map)) {
        fputs("<tr><th>vCPU → host PU</th><td>", out);
        json_array_foreach(map, i, e)
            fprintf(out, "%s%lld→", i ? ", " : "",
                    (long long)json_integer_value(json_object_get(e, "vcpu"))),
            put_json_value(out, json_object_get(e, "pus"));
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

static void warnings(FILE *out, const struct report_warnings *w)
{
    fputs("<h3>Warnings</h3>\n", out);
    if (w->n == 0) {
        fputs("<p class=\"warnings-none\">none</p>\n", out);
        return;
    }
    fputs("<ul class=\"warnings\">\n", out);
    for (unsigned i = 0; i < w->n; i++) {
        fprintf(out, "<li data-kind=\"%s\"><span class=\"kind\">%s</span> ", w->v[i].kind,
                w->v[i].kind);
        report_put_text(out, w->v[i].text);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
}

/* meta.json guest.precision: one row per check. */
static void precision(FILE *out, json_t *meta)
{
    static const char *const cols[] = { "id", "check", "rounds", "kept", "lost", "result",
                                        "reason" };
    json_t *list = meta_path(meta, "guest.precision"), *e;
    size_t i;

    fputs("<h3>Precision</h3>\n", out);
    if (!json_array_size(list)) {
        fputs("<p class=\"note\">no precision checks in this run</p>\n", out);
        return;
    }
    fputs("<table>\n<tr>", out);
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
        fprintf(out, "<th>%s</th>", cols[c]);
    fputs("</tr>\n", out);
    json_array_foreach(list, i, e) {
        fputs("<tr>", out);
        for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
            json_t *v = json_object_get(e, cols[c]);

            if (json_is_string(v)) {
                put_cell(out, cols[c], json_string_value(v));
            } else {
                fputs("<td>", out);
                put_json_value(out, v);
                fputs("</td>", out);
            }
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

static const char *const summary_cols[] = {
    "id", "label", "n", "p10_ns", "p50_ns", "p90_ns", "p99_ns", "max_ns", "ci_rel", "ci_flag",
    "noise_dominated", "verdict", "timing_class", "noise", NULL,
};

/* The CSV sections in order: title, file, columns (NULL: all), plots. */
static const struct {
    const char *title, *file;
    const char *const *cols;
    const char *plot[2];
    const char *caption[2];
    bool only_when_present;
    void (*after)(FILE *out, json_t *meta);     /* a section from meta.json next */
} csv_sections[] = {
    { "Summary", "summary.csv", summary_cols, { "latency", "cdf" },
      { "Latency against target vCPUs per strategy: p50 line, p10–p90 band, p99 marks",
        "Latency CDF per configuration" }, false, NULL },
    { "Verification", "verify.csv", NULL, { NULL, NULL }, { NULL, NULL }, false, NULL },
    { "Conformance", "conformance.csv", NULL, { NULL, NULL }, { NULL, NULL }, false,
      precision },
    { "Hypercall against IPI", "ratio.csv", NULL, { NULL, NULL }, { NULL, NULL }, false, NULL },
    { "Decision map", "decision.csv", NULL, { "decision", NULL },
      { "Fastest strategy per (targets, pages, state) cell", NULL }, false, NULL },
    { "Cost model", "costmodel.csv", NULL, { NULL, NULL }, { NULL, NULL }, false, NULL },
    { "Throughput", "throughput.csv", NULL, { "throughput", NULL },
      { "Flush throughput against concurrent initiators", NULL }, true, NULL },
    { "Interference", "interference.csv", NULL, { "interference", NULL },
      { "What a flush costs a working target", NULL }, true, NULL },
};

void report_run_sections(FILE *out, const char *run_dir, json_t *meta,
                         const struct report_warnings *w)
{
    char path[4096];

    noise_report_banner(out, meta);
    environment(out, meta);
    warnings(out, w);
    for (size_t s = 0; s < sizeof(csv_sections) / sizeof(csv_sections[0]); s++) {
        fmt(path, sizeof(path), "%s/%s", run_dir, csv_sections[s].file);
        if (csv_sections[s].only_when_present && access(path, R_OK) != 0)
            continue;
        fprintf(out, "<h3>%s</h3>\n", csv_sections[s].title);
        for (int p = 0; p < 2; p++)
            if (csv_sections[s].plot[p] &&
                !run_plot(out, run_dir, csv_sections[s].plot[p], csv_sections[s].caption[p]))
                fprintf(out, "<p class=\"note\">no plots/%s plot</p>\n", csv_sections[s].plot[p]);
        report_csv_table(out, path, csv_sections[s].cols);
        if (csv_sections[s].after)
            csv_sections[s].after(out, meta);
    }
    fmt(path, sizeof(path), "%s/plots/pairwise.svg", run_dir);
    if (access(path, R_OK) == 0) {
        fputs("<h3>Pairwise latency</h3>\n", out);
        run_plot(out, run_dir, "pairwise", "Pairwise (initiator × target) latency heat map, "
                 "in topology order");
    }
}
