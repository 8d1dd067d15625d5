/*
 * The shape of a run's derived tables (see shapes.h), each against
 * summary.csv and the expanded sweep:
 *  - ratio.csv: one row per target count with a usable hypercall or IPI
 *    configuration, each best label a row of that target count with the
 *    p50 summary.csv gives, and the ratio of the two p50s;
 *  - throughput.csv: one row per measured configuration with a throughput
 *    measurement (initiators= or state=work), as many per-initiator rates
 *    as initiators, their sum the aggregate, the initiator and target CPUs
 *    sweep_throughput_placement() gives;
 *  - interference.csv: state=work configurations only, one row per target
 *    CPU sweep_throughput_placement() places;
 *  - costmodel.csv: one fit per strategy key of the usable rows, with as
 *    many points;
 *  - decision.csv: one row per (targets, pages, state) cell of the usable
 *    rows, the best the lowest p50 of the cell, the call one of the four
 *    and consistent with the two intervals.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "shapes.h"
#include "analysis/ratio.h"
#include "analysis/throughput.h"
#include "analysis/costmodel.h"
#include "analysis/decision.h"
#include "analysis/rows.h"

/* A row usable for best/ratio/fit: samples, verdict neither fail nor error. */
static bool usable(const struct csv_table *s, unsigned i)
{
    return csv_num(s, i, "n") > 0 && strcmp(csv_cell(s, i, "verdict"), "fail") &&
           strcmp(csv_cell(s, i, "verdict"), "error");
}

unsigned shapes_check_ratio(const struct run_result *r)
{
    bool want[SWEEP_MAX_CPUS + 1] = { false };
    struct csv_table s, t;
    unsigned n = 0, rows = 0;

    if (!shapes_header_is(r, "ratio.csv", RATIO_HEADER) || !csv_read(r, "ratio.csv", &t))
        return problem("ratio.csv: missing, malformed or not RATIO_HEADER");
    if (!csv_read(r, "summary.csv", &s)) {
        csv_free(&t);
        return problem("summary.csv: missing or malformed");
    }
    for (unsigned i = 0; i < s.nrows; i++) {
        const struct sweep_config *c = shapes_config((unsigned)csv_num(&s, i, "id"));

        if (c && usable(&s, i) && (strategy_is_hv(c->strategy) || c->strategy == STRATEGY_IPI) &&
            !config_is_baseline(c->strategy, c->flush) && c->scope != SCOPE_UNLOADED &&
            c->target_set == TARGETS_OTHERS && c->targets <= SWEEP_MAX_CPUS)
            want[c->targets] = true;
    }
    for (unsigned i = 0; i < t.nrows; i++) {
        double targets = csv_num(&t, i, "targets"), p50[2] = { -1, -1 };
        static const char *const fam[2] = { "hv", "ipi" };

        if (targets < 1 || targets > SWEEP_MAX_CPUS || !want[(unsigned)targets]) {
            n += problem("ratio.csv: a row for %s targets", csv_cell(&t, i, "targets"));
            continue;
        }
        want[(unsigned)targets] = false;
        for (int f = 0; f < 2; f++) {
            char col[16];
            const char *label;
            int row;

            snprintf(col, sizeof(col), "%s_label", fam[f]);
            label = csv_cell(&t, i, col);
            if (!*label)
                continue;
            row = csv_row_of(&s, label);
            snprintf(col, sizeof(col), "%s_p50_cyc", fam[f]);
            p50[f] = csv_num(&t, i, col);
            if (row < 0 || csv_num(&s, (unsigned)row, "targets") != targets ||
                csv_num(&s, (unsigned)row, "p50_cyc") != p50[f] ||
                strncmp(csv_cell(&s, (unsigned)row, "strategy"), f ? "ipi" : "hv-", 3))
                n += problem("ratio.csv %s targets: %s %s is no such %s row at that p50",
                             csv_cell(&t, i, "targets"), col, label, fam[f]);
        }
        if (p50[0] > 0 && p50[1] > 0 ?
            !(csv_num(&t, i, "hv_over_ipi") > 0.999 * p50[0] / p50[1] &&
              csv_num(&t, i, "hv_over_ipi") < 1.001 * p50[0] / p50[1]) :
            *csv_cell(&t, i, "hv_over_ipi") != '\0')
            n += problem("ratio.csv %s targets: hv_over_ipi %s", csv_cell(&t, i, "targets"),
                         csv_cell(&t, i, "hv_over_ipi"));
        rows++;
    }
    for (unsigned k = 0; k <= SWEEP_MAX_CPUS; k++)
        if (want[k])
            n += problem("ratio.csv: no row for %u targets", k);
    csv_free(&s);
    csv_free(&t);
    return n + (rows ? 0 : problem("ratio.csv: no rows"));
}

