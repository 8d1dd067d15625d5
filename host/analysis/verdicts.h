/*
 * The run's verdicts counted per kind: the terminal's closing line, the
 * `verdicts` object of meta.json, and the exit status they imply (3 when
 * any configuration reads fail or error).
 */
#ifndef HOST_VERDICTS_H
#define HOST_VERDICTS_H

#include <stdio.h>
#include <jansson.h>
#include "analysis/collect.h"

#define HVFLUSH_EXIT_VERDICT 3   /* complete run with a fail or error verdict */

struct verdict_counts {
    unsigned pass, inconclusive, fail, error, unsupported;
    /* CPUs the guest listed that never came up (the `platform` record's
     * `missing`, "" when none): the run's exit status is 3 then too. */
    char missing_cpus[128];
};

void verdicts_count(const struct run_data *d, struct verdict_counts *out);
/* "verdicts: 10 pass, 2 inconclusive, 0 fail, 0 error, 3 unsupported" */
void verdicts_print(FILE *out, const struct verdict_counts *v);
json_t *verdicts_json(const struct verdict_counts *v);
/* The exit status of a run that was otherwise ok: 0, or 3 with a fail or
 * error verdict or a CPU that never came up. */
int verdicts_exit_status(const struct verdict_counts *v);

#endif
