/*
 * The shape of a run's per-sample and per-check outputs (see shapes.h):
 * samples.csv (one row per sample, as many per configuration as
 * summary.csv's n), verify.csv (one row per verified or unsupported
 * configuration but the baselines, with summary.csv's verdict), conformance.csv (exactly
 * when the guest ran the conformance suite, one row per case), the logs,
 * the plots, and the `verdicts:` line of the terminal against
 * summary.csv's verdict column and meta.json's counts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "shapes.h"

unsigned shapes_check_samples_verify(const struct run_result *r)
{
    static unsigned long long per_id[SWEEP_CONFIGS_MAX];
    struct csv_table s, t, v;
    unsigned long long total = 0;
    unsigned n = 0, verified = 0;

    if (!csv_read(r, "summary.csv", &s))
        return problem("summary.csv: missing or malformed");
    if (!shapes_header_is(r, "samples.csv", "id,label,index,cycles,ns") ||
        !csv_read(r, "samples.csv", &t)) {
        csv_free(&s);
        return problem("samples.csv: missing, malformed or another header");
    }
    memset(per_id, 0, sizeof(per_id));
    for (unsigned i = 0; i < t.nrows; i++) {
        double id = csv_num(&t, i, "id");

        if (id < 0 || id >= SWEEP_CONFIGS_MAX || !(csv_num(&t, i, "ns") >= 0))
            n += problem("samples.csv row %u: id %s, ns %s", i + 2, csv_cell(&t, i, "id"),
                         csv_cell(&t, i, "ns"));
        else
            per_id[(unsigned)id]++;
    }
    for (unsigned i = 0; i < s.nrows; i++) {
        unsigned id = (unsigned)csv_num(&s, i, "id");
        double want = csv_num(&s, i, "n");

        total += (unsigned long long)want;
        if (id < SWEEP_CONFIGS_MAX && (double)per_id[id] != want)
            n += problem("samples.csv: %llu rows for %s, summary.csv n %s", per_id[id],
                         csv_cell(&s, i, "label"), csv_cell(&s, i, "n"));
    }
    if (t.nrows != total || !total)
        n += problem("samples.csv: %u rows, the sum of n is %llu", t.nrows, total);
    csv_free(&t);

    if (!csv_read(r, "verify.csv", &v)) {
        csv_free(&s);
        return n + problem("verify.csv: missing or malformed");
    }
    for (unsigned i = 0; i < s.nrows; i++) {
        const char *verdict = csv_cell(&s, i, "verdict"), *label = csv_cell(&s, i, "label");
        const struct sweep_config *c = shapes_config((unsigned)csv_num(&s, i, "id"));
        int row = csv_row_of(&v, label);

        /* A baseline verifies nothing: no row, whatever became of it. */
        if (!strcmp(verdict, "-") || !c || config_is_baseline(c->strategy, c->flush)) {
            if (row >= 0)
                n += problem("verify.csv: a row for %s, which has no verdict", label);
            continue;
        }
        verified++;
        if (row < 0) {
            n += problem("verify.csv: no row for %s (%s)", label, verdict);
        } else if (strcmp(csv_cell(&v, (unsigned)row, "verdict"), verdict)) {
            n += problem("verify.csv %s: verdict %s, summary.csv %s", label,
                         csv_cell(&v, (unsigned)row, "verdict"), verdict);
        } else if (!strcmp(verdict, "unsupported") ?
                   !*csv_cell(&v, (unsigned)row, "reason") :
                   !(csv_num(&v, (unsigned)row, "rounds") > 0 &&
                     csv_num(&v, (unsigned)row, "control_rounds") > 0)) {
            n += problem("verify.csv %s: %s without a reason or without rounds", label,
                         verdict);
        }
    }
    if (v.nrows != verified)
        n += problem("verify.csv: %u rows for %u configurations with a verdict", v.nrows,
                     verified);
    csv_free(&v);
    csv_free(&s);
    return n;
}

unsigned shapes_check_conformance(const struct run_result *r)
{
    static const char *const cols[] = { "case", "call", "input", "status", "outcome", "tlfs",
                                        "tlfs_verdict", "kvm", "kvm_verdict" };
    char path[700];
    struct csv_table t;
    struct stat st;
    size_t cases;
    unsigned n = 0;
    json_t *m;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    m = json_load_file(path, 0, NULL);
    cases = json_array_size(json_object_get(json_object_get(m, "guest"), "conformance"));
    json_decref(m);
    snprintf(path, sizeof(path), "%s/conformance.csv", r->run_dir);
    if (!cases)
        return stat(path, &st) == 0 ?
               problem("conformance.csv: present, but the guest ran no conformance case") : 0;
    if (!csv_read(r, "conformance.csv", &t))
        return problem("conformance.csv: missing or malformed (the guest ran %zu cases)", cases);
    if (t.nrows != cases)
        n += problem("conformance.csv: %u rows for the guest's %zu cases", t.nrows, cases);
    for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++)
        if (!csv_get(&t, 0, cols[c]))
            n += problem("conformance.csv: no column %s", cols[c]);
    for (unsigned i = 0; i < t.nrows; i++) {
        const char *tv = csv_cell(&t, i, "tlfs_verdict"), *kv = csv_cell(&t, i, "kvm_verdict");

        if (!strstr(" match deviation - refused-by-guest ", tv) || !*tv ||
            !strstr(" match deviation unknown refused-by-guest ", kv) || !*kv ||
            !*csv_cell(&t, i, "case"))
            n += problem("conformance.csv row %u: case '%s', verdicts '%s' '%s'", i + 2,
                         csv_cell(&t, i, "case"), tv, kv);
    }
    csv_free(&t);
    return n;
}

