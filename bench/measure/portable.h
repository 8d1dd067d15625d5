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

/* The sweep's text into text[0..cap): fw_cfg, else the `sweep` boot module
 * (portable mode) -- sweep_source.c.  Returns its length, or -1 (none). */
long sweep_source_read(char *text, size_t cap);

#endif
