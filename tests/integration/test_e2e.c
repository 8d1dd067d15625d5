/*
 * End to end, as a user meets the tool: a real TCG run of
 * tests/sweeps/e2e.sweep, then `hvflush plot`, then what the user reads --
 * summary.csv, verify.csv, samples.csv, the plots and meta.json -- checked
 * against the run's own records:
 *  - summary.csv: a row for every configuration; measured ones with the
 *    declared sample count, p50 > 0 for local and remote alike, and
 *    min <= p10 <= p50 <= p90 <= p99 <= max (cycles and ns);
 *  - verify.csv: one row with a verdict for every verified (or
 *    unsupported) configuration, none for the others;
 *  - samples.csv: one row per sample;
 *  - plots: every .svg and .png exists, is non-empty and starts as its
 *    format does;
 *  - meta.json: status ok and the timing class that summary.csv states.
 * CSV columns are found by their header names, so added columns do not
 * matter.  Each check counts its problems; a second test doctors copies of
 * the run's files (one fault each) and sees every fault counted, so none of
 * the checks can pass vacuously.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <cmocka.h>
#include "harness.h"

#define SWEEP "tests/sweeps/e2e.sweep"
#define PLOTS_MAX 8

static struct run_result *run;     /* the one real run both tests read */

/* Reports one problem; counts 1. */
#define problem(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), 1u)

/* min <= p10 <= p50 <= p90 <= p99 <= max, in unit "cyc" or "ns". */
static unsigned check_order(const struct csv_table *t, unsigned row, const char *unit)
{
    static const char *const cols[] = { "min", "p10", "p50", "p90", "p99", "max" };
    char a[16], b[16];
    unsigned i, n = 0;

    for (i = 0; i + 1 < sizeof(cols) / sizeof(cols[0]); i++) {
        snprintf(a, sizeof(a), "%s_%s", cols[i], unit);
        snprintf(b, sizeof(b), "%s_%s", cols[i + 1], unit);
        if (csv_num(t, row, a) < 0 || csv_num(t, row, a) > csv_num(t, row, b))
            n += problem("summary.csv %s: %s %s > %s %s", csv_cell(t, row, "label"), a,
                         csv_cell(t, row, a), b, csv_cell(t, row, b));
    }
    return n;
}

static unsigned check_summary(const struct run_result *r)
{
    struct csv_table t;
    unsigned i, n = 0, local = 0, remote = 0;

    if (!csv_read(r, "summary.csv", &t))
        return problem("summary.csv: missing or malformed");
    if (t.nrows != r->nconfigs)
        n += problem("summary.csv: %u rows for %u configurations", t.nrows, r->nconfigs);
    for (i = 0; i < r->nconfigs; i++) {
        const struct run_config *c = &r->cfg[i];
        int row = csv_row_of(&t, c->label);

        if (row < 0) {
            n += problem("summary.csv: no row for %s", c->label);
            continue;
        }
        if (csv_num(&t, (unsigned)row, "n") != (double)c->nsamples)
            n += problem("summary.csv %s: n %s, records hold %llu", c->label,
                         csv_cell(&t, (unsigned)row, "n"), (unsigned long long)c->nsamples);
        if (!c->nsamples)
            continue;
        if (c->nsamples != c->samples_declared)
            n += problem("%s: %llu samples of %llu declared", c->label,
                         (unsigned long long)c->nsamples,
                         (unsigned long long)c->samples_declared);
        if (!(csv_num(&t, (unsigned)row, "p50_ns") > 0) || !(csv_num(&t, (unsigned)row, "p50_cyc") > 0))
            n += problem("summary.csv %s: p50 %s ns, %s cycles", c->label,
                         csv_cell(&t, (unsigned)row, "p50_ns"),
                         csv_cell(&t, (unsigned)row, "p50_cyc"));
        n += check_order(&t, (unsigned)row, "cyc") + check_order(&t, (unsigned)row, "ns");
        if (!strcmp(c->strategy, "local"))
            local++;
        else
            remote++;
    }
    if (!local || !remote)
        n += problem("summary.csv: %u local and %u remote configurations measured", local,
                     remote);
    csv_free(&t);
    return n;
}

