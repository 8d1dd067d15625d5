/*
 * Throughput and interference results (see throughput.h): the collector's
 * handler for the guest's `initiator`, `throughput` and `interference`
 * records, the completeness check, and throughput.csv / interference.csv.
 *
 * Checks, each marking the run failed with a reason: the records name a
 * configuration with a throughput measurement (interference: state=work);
 * `initiator` records come in initiator order, each on the CPU and with
 * the targets that sweep_throughput_placement() gives for this --smp;
 * the `throughput` record follows all of them and agrees with them (its
 * initiators, share, flushes = the sum of theirs, aggregate_per_s = the
 * sum of their per_s); one `interference` record per placed target, each
 * naming a placed target CPU.
 */
#include "analysis/throughput.h"

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/collect_internal.h"
#include "util.h"

static struct config_result *config_for(struct run_data *d, const struct record *r)
{
    struct config_result *c;
    uint64_t id;

    if (!need_u64(d, r, "id", &id))
        return NULL;
    if (id >= d->nconfigs || !d->configs[id].announced || !d->configs[id].cfg.throughput) {
        collect_problem(d, "record %" PRIu32 " (%s): configuration %" PRIu64 " has no "
                        "throughput measurement (or was not announced)", r->seq, r->type, id);
        return NULL;
    }
    c = &d->configs[id];
    if (!c->throughput)
        c->throughput = calloc(1, sizeof(*c->throughput));
    if (!c->throughput)
        collect_problem(d, "out of memory for configuration %" PRIu64 "'s throughput", id);
    return c->throughput ? c : NULL;
}

static bool need_i64(struct run_data *d, const struct record *r, const char *key, int64_t *out)
{
    if (record_get_i64(r, key, out))
        return true;
    collect_problem(d, "record %" PRIu32 " (%s): missing or bad '%s'", r->seq, r->type, key);
    return false;
}

static void on_initiator(struct run_data *d, struct config_result *c, const struct record *r)
{
    struct throughput_result *t = c->throughput;
    uint32_t inits[SWEEP_INITIATORS_MAX], targets[SWEEP_MAX_CPUS];
    struct tp_initiator_result *x;
    const char *cpus = record_get(r, "target_cpus");
    char want[sizeof(x->target_cpus)];
    uint64_t idx;

    if (!need_u64(d, r, "idx", &idx))
        return;
    if (idx != t->ninit || idx >= c->cfg.initiators || t->have_total) {
        collect_problem(d, "record %" PRIu32 ": initiator %" PRIu64 " of configuration %u "
                        "out of order", r->seq, idx, c->cfg.id);
        return;
    }
    x = &t->init[t->ninit++];
    if (!need_u64(d, r, "cpu", &x->cpu) || !need_u64(d, r, "flushes", &x->flushes) ||
        !need_u64(d, r, "window_cycles", &x->window) || !need_u64(d, r, "per_s", &x->per_s) ||
        !need_u64(d, r, "kept", &x->kept) || !need_u64(d, r, "p50", &x->p50) ||
        !need_u64(d, r, "p99", &x->p99))
        return;
    fmt(x->target_cpus, sizeof(x->target_cpus), "%s", cpus ? cpus : "");
    if (!sweep_throughput_placement(&c->cfg, d->smp, inits, targets))
        return;                 /* refused by sweep_expand() before the run */
    cpu_list_format(targets + (c->cfg.share == SHARE_SHARED ? 0 : idx * c->cfg.targets),
                    c->cfg.targets, want, sizeof(want));
    if (x->cpu != inits[idx] || strcmp(x->target_cpus, want))
        collect_problem(d, "configuration %u (%s): initiator %" PRIu64 " ran on CPU %" PRIu64
                        " with targets %s, the placement says CPU %" PRIu32 " with %s",
                        c->cfg.id, c->label, idx, x->cpu, x->target_cpus, inits[idx], want);
}

