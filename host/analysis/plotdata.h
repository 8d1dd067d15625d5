/*
 * Data for the plot scripts: reads a run's summary.csv and samples.csv and
 * writes small per-series and per-configuration files under
 * RUN/plots/data/, so that the gnuplot scripts stay simple.
 */
#ifndef HOST_PLOTDATA_H
#define HOST_PLOTDATA_H

#include <stdbool.h>
#include <stddef.h>

/* What the scripts are told about the files (passed with gnuplot -e). */
struct plot_data {
    unsigned nseries;           /* series-1.dat ... : targets p10 p50 p90 p99 (ns) */
    char *series_titles;        /* space-separated, one word per series */
    unsigned nconfigs;          /* cdf-1.dat ... : one latency (ns) per line */
    char *config_titles;        /* space-separated, one word per configuration */
    bool logy;                  /* the latency range calls for a log y axis */
    bool logx_cdf;              /* the sample range calls for a log x axis */
    unsigned max_targets;
};

/* Reads run_dir's CSVs and writes data_dir/NAME.dat.  Returns false with a
 * message in err; a run without configurations gives nseries == 0. */
bool plot_data_prepare(const char *run_dir, const char *data_dir, struct plot_data *pd,
                       char *err, size_t errcap);
void plot_data_free(struct plot_data *pd);

#endif
