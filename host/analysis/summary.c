/*
 * summary.csv, samples.csv, verify.csv and the end-of-run table
 * (see summary.h).
 */
#include "analysis/conformance.h"
#include "analysis/noise.h"
#include "analysis/summary.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <bench/timing.h>

#include "analysis/stats.h"
#include "util.h"

/* Cycles to nanoseconds; NaN when the TSC frequency is unknown. */
static double to_ns(double cycles, uint64_t tsc_hz)
{
    return tsc_hz ? cycles * 1e9 / (double)tsc_hz : 0.0 / 0.0;
}

static void put_ns(FILE *f, double cycles, uint64_t tsc_hz, const char *sep)
{
    if (tsc_hz)
        fprintf(f, "%.1f%s", to_ns(cycles, tsc_hz), sep);
    else
        fprintf(f, "%s", sep);
}

/* Statistics of one configuration, from a sorted copy of its samples. */
static bool config_stats(const struct config_result *c, struct latency_stats *s)
{
    uint64_t *sorted = NULL;

    if (c->nsamples) {
        sorted = malloc(c->nsamples * sizeof(*sorted));
        if (!sorted)
            return false;
        memcpy(sorted, c->samples, c->nsamples * sizeof(*sorted));
        stats_sort(sorted, c->nsamples);
    }
    stats_compute(sorted, c->nsamples, s);
    free(sorted);
    return true;
}

/* "1" / "0" for a configuration's noise-dominated flag; "" when unknown. */
static const char *noise_flag(const struct run_data *d, const struct latency_stats *s)
{
    if (!s->n || !d->have_timer_spread)
        return "";
    return timing_noise_dominated(s->p50, d->timer_p1, d->timer_p99) ? "1" : "0";
}

static void summary_row(FILE *f, const struct run_data *d, const struct config_result *c,
                        const struct latency_stats *s, const struct timing_class *tc)
{
    const struct sweep_config *x = &c->cfg;
    uint64_t hz = d->tsc_hz;

    fprintf(f, "%u,%s,%s,%s,%" PRIu32 ",%" PRIu32 ",%s,%s,%s,%d,%s,%zu,", x->id, c->label,
            strategy_name(x->strategy), flush_op_name(x->flush), x->pages, x->targets,
            target_state_name(x->state), hv_input_name(x->input), flush_scope_name(x->scope),
            x->nonglobal, proc_set_name(x->procs), s->n);
    if (s->n) {
        fprintf(f, "%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%.1f,%.1f,", s->min, s->p10, s->p50, s->p90, s->p99, s->max, s->mean,
                s->stddev);
        put_ns(f, (double)s->min, hz, ",");
        put_ns(f, (double)s->p10, hz, ",");
        put_ns(f, (double)s->p50, hz, ",");
        put_ns(f, (double)s->p90, hz, ",");
        put_ns(f, (double)s->p99, hz, ",");
        put_ns(f, (double)s->max, hz, ",");
        put_ns(f, s->mean, hz, ",");
        put_ns(f, s->stddev, hz, ",");
    } else {
        fputs(",,,,,,,,,,,,,,,,", f);
    }
    if (d->have_timer)
        fprintf(f, "%" PRIu64, d->timer_overhead);
    fprintf(f, ",%s,%s,%" PRIu32 ",", tc->name, collect_verdict(c), x->initiator);
    for (const char *p = c->target_cpus; *p; p++)
        fputc(*p == ',' ? ' ' : *p, f);
    if (c->has_latency)
        fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", c->clamped, c->excluded);
    else
        fputs(",,,", f);
    fprintf(f, "%s,%" PRIu32 ",%d,%d,%d", noise_flag(d, s), x->spaces, x->pcid, x->global,
            x->large);
}

static FILE *open_csv(const char *run_dir, const char *name, char *err, size_t errcap)
{
    char path[4096];
    FILE *f;

    fmt(path, sizeof(path), "%s/%s", run_dir, name);
    f = fopen(path, "w");
    if (!f)
        fmt(err, errcap, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static bool close_csv(FILE *f, const char *name, char *err, size_t errcap)
{
    if (ferror(f) | (fclose(f) != 0)) {
        fmt(err, errcap, "error writing %s: %s", name, strerror(errno));
        return false;
    }
    return true;
}

static bool write_summary(const char *run_dir, const struct run_data *d,
                          const struct timing_class *tc, char *err, size_t errcap)
{
    FILE *f = open_csv(run_dir, "summary.csv", err, errcap);

    if (!f)
        return false;
    fprintf(f, "%s\n", SUMMARY_HEADER);
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        struct latency_stats s;
        struct config_figures g;

        /* Configurations the guest never reached have no row. */
        if (!c->announced)
            continue;
        if (!config_stats(c, &s) || !figures_compute(&c->cfg, c->samples, c->nsamples, &g)) {
            fclose(f);
            fmt(err, errcap, "out of memory computing statistics");
            return false;
        }
        summary_row(f, d, c, &s, tc);
        figures_put_columns(f, &g, d->tsc_hz);
        fprintf(f, ",%s,%s,", target_set_name(c->cfg.target_set),
                c->damaged[0] ? c->damaged : "ok");
        noise_put_config(f, d, c, &s, &g);
        fputc('\n', f);
    }
    return close_csv(f, "summary.csv", err, errcap);
}

static bool write_samples(const char *run_dir, const struct run_data *d,
                          char *err, size_t errcap)
{
    FILE *f = open_csv(run_dir, "samples.csv", err, errcap);

    if (!f)
        return false;
    fprintf(f, "id,label,index,cycles,ns\n");
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];

        for (size_t k = 0; k < c->nsamples; k++) {
            fprintf(f, "%u,%s,%zu,%" PRIu64 ",", i, c->label, k, c->samples[k]);
            put_ns(f, (double)c->samples[k], d->tsc_hz, "\n");
        }
    }
    return close_csv(f, "samples.csv", err, errcap);
}

