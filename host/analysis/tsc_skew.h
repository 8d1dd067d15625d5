/*
 * The guest's cross-vCPU TSC skew (`tscskew` records, one per CPU but 0;
 * bench/measure/tsc_skew.c): kept in the collector's guest object, summed
 * up for meta.json and the terminal.
 */
#ifndef HOST_TSC_SKEW_H
#define HOST_TSC_SKEW_H

#include <stdio.h>
#include <jansson.h>

#include "analysis/collect.h"

/* Appends one tscskew record to d->guest's "tsc_skew" array. */
void tsc_skew_collect(struct run_data *d, const struct record *r);
/* meta.json's "tsc_skew": the worst offset and uncertainty, the CPUs whose
 * bounds were inconsistent, the platform's tsc_invariant, and per_cpu. */
json_t *tsc_skew_json(const struct run_data *d);
/* One line: "tsc skew vs CPU 0: ..."; nothing without records. */
void tsc_skew_print(FILE *f, const struct run_data *d);

#endif
