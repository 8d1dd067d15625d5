/*
 * The noise assessment (see noise.h): measured quantities in, reasons out.
 */
#include "analysis/noise.h"

#include <stdlib.h>
#include <string.h>

#include <bench/timing.h>

#include "analysis/stats.h"
#include "util.h"

static const struct {
    unsigned bit;
    const char *name;
} reason_names[] = {
    { NOISE_HOST_LOAD, "host-load" },
    { NOISE_TIMER_SPREAD, "timer-spread" },
    { NOISE_WIDE_CI, "wide-ci" },
};

double noise_timer_spread(const struct noise_measured *m)
{
    if (!m->have_timer || !m->timer_p50)
        return -1;
    return m->timer_p99 > m->timer_p1 ?
        (double)(m->timer_p99 - m->timer_p1) / (double)m->timer_p50 : 0;
}

unsigned noise_classify(const struct noise_measured *m)
{
    unsigned r = 0;

    if (m->others_cpu >= NOISE_OTHERS_CPU_MAX || m->steal >= NOISE_STEAL_MAX ||
        m->vcpu_wait >= NOISE_VCPU_WAIT_MAX)
        r |= NOISE_HOST_LOAD;
    if (noise_timer_spread(m) >= NOISE_TIMER_SPREAD_MAX || m->noise_dominated)
        r |= NOISE_TIMER_SPREAD;
    if (m->wide_ci)
        r |= NOISE_WIDE_CI;
    return r;
}

unsigned noise_config(bool host_load, bool noise_dominated, const struct config_figures *g,
                      bool guest_ci_wide)
{
    unsigned r = host_load ? NOISE_HOST_LOAD : 0;

    if (noise_dominated)
        r |= NOISE_TIMER_SPREAD;
    if (guest_ci_wide || !strcmp(g->ci_flag, "ci-wide") ||
        (g->have_ci && g->ci_rel > NOISE_CI_REL_MAX))
        r |= NOISE_WIDE_CI;
    return r;
}

void noise_names(unsigned reasons, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
        if (reasons & reason_names[i].bit)
            append(out, cap, "%s%s", out[0] ? ";" : "", reason_names[i].name);
}

void noise_put_config(FILE *f, const struct run_data *d, const struct config_result *c,
                      const struct latency_stats *s, const struct config_figures *g)
{
    char names[64];

    if (!s->n)
        return;
    noise_names(noise_config(d->noise_host_load, d->have_timer_spread &&
                             timing_noise_dominated(s->p50, d->timer_p1, d->timer_p99),
                             g, c->guest_ci_wide), names, sizeof(names));
    fputs(names, f);
}

bool noise_measure(const struct run_data *d, const struct hostload *h,
                   struct noise_measured *m)
{
    memset(m, 0, sizeof(*m));
    m->others_cpu = h ? hostload_others_cpu(h) : -1;
    m->steal = h ? hostload_steal(h) : -1;
    m->vcpu_wait = h ? hostload_vcpu_wait(h) : -1;
    m->have_timer = d->have_timer && d->have_timer_spread;
    m->timer_p1 = d->timer_p1;
    m->timer_p50 = d->timer_overhead;
    m->timer_p99 = d->timer_p99;
    m->ci_rel_max = -1;
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        struct config_figures g;
        struct latency_stats s;
        uint64_t *sorted;
        bool dominated;

        if (!c->announced || !c->nsamples)
            continue;
        sorted = malloc(c->nsamples * sizeof(*sorted));
        if (!sorted || !figures_compute(&c->cfg, c->samples, c->nsamples, &g)) {
            free(sorted);
            return false;
        }
        memcpy(sorted, c->samples, c->nsamples * sizeof(*sorted));
        stats_sort(sorted, c->nsamples);
        stats_compute(sorted, c->nsamples, &s);
        free(sorted);
        dominated = m->have_timer && timing_noise_dominated(s.p50, d->timer_p1, d->timer_p99);
        m->configs++;
        m->noise_dominated += dominated;
        m->wide_ci += (noise_config(false, false, &g, c->guest_ci_wide) & NOISE_WIDE_CI) != 0;
        if (g.have_ci && g.ci_rel > m->ci_rel_max)
            m->ci_rel_max = g.ci_rel;
    }
    return true;
}

/* A fraction, or null when not measured. */
static json_t *frac(double v)
{
    return v < 0 ? json_null() : json_real(v);
}

