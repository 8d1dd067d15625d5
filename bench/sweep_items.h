/* Value parsers of the sweep parser's comma lists (bench/sweep_items.c). */
#ifndef BENCH_SWEEP_ITEMS_H
#define BENCH_SWEEP_ITEMS_H

#include <stddef.h>
#include <stdbool.h>

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
bool sweep_item_ipi_call(const char *s, size_t n, void *out, unsigned idx);

#endif