/* In the lab, the guest's own console is L1's run's serial.log
 * (meta.json lab.l1_run.run_dir); L1's console, the outer serial.log,
 * echoes it interleaved with L1's kernel messages. */
static bool l2_done(const struct run_result *r)
{
    char path[1200];
    const char *dir;
    bool done;
    json_t *m;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    m = json_load_file(path, 0, NULL);
    dir = json_string_value(json_object_get(json_object_get(json_object_get(m, "lab"),
                                                            "l1_run"), "run_dir"));
    snprintf(path, sizeof(path), "%s/%s/serial.log", r->run_dir, dir ? dir : "-");
    done = dir && file_contains(path, "hvflush guest: done");
    json_decref(m);
    return done;
}

/* serial.log has the guest's console (L1's, in the lab); qemu.log is QEMU's stderr (empty on
 * a clean run, so only its presence is owed); plots/NAME.{svg,png} for
 * every plot/NAME.gp, each starting as its format does. */
unsigned shapes_check_logs_plots(const struct run_result *r)
{
    char path[700];
    struct stat st;
    unsigned n = 0;
    glob_t g;

    snprintf(path, sizeof(path), "%s/serial.log", r->run_dir);
    if (stat(path, &st) != 0 || st.st_size == 0)
        n += problem("serial.log: missing or empty");
    else if (!file_contains(path, "hvflush guest: done") && !l2_done(r))
        n += problem("serial.log: without the guest's last line");
    snprintf(path, sizeof(path), "%s/qemu.log", r->run_dir);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        n += problem("qemu.log: missing");
    if (glob("plot/*.gp", 0, NULL, &g) != 0 || g.gl_pathc == 0)
        return n + problem("no plot scripts in plot/");
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *name = strrchr(g.gl_pathv[i], '/') + 1;
        int stem = (int)strcspn(name, ".");

        snprintf(path, sizeof(path), "%s/plots/%.*s.svg", r->run_dir, stem, name);
        if (!file_contains(path, "<svg"))
            n += problem("plots/%.*s.svg: missing or not an SVG", stem, name);
        snprintf(path, sizeof(path), "%s/plots/%.*s.png", r->run_dir, stem, name);
        if (!file_contains(path, "PNG"))
            n += problem("plots/%.*s.png: missing or not a PNG", stem, name);
    }
    globfree(&g);
    return n;
}

/* The terminal's `verdicts: P pass, I inconclusive, F fail, E error, U
 * unsupported`, meta.json's verdicts and summary.csv's column agree. */
unsigned shapes_check_verdict_line(const struct run_result *r)
{
    static const char *const kinds[] = { "pass", "inconclusive", "fail", "error",
                                         "unsupported" };
    unsigned said[5], counted[5] = { 0 }, n = 0;
    const char *line = strstr(r->out, "\nverdicts: ");
    char path[700];
    struct csv_table t;
    json_t *m;

    if (!line || sscanf(line, "\nverdicts: %u pass, %u inconclusive, %u fail, %u error, "
                        "%u unsupported", &said[0], &said[1], &said[2], &said[3],
                        &said[4]) != 5)
        return problem("stdout: no `verdicts:` line");
    if (!csv_read(r, "summary.csv", &t))
        return problem("summary.csv: missing or malformed");
    for (unsigned i = 0; i < t.nrows; i++)
        for (unsigned k = 0; k < 5; k++)
            counted[k] += !strcmp(csv_cell(&t, i, "verdict"), kinds[k]);
    csv_free(&t);
    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    m = json_load_file(path, 0, NULL);
    for (unsigned k = 0; k < 5; k++) {
        json_int_t meta = json_integer_value(json_object_get(json_object_get(m, "verdicts"),
                                                             kinds[k]));

        if (said[k] != counted[k] || meta != (json_int_t)counted[k])
            n += problem("verdicts: %u %s on stdout, %lld in meta.json, %u in summary.csv",
                         said[k], kinds[k], (long long)meta, counted[k]);
    }
    json_decref(m);
    /* hvflush exits 3 when a verdict reads fail or error, 0 otherwise. */
    if (r->exit_code != (counted[2] || counted[3] ? 3 : 0))
        n += problem("exit status %d with %u fail and %u error", r->exit_code, counted[2],
                     counted[3]);
    return n;
}

unsigned shapes_check_all(const struct run_result *r, const struct shapes_expect *e)
{
    return shapes_check_files(r) + shapes_check_meta(r, e) + shapes_check_summary(r, e) +
           shapes_check_samples_verify(r) + shapes_check_conformance(r) +
           shapes_check_logs_plots(r) + shapes_check_verdict_line(r) +
           shapes_check_ratio(r) + shapes_check_throughput(r) +
           shapes_check_interference(r) + shapes_check_costmodel(r) +
           shapes_check_decision(r);
}

struct run_result *shapes_run_and_plot(const char *args, const char *what)
{
    struct timespec t0, t1;
    struct run_result *r;
    char cmd[700];

    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = run_hvflush(args);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    print_message("%s: %.1f s wall\n", what,
                  (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    if (!r->run_dir[0]) {
        fprintf(stderr, "hvflush run exited %d without a run directory: %s\n",
                r->exit_code, r->err);
        return NULL;
    }
    snprintf(cmd, sizeof(cmd), "%s plot '%s' >/dev/null", hvflush_bin(), r->run_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "hvflush plot failed\n");
        return NULL;
    }
    return r;
}
