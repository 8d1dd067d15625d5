/*
 * The collector's per-configuration records (config, samples, verify,
 * unsupported, error): each is checked against the configuration the host
 * expanded from the sweep (see collect.h for the whole collector).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/collect.h"
#include "analysis/collect_internal.h"
#include "util.h"

static const char *const verdicts[] = {
    "fail", "error", "inconclusive", "unsupported", "pass", NULL,
};

/* Looks up the configuration a record's id= refers to. */
static struct config_result *config_of(struct run_data *d, const struct record *r)
{
    uint64_t id;

    if (!need_u64(d, r, "id", &id))
        return NULL;
    if (id >= d->nconfigs) {
        collect_problem(d, "record %" PRIu32 " (%s): configuration id %" PRIu64
                        " is not in the sweep (%u configurations)",
                        r->seq, r->type, id, d->nconfigs);
        return NULL;
    }
    return &d->configs[id];
}

/* input/scope/nonglobal/procs of a config record match the expansion. */
static bool hv_fields_match(const struct record *r, const struct sweep_config *x)
{
    const char *in = record_get(r, "input"), *sc = record_get(r, "scope");
    const char *pr = record_get(r, "procs");
    enum hv_input input;
    enum flush_scope scope;
    enum proc_set procs;
    uint64_t nonglobal;

    return in && sc && pr && record_get_u64(r, "nonglobal", &nonglobal) &&
           hv_input_from_name(in, strlen(in), &input) && input == x->input &&
           flush_scope_from_name(sc, strlen(sc), &scope) && scope == x->scope &&
           proc_set_from_name(pr, strlen(pr), &procs) && procs == x->procs &&
           nonglobal == (uint64_t)x->nonglobal;
}

void collect_on_unsupported(struct run_data *d, const struct record *r)
{
    struct config_result *c = config_of(d, r);
    const char *why = record_get(r, "reason");

    if (!c)
        return;
    if (!c->announced || c->nsamples) {
        collect_problem(d, "configuration %u: unsupported record out of place", c->cfg.id);
        return;
    }
    fmt(c->unsupported, sizeof(c->unsupported), "%s", why ? why : "unspecified");
}

/* Only a verified hypercall configuration has precision checks, and they
 * run on CPU 0 against CPUs 1..targets whatever the placement
 * (precision.c): its precision_initiator and precision_target_cpus must
 * say so, and no other configuration may carry them. */
static void check_precision_placement(struct run_data *d, const struct record *r,
                                      const struct sweep_config *x)
{
    const char *cpus = record_get(r, "precision_target_cpus");
    bool present = cpus || record_get(r, "precision_initiator");
    uint32_t first[SWEEP_MAX_CPUS], t;
    char want[RECORD_LINE_MAX / 2];
    uint64_t initiator;

    if (!config_has_precision(x)) {
        if (present)
            collect_problem(d, "configuration %u: precision_initiator/precision_target_cpus "
                            "on a configuration without precision checks", x->id);
        return;
    }
    for (t = 0; t < x->targets && t < SWEEP_MAX_CPUS; t++)
        first[t] = t + 1;
    cpu_list_format(first, t, want, sizeof(want));
    if (!cpus || !record_get_u64(r, "precision_initiator", &initiator) || initiator != 0 ||
        strcmp(cpus, want))
        collect_problem(d, "configuration %u: precision checks recorded on initiator %s "
                        "targets %s, but they run on initiator 0 targets %s", x->id,
                        record_get(r, "precision_initiator") ?
                        record_get(r, "precision_initiator") : "?", cpus ? cpus : "?", want);
}

/* spaces/pcid/global/large of a config record match the expansion; a
 * record without them (an older guest) means the defaults. */
static bool space_fields_match(const struct record *r, const struct sweep_config *x)
{
    static const char *const keys[] = { "spaces", "pcid", "global", "large" };
    const uint64_t want[] = { x->spaces, x->pcid, x->global, x->large };
    const uint64_t dflt[] = { 1, 0, 0, 0 };
    uint64_t v;

    for (unsigned i = 0; i < 4; i++) {
        if (!record_get(r, keys[i]))
            v = dflt[i];
        else if (!record_get_u64(r, keys[i], &v))
            return false;
        if (v != want[i])
            return false;
    }
    return true;
}

