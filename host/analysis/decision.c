/*
 * The strategy decision map (see decision.h).
 */
#include "analysis/decision.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int cell_cmp(const void *pa, const void *pb)
{
    const struct decision_cell *a = pa, *b = pb;
    int s = strcmp(a->state, b->state);

    if (s)
        return s;
    if (a->pages != b->pages)
        return a->pages < b->pages ? -1 : 1;
    return a->targets < b->targets ? -1 : a->targets > b->targets;
}

static bool same_cell(const struct summary_row *r, const struct decision_cell *c)
{
    return r->targets == c->targets && r->pages == c->pages && !strcmp(r->state, c->state);
}

/* Whether row i beats row j (lower p50; ties by strategy key, then label). */
static bool faster(const struct summary_row *rows, int i, int j, const char *ki,
                   const char *kj)
{
    int k;

    if (j < 0)
        return true;
    if (rows[i].p50 != rows[j].p50)
        return rows[i].p50 < rows[j].p50;
    k = strcmp(ki, kj);
    return k ? k < 0 : strcmp(rows[i].label, rows[j].label) < 0;
}

#define CANDIDATES_MAX 64

/* Best and runner-up strategy of one cell: each strategy's fastest
 * configuration in the cell is its candidate; the two fastest candidates. */
static void decide(const struct summary_row *rows, size_t n, struct decision_cell *c)
{
    struct { char key[64]; int row; } cand[CANDIDATES_MAX];
    unsigned nc = 0, k;
    char key[64];

    for (size_t i = 0; i < n; i++) {
        if (!summary_row_usable(&rows[i]) || !same_cell(&rows[i], c))
            continue;
        summary_row_key(&rows[i], false, key, sizeof(key));
        for (k = 0; k < nc && strcmp(cand[k].key, key); k++)
            ;
        if (k == nc) {
            if (nc == CANDIDATES_MAX)
                continue;
            fmt(cand[nc].key, sizeof(cand[nc].key), "%s", key);
            cand[nc++].row = (int)i;
        } else if (faster(rows, (int)i, cand[k].row, key, key)) {
            cand[k].row = (int)i;
        }
    }
    c->best = c->runner = -1;
    for (k = 0; k < nc; k++) {
        if (faster(rows, cand[k].row, c->best, cand[k].key, c->best_key)) {
            c->runner = c->best;
            fmt(c->runner_key, sizeof(c->runner_key), "%s", c->best_key);
            c->best = cand[k].row;
            fmt(c->best_key, sizeof(c->best_key), "%s", cand[k].key);
        } else if (faster(rows, cand[k].row, c->runner, cand[k].key, c->runner_key)) {
            c->runner = cand[k].row;
            fmt(c->runner_key, sizeof(c->runner_key), "%s", cand[k].key);
        }
    }
    c->strategies = nc;
    if (c->runner < 0)
        c->call = "only-one";
    else if (!rows[c->best].have_ci || !rows[c->runner].have_ci)
        c->call = "no-ci";
    else
        c->call = rows[c->best].ci_hi < rows[c->runner].ci_lo ? "decisive" : "within-noise";
}

int decision_compute(const struct summary_row *rows, size_t n, struct decision_cell **cells)
{
    int count = 0;

    *cells = calloc(n ? n : 1, sizeof(**cells));
    if (!*cells)
        return -1;
    for (size_t i = 0; i < n; i++) {
        bool known = false;

        if (!summary_row_usable(&rows[i]))
            continue;
        for (int k = 0; k < count && !known; k++)
            known = same_cell(&rows[i], &(*cells)[k]);
        if (known)
            continue;
        (*cells)[count].targets = rows[i].targets;
        (*cells)[count].pages = rows[i].pages;
        fmt((*cells)[count].state, sizeof((*cells)[count].state), "%s", rows[i].state);
        count++;
    }
    qsort(*cells, (size_t)count, sizeof(**cells), cell_cmp);
    for (int k = 0; k < count; k++)
        decide(rows, n, &(*cells)[k]);
    return count;
}

static void put_side(FILE *f, const struct summary_row *rows, int i, const char *key)
{
    if (i < 0) {
        fputs("-,-,-,-,-,", f);
        return;
    }
    fprintf(f, "%s,%s,%" PRIu64 ",", key, rows[i].label, rows[i].p50);
    if (rows[i].have_ci)
        fprintf(f, "%" PRIu64 ",%" PRIu64 ",", rows[i].ci_lo, rows[i].ci_hi);
    else
        fputs("-,-,", f);
}

void decision_put_csv(FILE *f, const struct summary_row *rows,
                      const struct decision_cell *cells, int n)
{
    fprintf(f, "%s\n", DECISION_HEADER);
    for (int k = 0; k < n; k++) {
        const struct decision_cell *c = &cells[k];

        fprintf(f, "%" PRIu32 ",%" PRIu32 ",%s,", c->targets, c->pages, c->state);
        put_side(f, rows, c->best, c->best_key);
        put_side(f, rows, c->runner, c->runner_key);
        if (c->runner >= 0) {
            uint64_t m = rows[c->runner].p50 - rows[c->best].p50;

            fprintf(f, "%" PRIu64 ",", m);
            if (rows[c->best].p50)
                fprintf(f, "%.4f,", (double)m / (double)rows[c->best].p50);
            else
                fputs("-,", f);
        } else {
            fputs("-,-,", f);
        }
        fprintf(f, "%s,%u\n", c->call, c->strategies);
    }
}

/* Index (1-based) of v among the distinct values seen so far, added when new. */
static int rank_of(char (*seen)[64], int *nseen, const char *v)
{
    for (int i = 0; i < *nseen; i++)
        if (!strcmp(seen[i], v))
            return i + 1;
    fmt(seen[*nseen], 64, "%s", v);
    return ++*nseen;
}

/* x: the rank of c's target count among the cells' distinct counts. */
static int target_rank(const struct decision_cell *cells, int n, uint32_t targets)
{
    int rank = 1;

    for (int k = 0; k < n; k++) {
        bool first = true;

        for (int j = 0; j < k; j++)
            first &= cells[j].targets != cells[k].targets;
        rank += first && cells[k].targets < targets;
    }
    return rank;
}

void decision_put_plot_data(FILE *f, const struct summary_row *rows,
                            const struct decision_cell *cells, int n)
{
    char (*ys)[64] = calloc((size_t)n + 1, 64), (*ws)[64] = calloc((size_t)n + 1, 64);
    int ny = 0, nw = 0;

    if (!ys || !ws)
        goto out;
    for (int k = 0; k < n; k++) {
        const struct decision_cell *c = &cells[k];
        char yl[64];
        int y, w;

        fmt(yl, sizeof(yl), "p%" PRIu32 " %s", c->pages, c->state);
        y = rank_of(ys, &ny, yl);
        w = rank_of(ws, &nw, c->best_key);
        fprintf(f, "%d\t%d\t%d\t%d\t\"%" PRIu32 "\"\t\"%s\"\t\"%s",
                target_rank(cells, n, c->targets), y, w, !strcmp(c->call, "decisive"),
                c->targets, yl, c->best_key);
        if (c->runner >= 0 && rows[c->best].p50)
            fprintf(f, "\\n%s +%.0f%%", c->runner_key, 100.0 *
                    (double)(rows[c->runner].p50 - rows[c->best].p50) /
                    (double)rows[c->best].p50);
        fprintf(f, "\\n%s\"\n", c->call);
    }
out:
    free(ys);
    free(ws);
}