static void on_total(struct run_data *d, struct config_result *c, const struct record *r)
{
    struct throughput_result *t = c->throughput;
    const char *share = record_get(r, "share");
    uint64_t k, flushes = 0, per_s = 0;

    if (!need_u64(d, r, "initiators", &k) || !need_u64(d, r, "window_cycles", &t->window) ||
        !need_u64(d, r, "flushes", &t->flushes) ||
        !need_u64(d, r, "aggregate_per_s", &t->aggregate_per_s))
        return;
    for (unsigned i = 0; i < t->ninit; i++) {
        flushes += t->init[i].flushes;
        per_s += t->init[i].per_s;
    }
    if (t->have_total || k != c->cfg.initiators || t->ninit != k || !share ||
        strcmp(share, share_mode_name(c->cfg.share)) || flushes != t->flushes ||
        per_s != t->aggregate_per_s)
        collect_problem(d, "configuration %u (%s): throughput record does not match its "
                        "%u initiator records (initiators %" PRIu64 ", share %s, flushes %"
                        PRIu64 ", aggregate %" PRIu64 "/s)", c->cfg.id, c->label, t->ninit, k,
                        share ? share : "-", t->flushes, t->aggregate_per_s);
    t->have_total = true;
}

static void on_interference(struct run_data *d, struct config_result *c,
                            const struct record *r)
{
    struct throughput_result *t = c->throughput;
    uint32_t inits[SWEEP_INITIATORS_MAX], targets[SWEEP_MAX_CPUS];
    struct tp_interference_result *x;

    if (c->cfg.state != TARGET_WORK || !t->have_total ||
        t->ninterf >= sweep_throughput_target_count(&c->cfg)) {
        collect_problem(d, "record %" PRIu32 ": interference record out of place for "
                        "configuration %u (%s)", r->seq, c->cfg.id, c->label);
        return;
    }
    x = &t->interf[t->ninterf++];
    if (!need_u64(d, r, "cpu", &x->cpu) || !need_u64(d, r, "working_set", &x->working_set) ||
        !need_u64(d, r, "received", &x->received) ||
        !need_u64(d, r, "quiet_walks", &x->quiet_walks) ||
        !need_u64(d, r, "quiet_cycles", &x->quiet_cycles) ||
        !need_u64(d, r, "loaded_walks", &x->loaded_walks) ||
        !need_u64(d, r, "loaded_cycles", &x->loaded_cycles) ||
        !need_u64(d, r, "steady_walk_cycles", &x->steady) ||
        !need_u64(d, r, "refill_walk_cycles", &x->refill_walk) ||
        !need_u64(d, r, "refill_rounds", &x->refill_rounds) ||
        !need_i64(d, r, "cycles_lost_per_flush", &x->lost_per_flush) ||
        !need_i64(d, r, "refill_cycles", &x->refill))
        return;
    if (sweep_throughput_placement(&c->cfg, d->smp, inits, targets) &&
        (x->cpu >= SWEEP_MAX_CPUS ||
         !cpu_list_has(targets, sweep_throughput_target_count(&c->cfg), (uint32_t)x->cpu)))
        collect_problem(d, "configuration %u (%s): interference record for CPU %" PRIu64
                        ", not one of its targets", c->cfg.id, c->label, x->cpu);
}

void collect_on_throughput(struct run_data *d, const struct record *r)
{
    struct config_result *c = config_for(d, r);

    if (!c)
        return;
    if (!strcmp(r->type, "initiator"))
        on_initiator(d, c, r);
    else if (!strcmp(r->type, "throughput"))
        on_total(d, c, r);
    else
        on_interference(d, c, r);
}

void throughput_check_complete(struct run_data *d)
{
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];
        const struct throughput_result *t = c->throughput;

        /* Not reached, unsupported, or abandoned with an error record. */
        if (!c->cfg.throughput || !c->announced || c->unsupported[0] || c->error[0])
            continue;
        if (!t || !t->have_total)
            collect_problem(d, "configuration %u (%s): no throughput record", i, c->label);
        else if (c->cfg.state == TARGET_WORK &&
                 t->ninterf != sweep_throughput_target_count(&c->cfg))
            collect_problem(d, "configuration %u (%s): %u interference records for %" PRIu32
                            " targets", i, c->label, t->ninterf,
                            sweep_throughput_target_count(&c->cfg));
    }
}

static void put_list(FILE *f, const struct throughput_result *t, size_t offset,
                     uint64_t tsc_hz)
{
    for (unsigned i = 0; i < t->ninit; i++) {
        uint64_t v = *(const uint64_t *)((const char *)&t->init[i] + offset);

        if (tsc_hz)
            fprintf(f, "%s%.1f", i ? " " : "", (double)v * 1e9 / (double)tsc_hz);
        else
            fprintf(f, "%s%" PRIu64, i ? " " : "", v);
    }
    fputc(',', f);
}