static unsigned check_verify(const struct run_result *r)
{
    struct csv_table t;
    unsigned i, n = 0, expected = 0;

    if (!csv_read(r, "verify.csv", &t))
        return problem("verify.csv: missing or malformed");
    for (i = 0; i < r->nconfigs; i++) {
        const struct run_config *c = &r->cfg[i];
        const char *want = c->has_verify ? c->verdict : c->unsupported[0] ? "unsupported" : NULL;
        int row = csv_row_of(&t, c->label);

        if (!want) {
            if (row >= 0)
                n += problem("verify.csv: a row for %s, which was not verified", c->label);
            continue;
        }
        expected++;
        if (row < 0)
            n += problem("verify.csv: no row for %s", c->label);
        else if (strcmp(csv_cell(&t, (unsigned)row, "verdict"), want))
            n += problem("verify.csv %s: verdict \"%s\", records say %s", c->label,
                         csv_cell(&t, (unsigned)row, "verdict"), want);
    }
    if (t.nrows != expected || !expected)
        n += problem("verify.csv: %u rows for %u verified configurations", t.nrows, expected);
    csv_free(&t);
    return n;
}

static unsigned check_samples(const struct run_result *r)
{
    struct csv_table t;
    unsigned i, row, n = 0;
    unsigned long long total = 0;

    if (!csv_read(r, "samples.csv", &t))
        return problem("samples.csv: missing or malformed");
    for (i = 0; i < r->nconfigs; i++) {
        unsigned long long mine = 0;

        for (row = 0; row < t.nrows; row++)
            mine += !strcmp(csv_cell(&t, row, "label"), r->cfg[i].label);
        if (mine != r->cfg[i].nsamples)
            n += problem("samples.csv: %llu rows for %s, records hold %llu", mine,
                         r->cfg[i].label, (unsigned long long)r->cfg[i].nsamples);
        total += r->cfg[i].nsamples;
    }
    if (t.nrows != total || !total)
        n += problem("samples.csv: %u rows for %llu samples", t.nrows, total);
    csv_free(&t);
    return n;
}

/* plots/NAME.svg and plots/NAME.png for each plot script plot/NAME.gp. */
static unsigned check_plots(const struct run_result *r)
{
    static const unsigned char png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    unsigned n = 0;
    glob_t g;

    if (glob("plot/*.gp", 0, NULL, &g) != 0 || g.gl_pathc == 0)
        return problem("no plot scripts in plot/");
    for (size_t i = 0; i < g.gl_pathc; i++) {
        for (int png = 0; png < 2; png++) {
            char path[700], head[1024], *name = strrchr(g.gl_pathv[i], '/') + 1;
            size_t got = 0;
            FILE *f;

            snprintf(path, sizeof(path), "%s/plots/%.*s.%s", r->run_dir,
                     (int)strcspn(name, "."), name, png ? "png" : "svg");
            f = fopen(path, "rb");
            if (f) {
                got = fread(head, 1, sizeof(head) - 1, f);
                fclose(f);
            }
            head[got] = '\0';
            if (!got)
                n += problem("%s: missing or empty", path);
            else if (png ? got < 8 || memcmp(head, png_magic, 8) : !strstr(head, "<svg"))
                n += problem("%s: not a%s", path, png ? " PNG" : "n SVG");
        }
    }
    globfree(&g);
    return n;
}

static unsigned check_meta(const struct run_result *r)
{
    char status[32], tclass[32];
    struct csv_table t;
    unsigned i, n = 0;

    meta_string(r, "status", status, sizeof(status));
    meta_value(r, "accelerator", "timing_class", NULL, tclass, sizeof(tclass));
    if (strcmp(status, "ok"))
        n += problem("meta.json: status \"%s\"", status);
    if (strcmp(tclass, "emulated"))
        n += problem("meta.json: timing class \"%s\" for a TCG run", tclass);
    if (csv_read(r, "summary.csv", &t)) {
        for (i = 0; i < t.nrows; i++)
            if (strcmp(csv_cell(&t, i, "timing_class"), tclass))
                n += problem("summary.csv: timing class %s, meta.json %s",
                             csv_cell(&t, i, "timing_class"), tclass);
        csv_free(&t);
    }
    return n;
}

static unsigned check_all(const struct run_result *r)
{
    return check_summary(r) + check_verify(r) + check_samples(r) + check_plots(r) +
           check_meta(r);
}

static int run_once(void **state)
{
    char cmd[700];

    (void)state;
    run = run_hvflush("run --accel tcg --smp 4 --sweep " SWEEP);
    if (run->exit_code != 0 || !run->run_dir[0]) {
        fprintf(stderr, "hvflush run exited %d: %s\n", run->exit_code, run->err);
        return -1;
    }
    snprintf(cmd, sizeof(cmd), "%s plot '%s' >/dev/null", hvflush_bin(), run->run_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "hvflush plot failed\n");
        return -1;
    }
    return 0;
}