/* The guest's config record must describe exactly what the host expanded. */
void collect_on_config(struct run_data *d, const struct record *r)
{
    struct config_result *c = config_of(d, r);
    const struct sweep_config *x;
    const char *s, *f, *t, *label;
    enum strategy strategy;
    enum flush_op flush;
    enum target_state state;
    uint64_t pages, targets, samples, warmup, initiator;
    const char *placement, *cpus;

    if (!c)
        return;
    x = &c->cfg;
    if (c->announced) {
        collect_problem(d, "configuration %u announced twice", x->id);
        return;
    }
    c->announced = true;
    /* Configurations run in the sweep's order (shuffled by its seed). */
    if (x->run_index != d->announced)
        collect_problem(d, "configuration %u announced as number %u, but the sweep's order "
                        "runs it as number %" PRIu32, x->id, d->announced + 1,
                        x->run_index + 1);
    d->announced++;
    s = record_get(r, "strategy");
    f = record_get(r, "flush");
    t = record_get(r, "state");
    label = record_get(r, "label");
    if (!s || !f || !t || !label ||
        !strategy_from_name(s, strlen(s), &strategy) ||
        !flush_op_from_name(f, strlen(f), &flush) ||
        !need_u64(d, r, "pages", &pages) || !need_u64(d, r, "targets", &targets) ||
        !need_u64(d, r, "samples", &samples) || !need_u64(d, r, "warmup", &warmup)) {
        collect_problem(d, "configuration %u: malformed config record", x->id);
        return;
    }
    /* Local and baseline configurations have no targets: state does not matter. */
    if (!target_state_from_name(t, strlen(t), &state))
        state = !strategy_has_targets(x->strategy) ? x->state : TARGET_STATE_COUNT;
    if (!hv_fields_match(r, x))
        collect_problem(d, "configuration %u: hypercall options differ from the sweep", x->id);
    if (!space_fields_match(r, x))
        collect_problem(d, "configuration %u: spaces/pcid/global/large differ from the sweep",
                        x->id);
    placement = record_get(r, "placement");
    cpus = record_get(r, "target_cpus");
    if (!need_u64(d, r, "initiator", &initiator) || !placement || !cpus) {
        collect_problem(d, "configuration %u: config record without initiator, placement "
                        "or target_cpus", x->id);
        return;
    }
    if (initiator != x->initiator || strcmp(placement, placement_name(x->placement)) ||
        strcmp(cpus, c->target_cpus))
        collect_problem(d, "configuration %u: guest placed it on initiator %" PRIu64
                        " targets %s (%s) but the sweep gives initiator %" PRIu32
                        " targets %s (%s)", x->id, initiator, cpus, placement,
                        x->initiator, c->target_cpus, placement_name(x->placement));
    check_precision_placement(d, r, x);
    if (strategy != x->strategy || flush != x->flush || pages != x->pages ||
        targets != x->targets || state != x->state ||
        samples != x->samples || warmup != x->warmup || strcmp(label, c->label) != 0)
        collect_problem(d, "configuration %u: guest measured '%s' (samples=%" PRIu64
                        ") but the sweep says '%s' (samples=%" PRIu32 ")",
                        x->id, label, samples, c->label, x->samples);
}

