/*
 * "hvflush plot RUN_DIR" (see plot.h).  The host prepares data files
 * (plotdata.c) and passes everything a script needs as gnuplot -e
 * variables; each script writes <outbase>.svg and <outbase>.png.
 */
#include "analysis/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <jansson.h>

#include "paths.h"
#include "analysis/analysis.h"
#include "analysis/pairwise.h"
#include "analysis/plotdata.h"
#include "analysis/plotdata_load.h"
#include "results.h"
#include "util.h"
#include "run_state.h"

#define VARS_MAX 32          /* more is a programming error: var_*() abort */

/* A gnuplot string literal: single quotes, with ' doubled. */
static char *quoted(const char *s)
{
    size_t n = 3;
    char *out, *p;

    for (const char *c = s; *c; c++)
        n += *c == '\'' ? 2 : 1;
    out = p = malloc(n);
    if (!out)
        return NULL;
    *p++ = '\'';
    for (; *s; s++) {
        if (*s == '\'')
            *p++ = '\'';
        *p++ = *s;
    }
    *p++ = '\'';
    *p = '\0';
    return out;
}

struct gp_vars {
    char *e[VARS_MAX];          /* "name='value'" or "name=123" */
    int n;
};

/* A variable past VARS_MAX would silently leave a script without its input. */
static void vars_room(const struct gp_vars *v, const char *name)
{
    if (v->n >= VARS_MAX) {
        fprintf(stderr, "hvflush: plot: gnuplot variable '%s' beyond VARS_MAX (%d)\n",
                name, VARS_MAX);
        abort();
    }
}

static void var_str(struct gp_vars *v, const char *name, const char *value)
{
    char *q = quoted(value ? value : "");

    vars_room(v, name);
    if (q && asprintf(&v->e[v->n], "%s=%s", name, q) >= 0)
        v->n++;
    free(q);
}

static void var_int(struct gp_vars *v, const char *name, long value)
{
    vars_room(v, name);
    if (asprintf(&v->e[v->n], "%s=%ld", name, value) >= 0)
        v->n++;
}

static void vars_free(struct gp_vars *v)
{
    for (int i = 0; i < v->n; i++)
        free(v->e[i]);
    v->n = 0;
}

