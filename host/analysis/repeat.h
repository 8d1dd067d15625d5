/*
 * `hvflush run --repeat R`: the same sweep booted R times.  Boot 1 is the
 * run itself (its files at the top of the run directory, as with R = 1);
 * boots 2..R each leave their records and logs in RUN/boot-N/.  repeat.csv
 * gives, per configuration, the p50 of every boot and their between-boot
 * variation.
 */
#ifndef HOST_REPEAT_H
#define HOST_REPEAT_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "analysis/collect.h"

/* Between-boot variation of one configuration's p50s (ns); NAN entries
 * (a boot without samples for it) are left out. */
struct repeat_stat {
    unsigned n;                 /* boots with a p50 */
    double mean, sd;            /* sd: sample standard deviation (n - 1); 0 when n < 2 */
    double cv;                  /* sd / mean; NAN when n < 2 or mean == 0 */
    double min, max;
};
void repeat_stat_compute(const double *p50, unsigned boots, struct repeat_stat *s);

struct repeat_table {
    unsigned boots, nconfigs;
    double *p50_ns;             /* [config * boots + boot], NAN where missing */
    unsigned failed_boots;
    char first_failure[256];
};
bool repeat_init(struct repeat_table *t, unsigned boots, unsigned nconfigs);
/* Takes boot's (0-based) p50 of every configuration from d. */
void repeat_add_boot(struct repeat_table *t, unsigned boot, const struct run_data *d);
void repeat_free(struct repeat_table *t);

/* RUN/repeat.csv: id,label,boots,mean_p50_ns,cv,min_p50_ns,max_p50_ns,
 * p50_ns_per_boot (';'-separated, boot 1 first, empty where missing). */
bool repeat_write(const char *run_dir, const struct repeat_table *t, const struct run_data *d,
                  char *err, size_t errcap);
/* One line: the boots and the median and largest between-boot CV. */
void repeat_print(FILE *f, const struct repeat_table *t, const struct run_data *d);
json_t *repeat_json(const struct repeat_table *t);

#endif
