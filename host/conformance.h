/* conformance.csv from the guest's conformance records (see conformance.c). */
#ifndef HOST_CONFORMANCE_H
#define HOST_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include "collect.h"

/* Writes RUN/conformance.csv when the guest ran the suite; true otherwise
 * too.  False with a message in err if the file cannot be written. */
bool conformance_write(const char *run_dir, const struct run_data *d, char *err, size_t errcap);

#endif
