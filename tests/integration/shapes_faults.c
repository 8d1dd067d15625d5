/*
 * The shape checks catch what they guard against: each fault below is
 * made in a fresh copy of the real run's directory (one fault per copy),
 * and shapes_check_all() on the copy must count at least one problem.
 * A fault on a file the run does not have (conformance.csv under TCG) is
 * made the other way: the file appears where none is owed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "shapes.h"

enum fault_kind { DROP_ROW, SET_FIELD, ADD_TO_FIELD, NEW_FILE, REMOVE_FILE, META_SET };

struct fault {
    const char *what;
    enum fault_kind kind;
    const char *file;
    const char *match_col, *match_val;   /* the first row whose match_col is match_val;
                                            NULL: the last row (match_val "!x": not x) */
    const char *col, *value;             /* SET_FIELD; ADD_TO_FIELD adds value; META_SET
                                            sets meta.json's col (a or a.b) to value, an
                                            integer where it reads as one */
};

static const struct fault faults[] = {
    { "a lost summary row", DROP_ROW, "summary.csv", NULL, NULL, NULL, NULL },
    { "a throughput aggregate that is not the sum of the rates", ADD_TO_FIELD,
      "throughput.csv", NULL, NULL, "aggregate_per_s", "1" },
    { "an unexpected file in the run directory", NEW_FILE, "notes.txt", NULL, NULL, NULL,
      "undocumented\n" },
    { "an unexpected file among the plots", NEW_FILE, "plots/extra.svg", NULL, NULL, NULL,
      "<svg/>\n" },
    { "an unsupported row with samples", SET_FIELD, "summary.csv", "verdict", "unsupported",
      "n", "300" },
    { "a measured row without its ci_flag", SET_FIELD, "summary.csv", "verdict", "!unsupported",
      "ci_flag", "-" },
    { "a verdict outside the allowed set", SET_FIELD, "summary.csv", "verdict", "pass",
      "verdict", "maybe" },
    { "a verdict that disagrees with the verdicts line", SET_FIELD, "summary.csv", "verdict",
      "pass", "verdict", "inconclusive" },
    { "a label the sweep does not give", SET_FIELD, "summary.csv", NULL, NULL, "label",
      "ipi/invlpg/p3/t9/spin" },
    { "a lost sample", DROP_ROW, "samples.csv", NULL, NULL, NULL, NULL },
    { "a lost verify row", DROP_ROW, "verify.csv", NULL, NULL, NULL, NULL },
    { "a lost throughput row", DROP_ROW, "throughput.csv", NULL, NULL, NULL, NULL },
    { "a throughput row with another target set", SET_FIELD, "throughput.csv", NULL, NULL,
      "target_cpus", "7" },
    { "a lost interference row", DROP_ROW, "interference.csv", NULL, NULL, NULL, NULL },
    { "a lost ratio row", DROP_ROW, "ratio.csv", NULL, NULL, NULL, NULL },
    { "a ratio that is not the quotient", SET_FIELD, "ratio.csv", "targets", "1",
      "ipi_p50_cyc", "1" },
    { "a lost cost-model fit", DROP_ROW, "costmodel.csv", NULL, NULL, NULL, NULL },
    { "a decision call outside the four", SET_FIELD, "decision.csv", NULL, NULL, "call",
      "obvious" },
    { "a decision whose best is not the lowest p50", ADD_TO_FIELD, "decision.csv", NULL, NULL,
      "best_p50_cyc", "1" },
    { "conformance.csv without its cases, or where none ran", DROP_ROW, "conformance.csv", NULL, NULL, NULL, NULL },
    { "missing plots", REMOVE_FILE, "plots/latency.svg", NULL, NULL, NULL, NULL },
    { "an empty serial.log", NEW_FILE, "serial.log", NULL, NULL, NULL, "" },
    { "another configuration count in meta.json", META_SET, "meta.json", NULL, NULL,
      "sweep.configurations", "0" },
    { "a non-integer tsc_hz in meta.json", META_SET, "meta.json", NULL, NULL, "tsc_hz", "fast" },
    { "a choice reason for an accelerator that was not chosen", META_SET, "meta.json", NULL,
      NULL, "accelerator.choice_reason", "because" },
    { "no qemu.log", REMOVE_FILE, "qemu.log", NULL, NULL, NULL, NULL },
};