void collect_on_samples(struct run_data *d, const struct record *r)
{
    struct config_result *c = config_of(d, r);
    uint64_t first, v[RECORD_SAMPLES_PER_LINE];
    int n;

    if (!c || !need_u64(d, r, "first", &first))
        return;
    if (!c->announced) {
        collect_problem(d, "configuration %u: samples before its config record", c->cfg.id);
        return;
    }
    n = record_get_hexlist(r, "v", v, RECORD_SAMPLES_PER_LINE);
    if (n < 0) {
        collect_problem(d, "record %" PRIu32 " (samples): bad value list", r->seq);
        return;
    }
    if (first != c->nsamples) {
        collect_problem(d, "configuration %u: samples start at index %" PRIu64
                        ", expected %zu", c->cfg.id, first, c->nsamples);
        return;
    }
    if (c->nsamples + (size_t)n > sweep_samples_limit(&c->cfg)) {
        collect_problem(d, "configuration %u: more than %" PRIu32 " samples",
                        c->cfg.id, sweep_samples_limit(&c->cfg));
        return;
    }
    if (c->nsamples + (size_t)n > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint64_t *bigger;

        while (cap < c->nsamples + (size_t)n)
            cap *= 2;
        bigger = realloc(c->samples, cap * sizeof(*bigger));
        if (!bigger) {
            collect_problem(d, "out of memory storing samples");
            return;
        }
        c->samples = bigger;
        c->cap = cap;
    }
    memcpy(c->samples + c->nsamples, v, (size_t)n * sizeof(*v));
    c->nsamples += (size_t)n;
}

/* Counts of the samples' quality: floored at 0, and iterations excluded. */
void collect_on_latency(struct run_data *d, const struct record *r)
{
    struct config_result *c = config_of(d, r);

    if (!c)
        return;
    if (c->has_latency || !sweep_samples_count_ok(&c->cfg, c->nsamples)) {
        collect_problem(d, "configuration %u: latency record out of place", c->cfg.id);
        return;
    }
    if (!need_u64(d, r, "clamped", &c->clamped) || !need_u64(d, r, "excluded", &c->excluded))
        return;
    if (c->clamped > c->nsamples) {
        collect_problem(d, "configuration %u: %" PRIu64 " clamped of %zu samples", c->cfg.id,
                        c->clamped, c->nsamples);
        return;
    }
    if (!collect_latency_ci(d, c, r))
        return;
    c->has_latency = true;
}

void collect_on_verify(struct run_data *d, const struct record *r)
{
    struct config_result *c = config_of(d, r);
    struct verify_result *v;
    const char *verdict, *reason, *noop;
    bool known = false;

    if (!c)
        return;
    if (c->has_verify) {
        collect_problem(d, "configuration %u: two verify records", c->cfg.id);
        return;
    }
    v = &c->verify;
    verdict = record_get(r, "verdict");
    for (int i = 0; verdict && verdicts[i]; i++)
        known |= !strcmp(verdict, verdicts[i]);
    if (!known) {
        collect_problem(d, "configuration %u: unknown verify verdict '%s'", c->cfg.id,
                        verdict ? verdict : "(none)");
        return;
    }
    if (!need_u64(d, r, "rounds", &v->rounds) || !need_u64(d, r, "fresh", &v->fresh) ||
        !need_u64(d, r, "stale", &v->stale) ||
        !need_u64(d, r, "control_rounds", &v->control_rounds) ||
        !need_u64(d, r, "control_stale", &v->control_stale) ||
        !need_u64(d, r, "control_stale_rounds", &v->control_stale_rounds))
        return;
    noop = record_get(r, "noop_pass_p");
    if (!noop || !noop[0] || strlen(noop) >= sizeof(v->noop_pass_p)) {
        collect_problem(d, "configuration %u: verify record without a valid noop_pass_p",
                        c->cfg.id);
        return;
    }
    fmt(v->noop_pass_p, sizeof(v->noop_pass_p), "%s", noop);
    reason = record_get(r, "reason");
    fmt(v->verdict, sizeof(v->verdict), "%s", verdict);
    fmt(v->reason, sizeof(v->reason), "%s", reason && strcmp(reason, "-") ? reason : "");
    c->has_verify = true;
}

void collect_on_error(struct run_data *d, const struct record *r)
{
    const char *what = record_get(r, "what");

    json_array_append_new(json_object_get(d->guest, "errors"), record_json(r));
    if (record_get(r, "id")) {
        struct config_result *c = config_of(d, r);

        if (c && !c->error[0])
            fmt(c->error, sizeof(c->error), "%s", what ? what : "unspecified");
    }
}