/* "0-1 4" style: ascending CPUs as runs separated by spaces. */
static void runs(const uint32_t *cpu, unsigned n, char *buf, size_t cap)
{
    size_t len = 0;

    buf[0] = '\0';
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i;

        while (j + 1 < n && cpu[j + 1] == cpu[j] + 1)
            j++;
        len += (size_t)snprintf(buf + len, cap - len, j > i ? "%s%u-%u" : "%s%u",
                                len ? " " : "", cpu[i], cpu[j]);
        i = j;
    }
}

/* The measured configurations of summary.csv with a throughput record
 * (all) or a working state (work_only). */
static bool measured_with(const struct csv_table *s, const struct sweep_config *c,
                          bool work_only)
{
    int row = shapes_row_of_id(s, c->id);

    return row >= 0 && csv_num(s, (unsigned)row, "n") > 0 &&
           (work_only ? c->state == TARGET_WORK : c->throughput);
}

unsigned shapes_check_throughput(const struct run_result *r)
{
    static uint32_t inits[SWEEP_MAX_CPUS], tgts[SWEEP_MAX_CPUS];
    struct csv_table s, t;
    unsigned n = 0, want = 0;
    char buf[1024];

    if (!csv_read(r, "summary.csv", &s))
        return problem("summary.csv: missing or malformed");
    if (!shapes_header_is(r, "throughput.csv", THROUGHPUT_HEADER) ||
        !csv_read(r, "throughput.csv", &t)) {
        csv_free(&s);
        return problem("throughput.csv: missing, malformed or not THROUGHPUT_HEADER");
    }
    for (int i = 0; i < shapes_sw.n; i++) {
        const struct sweep_config *c = &shapes_sw.cfg[i];
        int row = shapes_row_of_id(&t, c->id);
        unsigned k = 0;
        double sum = 0;
        char *p, *end;

        if (!measured_with(&s, c, false)) {
            if (row >= 0)
                n += problem("throughput.csv: a row for id %u, which has no throughput", c->id);
            continue;
        }
        want++;
        if (row < 0) {
            n += problem("throughput.csv: no row for id %u", c->id);
            continue;
        }
        p = (char *)csv_cell(&t, (unsigned)row, "per_initiator_per_s");
        for (double v; (v = strtod(p, &end)), end != p; p = end, k++)
            sum += v;
        if (k != c->initiators || csv_num(&t, (unsigned)row, "initiators") != c->initiators)
            n += problem("throughput.csv id %u: %u rates, initiators %s, the sweep says %u",
                         c->id, k, csv_cell(&t, (unsigned)row, "initiators"), c->initiators);
        if (csv_num(&t, (unsigned)row, "aggregate_per_s") != sum ||
            !(csv_num(&t, (unsigned)row, "aggregate_per_s") > 0))
            n += problem("throughput.csv id %u: aggregate %s, the rates sum to %.0f", c->id,
                         csv_cell(&t, (unsigned)row, "aggregate_per_s"), sum);
        if (strcmp(csv_cell(&t, (unsigned)row, "share"), share_mode_name(c->share)))
            n += problem("throughput.csv id %u: share %s", c->id,
                         csv_cell(&t, (unsigned)row, "share"));
        if (!sweep_throughput_placement(c, shapes_sw.cpus, inits, tgts))
            continue;
        runs(inits, c->initiators, buf, sizeof(buf));
        if (strcmp(csv_cell(&t, (unsigned)row, "initiator_cpus"), buf))
            n += problem("throughput.csv id %u: initiator_cpus %s, placed %s", c->id,
                         csv_cell(&t, (unsigned)row, "initiator_cpus"), buf);
        buf[0] = '\0';
        for (unsigned i = 0; i < c->initiators; i++) {
            size_t len = strlen(buf);

            if (len)
                buf[len++] = ';';
            runs(tgts + (c->share == SHARE_OWN ? i * c->targets : 0), c->targets, buf + len,
                 sizeof(buf) - len);
        }
        if (strcmp(csv_cell(&t, (unsigned)row, "target_cpus"), buf))
            n += problem("throughput.csv id %u: target_cpus %s, placed %s", c->id,
                         csv_cell(&t, (unsigned)row, "target_cpus"), buf);
    }
    if (t.nrows != want)
        n += problem("throughput.csv: %u rows for %u configurations", t.nrows, want);
    csv_free(&t);
    csv_free(&s);
    return n;
}

