/*
 * "hvflush runs [DIR]": one line per run directory under DIR (default
 * <root>/results): run id, start date, label, accelerator, timing class,
 * kernel (the L1 kernel of a lab run, the host's otherwise), sweep, status,
 * the verification verdict counts of its summary.csv and its noise verdict.
 *
 * A run directory is a directory (not a link: `latest` is skipped) holding
 * meta.json, or named like a run id (YYYYmmdd-HHMMSS-...); one whose
 * meta.json is missing or unreadable is listed as damaged.  Anything else
 * is skipped silently.
 */
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/compare_sources.h"
#include "analysis/noise.h"
#include "commands.h"
#include "paths.h"
#include "util.h"
#include "run_state.h"

static const char runs_usage[] =
    "usage: hvflush runs [--by-name] [DIR]\n"
    "  Lists the run directories under DIR (default <root>/results), newest first\n"
    "  (--by-name: by name): run id, start date, label, accelerator, timing class,\n"
    "  kernel (the L1 kernel of a lab run, the host's otherwise), sweep, status and\n"
    "  the verdict counts of summary.csv (pass/inconclusive/fail/error/unsupported)\n"
    "  and meta.json's noise verdict (clean / noisy, - where not assessed).\n"
    "  A run whose meta.json is missing or unreadable is listed as damaged.\n"
    "  Exit status: 0 listed, 2 bad input (DIR missing or not a directory).\n";

/* The columns of a line, in order. */
enum run_col { COL_ID, COL_DATE, COL_LABEL, COL_ACCEL, COL_CLASS, COL_KERNEL, COL_SWEEP,
               COL_STATUS, COL_VERDICTS, COL_NOISE, N_COLS };
static const char *const col_names[N_COLS] = {
    "run", "date", "label", "accel", "timing class", "kernel", "sweep", "status",
    "pass/inconcl/fail/error/unsupp", "noise",
};

#define FIELD_MAX 160

struct run_line {
    char col[N_COLS][FIELD_MAX];
    bool damaged;               /* col[COL_STATUS] says why */
};

/* The verdicts summary.csv counts, in the order they are shown. */
static const char *const verdict_names[] = { "pass", "inconclusive", "fail", "error",
                                             "unsupported" };
#define N_VERDICTS (sizeof(verdict_names) / sizeof(verdict_names[0]))

static void count_verdict(void *ctx, const char *const *fields)
{
    unsigned *counts = ctx;

    for (unsigned v = 0; v < N_VERDICTS; v++)
        if (!strcmp(fields[0], verdict_names[v]))
            counts[v]++;
}

static void verdict_counts(const char *dir, char *out, size_t cap)
{
    static const char *const cols[] = { "verdict" };
    unsigned counts[N_VERDICTS] = { 0 };

    if (!cmp_csv_rows(dir, "summary.csv", cols, 1, count_verdict, counts)) {
        fmt(out, cap, "no summary.csv");
        return;
    }
    out[0] = '\0';
    for (unsigned v = 0; v < N_VERDICTS; v++)
        append(out, cap, "%s%u", v ? "/" : "", counts[v]);
}

static void str_at(const json_t *o, const char *a, const char *b, char *out, size_t cap)
{
    const json_t *v = json_object_get(o, a);
    const char *s;

    if (b)
        v = json_object_get(v, b);
    s = json_string_value(v);
    fmt(out, cap, "%s", s && *s ? s : "-");
}

/* The L1 kernel's release for a lab run; else the host kernel's release
 * (meta.json's "Linux <release> #..." string's second word). */
static void kernel_of(const json_t *meta, char *out, size_t cap)
{
    const char *l1 = json_string_value(json_object_get(
        json_object_get(json_object_get(meta, "lab"), "l1"), "kernel_release"));
    const char *host = json_string_value(json_object_get(json_object_get(meta, "host"),
                                                         "kernel"));
    const char *sp;

    if (l1) {
        fmt(out, cap, "L1 %s", l1);
        return;
    }
    if (!host) {
        fmt(out, cap, "-");
        return;
    }
    sp = strchr(host, ' ');
    if (sp && !strncmp(host, "Linux ", 6)) {
        size_t n = strcspn(sp + 1, " ");

        fmt(out, cap, "%.*s", (int)n, sp + 1);
    } else {
        fmt(out, cap, "%s", host);
    }
}

/* "YYYYmmdd-HHMMSS-" at the start of a name, as results_run_id() writes. */
static bool looks_like_run_id(const char *name)
{
    for (unsigned i = 0; i < 16; i++) {
        char c = name[i];

        if (i == 8 || i == 15 ? c != '-' : (c < '0' || c > '9'))
            return false;
    }
    return true;
}

/* Fills line from dir/meta.json.  Returns false when dir is no run (to be
 * skipped); a run whose meta.json cannot be read is returned damaged. */
