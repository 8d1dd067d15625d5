/* The pairs= key of a measure line (bench/sweep_pairs.c), for the parser
 * (bench/sweep.c), the expansion and the label (bench/sweep_expand.c). */
#ifndef BENCH_SWEEP_PAIRS_H
#define BENCH_SWEEP_PAIRS_H

#include <bench/sweep.h>

/* The key bit of pairs= among a measure line's keys (bench/sweep.c). */
#define SWEEP_KEY_PAIRS (1u << 21)

/* Parses "pairs=VALUE" into l when key is "pairs" (returns true, with
 * *bit, *ok and the error text *bad set as the parser wants them); false
 * for any other key. */
bool sweep_pairs_line_key(struct sweep_line *l, const char *key, size_t kn, const char *val,
                          size_t vn, unsigned *bit, bool *ok, const char **bad);

/* Parse-time checks of a line with pairs=all: a strategy with targets, and
 * none of the keys that name initiators or targets (conflict: the name of
 * one such key the line has -- targets, initiator, placement, initiators,
 * share -- or NULL).  False with err filled (the line number and why). */
bool sweep_pairs_check_line(const struct sweep_line *l, const char *conflict,
                            struct sweep_error *err);

/* How many per-pair lines sweep_pairs_line() gives for line l on ncpus
 * CPUs: 1 for a line without pairs=all (the line itself), ncpus x
 * (ncpus - 1) with it (0 on one vCPU). */
unsigned sweep_pairs_count(const struct sweep_line *l, unsigned ncpus);

/* Line l itself without pairs=all; with it, the k-th ordered pair's line
 * written into *scratch: initiator i = k / (ncpus - 1), target the j-th
 * of the other CPUs (j = k % (ncpus - 1), skipping i), as initiator=i
 * placement=cpus:J targets=1. */
const struct sweep_line *sweep_pairs_line(const struct sweep_line *l, unsigned ncpus,
                                          unsigned k, struct sweep_line *scratch);

/* Refuses a pairs=all line whose pairs, times the configurations each
 * pair expands to, do not fit beside the `used` configurations before it
 * in at most `limit`: false with err filled (the line, the counts). */
bool sweep_pairs_fit(const struct sweep_line *l, unsigned ncpus, unsigned used,
                     unsigned limit, struct sweep_error *err);

/* Appends a pair configuration's label part, "/i2-t1" (initiator CPU 2,
 * target CPU 1), which stands where other configurations have "/tN". */
void sweep_pairs_label(const struct sweep_config *c, char *buf, size_t n);

#endif
