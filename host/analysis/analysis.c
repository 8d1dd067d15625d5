/*
 * costmodel.csv and decision.csv from a run's summary.csv (see analysis.h).
 */
#include "analysis/analysis.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/costmodel.h"
#include "analysis/decision.h"
#include "analysis/rows.h"
#include "util.h"

static FILE *create(const char *dir, const char *name, char *err, size_t errcap)
{
    char path[4096];
    FILE *f;

    fmt(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "w");
    if (!f)
        fmt(err, errcap, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static bool finish(FILE *f, const char *name, char *err, size_t errcap)
{
    if (ferror(f) | (fclose(f) != 0)) {
        fmt(err, errcap, "error writing %s", name);
        return false;
    }
    return true;
}

bool analysis_write(const char *run_dir, const char *data_dir, struct analysis_counts *cnt,
                    char *err, size_t errcap)
{
    struct summary_row *rows = NULL;
    struct cost_fit *fits = NULL;
    struct decision_cell *cells = NULL;
    size_t n;
    bool ok = false;
    FILE *f;

    memset(cnt, 0, sizeof(*cnt));
    if (!summary_rows_read(run_dir, &rows, &n, err, errcap))
        return false;
    for (size_t i = 0; i < n; i++) {
        cnt->ci_ok += !strcmp(rows[i].ci_flag, "ok");
        cnt->ci_wide += !strcmp(rows[i].ci_flag, "ci-wide");
    }
    cnt->fits = costmodel_fit(rows, n, &fits);
    cnt->cells = decision_compute(rows, n, &cells);
    if (cnt->fits < 0 || cnt->cells < 0) {
        fmt(err, errcap, "out of memory in the cost model or decision map");
        goto out;
    }
    for (int k = 0; k < cnt->cells; k++)
        cnt->decisive += !strcmp(cells[k].call, "decisive");
    if (!(f = create(run_dir, "costmodel.csv", err, errcap)))
        goto out;
    costmodel_put_csv(f, fits, cnt->fits);
    if (!finish(f, "costmodel.csv", err, errcap) ||
        !(f = create(run_dir, "decision.csv", err, errcap)))
        goto out;
    decision_put_csv(f, rows, cells, cnt->cells);
    if (!finish(f, "decision.csv", err, errcap))
        goto out;
    if (data_dir) {
        if (!(f = create(data_dir, "decision.dat", err, errcap)))
            goto out;
        decision_put_plot_data(f, rows, cells, cnt->cells);
        if (!finish(f, "decision.dat", err, errcap))
            goto out;
    }
    ok = true;
out:
    free(rows);
    free(fits);
    free(cells);
    return ok;
}

void analysis_print(FILE *out, const struct analysis_counts *n)
{
    if (n->ci_ok + n->ci_wide)
        fprintf(out, "median CI within the ci-target: %u of %u configurations (%.0f%%), "
                "%u ci-wide\n", n->ci_ok, n->ci_ok + n->ci_wide,
                100.0 * n->ci_ok / (n->ci_ok + n->ci_wide), n->ci_wide);
    fprintf(out, "cost model: %d strategies (costmodel.csv); decision map: %d cells, %d "
            "decisive (decision.csv)\n", n->fits, n->cells, n->decisive);
}