static void test_what_the_user_reads(void **state)
{
    (void)state;
    assert_true(run->stream_ok);
    assert_int_equal(run->cpus, 4);
    /* 1 local + 4 halted IPI + 1 spinning IPI + 1 hypercall (unsupported). */
    assert_int_equal(run->nconfigs, 7);
    assert_non_null(strstr(run->out, "(ok)\n"));
    /* No Hyper-V under TCG: no conformance suite, no conformance line. */
    assert_null(strstr(run->out, "conformance:"));
    assert_int_equal(check_all(run), 0);
}

/* ---- The checks catch what they guard against ---------------------------- */

/* One fault in a copy of the run's files. */
enum fault_kind { SET_FIELD, DROP_ROW, REWRITE_FILE, META_STATUS };
struct fault {
    const char *what;
    enum fault_kind kind;
    const char *file;
    int row;                    /* -1: the last one */
    const char *col, *value;    /* REWRITE_FILE: value is the new content */
};

#define CSV_SET(w, f, r, c, v) { .what = w, .kind = SET_FIELD, .file = f, .row = r, \
                                 .col = c, .value = v }
#define CSV_DROP(w, f, r) { .what = w, .kind = DROP_ROW, .file = f, .row = r }
#define REWRITE(w, f, v) { .what = w, .kind = REWRITE_FILE, .file = f, .value = v }

static const struct fault faults[] = {
    CSV_SET("local p50 of zero", "summary.csv", 0, "p50_ns", "0"),
    CSV_SET("remote p50 of zero cycles", "summary.csv", 1, "p50_cyc", "0"),
    CSV_SET("p50 above p90", "summary.csv", 2, "p50_ns", "1e15"),
    CSV_SET("p99 above max", "summary.csv", 1, "p99_cyc", "1e15"),
    CSV_DROP("a configuration missing", "summary.csv", -1),
    CSV_SET("sample count not the declared one", "summary.csv", 3, "n", "299"),
    CSV_SET("a verdict missing", "verify.csv", 0, "verdict", ""),
    CSV_DROP("a verified configuration without a row", "verify.csv", 0),
    CSV_DROP("a sample missing", "samples.csv", -1),
    REWRITE("a PNG that is not one", "plots/latency.png", "GIF89a"),
    REWRITE("an empty SVG", "plots/cdf.svg", ""),
    CSV_SET("another timing class", "summary.csv", 0, "timing_class", "hardware"),
    { .what = "a failed run", .kind = META_STATUS, .file = "meta.json" },
};

static void apply(const struct fault *x, const char *dir)
{
    static struct run_result doctored;
    char path[700];
    struct csv_table t;
    unsigned row;
    json_t *m;
    FILE *f;

    doctored = *run;
    snprintf(doctored.run_dir, sizeof(doctored.run_dir), "%s", dir);
    snprintf(path, sizeof(path), "%s/%s", dir, x->file);
    switch (x->kind) {
    case SET_FIELD:
    case DROP_ROW:
        assert_true(csv_read(&doctored, x->file, &t));
        row = x->row < 0 ? t.nrows - 1 : (unsigned)x->row;
        if (x->kind == SET_FIELD) {
            csv_set(&t, row, x->col, x->value);
        } else {
            for (unsigned c = 0; c < t.ncols; c++)
                free(t.rows[row][c]);
            free(t.rows[row]);
            memmove(&t.rows[row], &t.rows[row + 1], (t.nrows - row - 1) * sizeof(*t.rows));
            t.nrows--;
        }
        assert_true(csv_write(path, &t));
        csv_free(&t);
        break;
    case REWRITE_FILE:
        f = fopen(path, "wb");
        assert_non_null(f);
        fputs(x->value, f);
        fclose(f);
        break;
    case META_STATUS:
        m = json_load_file(path, 0, NULL);
        assert_non_null(m);
        json_object_set_new(m, "status", json_string("failed"));
        assert_int_equal(json_dump_file(m, path, 0), 0);
        json_decref(m);
        break;
    }
    if (check_all(&doctored) == 0)
        fail_msg("fault not caught: %s (%s)", x->what, x->file);
}

static void test_checks_catch_faults(void **state)
{
    char dir[] = "/tmp/hvflush-e2e-XXXXXX", cmd[1500], copy[64];

    (void)state;
    assert_non_null(mkdtemp(dir));
    for (unsigned i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/run' && cp -r '%s' '%s/run'", dir, run->run_dir,
                 dir);
        assert_int_equal(system(cmd), 0);
        snprintf(copy, sizeof(copy), "%s/run", dir);
        apply(&faults[i], copy);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_what_the_user_reads),
        cmocka_unit_test(test_checks_catch_faults),
    };

    return cmocka_run_group_tests_name("end to end: a TCG run as its user reads it", tests,
                                       run_once, NULL);
}