static bool write_verify(const char *run_dir, const struct run_data *d,
                         char *err, size_t errcap)
{
    FILE *f = open_csv(run_dir, "verify.csv", err, errcap);

    if (!f)
        return false;
    fprintf(f, "id,label,verdict,rounds,fresh,stale,control_rounds,control_stale,"
            "control_stale_rounds,noop_pass_p,reason\n");
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        const struct verify_result *v = &c->verify;

        if (c->has_verify) {
            fprintf(f, "%u,%s,%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                    ",%" PRIu64 ",%s,", i, c->label, v->verdict, v->rounds, v->fresh,
                    v->stale, v->control_rounds, v->control_stale, v->control_stale_rounds,
                    v->noop_pass_p);
            csv_put_text(f, v->reason);
            fputc('\n', f);
        } else if ((c->unsupported[0] || c->error[0]) &&
                   !config_is_baseline(c->cfg.strategy, c->cfg.flush)) {
            /* A baseline verifies nothing: no row, whatever became of it. */
            fprintf(f, "%u,%s,%s,,,,,,,,", i, c->label, collect_verdict(c));
            csv_put_text(f, c->unsupported[0] ? c->unsupported : c->error);
            fputc('\n', f);
        }
    }
    return close_csv(f, "verify.csv", err, errcap);
}

bool summary_write(const char *run_dir, const struct run_data *d,
                   const struct timing_class *tc, char *err, size_t errcap)
{
    return write_summary(run_dir, d, tc, err, errcap) &&
           write_samples(run_dir, d, err, errcap) &&
           write_verify(run_dir, d, err, errcap) &&
           conformance_write(run_dir, d, err, errcap);
}

void summary_print(FILE *out, const struct run_data *d, const struct timing_class *tc)
{
    unsigned noisy = 0, with_clamped = 0, with_excluded = 0;
    uint64_t clamped = 0, excluded = 0;
    int width = 5;

    for (unsigned i = 0; i < d->nconfigs; i++)
        if (d->configs[i].announced && (int)strlen(d->configs[i].label) > width)
            width = (int)strlen(d->configs[i].label);
    fprintf(out, "== %s ==\n", tc->label);
    fprintf(out, "%-*s %8s %12s %12s  %-12s %s\n", width, "label", "n", "p50 ns", "p99 ns",
            "verdict", "notes");
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        struct latency_stats s;
        const char *unverified;
        bool noise;

        if (!c->announced || !config_stats(c, &s))
            continue;
        fprintf(out, "%-*s %8zu ", width, c->label, s.n);
        if (s.n && d->tsc_hz)
            fprintf(out, "%12.1f %12.1f", to_ns((double)s.p50, d->tsc_hz),
                    to_ns((double)s.p99, d->tsc_hz));
        else
            fprintf(out, "%12s %12s", "-", "-");
        noise = !strcmp(noise_flag(d, &s), "1");
        noisy += noise;
        unverified = c->unsupported[0] ? NULL : sweep_space_unverified_reason(&c->cfg);
        if (noise || c->clamped || c->excluded || unverified || c->error[0] ||
            c->damaged[0])
            fprintf(out, "  %-12s", collect_verdict(c));
        else
            fprintf(out, "  %s", collect_verdict(c));
        if (noise)
            fputs(" noise-dominated", out);
        if (c->clamped)
            fprintf(out, " clamped=%" PRIu64, c->clamped);
        if (c->excluded)
            fprintf(out, " excluded=%" PRIu64, c->excluded);
        if (unverified)
            fprintf(out, " %s", unverified);
        if (c->guest_ci_wide)
            fputs(" ci-wide", out);
        if (c->error[0])                /* the guest's reason, e.g. a hypercall's fault */
            fprintf(out, " %s", c->error);
        if (c->damaged[0])
            fprintf(out, " records:%s", c->damaged);
        fputc('\n', out);
        with_clamped += c->clamped != 0;
        with_excluded += c->excluded != 0;
        clamped += c->clamped;
        excluded += c->excluded;
    }
    if (d->have_timer_spread)
        fprintf(out, "timer: p1=%" PRIu64 " p50=%" PRIu64 " p99=%" PRIu64 " cycles; "
                "noise-dominated (p50 <= p99 - p1): %u configurations\n", d->timer_p1,
                d->timer_overhead, d->timer_p99, noisy);
    fprintf(out, "clamped at 0: %" PRIu64 " samples in %u configurations; excluded "
            "(halted target not parked): %" PRIu64 " iterations in %u configurations\n",
            clamped, with_clamped, excluded, with_excluded);
}
