/*
 * Where compare's non-timing tables come from (host/analysis/compare_sources.c):
 * each loader fills one run's column of a side-by-side table
 * (compare_table.h) from that run's files, or marks the column absent.
 */
#ifndef HOST_ANALYSIS_COMPARE_SOURCES_H
#define HOST_ANALYSIS_COMPARE_SOURCES_H

#include "analysis/compare_table.h"

/* Calls fn for each data row of dir/file with the fields of the columns
 * named in cols (by the header line; a name starting with '=' is that
 * text itself, a constant), in that order.  Returns 1 when read, 0 when
 * the file or a named column is absent. */
typedef void (*cmp_csv_row_fn)(void *ctx, const char *const *fields);
int cmp_csv_rows(const char *dir, const char *file, const char *const *cols, unsigned ncols,
                 cmp_csv_row_fn fn, void *ctx);

/* Keys (label, check): check `verify` holds the configuration's
 * verification verdict (verify.csv, else summary.csv's verdict column;
 * configurations without one left out), a precision check's name
 * (non-target, unlisted, global, other-as) its result (meta.json
 * guest.precision, the configuration named by summary.csv's label). */
void cmp_load_verify(struct cmp_table *t, unsigned run, const char *dir);
/* Key case: conformance.csv's outcome (the status, the fault or `refused`). */
void cmp_load_conformance(struct cmp_table *t, unsigned run, const char *dir);
/* Key flag: `accepted`, `refused` or `not-probed`, from meta.json
 * hyperv_flags (every flag requested, accepted or refused). */
void cmp_load_flags(struct cmp_table *t, unsigned run, const char *dir);
/* Keys (targets, pages, state): decision.csv's best strategy. */
void cmp_load_decision(struct cmp_table *t, unsigned run, const char *dir);

#endif