static json_t *host_json(const struct hostload *h, const struct noise_measured *m)
{
    if (!h || !h->measured)
        return json_pack("{s:b}", "measured", 0);
    return json_pack("{s:b, s:f, s:i, s:i, s:i, s:o, s:o, s:o, s:f, s:f, s:i, s:I, s:I, s:I,"
                     " s:o}",
                     "measured", 1, "wall_s", h->wall_s, "samples", (int)h->samples,
                     "boots", (int)h->intervals, "nproc", (int)h->nproc,
                     "others_cpu_frac", frac(m->others_cpu), "steal_frac", frac(m->steal),
                     "vcpu_wait_frac", frac(m->vcpu_wait),
                     "loadavg1_start", h->load1_start, "loadavg1_end", h->load1_end,
                     "vcpu_threads", (int)h->vcpu_threads,
                     "vcpu_run_ns", (json_int_t)h->vcpu_run_ns,
                     "vcpu_wait_ns", (json_int_t)h->vcpu_wait_ns,
                     "vcpu_nonvoluntary_switches", (json_int_t)h->vcpu_nvcsw,
                     "cpu_ticks", json_pack("{s:I, s:I, s:I, s:I, s:I}",
                                            "busy", (json_int_t)h->cpu_busy,
                                            "total", (json_int_t)h->cpu_total,
                                            "steal", (json_int_t)h->cpu_steal,
                                            "qemu", (json_int_t)h->qemu_ticks,
                                            "hvflush", (json_int_t)h->self_ticks));
}

json_t *noise_json(const struct noise_measured *m, const struct hostload *h)
{
    unsigned reasons = noise_classify(m);
    json_t *names = json_array(), *timer;

    for (size_t i = 0; i < sizeof(reason_names) / sizeof(reason_names[0]); i++)
        if (reasons & reason_names[i].bit)
            json_array_append_new(names, json_string(reason_names[i].name));
    timer = m->have_timer ?
        json_pack("{s:I, s:I, s:I, s:o}", "p1", (json_int_t)m->timer_p1,
                  "p50", (json_int_t)m->timer_p50, "p99", (json_int_t)m->timer_p99,
                  "spread_rel", frac(noise_timer_spread(m))) : json_null();
    return json_pack("{s:s, s:o, s:o, s:o, s:{s:i, s:i, s:i, s:o}, s:{s:f, s:f, s:f, s:f, s:f}}",
                     "verdict", reasons ? "noisy" : "clean", "reasons", names,
                     "host", host_json(h, m), "timer", timer,
                     "configurations", "with_samples", (int)m->configs,
                     "wide_ci", (int)m->wide_ci, "noise_dominated", (int)m->noise_dominated,
                     "ci_rel_max", frac(m->ci_rel_max),
                     "thresholds", "others_cpu_frac", NOISE_OTHERS_CPU_MAX,
                     "steal_frac", NOISE_STEAL_MAX, "vcpu_wait_frac", NOISE_VCPU_WAIT_MAX,
                     "timer_spread_rel", NOISE_TIMER_SPREAD_MAX, "ci_rel", NOISE_CI_REL_MAX);
}

/* "48.1 %" or "-" (not measured). */
static const char *pct(double v, char *buf, size_t cap)
{
    if (v < 0)
        return "-";
    fmt(buf, cap, "%.1f %%", v * 100);
    return buf;
}

void noise_print(FILE *out, const struct noise_measured *m, const struct hostload *h)
{
    unsigned reasons = noise_classify(m);
    char names[64], a[32], b[32], c[32];

    noise_names(reasons, names, sizeof(names));
    fprintf(out, "noise: %s%s%s%s\n", reasons ? "noisy (" : "clean", names, reasons ? ")" : "",
            reasons ? " -- these numbers are not clean" : "");
    if (h && h->measured)
        fprintf(out, "  host: other processes %s of %u CPUs, steal %s, vCPU run-queue wait %s, "
                "%llu involuntary switches of %u vCPU threads, loadavg %.2f -> %.2f over %.1f s\n",
                pct(m->others_cpu, a, sizeof(a)), h->nproc, pct(m->steal, b, sizeof(b)),
                pct(m->vcpu_wait, c, sizeof(c)), (unsigned long long)h->vcpu_nvcsw,
                h->vcpu_threads, h->load1_start, h->load1_end, h->wall_s);
    else
        fprintf(out, "  host: not measured\n");
    if (m->have_timer)
        fprintf(out, "  timer: p1=%llu p50=%llu p99=%llu cycles, spread (p99-p1)/p50 %.2f; "
                "%u of %u configurations noise-dominated\n", (unsigned long long)m->timer_p1,
                (unsigned long long)m->timer_p50, (unsigned long long)m->timer_p99,
                noise_timer_spread(m), m->noise_dominated, m->configs);
    fprintf(out, "  ci: %u of %u configurations wide (CI half-width > %.0f %% of p50 or "
            "ci-target missed), widest %s\n", m->wide_ci, m->configs, NOISE_CI_REL_MAX * 100,
            pct(m->ci_rel_max, a, sizeof(a)));
}
