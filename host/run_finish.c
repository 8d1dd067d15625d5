/*
 * "hvflush run", part three (and the end of "hvflush import"): turn the
 * launch's outcome and the collector's findings into the run's status,
 * write summary.csv and the other tables, meta.json and `latest`, print the
 * closing tables and return the exit status (import.h, run_finish).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "analysis/analysis.h"
#include "analysis/conformance.h"
#include "analysis/noise.h"
#include "analysis/pairwise.h"
#include "analysis/ratio.h"
#include "analysis/summary.h"
#include "analysis/throughput.h"
#include "analysis/tsc_skew.h"
#include "analysis/verdicts.h"
#include "guest_fault.h"
#include "import.h"
#include "paths.h"
#include "run.h"
#include "util.h"

/* Turns the launch outcome and the collector's findings into a status. */
static void conclude(struct run_info *ri)
{
    /* With no records at all, the launch failure says everything. */
    if (ri->data.failed && !(ri->reason[0] && ri->data.stream.lines == 0)) {
        if (ri->reason[0])
            append(ri->reason, sizeof(ri->reason), "; ");
        append(ri->reason, sizeof(ri->reason), "%s", ri->data.reason);
    }
    guest_fault_note(ri->run_dir, ri->reason, sizeof(ri->reason));
    ri->status = ri->reason[0] ? "failed" : "ok";
    ri->end = time(NULL);
}

int run_finish(struct run_info *ri)
{
    struct ratio_row ratio[RATIO_ROWS_MAX];
    struct analysis_counts analysis;
    struct pairwise_counts pairwise;
    unsigned nratio;
    struct verdict_counts counts;
    struct noise_measured noise;
    char err[512];
    bool ok;

    /* A deleted run directory: every write would fail or land elsewhere. */
    if (run_guard_said_gone(&ri->guard))
        return 1;
    conclude(ri);
    if (!noise_measure(&ri->data, &ri->hostload, &noise))
        hv_err("out of memory assessing the run's noise");
    ri->data.noise_host_load = (noise_classify(&noise) & NOISE_HOST_LOAD) != 0;
    /* A refused write is kept in ri->store and said once, in the run's
     * reason (run_store.h). */
    if (!summary_write(ri->run_dir, &ri->data, ri->tc, err, sizeof(err)))
        run_store_note(&ri->store, err);
    if (!throughput_write(ri->run_dir, &ri->data, ri->tc, err, sizeof(err)))
        run_store_note(&ri->store, err);
    nratio = ratio_compute(&ri->data, ratio, RATIO_ROWS_MAX);
    if (!ratio_write(ri->run_dir, &ri->data, ri->tc, ratio, nratio, err, sizeof(err)))
        run_store_note(&ri->store, err);
    if (!ri->store.nerrors && !analysis_write(ri->run_dir, NULL, &analysis, err, sizeof(err)))
        run_store_note(&ri->store, err);
    run_store_settle(ri);
    if (!run_store_write_meta(ri, err, sizeof(err)))
        hv_err("%s", err);
    /* After meta.json: pairwise.csv's axis order is its pinning map's. */
    if (!ri->store.nerrors && !pairwise_write(ri->run_dir, NULL, &pairwise, err, sizeof(err)))
        hv_err("%s", err);
    if (!results_update_latest(ri->out, ri->run_id, err, sizeof(err)))
        hv_err("cannot update latest: %s", err);
    ok = !strcmp(ri->status, "ok");
    summary_print(stdout, &ri->data, ri->tc);
    noise_print(stdout, &noise, &ri->hostload);
    ratio_print(stdout, &ri->data, ri->tc, ratio, nratio);
    analysis_print(stdout, &analysis);
    pairwise_print(stdout, &pairwise);
    if (ri->repeat.boots > 1) {
        if (!repeat_write(ri->run_dir, &ri->repeat, &ri->data, err, sizeof(err)))
            hv_err("%s", err);
        repeat_print(stdout, &ri->repeat, &ri->data);
    }
    conformance_print(stdout, ri->run_dir, &ri->data, NULL);
    verdicts_count(&ri->data, &counts);
    if (!ok)
        hv_err("run failed: %s", ri->reason);
    printf("run: %s (%s)\n", paths_display(ri->run_dir), ri->status);
    verdicts_print(stdout, &counts);
    channels_print(stdout, &ri->channels, &ri->data);
    tsc_skew_print(stdout, &ri->data);
    fflush(stdout);
    /* In the lab, L1's run's bad input (exit 2, e.g. a --cpu or --hv that
     * L1's KVM refused) passes through; a verdict's exit status 3 follows
     * from the adopted records like any run's. */
    if (ri->lab && ri->lab->l1_run_status == 2)
        return 2;
    if (ok && verdicts_exit_status(&counts))
        hv_err("%u configuration%s failed verification, %u ended in error (exit status %d)",
               counts.fail, counts.fail == 1 ? "" : "s", counts.error, HVFLUSH_EXIT_VERDICT);
    return ok ? verdicts_exit_status(&counts) : 1;
}

