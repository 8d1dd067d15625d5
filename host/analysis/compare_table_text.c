/*
 * The text form of compare's side-by-side tables (see compare_table.h):
 * columns as wide as their widest cell (in code points, so that the
 * CMP_DIFF_MARK counts one), or one block per row when the table would be
 * wider than CMP_TEXT_WIDTH_MAX.
 */
#include "analysis/compare_table.h"

#include <string.h>

#include "util.h"

/* Columns a UTF-8 string takes (one per code point). */
static size_t text_width(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

static void put_padded(FILE *f, const char *s, size_t width, bool last)
{
    fputs(s, f);
    if (!last)
        for (size_t w = text_width(s); w < width + 2; w++)
            fputc(' ', f);
}

/* The text of a cell: the value, marked when it differs. */
static void cell_text(const struct cmp_table *t, const struct cmp_row *r, unsigned run,
                      char *out, size_t cap)
{
    fmt(out, cap, "%s%s", cmp_cell_differs(t, r, run) ? CMP_DIFF_MARK " " : "",
        cmp_cell(t, r, run));
}

static bool row_shown(const struct cmp_row *r, bool all_rows)
{
    return all_rows || r->differs;
}

/* A column head: a key's name, or a run's name (the reference's marked). */
static void head_text(const struct cmp_table *t, const char *const *names, unsigned c,
                      char *out, size_t cap)
{
    if (c < t->nkeys)
        fmt(out, cap, "%s", t->key_names[c]);
    else if (c - t->nkeys == t->ref && t->ref_word)
        fmt(out, cap, "%s (%s)", names[c - t->nkeys], t->ref_word);
    else
        fmt(out, cap, "%s", names[c - t->nkeys]);
}

static void body_text(const struct cmp_table *t, const struct cmp_row *r, unsigned c,
                      char *out, size_t cap)
{
    if (c < t->nkeys)
        fmt(out, cap, "%s", r->key[c]);
    else
        cell_text(t, r, c - t->nkeys, out, cap);
}

/* Too wide for a table: each row as its keys, then one line per run. */
static void text_blocks(const struct cmp_table *t, FILE *f, const char *const *names,
                        bool all_rows)
{
    size_t name_width = 0;
    char cell[512];

    for (unsigned run = 0; run < t->nruns; run++) {
        head_text(t, names, t->nkeys + run, cell, sizeof(cell));
        if (text_width(cell) > name_width)
            name_width = text_width(cell);
    }
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *r = &t->rows[i];

        if (!row_shown(r, all_rows))
            continue;
        fputs(" ", f);
        for (unsigned k = 0; k < t->nkeys; k++)
            fprintf(f, " %s", r->key[k]);
        fputc('\n', f);
        for (unsigned run = 0; run < t->nruns; run++) {
            fputs("    ", f);
            head_text(t, names, t->nkeys + run, cell, sizeof(cell));
            put_padded(f, cell, name_width, false);
            body_text(t, r, t->nkeys + run, cell, sizeof(cell));
            fprintf(f, "%s\n", cell);
        }
    }
}

void cmp_table_text(const struct cmp_table *t, FILE *f, const char *const *names,
                    bool all_rows)
{
    unsigned ncols = t->nkeys + t->nruns, differing = 0, partial = 0, shown = 0;
    size_t width[CMP_KEYS_MAX + 64] = { 0 }, total = 0;
    char cell[512];

    if (!f)
        return;
    if (ncols > sizeof(width) / sizeof(width[0]))
        ncols = sizeof(width) / sizeof(width[0]);
    for (unsigned c = 0; c < ncols; c++) {
        head_text(t, names, c, cell, sizeof(cell));
        width[c] = text_width(cell);
    }
    for (unsigned i = 0; i < t->nrows; i++) {
        const struct cmp_row *r = &t->rows[i];

        differing += r->differs != 0;
        partial += cmp_row_partial(t, r);
        if (!row_shown(r, all_rows))
            continue;
        shown++;
        for (unsigned c = 0; c < ncols; c++) {
            body_text(t, r, c, cell, sizeof(cell));
            if (text_width(cell) > width[c])
                width[c] = text_width(cell);
        }
    }
    for (unsigned c = 0; c < ncols; c++)
        total += width[c] + 2;
    fprintf(f, "%s: %s\n", t->title, t->what);
    if (shown && total > CMP_TEXT_WIDTH_MAX) {
        text_blocks(t, f, names, all_rows);
    } else if (shown) {
        for (unsigned i = 0; i <= t->nrows; i++) {
            if (i && !row_shown(&t->rows[i - 1], all_rows))
                continue;
            fputs("  ", f);
            for (unsigned c = 0; c < ncols; c++) {
                if (i)
                    body_text(t, &t->rows[i - 1], c, cell, sizeof(cell));
                else
                    head_text(t, names, c, cell, sizeof(cell));
                put_padded(f, cell, width[c], c + 1 == ncols);
            }
            fputc('\n', f);
        }
    }
    fprintf(f, "  %u of %u rows differ", differing, t->nrows);
    if (t->ref_word)
        fprintf(f, " from the %s", t->ref_word);
    if (partial)
        fprintf(f, "; %u not in every run", partial);
    for (unsigned run = 0; run < t->nruns; run++)
        if (t->absent[run])
            fprintf(f, "; %s: %s", names[run], CMP_ABSENT);
    fputc('\n', f);
}