static bool read_run(const char *dir, const char *name, struct run_line *line)
{
    char path[PATH_MAX + 16];
    json_error_t jerr;
    json_t *meta;
    struct stat st;
    bool has_meta;

    memset(line, 0, sizeof(*line));
    for (unsigned c = 0; c < N_COLS; c++)
        fmt(line->col[c], FIELD_MAX, "-");
    fmt(line->col[COL_ID], FIELD_MAX, "%s", name);
    fmt(path, sizeof(path), "%s/meta.json", dir);
    has_meta = stat(path, &st) == 0;
    if (!has_meta && !looks_like_run_id(name))
        return false;
    meta = has_meta ? json_load_file(path, 0, &jerr) : NULL;
    if (!json_is_object(meta)) {
        line->damaged = true;
        if (looks_like_run_id(name))
            fmt(line->col[COL_DATE], FIELD_MAX, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", name,
                name + 4, name + 6, name + 9, name + 11, name + 13);
        fmt(line->col[COL_STATUS], FIELD_MAX, "meta.json %s",
            has_meta ? "unreadable" : "missing");
        json_decref(meta);
        return true;
    }
    str_at(meta, "start_utc", NULL, line->col[COL_DATE], FIELD_MAX);
    str_at(meta, "label", NULL, line->col[COL_LABEL], FIELD_MAX);
    str_at(meta, "accelerator", "name", line->col[COL_ACCEL], FIELD_MAX);
    str_at(meta, "accelerator", "timing_class", line->col[COL_CLASS], FIELD_MAX);
    kernel_of(meta, line->col[COL_KERNEL], FIELD_MAX);
    str_at(meta, "sweep", "name", line->col[COL_SWEEP], FIELD_MAX);
    str_at(meta, "status", NULL, line->col[COL_STATUS], FIELD_MAX);
    if (run_state_of(dir) != RUN_STATE_DONE)     /* being written, or its writer died */
        fmt(line->col[COL_STATUS], FIELD_MAX, "%s", run_state_word(run_state_of(dir)));
    verdict_counts(dir, line->col[COL_VERDICTS], FIELD_MAX);
    fmt(line->col[COL_NOISE], FIELD_MAX, "%s", noise_meta_verdict(meta));
    json_decref(meta);
    return true;
}

static bool by_name;

/* Newest first: by start date (meta.json's start_utc, or the date of the
 * run id of a damaged run), then by name; --by-name: by name. */
static int line_order(const void *a, const void *b)
{
    const struct run_line *x = a, *y = b;
    int c = strcmp(y->col[COL_DATE], x->col[COL_DATE]);

    if (by_name || c == 0)
        return strcmp(x->col[COL_ID], y->col[COL_ID]);
    return c;
}

static void print_lines(const struct run_line *lines, size_t n)
{
    size_t width[N_COLS];

    for (unsigned c = 0; c < N_COLS; c++) {
        width[c] = strlen(col_names[c]);
        for (size_t i = 0; i < n; i++)
            if (strlen(lines[i].col[c]) > width[c])
                width[c] = strlen(lines[i].col[c]);
    }
    for (unsigned c = 0; c < N_COLS; c++)
        if (c + 1 < N_COLS)
            printf("%-*s  ", (int)width[c], col_names[c]);
        else
            printf("%s\n", col_names[c]);
    for (size_t i = 0; i < n; i++)
        for (unsigned c = 0; c < N_COLS; c++)
            if (c + 1 < N_COLS)
                printf("%-*s  ", (int)width[c], lines[i].col[c]);
            else
                printf("%s\n", lines[i].col[c]);
}

/* Reads the runs under dir into *out (malloc'd).  Returns the count, or -1
 * with a message when dir cannot be listed. */
static long list_runs(const char *dir, struct run_line **out)
{
    struct run_line *lines = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    DIR *d = opendir(dir);

    if (!d) {
        hv_err("runs: %s: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d))) {
        char path[PATH_MAX];
        struct stat st;

        if (e->d_name[0] == '.' || !fmt(path, sizeof(path), "%s/%s", dir, e->d_name) ||
            lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            struct run_line *grown = realloc(lines, (cap = cap ? 2 * cap : 16) * sizeof(*lines));

            if (!grown) {
                hv_err("runs: out of memory");
                free(lines);
                closedir(d);
                return -1;
            }
            lines = grown;
        }
        n += read_run(path, e->d_name, &lines[n]);
    }
    closedir(d);
    if (n)
        qsort(lines, n, sizeof(*lines), line_order);
    *out = lines;
    return (long)n;
}

int runs_command(int argc, char **argv)
{
    char root[PATH_MAX], def[PATH_MAX + 16];
    const char *dir = NULL;
    struct run_line *lines = NULL;
    struct stat st;
    long n;

    by_name = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(runs_usage, stdout);
            return 0;
        } else if (!strcmp(argv[i], "--by-name")) {
            by_name = true;
        } else if (argv[i][0] == '-' || dir) {
            hv_err("runs: unexpected argument '%s' (hvflush runs --help)", argv[i]);
            return 2;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        if (!paths_root(root, sizeof(root)) || !fmt(def, sizeof(def), "%s/results", root)) {
            hv_err("runs: cannot find the tool's root directory");
            return 2;
        }
        dir = def;
    }
    if (stat(dir, &st) != 0) {
        hv_err("runs: %s: %s", paths_display(dir), strerror(errno));
        return 2;
    }
    if (!S_ISDIR(st.st_mode)) {
        hv_err("runs: %s: not a directory", paths_display(dir));
        return 2;
    }
    if ((n = list_runs(dir, &lines)) < 0)
        return 2;
    if (n == 0)
        printf("no runs under %s\n", paths_display(dir));
    else
        print_lines(lines, (size_t)n);
    free(lines);
    return 0;
}
