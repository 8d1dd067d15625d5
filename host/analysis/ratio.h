/*
 * "Hypercall or IPI, and by how much": for every target count that has both
 * a flush hypercall and an IPI shootdown measured, the best (lowest p50)
 * configuration of each family and their ratio.  Printed as the last lines
 * of the end-of-run table and written to ratio.csv.
 */
#ifndef HOST_RATIO_H
#define HOST_RATIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "accel.h"
#include "analysis/collect.h"

#define RATIO_HEADER \
    "targets,hv_label,hv_p50_cyc,hv_p50_ns,ipi_label,ipi_p50_cyc,ipi_p50_ns,hv_over_ipi," \
    "timing_class"

#define RATIO_ROWS_MAX 256

/* One target count's comparison.  hv/ipi index d->configs; -1 when that
 * family has no usable configuration at this target count. */
struct ratio_row {
    uint32_t targets;
    int hv, ipi;
    uint64_t hv_p50, ipi_p50;   /* cycles */
};

/* Fills rows[] (ascending target count) and returns how many target counts
 * have at least one usable configuration of either family.  A configuration
 * is usable when it has samples and neither an error nor a failed or
 * erroneous verification: a flush that did not take effect is not a
 * candidate for "best". */
unsigned ratio_compute(const struct run_data *d, struct ratio_row *rows, unsigned max);

/* The ratio lines of the end-of-run table, from rows[0..n) of ratio_compute(). */
void ratio_print(FILE *out, const struct run_data *d, const struct timing_class *tc,
                 const struct ratio_row *rows, unsigned n);

/* RUN/ratio.csv from rows[0..n); false with a message in err. */
bool ratio_write(const char *run_dir, const struct run_data *d,
                 const struct timing_class *tc, const struct ratio_row *rows, unsigned n,
                 char *err, size_t errcap);

#endif
