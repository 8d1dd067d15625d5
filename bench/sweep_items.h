/* Value parsers of the sweep parser's comma lists (bench/sweep_items.c). */
#ifndef BENCH_SWEEP_ITEMS_H
#define BENCH_SWEEP_ITEMS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

bool sweep_item_flush(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_state(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_input(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_scope(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_procs(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_onoff(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_placement(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_cpu(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_pages(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_targets(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_initiators(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_share(const char *s, size_t n, void *out, unsigned idx);

/* bench/sweep_initiators.c: the checks of a parsed measure line's
 * initiators=, share= and working-set= (each flag: the key was given).
 * False with err filled (err->lineno = l->lineno) when they do not hold. */
struct sweep_line;
struct sweep_error;
bool sweep_line_check_initiators(struct sweep_line *l, bool initiators, bool share,
                                 bool working_set, struct sweep_error *err);
/* bench/sweep_initiators.c: whether k initiators with count targets each
 * (share) fit a VM of ncpus CPUs with the first initiator at CPU first;
 * false with err filled (the line, the vCPUs needed) when not. */
/* bench/sweep_initiators.c: the initiator counts of line l on ncpus CPUs
 * (initiators=pow2 gives 1, 2, 4 ... up to ncpus and 16) into ks[], with
 * adaptive[i] set where a count came from pow2 alone: such a configuration
 * is dropped, not refused, where it does not fit
 * (sweep_initiators_config_fits()).  Returns the number of counts. */
unsigned sweep_line_initiator_counts(const struct sweep_line *l, unsigned ncpus,
                                     uint32_t *ks, bool *adaptive, unsigned cap);
struct sweep_config;
bool sweep_initiators_config_fits(const struct sweep_config *c, unsigned ncpus);
bool sweep_initiators_fit(const struct sweep_line *l, unsigned ncpus, const uint32_t *counts,
                          unsigned ncounts, struct sweep_error *err);
bool sweep_item_spaces(const char *s, size_t n, void *out, unsigned idx);
bool sweep_item_ipi_call(const char *s, size_t n, void *out, unsigned idx);

/* bench/sweep_defaults.c: a measure line's key defaults, before its keys. */
struct sweep_line;
void sweep_line_defaults(struct sweep_line *l);

#endif
