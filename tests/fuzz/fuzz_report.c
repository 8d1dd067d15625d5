/*
 * fuzz_report: the readers of one run directory's meta.json and CSV files
 * behind `hvflush report`, `hvflush runs` and the plot data `report` has
 * `plot` make: meta.json through jansson into the report's warnings
 * (report_warnings.c) and sections (report_sections.c, the CSV tables via
 * report_csv.c), the runs listing (runs.c: meta.json and summary.csv's
 * verdicts), the plot data of summary.csv, samples.csv, throughput.csv and
 * interference.csv (plotdata.c, plotdata_load.c) and the cost model and
 * decision map read from summary.csv (analysis.c over rows.c), whose
 * decision.csv and costmodel.csv the report then reads back.
 *
 * Input: the run's files, separated by FUZZ_SEPARATOR lines (fuzz_files.h),
 * in the order of parts[] below; missing trailing parts are absent files.
 * The run directory is results/RUN_ID inside the scratch directory.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#include "analysis/analysis.h"
#include "analysis/plotdata.h"
#include "analysis/plotdata_load.h"
#include "analysis/report.h"
#include "commands.h"
#include "fuzz_files.h"

#define RUN "results/20261127-120000-tcg-smp2"

static const char *const parts[] = {
    RUN "/meta.json", RUN "/summary.csv", RUN "/verify.csv", RUN "/conformance.csv",
    RUN "/samples.csv", RUN "/throughput.csv", RUN "/interference.csv", RUN "/ratio.csv",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool quiet;
    const char *scratch = fuzz_scratch();
    char run[4200], results[4200], plots[4300], path[4400], err[256];
    char *argv[] = { "runs", results, NULL };
    struct report_warnings w = { 0 };
    struct plot_data pd = { 0 };
    struct plot_data_load pl = { 0 };
    struct analysis_counts counts;
    json_t *meta;
    FILE *devnull;

    if (!quiet) {
        fuzz_quiet();
        quiet = true;
    }
    fuzz_planted_crash(data, size);
    fuzz_write_parts(scratch, data, size, parts, sizeof(parts) / sizeof(parts[0]));
    snprintf(run, sizeof(run), "%s/" RUN, scratch);
    snprintf(results, sizeof(results), "%s/results", scratch);
    snprintf(plots, sizeof(plots), "%s/plots-data", scratch);
    snprintf(path, sizeof(path), "%s/meta.json", run);

    /* hvflush runs RESULTS */
    runs_command(2, argv);

    /* The plot data and analyses `hvflush plot` derives from the CSVs. */
    mkdir(plots, 0700);
    if (plot_data_prepare(run, plots, &pd, err, sizeof(err)))
        plot_data_free(&pd);
    if (plot_data_load_prepare(run, plots, &pl, err, sizeof(err)))
        plot_data_load_free(&pl);
    analysis_write(run, plots, &counts, err, sizeof(err));

    /* hvflush report RUN: meta.json, warnings, sections. */
    meta = json_load_file(path, 0, NULL);
    if (meta && json_is_object(meta)) {
        devnull = fopen("/dev/null", "w");
        if (report_warnings_collect(run, meta, &w))
            report_run_sections(devnull, run, meta, &w);
        report_warnings_free(&w);
        fclose(devnull);
    }
    json_decref(meta);
    return 0;
}