static void throughput_row(FILE *f, const struct run_data *d, const struct config_result *c,
                           const struct timing_class *tc)
{
    const struct throughput_result *t = c->throughput;
    const struct sweep_config *x = &c->cfg;
    char cpus[RECORD_LINE_MAX];
    uint32_t inits[SWEEP_INITIATORS_MAX], targets[SWEEP_MAX_CPUS];

    fprintf(f, "%u,%s,%s,%" PRIu32 ",%s,%" PRIu32 ",%s,%" PRIu64 ",", x->id, c->label,
            strategy_name(x->strategy), x->targets, target_state_name(x->state),
            x->initiators, share_mode_name(x->share), t->aggregate_per_s);
    for (unsigned i = 0; i < t->ninit; i++)
        fprintf(f, "%s%" PRIu64, i ? " " : "", t->init[i].per_s);
    fprintf(f, ",%" PRIu64 ",%" PRIu64 ",", t->flushes, t->window);
    put_list(f, t, offsetof(struct tp_initiator_result, p50), 0);
    put_list(f, t, offsetof(struct tp_initiator_result, p99), 0);
    put_list(f, t, offsetof(struct tp_initiator_result, p50), d->tsc_hz);
    put_list(f, t, offsetof(struct tp_initiator_result, p99), d->tsc_hz);
    if (sweep_throughput_placement(x, d->smp, inits, targets))
        cpu_list_format(inits, x->initiators, cpus, sizeof(cpus));
    else
        fmt(cpus, sizeof(cpus), "?");
    for (const char *p = cpus; *p; p++)
        fputc(*p == ',' ? ' ' : *p, f);
    fputc(',', f);
    /* One initiator's runs separated by spaces; initiators by ';'. */
    for (unsigned i = 0; i < t->ninit; i++) {
        if (i)
            fputc(';', f);
        for (const char *p = t->init[i].target_cpus; *p; p++)
            fputc(*p == ',' ? ' ' : *p, f);
    }
    fprintf(f, ",%s,%s\n", tc->name, collect_verdict(c));
}

static void interference_rows(FILE *f, const struct config_result *c,
                              const struct timing_class *tc)
{
    const struct throughput_result *t = c->throughput;

    for (unsigned i = 0; i < t->ninterf; i++) {
        const struct tp_interference_result *x = &t->interf[i];

        fprintf(f, "%u,%s,%s,%" PRIu32 ",%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRId64
                ",%" PRId64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%" PRIu64 ",%" PRIu64 ",%s\n", c->cfg.id, c->label,
                strategy_name(c->cfg.strategy), c->cfg.initiators,
                share_mode_name(c->cfg.share), x->cpu, x->working_set, x->received,
                x->lost_per_flush, x->refill, x->steady, x->refill_walk, x->quiet_walks,
                x->quiet_cycles, x->loaded_walks, x->loaded_cycles, x->refill_rounds, tc->name);
    }
}

static bool write_csv(const char *run_dir, const char *name, const char *header,
                      const struct run_data *d, const struct timing_class *tc, bool work,
                      char *err, size_t errcap)
{
    char path[4096];
    FILE *f;

    fmt(path, sizeof(path), "%s/%s", run_dir, name);
    f = fopen(path, "w");
    if (!f) {
        fmt(err, errcap, "cannot write %s: %s", path, strerror(errno));
        return false;
    }
    fprintf(f, "%s\n", header);
    for (unsigned i = 0; i < d->nconfigs; i++) {
        const struct config_result *c = &d->configs[i];

        if (!c->throughput || !c->throughput->have_total)
            continue;
        if (!work)
            throughput_row(f, d, c, tc);
        else if (c->cfg.state == TARGET_WORK)
            interference_rows(f, c, tc);
    }
    if (ferror(f) | (fclose(f) != 0)) {
        fmt(err, errcap, "error writing %s", name);
        return false;
    }
    return true;
}

bool throughput_write(const char *run_dir, const struct run_data *d,
                      const struct timing_class *tc, char *err, size_t errcap)
{
    bool any = false, work = false;

    for (unsigned i = 0; i < d->nconfigs; i++) {
        any |= d->configs[i].cfg.throughput;
        work |= d->configs[i].cfg.throughput && d->configs[i].cfg.state == TARGET_WORK;
    }
    if (any && !write_csv(run_dir, "throughput.csv", THROUGHPUT_HEADER, d, tc, false,
                          err, errcap))
        return false;
    return !work || write_csv(run_dir, "interference.csv", INTERFERENCE_HEADER, d, tc, true,
                              err, errcap);
}
