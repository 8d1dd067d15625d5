/*
 * The hv-* flag table, --hv parsing, the acceptance probe and its report
 * (see hv_flags.h).  Pure apart from the QEMU starts behind hv_try_fn.
 */
#include "hv_flags.h"

#include <string.h>

#include "util.h"

/* Dependencies as QEMU enforces them (target/i386/kvm/kvm.c,
 * kvm_hyperv_properties[].dependencies), one per flag; listed after the
 * flag they need. */
const struct hv_flag_info hv_flag_table[] = {
    { "hv-vpindex", NULL, true, "VP_INDEX MSR: the flush hypercalls name vCPUs by it" },
    { "hv-relaxed", NULL, true, "relaxed timing: no watchdog on long flushes" },
    { "hv-tlbflush", "hv-vpindex", true, "HvCallFlushVirtualAddressSpace/List" },
    { "hv-tlbflush-ext", "hv-tlbflush", true, "the Ex flush calls (sparse VP sets)" },
    { "hv-xmm-input", NULL, true, "fast hypercalls with XMM input" },
    { "hv-ipi", "hv-vpindex", true, "HvCallSendSyntheticClusterIpi" },
    { "hv-frequencies", NULL, true, "TSC and APIC frequency MSRs" },
    { "hv-time", NULL, false, "reference counter and TSC page" },
    { "hv-vapic", NULL, false, "virtual APIC assist page" },
    { "hv-runtime", NULL, false, "VP runtime MSR" },
    { "hv-synic", "hv-vpindex", false, "synthetic interrupt controller" },
    { "hv-reset", NULL, false, "reset MSR" },
    { "hv-crash", NULL, false, "crash MSRs" },
    { "hv-enforce-cpuid", NULL, false,
      "KVM refuses what CPUID does not advertise (ACCESS_DENIED, #UD for XMM input)" },
};
const unsigned hv_flag_count = sizeof(hv_flag_table) / sizeof(hv_flag_table[0]);

const struct hv_flag_info *hv_flag_lookup(const char *name)
{
    for (unsigned i = 0; i < hv_flag_count; i++)
        if (!strcmp(hv_flag_table[i].name, name))
            return &hv_flag_table[i];
    return NULL;
}

static bool in_list(const struct hv_flag_info *const *list, unsigned n, const char *name)
{
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(list[i]->name, name))
            return true;
    return false;
}

bool hv_request_parse(const char *spec, struct hv_request *r, char *err, size_t cap)
{
    memset(r, 0, sizeof(*r));
    if (!strcmp(spec, "auto"))
        return r->mode = HV_AUTO, true;
    if (!strcmp(spec, "off"))
        return r->mode = HV_OFF, true;
    r->mode = HV_LIST;
    for (const char *p = spec;; ) {
        size_t n = strcspn(p, ",");
        char name[64];
        const struct hv_flag_info *f;

        if (n == 0)
            return fmt(err, cap, "--hv: empty flag in '%s'", spec), false;
        if (!fmt(name, sizeof(name), "%.*s", (int)n, p) || !(f = hv_flag_lookup(name)))
            return fmt(err, cap, "--hv: unknown flag '%.*s' (known: auto, off, or a list of "
                       "hv-vpindex, hv-relaxed, hv-tlbflush, hv-tlbflush-ext, hv-xmm-input, "
                       "hv-ipi, hv-frequencies, hv-time, hv-vapic, hv-runtime, hv-synic, "
                       "hv-reset, hv-crash, hv-enforce-cpuid)", (int)n, p), false;
        if (in_list(r->flags, r->n, name))
            return fmt(err, cap, "--hv: %s is given twice", name), false;
        r->flags[r->n++] = f;
        if (!p[n])
            break;
        p += n + 1;
    }
    for (unsigned i = 0; i < r->n; i++)
        if (r->flags[i]->needs && !in_list(r->flags, r->n, r->flags[i]->needs))
            return fmt(err, cap, "--hv: %s needs %s (QEMU refuses it alone); add it to the list",
                       r->flags[i]->name, r->flags[i]->needs), false;
    return true;
}

unsigned hv_request_flags(const struct hv_request *r, const struct hv_flag_info **out)
{
    unsigned n = 0;

    for (unsigned i = 0; i < hv_flag_count; i++) {
        const struct hv_flag_info *f = &hv_flag_table[i];

        if ((r->mode == HV_AUTO && f->wanted_by_auto) ||
            (r->mode == HV_LIST && in_list(r->flags, r->n, f->name)))
            out[n++] = f;
    }
    return n;
}

