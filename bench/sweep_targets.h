/* Target sets of a sweep line (bench/sweep_targets.c), for sweep_expand(). */
#ifndef BENCH_SWEEP_TARGETS_H
#define BENCH_SWEEP_TARGETS_H

#include <bench/sweep.h>

/* Resolves line l's targets= list on ncpus CPUs into (count, set) pairs,
 * without duplicates, in the list's order: counts as given, pow2 and
 * all-but-self up to the fewest CPUs any of the line's initiator and
 * placement pairs reaches, null (0), self (1) and all (ncpus).  Returns
 * how many, or -1 with err filled (the line number and why). */
int sweep_line_targets(const struct sweep_line *l, unsigned ncpus, uint32_t *counts,
                       enum target_set *sets, unsigned max, struct sweep_error *err);

/* Parse-time checks of a measure line's target-related keys (flush_given,
 * ipi_call_given: whether the line has those keys); false with err filled
 * (the line number and why). */
bool sweep_line_check_targets(const struct sweep_line *l, bool flush_given,
                              bool ipi_call_given, struct sweep_error *err);

/* Copies to c what its target set and placement pi of line l add: the set,
 * the stride, the CPU list, the IPI call; null and self are not verified
 * (nothing to verify on no target; the probe's re-pointing invalidates
 * the initiator's own entry). */
void sweep_config_set_targets(struct sweep_config *c, const struct sweep_line *l, unsigned pi,
                              enum target_set set);

#endif