static int pick_row(const struct csv_table *t, const struct fault *x)
{
    if (!x->match_col)
        return (int)t->nrows - 1;
    for (unsigned i = 0; i < t->nrows; i++) {
        const char *v = csv_cell(t, i, x->match_col);

        if (x->match_val[0] == '!' ? strcmp(v, x->match_val + 1) : !strcmp(v, x->match_val))
            return (int)i;
    }
    return -1;
}

/* Makes fault x in the copy `dir` of the run; false when it cannot apply
 * (no such row). */
static bool make(const struct fault *x, const struct run_result *copy)
{
    char path[800], num[32];
    struct csv_table t;
    struct stat st;
    json_t *m;
    FILE *f;
    int row;

    snprintf(path, sizeof(path), "%s/%s", copy->run_dir, x->file);
    if (x->kind == NEW_FILE || (x->kind == DROP_ROW && stat(path, &st) != 0)) {
        f = fopen(path, "w");                /* where the file is absent: one owed nowhere */
        assert_non_null(f);
        fputs(x->value ? x->value : "case\nx\n", f);
        return fclose(f) == 0;
    }
    if (x->kind == REMOVE_FILE)
        return unlink(path) == 0;
    if (x->kind == META_SET) {
        const char *dot = strchr(x->col, '.'), *key = dot ? dot + 1 : x->col;
        char parent[32], *end;
        long long v = strtoll(x->value, &end, 10);

        m = json_load_file(path, 0, NULL);
        assert_non_null(m);
        snprintf(parent, sizeof(parent), "%.*s", dot ? (int)(dot - x->col) : 0, x->col);
        json_object_set_new(dot ? json_object_get(m, parent) : m, key,
                            *end || !*x->value ? json_string(x->value) : json_integer(v));
        assert_int_equal(json_dump_file(m, path, 0), 0);
        json_decref(m);
        return true;
    }
    assert_true(csv_read(copy, x->file, &t));
    row = pick_row(&t, x);
    if (row < 0) {
        csv_free(&t);
        return false;
    }
    if (x->kind == DROP_ROW) {
        for (unsigned c = 0; c < t.ncols; c++)
            free(t.rows[row][c]);
        free(t.rows[row]);
        memmove(&t.rows[row], &t.rows[row + 1], (t.nrows - (unsigned)row - 1) * sizeof(*t.rows));
        t.nrows--;
    } else if (x->kind == ADD_TO_FIELD) {
        snprintf(num, sizeof(num), "%.0f", csv_num(&t, (unsigned)row, x->col) + atof(x->value));
        csv_set(&t, (unsigned)row, x->col, num);
    } else {
        csv_set(&t, (unsigned)row, x->col, x->value);
    }
    assert_true(csv_write(path, &t));
    csv_free(&t);
    return true;
}

void shapes_assert_faults_caught(const struct run_result *r, const struct shapes_expect *e)
{
    static struct run_result copy;
    char dir[] = "/tmp/hvflush-shapes-XXXXXX", cmd[1600];
    unsigned made = 0;

    assert_non_null(mkdtemp(dir));
    copy = *r;
    snprintf(copy.run_dir, sizeof(copy.run_dir), "%s/run", dir);
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        const struct fault *x = &faults[i];

        snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -r '%s' '%s'", copy.run_dir, r->run_dir,
                 copy.run_dir);
        assert_int_equal(system(cmd), 0);
        if (!make(x, &copy)) {
            print_message("fault not applicable to this run: %s\n", x->what);
            continue;
        }
        made++;
        print_message("fault: %s (%s) -- the checks say:\n", x->what, x->file);
        if (shapes_check_all(&copy, e) == 0)
            fail_msg("fault not caught: %s (%s)", x->what, x->file);
    }
    /* A lost summary row, a wrong aggregate and an unexpected file at least. */
    assert_true(made >= 3);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}