void hv_request_name(const struct hv_request *r, char *out, size_t cap)
{
    out[0] = '\0';
    if (r->mode != HV_LIST) {
        fmt(out, cap, "%s", r->mode == HV_AUTO ? "auto" : "off");
        return;
    }
    for (unsigned i = 0; i < r->n; i++)
        append(out, cap, "%s%s", i ? "," : "", r->flags[i]->name);
}

/* Whether QEMU's message names flag: the name with no letter, digit or
 * '-' right before or after it ("(hv-tlbflush)", "'hv-ipi'", ".hv-x=on"). */
static bool names_flag(const char *reason, const char *flag)
{
    size_t n = strlen(flag);

    for (const char *p = strstr(reason, flag); p; p = strstr(p + 1, flag)) {
        char before = p == reason ? ' ' : p[-1], after = p[n];
        bool word_before = (before >= 'a' && before <= 'z') || (before >= '0' && before <= '9') ||
                           before == '-';
        bool word_after = (after >= 'a' && after <= 'z') || (after >= '0' && after <= '9') ||
                          after == '-';

        if (!word_before && !word_after)
            return true;
    }
    return false;
}

static void refuse(struct hv_result *res, const struct hv_flag_info *f, const char *reason)
{
    struct hv_refusal *x = &res->refused[res->nrefused++];

    x->flag = f;
    fmt(x->reason, sizeof(x->reason), "%s", reason);
}

/* Removes set[i], keeping the order. */
static void drop(const struct hv_flag_info **set, unsigned *n, unsigned i)
{
    memmove(&set[i], &set[i + 1], (*n - i - 1) * sizeof(*set));
    (*n)--;
}

/* Drops from set every flag that needs one refused, transitively. */
static void drop_dependents(struct hv_result *res, const struct hv_flag_info **set,
                            unsigned *n)
{
    for (unsigned i = 0; i < *n; ) {
        const struct hv_flag_info *f = set[i];
        bool orphan = false;

        for (unsigned j = 0; f->needs && j < res->nrefused; j++)
            orphan |= !strcmp(res->refused[j].flag->name, f->needs);
        if (!orphan) {
            i++;
            continue;
        }
        char why[HV_REASON_MAX];

        fmt(why, sizeof(why), "needs %s, which was refused", f->needs);
        refuse(res, f, why);
        drop(set, n, i);
        i = 0;                      /* a later flag may need this one */
    }
}

static void cpu_value(char *out, size_t cap, const char *model,
                      const struct hv_flag_info *const *set, unsigned n)
{
    fmt(out, cap, "%s", model);
    for (unsigned i = 0; i < n; i++)
        append(out, cap, ",%s", set[i]->name);
}

static bool try_set(struct hv_result *res, hv_try_fn try_cpu, void *ctx, const char *model,
                    const struct hv_flag_info *const *set, unsigned n, char *reason,
                    size_t cap)
{
    char cpu[512];

    cpu_value(cpu, sizeof(cpu), model, set, n);
    res->probes++;
    reason[0] = '\0';
    if (try_cpu(ctx, cpu, reason, cap))
        return true;
    if (!reason[0])
        fmt(reason, cap, "QEMU refused -cpu %s without saying why", cpu);
    return false;
}

/* QEMU named no flag: the model alone first, then one flag at a time on
 * top of those already accepted. */
static bool narrow_down(struct hv_result *res, hv_try_fn try_cpu, void *ctx, const char *model,
                        const struct hv_flag_info **set, unsigned n, char *err, size_t errcap)
{
    char reason[HV_REASON_MAX];

    if (!try_set(res, try_cpu, ctx, model, NULL, 0, reason, sizeof(reason))) {
        fmt(err, errcap, "%s", reason);
        for (unsigned i = 0; i < n; i++)
            refuse(res, set[i], "the CPU model itself was refused");
        return false;
    }
    for (unsigned i = 0; i < n; i++) {
        const struct hv_flag_info *f = set[i];

        if (f->needs && !in_list(res->accepted, res->naccepted, f->needs)) {
            fmt(reason, sizeof(reason), "needs %s, which was refused", f->needs);
            refuse(res, f, reason);
            continue;
        }
        res->accepted[res->naccepted] = f;
        if (try_set(res, try_cpu, ctx, model, res->accepted, res->naccepted + 1, reason,
                    sizeof(reason)))
            res->naccepted++;
        else
            refuse(res, f, reason);
    }
    return true;
}

