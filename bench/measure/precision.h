/* The precision checks' shared parts (precision.c, precision_as.c). */
#ifndef BENCH_MEASURE_PRECISION_H
#define BENCH_MEASURE_PRECISION_H

#include <stdint.h>
#include <bench/sweep.h>

#define PRECISION_ROUNDS 8

/* One check's tally: reads of the old frame (kept), of the new (lost),
 * of neither (other); rounds completed; why it stopped early, or NULL. */
struct check_count { uint64_t kept, lost, other; uint32_t rounds; const char *problem; };

/* Emits the check's `precision` record, judging kept/lost/inconclusive. */
void precision_emit(const struct sweep_config *c, const char *check,
                    const struct check_count *k);
/* other-as with pcid=on, scope=cr3 or other (precision_as.c). */
void precision_other_as_pcid(const struct sweep_config *c);

#endif
