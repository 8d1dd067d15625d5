/* Records for runs on any hypervisor (bench/record-format.md). */
#ifndef BENCH_MEASURE_PORTABLE_H
#define BENCH_MEASURE_PORTABLE_H

#include <stdbool.h>
#include <stddef.h>

/* The `hypervisor` record (identity.c): after hv_init(), right after
 * `platform`. */
void emit_hypervisor(void);
/* One `sweeptext` record per line of text[0..len) (sweeptext.c), right
 * after `hello` in portable mode.  False (nothing more written) when a
 * line's encoding does not fit a record line. */
bool emit_sweeptext(const char *text, size_t len);

#endif