bool hv_probe(const struct hv_request *r, const char *model, hv_try_fn try_cpu, void *ctx,
              struct hv_result *res, char *err, size_t errcap)
{
    const struct hv_flag_info *set[HV_FLAGS_MAX];
    char reason[HV_REASON_MAX];
    unsigned n;
    bool ok = true;

    memset(res, 0, sizeof(*res));
    res->probed = true;
    res->nrequested = hv_request_flags(r, res->requested);
    n = res->nrequested;
    memcpy(set, res->requested, n * sizeof(*set));
    err[0] = '\0';
    while (!try_set(res, try_cpu, ctx, model, set, n, reason, sizeof(reason))) {
        unsigned culprit = n;

        for (unsigned i = 0; i < n && culprit == n; i++)
            if (names_flag(reason, set[i]->name))
                culprit = i;
        if (culprit == n) {
            ok = narrow_down(res, try_cpu, ctx, model, set, n, err, errcap);
            n = 0;
            break;
        }
        refuse(res, set[culprit], reason);
        drop(set, &n, culprit);
        drop_dependents(res, set, &n);
    }
    for (unsigned i = 0; i < n; i++)
        res->accepted[res->naccepted++] = set[i];
    cpu_value(res->cpu, sizeof(res->cpu), model, res->accepted, res->naccepted);
    return ok;
}

void hv_result_unused(const struct hv_request *r, const char *model, const char *why,
                      struct hv_result *res)
{
    memset(res, 0, sizeof(*res));
    res->nrequested = hv_request_flags(r, res->requested);
    res->not_probed_why = why;
    fmt(res->cpu, sizeof(res->cpu), "%s", model);
}

void hv_result_refuse_all(struct hv_result *res, const char *model, const char *reason)
{
    for (unsigned i = 0; i < res->naccepted; i++)
        refuse(res, res->accepted[i], reason);
    res->naccepted = 0;
    fmt(res->cpu, sizeof(res->cpu), "%s", model);
}

bool hv_result_accepted(const struct hv_result *res, const char *flag)
{
    return in_list(res->accepted, res->naccepted, flag);
}

static json_t *names(const struct hv_flag_info *const *list, unsigned n)
{
    json_t *a = json_array();

    for (unsigned i = 0; i < n; i++)
        json_array_append_new(a, json_string(list[i]->name));
    return a;
}

/* The hyperv_flags object without its "mode" (what was asked for). */
static json_t *result_json(const struct hv_result *res)
{
    json_t *refused = json_array();

    for (unsigned i = 0; i < res->nrefused; i++)
        json_array_append_new(refused, json_pack("{s:s, s:s}", "flag",
                                                 res->refused[i].flag->name,
                                                 "reason", res->refused[i].reason));
    return json_pack("{s:b, s:o, s:o, s:o, s:o, s:i, s:s}",
                     "probed", res->probed,
                     "not_probed_why", res->not_probed_why ? json_string(res->not_probed_why)
                                                           : json_null(),
                     "requested", names(res->requested, res->nrequested),
                     "accepted", names(res->accepted, res->naccepted),
                     "refused", refused, "probes", (int)res->probes, "cpu", res->cpu);
}

json_t *hv_result_json(const struct hv_request *r, const struct hv_result *res)
{
    json_t *j = result_json(res);
    char spec[512];

    hv_request_name(r, spec, sizeof(spec));
    json_object_set_new(j, "mode", json_string(spec));
    return j;
}

void hv_flags_line(const json_t *hv, char *out, size_t cap)
{
    json_t *accepted = json_object_get(hv, "accepted"), *refused = json_object_get(hv, "refused");
    const char *why = json_string_value(json_object_get(hv, "not_probed_why"));
    size_t i;
    json_t *v;

    if (!json_is_true(json_object_get(hv, "probed"))) {
        fmt(out, cap, "hv flags: none used (%s)", why ? why : "not probed");
        return;
    }
    fmt(out, cap, "hv flags: accepted ");
    if (!json_array_size(accepted))
        append(out, cap, "none");
    json_array_foreach(accepted, i, v)
        append(out, cap, "%s%s", i ? "," : "", json_string_value(v));
    json_array_foreach(refused, i, v)
        append(out, cap, "%s%s (%s)", i ? ", " : "; refused ",
               json_string_value(json_object_get(v, "flag")),
               json_string_value(json_object_get(v, "reason")));
}

void hv_result_line(const struct hv_result *res, char *out, size_t cap)
{
    json_t *j = result_json(res);

    hv_flags_line(j, out, cap);
    json_decref(j);
}
