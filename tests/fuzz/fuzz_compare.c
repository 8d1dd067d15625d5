/*
 * fuzz_compare: the loaders behind `hvflush compare` (compare_load.c:
 * meta.json through jansson, summary.csv, samples.csv, throughput.csv;
 * compare_boots.c and compare_boot_records.c: a --repeat run's boot-N
 * directories, from their tables or their records.txt and sweep.txt; the
 * environment (compare_env.c, meta.json) and what is not a timing
 * (compare_nontiming.c: verify.csv, conformance.csv, decision.csv, the
 * hv-flag results)), then the join, the bootstrap and every writer but the
 * plot, as compare_runs() does, for a baseline run A and a run B.
 *
 * Input: the files of parts[] below in order, separated by FUZZ_SEPARATOR
 * lines (fuzz_files.h); missing trailing parts are absent files.  The
 * metric is p50, p99 or throughput by the input's length modulo 3.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/compare_internal.h"
#include "analysis/compare_parts.h"
#include "fuzz_files.h"

static const char *const parts[] = {
    "a/meta.json", "a/summary.csv", "a/samples.csv", "a/throughput.csv", "a/verify.csv",
    "a/conformance.csv", "a/decision.csv",
    "b/meta.json", "b/summary.csv", "b/samples.csv", "b/throughput.csv", "b/verify.csv",
    "b/boot-2/sweep.txt", "b/boot-2/records.txt",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *scratch = fuzz_scratch();
    char a[4200], b[4200], out[4200], path[4300], err[512];
    const char *dirs[2] = { a, b };
    struct cmp_run runs[2];
    struct compare_opts o = { 0 };
    struct cmp_table t;
    bool loaded = true;
    FILE *devnull;

    fuzz_planted_crash(data, size);
    fuzz_write_parts(scratch, data, size, parts, sizeof(parts) / sizeof(parts[0]));
    snprintf(a, sizeof(a), "%s/a", scratch);
    snprintf(b, sizeof(b), "%s/b", scratch);
    snprintf(out, sizeof(out), "%s/out", scratch);
    o.runs = dirs;
    o.nruns = 2;
    o.threshold_pct = 5;
    o.metric = (enum compare_metric)(size % 3);
    o.out_dir = out;
    o.min_boots = 2;
    memset(runs, 0, sizeof(runs));
    for (unsigned r = 0; r < 2; r++)
        loaded = loaded && compare_load_run(dirs[r], &runs[r], err, sizeof(err));
    if (loaded && compare_join(&o, runs, &t, err, sizeof(err))) {
        compare_evaluate(&t);
        devnull = fopen("/dev/null", "w");
        compare_env(o.runs, o.nruns, devnull, devnull, &t.classes_differ);
        compare_write_text(devnull, &t);
        compare_write_html_table(devnull, &t);
        mkdir(out, 0700);
        compare_nontiming(o.runs, o.nruns, 0, out, devnull, devnull);
        snprintf(path, sizeof(path), "%s/compare.csv", out);
        compare_write_csv(path, &t);
        compare_exit_status(&t);
        fclose(devnull);
        compare_free_table(&t);
    }
    for (unsigned r = 0; r < 2; r++)
        compare_free_run(&runs[r]);
    return 0;
}
