/*
 * The noise assessment of a run: is what it measured clean, or was it
 * disturbed?  From three kinds of measurement, each with a documented
 * threshold (results/README.md, "Noise"):
 *   host-load     what the host saw while QEMU ran (host/hostload.h): CPU
 *                 time of other processes >= 25 % of the host's capacity,
 *                 the host's steal >= 5 %, or QEMU's vCPU threads waiting
 *                 on a run queue >= 10 % of the time they were runnable;
 *   timer-spread  the guest's empty timed region: (p99 - p1) / p50 >= 0.5,
 *                 or any configuration noise-dominated (its p50 <= the
 *                 timer's p99 - p1, bench/timing.c);
 *   wide-ci       any configuration whose median's 95 % CI half-width is
 *                 > 5 % of its p50, or that missed the sweep's ci-target,
 *                 or that the guest stopped short of it (ci_wide).
 * The run is "noisy" with the reasons that hold, "clean" otherwise; a
 * measurement that is missing (an imported log has no host view, a guest
 * without timer spread) is reported as not measured and adds no reason.
 * Per configuration, summary.csv's last column `noise` lists the reasons
 * that hold for it ("host-load" is the run's, for every row), ';'-separated,
 * "" when none.
 */
#ifndef HOST_ANALYSIS_NOISE_H
#define HOST_ANALYSIS_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "analysis/collect.h"
#include "analysis/figures.h"
#include "analysis/stats.h"
#include "hostload.h"

#define NOISE_OTHERS_CPU_MAX   0.25   /* others' CPU time / host capacity */
#define NOISE_STEAL_MAX        0.05   /* host steal / host capacity */
#define NOISE_VCPU_WAIT_MAX    0.10   /* vCPU run-queue wait / (run + wait) */
#define NOISE_TIMER_SPREAD_MAX 0.5    /* timer (p99 - p1) / p50 */
#define NOISE_CI_REL_MAX       0.05   /* CI half-width / p50 */

/* The reasons, as bits and names ("host-load", "timer-spread", "wide-ci"). */
enum {
    NOISE_HOST_LOAD = 1u << 0,
    NOISE_TIMER_SPREAD = 1u << 1,
    NOISE_WIDE_CI = 1u << 2,
};

/* What the assessment reads; a fraction < 0 is "not measured". */
struct noise_measured {
    double others_cpu, steal, vcpu_wait;
    bool have_timer;                    /* the timer record carried p1 and p99 */
    uint64_t timer_p1, timer_p50, timer_p99;
    unsigned configs;                   /* configurations with samples */
    unsigned wide_ci, noise_dominated;  /* of those */
    double ci_rel_max;                  /* the widest CI half-width / p50; -1: none */
};

/* The reasons (NOISE_* bits) that hold for m. */
unsigned noise_classify(const struct noise_measured *m);
/* The timer's (p99 - p1) / p50; -1 without timer spread or with p50 0. */
double noise_timer_spread(const struct noise_measured *m);

/* The reasons of one configuration: host_load (the run's), its
 * noise-dominated flag, and its CI figures g and the guest's ci_wide. */
unsigned noise_config(bool host_load, bool noise_dominated, const struct config_figures *g,
                      bool guest_ci_wide);
/* Writes the names of the bits in reasons, ';'-separated ("" for none). */
void noise_names(unsigned reasons, char *out, size_t cap);

/* Writes the noise column of configuration c of run d (its statistics s
 * and figures g): its reasons' names, "" for none or without samples. */
void noise_put_config(FILE *f, const struct run_data *d, const struct config_result *c,
                      const struct latency_stats *s, const struct config_figures *g);

/* Fills m from a run's records (d) and the host's view (h, NULL: none).
 * False when memory ran out. */
bool noise_measure(const struct run_data *d, const struct hostload *h,
                   struct noise_measured *m);

/* meta.json's "noise" object: verdict, reasons, thresholds, the measured
 * values (h NULL: host not measured). */
json_t *noise_json(const struct noise_measured *m, const struct hostload *h);

/* The end-of-run line: "noise: clean" or "noise: noisy (reasons): the
 * measured values". */
void noise_print(FILE *out, const struct noise_measured *m, const struct hostload *h);

/* ---- noise_meta.c: the assessment read back from meta.json --------------- */

/* meta.json's noise.verdict ("clean", "noisy"), "-" without one. */
const char *noise_meta_verdict(json_t *meta);
/* One line: the reasons (or "clean") and the measured values; true when
 * the run is noisy.  Without a noise section: "not assessed", false. */
bool noise_meta_summary(json_t *meta, char *out, size_t cap);
/* The report's flag: a red banner naming the reasons and measured values
 * when noisy (<div id="noise-banner" data-noise="noisy">), a plain line
 * otherwise. */
void noise_report_banner(FILE *out, json_t *meta);
/* Warns on stderr (as who) when run directory dir is noisy. */
void noise_warn_run(const char *dir, const char *who);

#endif