bool plot_run_gnuplot(const char *gnuplot, char *const *vars, int nvars, const char *script,
                      const char *log_path)
{
    char **argv = calloc((size_t)(2 * nvars + 3), sizeof(*argv));
    int argc = 0, status;
    bool ok = false;
    pid_t pid;

    if (!argv)
        return false;
    argv[argc++] = (char *)gnuplot;
    for (int i = 0; i < nvars; i++) {
        argv[argc++] = "-e";
        argv[argc++] = vars[i];
    }
    argv[argc++] = (char *)script;
    argv[argc] = NULL;
    pid = fork();
    if (pid == 0) {
        int log = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        int devnull = open("/dev/null", O_RDONLY);

        dup2(devnull, STDIN_FILENO);
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        execv(gnuplot, argv);
        _exit(127);
    }
    if (pid >= 0) {
        pid_t got;

        while ((got = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
            ;
        ok = got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    free(argv);
    return ok;
}

/* Reads status and timing-class label from meta.json.  Returns 0, or the
 * exit status to give up with. */
static int check_meta(const char *run_dir, char *label, size_t cap, char *run_id, size_t idcap)
{
    char path[PATH_MAX + 16];
    json_error_t jerr;
    json_t *meta;
    const char *status, *reason, *l, *id;

    fmt(path, sizeof(path), "%s/meta.json", run_dir);
    meta = json_load_file(path, 0, &jerr);
    if (!meta) {
        hv_err("'%s' is not a run directory: cannot read meta.json (%s)",
               paths_display(run_dir), jerr.text);
        return 2;
    }
    status = json_string_value(json_object_get(meta, "status"));
    reason = json_string_value(json_object_get(meta, "reason"));
    l = json_string_value(json_object_get(json_object_get(meta, "accelerator"), "label"));
    id = json_string_value(json_object_get(meta, "run_id"));
    fmt(label, cap, "%s", l ? l : "unknown timing class");
    fmt(run_id, idcap, "%s", id ? id : "");
    if (run_state_unfinished(run_dir, path, sizeof(path))) {
        hv_err("nothing to plot: %s", path);
        json_decref(meta);
        return 2;
    }
    if (!status || strcmp(status, "ok") != 0) {
        hv_err("nothing to plot: run %s %s%s%s", paths_display(run_dir),
               status ? status : "has no status", reason ? ": " : "", reason ? reason : "");
        json_decref(meta);
        return 1;
    }
    json_decref(meta);
    return 0;
}

static int plot_all(const char *run_dir, const char *gnuplot, const char *root)
{
    char label[256], run_id[RUN_ID_MAX], plots[PATH_MAX], data[PATH_MAX + 8];
    char pattern[PATH_MAX + 16], log_path[PATH_MAX + 16], err[512];
    struct plot_data pd;
    struct plot_data_load pl;
    struct analysis_counts analysis;
    struct pairwise_counts pairwise;
    glob_t g;
    int rc;

    if ((rc = check_meta(run_dir, label, sizeof(label), run_id, sizeof(run_id))))
        return rc;
    fmt(plots, sizeof(plots), "%s/plots", run_dir);
    fmt(data, sizeof(data), "%s/data", plots);
    if (!results_mkdirs(data)) {
        hv_err("cannot create %s: %s", data, strerror(errno));
        return 1;
    }
    if (!plot_data_prepare(run_dir, data, &pd, err, sizeof(err))) {
        hv_err("%s", err);
        return 1;
    }
    /* costmodel.csv and decision.csv again, and the decision map's data. */
    if (!analysis_write(run_dir, data, &analysis, err, sizeof(err))) {
        hv_err("%s", err);
        plot_data_free(&pd);
        return 1;
    }
    /* pairwise.csv again, and the heat map's data (runs with pairs=all). */
    if (!pairwise_write(run_dir, data, &pairwise, err, sizeof(err))) {
        hv_err("%s", err);
        plot_data_free(&pd);
        return 1;
    }
    if (pd.nconfigs == 0) {
        hv_err("nothing to plot: run %s has no configurations with samples",
               paths_display(run_dir));
        plot_data_free(&pd);
        return 1;
    }
    /* throughput.csv and interference.csv, where the run has them. */
    if (!plot_data_load_prepare(run_dir, data, &pl, err, sizeof(err))) {
        hv_err("%s", err);
        plot_data_free(&pd);
        return 1;
    }
    fmt(pattern, sizeof(pattern), "%s/plot/*.gp", root);
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        hv_err("no plot scripts found (%s)", pattern);
        plot_data_free(&pd);
        plot_data_load_free(&pl);
        return 2;
    }
    fmt(log_path, sizeof(log_path), "%s/gnuplot.log", plots);
    unlink(log_path);
    rc = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char base[PATH_MAX + 8], name[256];
        struct gp_vars v = { .n = 0 };

        fmt(name, sizeof(name), "%s", basename(g.gl_pathv[i]));
        name[strcspn(name, ".")] = '\0';
        fmt(base, sizeof(base), "%s/%s", plots, name);
        var_str(&v, "datadir", data);
        var_str(&v, "outbase", base);
        var_str(&v, "tclabel", label);
        var_str(&v, "runid", run_id);
        var_int(&v, "nseries", pd.nseries);
        var_str(&v, "series", pd.series_titles);
        var_int(&v, "nconfigs", pd.nconfigs);
        var_str(&v, "configs", pd.config_titles);
        var_int(&v, "logy", pd.logy);
        var_int(&v, "logx", pd.logx_cdf);
        var_int(&v, "maxtargets", pd.max_targets);
        var_int(&v, "ndecision", analysis.cells);
        var_int(&v, "ntp", pl.ntp);
        var_str(&v, "tptitles", pl.tp_titles);
        var_int(&v, "ninterf", pl.ninterf);
        if (plot_run_gnuplot(gnuplot, v.e, v.n, g.gl_pathv[i], log_path)) {
            printf("%s.svg\n%s.png\n", paths_display(base), paths_display(base));
        } else {
            hv_err("gnuplot failed on %s (see %s)", paths_display(g.gl_pathv[i]),
                   paths_display(log_path));
            rc = 1;
        }
        vars_free(&v);
    }
    globfree(&g);
    plot_data_free(&pd);
    plot_data_load_free(&pl);
    return rc;
}

int plot_command(const char *run_dir)
{
    char gnuplot[PATH_MAX], root[PATH_MAX];
    struct stat st;

    if (stat(run_dir, &st) < 0) {
        hv_err("cannot open run directory '%s': %s", run_dir, strerror(errno));
        return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
        hv_err("'%s' is not a run directory", run_dir);
        return 2;
    }
    if (!find_executable("gnuplot", gnuplot, sizeof(gnuplot))) {
        hv_err("gnuplot not found (Debian package: gnuplot-nox)");
        return 2;
    }
    if (!paths_root(root, sizeof(root))) {
        hv_err("cannot determine the hvflush root directory; set HVFLUSH_ROOT");
        return 2;
    }
    return plot_all(run_dir, gnuplot, root);
}
