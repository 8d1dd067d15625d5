/*
 * "hvflush report RUN [RUN ...]": one self-contained HTML file per call
 * (report.c).  The parts: the inliner (report_inline.c: files as base64
 * data: URIs, <img src> of an HTML fragment rewritten to inline data), the
 * warnings a reader must see first (report_warnings.c), the tables and
 * plots of one run (report_sections.c) and the page frame with its
 * self-check script (report_page.c).
 */
#ifndef HOST_ANALYSIS_REPORT_H
#define HOST_ANALYSIS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/* ---- report_inline.c ------------------------------------------------------ */

/* Base64 (RFC 4648, with padding) of buf[0..len); a heap string, NULL when
 * memory ran out. */
char *report_base64(const unsigned char *buf, size_t len);
/* The MIME type a data: URI gets for a file name: image/svg+xml, image/png,
 * image/jpeg, image/gif, text/plain for anything else. */
const char *report_mime_of(const char *path);
/* Writes "data:<mime>;base64,<file's bytes>" to out; false (errno set)
 * when the file cannot be read. */
bool report_put_data_uri(FILE *out, const char *path);
/* Writes html to out with every <img ... src="NAME" ...> whose NAME is a
 * plain relative file name (no scheme, no "/" at the start, no "..")
 * replaced by the file base_dir/NAME as a data: URI.  An image that cannot
 * be read keeps its src (the page's check then finds it broken) and is
 * counted in *missing.  Returns the number of images inlined. */
unsigned report_inline_imgs(FILE *out, const char *html, const char *base_dir,
                            unsigned *missing);

/* HTML-escapes s (& < > " ') onto out. */
void report_put_text(FILE *out, const char *s);

/* ---- report_warnings.c ---------------------------------------------------- */

struct report_warning {
    const char *kind;           /* "unpinned", "timing-class", "tsc", "noise",
                                   "ci-wide", "verification", "unsupported",
                                   "status", "tsc-skew" */
    char text[640];
};

struct report_warnings {
    struct report_warning *v;
    unsigned n, cap;
};

/* The warnings of one run: from meta (its meta.json) and run_dir's
 * summary.csv and verify.csv.  False only when memory ran out. */
bool report_warnings_collect(const char *run_dir, json_t *meta, struct report_warnings *w);
/* How many warnings of kind w holds. */
unsigned report_warnings_count(const struct report_warnings *w, const char *kind);
void report_warnings_free(struct report_warnings *w);

/* ---- report_csv.c --------------------------------------------------------- */

/* A CSV file read whole (RFC 4180 quoting). */
struct report_csv {
    unsigned ncols, nrows;
    char **cols;
    char ***rows;
};

/* False when the file is missing or unreadable. */
bool report_csv_read(const char *path, struct report_csv *t);
/* The column's index, -1 when absent. */
int report_csv_col(const struct report_csv *t, const char *name);
/* The field, "" where the column is absent. */
const char *report_csv_cell(const struct report_csv *t, unsigned row, const char *col);
void report_csv_free(struct report_csv *t);

/* ---- report_sections.c ---------------------------------------------------- */

/* Writes the sections of one run (environment, warnings, tables, plots). */
void report_run_sections(FILE *out, const char *run_dir, json_t *meta,
                         const struct report_warnings *w);
/* An HTML table of a CSV file, only the columns named in cols (all when
 * cols is NULL), rows with a "verdict"/"result" cell named in a class.
 * Writes a note instead when the file is absent. */
void report_csv_table(FILE *out, const char *path, const char *const *cols);
/* A plot: RUN/plots/NAME.png inlined in an <img>, with its caption. */
void report_plot(FILE *out, const char *path, const char *caption);

/* ---- report_page.c -------------------------------------------------------- */

/* The page's start (doctype, inline style) and end (the self-check script:
 * on load, every <img> complete with a natural width and every inline <svg>
 * with content, the outcome in <body data-report-check="ok|broken:N">
 * and, when broken, a console error). */
void report_page_start(FILE *out, const char *title);
void report_page_end(FILE *out);

#endif