unsigned shapes_check_interference(const struct run_result *r)
{
    static uint32_t inits[SWEEP_MAX_CPUS], tgts[SWEEP_MAX_CPUS];
    struct csv_table s, t;
    unsigned n = 0, want = 0;

    if (!csv_read(r, "summary.csv", &s))
        return problem("summary.csv: missing or malformed");
    if (!shapes_header_is(r, "interference.csv", INTERFERENCE_HEADER) ||
        !csv_read(r, "interference.csv", &t)) {
        csv_free(&s);
        return problem("interference.csv: missing, malformed or not INTERFERENCE_HEADER");
    }
    for (unsigned i = 0; i < t.nrows; i++) {
        const struct sweep_config *c = shapes_config((unsigned)csv_num(&t, i, "id"));

        if (!c || !measured_with(&s, c, true))
            n += problem("interference.csv: a row for id %s, not a measured state=work one",
                         csv_cell(&t, i, "id"));
    }
    for (int i = 0; i < shapes_sw.n; i++) {
        const struct sweep_config *c = &shapes_sw.cfg[i];
        uint32_t count = sweep_throughput_target_count(c);

        if (!measured_with(&s, c, true) || !sweep_throughput_placement(c, shapes_sw.cpus,
                                                                       inits, tgts))
            continue;
        want += count;
        for (uint32_t k = 0; k < count; k++) {
            unsigned found = 0;

            for (unsigned row = 0; row < t.nrows; row++)
                if (csv_num(&t, row, "id") == c->id && csv_num(&t, row, "cpu") == tgts[k]) {
                    found++;
                    if (csv_num(&t, row, "working_set") != c->working_set ||
                        !(csv_num(&t, row, "refill_rounds") > 0) ||
                        !(csv_num(&t, row, "received") >= 0))
                        n += problem("interference.csv id %u cpu %u: working_set %s, "
                                     "refill_rounds %s, received %s", c->id, tgts[k],
                                     csv_cell(&t, row, "working_set"),
                                     csv_cell(&t, row, "refill_rounds"),
                                     csv_cell(&t, row, "received"));
                }
            if (found != 1)
                n += problem("interference.csv: %u rows for id %u target CPU %u", found, c->id,
                             tgts[k]);
        }
    }
    if (t.nrows != want)
        n += problem("interference.csv: %u rows for %u working targets", t.nrows, want);
    csv_free(&t);
    csv_free(&s);
    return n;
}

/* summary.csv's usable rows (host/analysis/rows.c's reading of it). */
static size_t usable_rows(const struct run_result *r, struct summary_row **rows)
{
    char err[256];
    size_t n = 0, k = 0;

    if (!summary_rows_read(r->run_dir, rows, &n, err, sizeof(err)))
        return (void)problem("%s", err), 0;
    for (size_t i = 0; i < n; i++)
        if (summary_row_usable(&(*rows)[i]))
            (*rows)[k++] = (*rows)[i];
    return k;
}

