/*
 * Data for the plots of a run under load (plot/throughput.gp and
 * plot/interference.gp): read from throughput.csv and interference.csv,
 * written beside plotdata.c's files under RUN/plots/data/.
 */
#ifndef HOST_PLOTDATA_LOAD_H
#define HOST_PLOTDATA_LOAD_H

#include <stdbool.h>
#include <stddef.h>

struct plot_data_load {
    unsigned ntp;               /* tp-1.dat ...: initiators aggregate_per_s
                                   mean_per_initiator_per_s, one file per series
                                   (a throughput label without its "/k<N>") */
    char *tp_titles;            /* space-separated, one word per series */
    unsigned ninterf;           /* rows of interference.dat: index "label cpu N"
                                   cycles_lost_per_flush refill_cycles */
};

/* Writes the files for what the run has (a run without throughput.csv or
 * interference.csv gives ntp == 0 or ninterf == 0).  False with a message
 * in err when a file cannot be written. */
bool plot_data_load_prepare(const char *run_dir, const char *data_dir,
                            struct plot_data_load *pl, char *err, size_t errcap);
void plot_data_load_free(struct plot_data_load *pl);

#endif
