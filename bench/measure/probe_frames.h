/* Probe frames and target tallies (see probe_frames.c). */
#ifndef BENCH_MEASURE_PROBE_FRAMES_H
#define BENCH_MEASURE_PROBE_FRAMES_H

#include <stdint.h>
#include <arch/paging.h>

/* The marker a fresh read must see, and the one a stale read would see. */
extern volatile uint64_t probe_expect[TEST_WINDOW_PAGES], probe_previous[TEST_WINDOW_PAGES];

struct tally { uint64_t fresh, stale, other; };

void probe_frames_init(void);
/* Re-points pages [first, first + count) to their other frame without
 * invalidating anywhere but on the calling CPU. */
void probe_repoint(uint32_t first, uint32_t count);
/* Zero, or add up into *t, the fresh/stale/other slots of CPUs
 * first_cpu..last_cpu (precision.c) or of the CPUs cpus[0..n) (verify.c:
 * the placed targets). */
void probe_clear_slots(uint32_t first_cpu, uint32_t last_cpu);
void probe_add_slots(uint32_t first_cpu, uint32_t last_cpu, struct tally *t);
void probe_clear_cpus(const uint32_t *cpus, uint32_t n);
void probe_add_cpus(const uint32_t *cpus, uint32_t n, struct tally *t);

#endif