unsigned shapes_check_costmodel(const struct run_result *r)
{
    struct summary_row *rows = NULL;
    size_t nrows = usable_rows(r, &rows);
    unsigned n = 0, keys = 0;
    struct csv_table t;
    char key[96], other[96];

    if (!shapes_header_is(r, "costmodel.csv", COSTMODEL_HEADER) ||
        !csv_read(r, "costmodel.csv", &t)) {
        free(rows);
        return problem("costmodel.csv: missing, malformed or not COSTMODEL_HEADER");
    }
    for (size_t i = 0; i < nrows; i++) {
        size_t points = 0, j;
        int row = -1;

        summary_row_key(&rows[i], true, key, sizeof(key));
        for (j = 0; j < i; j++) {
            summary_row_key(&rows[j], true, other, sizeof(other));
            if (!strcmp(key, other))
                break;
        }
        if (j < i)
            continue;                      /* counted with its first row */
        keys++;
        for (j = i; j < nrows; j++) {
            summary_row_key(&rows[j], true, other, sizeof(other));
            points += !strcmp(key, other);
        }
        for (unsigned k = 0; k < t.nrows; k++)
            if (!strcmp(csv_cell(&t, k, "strategy"), key))
                row = (int)k;
        if (row < 0 || csv_num(&t, (unsigned)row, "points") != (double)points)
            n += problem("costmodel.csv: %s: %s points, summary.csv has %zu", key,
                         row < 0 ? "no row," : csv_cell(&t, (unsigned)row, "points"), points);
        else if (strcmp(csv_cell(&t, (unsigned)row, "r2"), "-") &&
                 !(csv_num(&t, (unsigned)row, "r2") >= 0 &&
                   csv_num(&t, (unsigned)row, "r2") <= 1))
            n += problem("costmodel.csv %s: r2 %s", key, csv_cell(&t, (unsigned)row, "r2"));
    }
    if (t.nrows != keys || !keys)
        n += problem("costmodel.csv: %u rows for %u strategies", t.nrows, keys);
    csv_free(&t);
    free(rows);
    return n;
}

unsigned shapes_check_decision(const struct run_result *r)
{
    struct summary_row *rows = NULL;
    size_t nrows = usable_rows(r, &rows);
    unsigned n = 0, cells = 0;
    struct csv_table t;

    if (!shapes_header_is(r, "decision.csv", DECISION_HEADER) ||
        !csv_read(r, "decision.csv", &t)) {
        free(rows);
        return problem("decision.csv: missing, malformed or not DECISION_HEADER");
    }
    for (size_t i = 0; i < nrows; i++) {
        uint64_t best = UINT64_MAX;
        size_t j;
        int row = -1;

        for (j = 0; j < i; j++)
            if (rows[j].targets == rows[i].targets && rows[j].pages == rows[i].pages &&
                !strcmp(rows[j].state, rows[i].state))
                break;
        if (j < i)
            continue;                      /* the cell was counted at its first row */
        cells++;
        for (j = i; j < nrows; j++)
            if (rows[j].targets == rows[i].targets && rows[j].pages == rows[i].pages &&
                !strcmp(rows[j].state, rows[i].state) && rows[j].p50 < best)
                best = rows[j].p50;
        for (unsigned k = 0; k < t.nrows; k++)
            if (csv_num(&t, k, "targets") == rows[i].targets &&
                csv_num(&t, k, "pages") == rows[i].pages &&
                !strcmp(csv_cell(&t, k, "state"), rows[i].state))
                row = row < 0 ? (int)k : -2;
        if (row < 0) {
            n += problem("decision.csv: %s rows for cell (%u, %u, %s)", row == -1 ? "no" : "two",
                         rows[i].targets, rows[i].pages, rows[i].state);
            continue;
        }
        const char *call = csv_cell(&t, (unsigned)row, "call");
        bool alone = !strcmp(csv_cell(&t, (unsigned)row, "runner_up"), "-");
        double bhi = csv_num(&t, (unsigned)row, "best_ci_hi_cyc");
        double rlo = csv_num(&t, (unsigned)row, "runner_ci_lo_cyc");

        if (csv_num(&t, (unsigned)row, "best_p50_cyc") != (double)best)
            n += problem("decision.csv (%u, %u, %s): best p50 %s, the cell's lowest %llu",
                         rows[i].targets, rows[i].pages, rows[i].state,
                         csv_cell(&t, (unsigned)row, "best_p50_cyc"), (unsigned long long)best);
        if (alone ? strcmp(call, "only-one") :
            !strcmp(call, "decisive") ? !(bhi >= 0 && rlo >= 0 && bhi < rlo) :
            !strcmp(call, "within-noise") ? !(bhi >= 0 && rlo >= 0 && bhi >= rlo) :
            strcmp(call, "no-ci"))
            n += problem("decision.csv (%u, %u, %s): call '%s' with runner-up %s, CIs %s %s",
                         rows[i].targets, rows[i].pages, rows[i].state, call,
                         csv_cell(&t, (unsigned)row, "runner_up"),
                         csv_cell(&t, (unsigned)row, "best_ci_hi_cyc"),
                         csv_cell(&t, (unsigned)row, "runner_ci_lo_cyc"));
    }
    if (t.nrows != cells || !cells)
        n += problem("decision.csv: %u rows for %u cells", t.nrows, cells);
    csv_free(&t);
    free(rows);
    return n;
}
