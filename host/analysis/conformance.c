/*
 * conformance.csv and the terminal's conformance lines: every `conformance`
 * record of the guest judged against its row of the shared case table
 * (bench/conformance_cases.c).
 *
 *  - TLFS verdict: `match` / `deviation` where the TLFS prescribes an
 *    outcome for the input (the record's `tlfs`, resolved by the guest from
 *    the row and the advertised features), `-` where it names none.
 *  - KVM verdict: `match` / `deviation` against the row's expectation for
 *    the KVM version that answered; `unknown` where no expectation applies
 *    (not KVM, no row, or version-specific rows with the version unknown).
 *  - A call the guest refused itself (`refused`) was never issued: it is
 *    `refused-by-guest` in both columns and counts in neither.
 */
#include <stdlib.h>
#include <string.h>

#include <bench/conformance.h>

#include "analysis/conformance.h"
#include "util.h"

static const char *field(const json_t *rec, const char *key, char *buf, size_t cap)
{
    json_t *v = json_object_get(rec, key);

    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        fmt(buf, cap, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return "";
}

static const char *str_at(const json_t *o, const char *a, const char *b, const char *c)
{
    const json_t *v = json_object_get(o, a);

    if (b)
        v = json_object_get(v, b);
    if (c)
        v = json_object_get(v, c);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

void conformance_env_from_meta(const json_t *meta, struct conformance_env *env)
{
    const char *accel = str_at(meta, "accelerator", "name", NULL), *release = NULL;
    char word[64];

    memset(env, 0, sizeof(*env));
    if (!accel)
        return;
    if (!strcmp(accel, "lab")) {
        release = str_at(meta, "lab", "l1", "kernel_release");
    } else if (!strcmp(accel, "kvm")) {
        /* host.kernel = "Linux 6.12.1-amd64 #1 SMP ... x86_64" */
        const char *k = str_at(meta, "host", "kernel", NULL);

        if (k && sscanf(k, "%*s %63s", word) == 1)
            release = word;
    } else {
        return;
    }
    env->kvm = true;
    if (release && sscanf(release, "%u.%u", &env->major, &env->minor) == 2)
        fmt(env->release, sizeof(env->release), "%s", release);
    else
        env->major = env->minor = 0;
}

void conformance_env_of_run(const char *run_dir, struct conformance_env *env)
{
    char path[4096];
    json_t *meta;

    fmt(path, sizeof(path), "%s/meta.json", run_dir);
    meta = json_load_file(path, 0, NULL);
    conformance_env_from_meta(meta, env);
    json_decref(meta);
}

/* The outcome a record shows: its status, or the fault it raised. */
static void outcome_of(const json_t *rec, char *out, size_t cap)
{
    char buf[24];
    const char *fault = field(rec, "fault", buf, sizeof(buf));

    if (!fault[0] || !strcmp(fault, "0"))
        fmt(out, cap, "%s", field(rec, "status", buf, sizeof(buf)));
    else if (!strcmp(fault, "6"))
        fmt(out, cap, "fault-ud");
    else if (!strcmp(fault, "13"))
        fmt(out, cap, "fault-gp");
    else
        fmt(out, cap, "fault-%s", fault);
}

void conformance_judge(const json_t *rec, const struct conformance_env *env,
                       struct conformance_verdict *v)
{
    const char *name = str_at(rec, "case", NULL, NULL), *refused = str_at(rec, "refused",
                                                                          NULL, NULL);
    const struct conf_case *row = name ? conf_case_find(name) : NULL;
    const struct conf_kvm_expect *e;

    memset(v, 0, sizeof(*v));
    v->tlfs = str_at(rec, "tlfs", NULL, NULL);
    if (!v->tlfs || !v->tlfs[0])
        v->tlfs = CONF_TLFS_NONE;
    if (refused && refused[0] && strcmp(refused, "-")) {
        fmt(v->outcome, sizeof(v->outcome), "refused");
        v->refused = true;
        v->tlfs_verdict = v->kvm_verdict = "refused-by-guest";
        v->kvm = "-";
        v->reason = refused;
        return;
    }
    outcome_of(rec, v->outcome, sizeof(v->outcome));
    v->tlfs_verdict = !strcmp(v->tlfs, CONF_TLFS_NONE) ? "-"
                      : !strcmp(v->tlfs, v->outcome) ? "match" : "deviation";
    v->kvm = "-";
    v->kvm_verdict = "unknown";
    if (!env->kvm) {
        v->reason = "the hypervisor is not known to be KVM";
        return;
    }
    if (!row) {
        v->reason = "no row of the case table";
        return;
    }
    e = conf_kvm_expected(row, env->major, env->minor);
    if (!e) {
        v->reason = row->kvm[0].outcome ? "KVM's answer depends on its version, not known here"
                                        : "the table holds no KVM answer";
        return;
    }
    v->kvm = e->outcome;
    v->kvm_verdict = !strcmp(e->outcome, v->outcome) ? "match" : "deviation";
    v->reason = e->reason ? e->reason : "";
}

static void count(struct conformance_counts *c, const struct conformance_verdict *v)
{
    if (v->refused) {
        c->refused++;
        return;
    }
    c->cases++;
    if (!strcmp(v->tlfs_verdict, "match"))
        c->tlfs_match++;
    else if (!strcmp(v->tlfs_verdict, "deviation"))
        c->tlfs_deviation++;
    else
        c->tlfs_none++;
    if (!strcmp(v->kvm_verdict, "match"))
        c->kvm_match++;
    else if (!strcmp(v->kvm_verdict, "deviation"))
        c->kvm_deviation++;
    else
        c->kvm_unknown++;
}

/* A CSV field, quoted where it must be, then its separator. */
static void put_field(FILE *f, const char *s, bool last)
{
    csv_put_text(f, s);
    fputc(last ? '\n' : ',', f);
}

bool conformance_write(const char *run_dir, const struct run_data *d, char *err, size_t errcap)
{
    static const char *const keys[] = { "case", "call", "input", "status", "code", "reps",
                                        "fault" };
    json_t *cases = json_object_get(d->guest, "conformance"), *rec;
    struct conformance_env env;
    char path[4096], buf[24];
    size_t i, k;
    FILE *f;

    if (!json_array_size(cases))
        return true;                 /* no Hyper-V here: no table */
    conformance_env_of_run(run_dir, &env);
    fmt(path, sizeof(path), "%s/conformance.csv", run_dir);
    f = fopen(path, "w");
    if (!f)
        return fmt(err, errcap, "cannot write %s", path), false;
    fputs("case,call,input,status,code,reps,fault,outcome,tlfs,tlfs_verdict,"
          "kvm_version,kvm,kvm_verdict,reason\n", f);
    json_array_foreach(cases, i, rec) {
        struct conformance_verdict v;

        conformance_judge(rec, &env, &v);
        for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
            put_field(f, field(rec, keys[k], buf, sizeof(buf)), false);
        put_field(f, v.outcome, false);
        put_field(f, v.tlfs, false);
        put_field(f, v.tlfs_verdict, false);
        put_field(f, env.release[0] ? env.release : "-", false);
        put_field(f, v.kvm, false);
        put_field(f, v.kvm_verdict, false);
        put_field(f, v.reason, true);
    }
    if (fclose(f) != 0)
        return fmt(err, errcap, "cannot write %s", path), false;
    return true;
}

void conformance_print(FILE *out, const char *run_dir, const struct run_data *d,
                       struct conformance_counts *counts)
{
    json_t *cases = json_object_get(d->guest, "conformance"), *rec;
    struct conformance_counts c = { 0 };
    struct conformance_env env;
    char kvm[80];
    size_t i;

    if (counts)
        *counts = c;
    if (!json_array_size(cases))
        return;
    conformance_env_of_run(run_dir, &env);
    if (env.release[0])
        fmt(kvm, sizeof(kvm), "KVM %u.%u", env.major, env.minor);
    else
        fmt(kvm, sizeof(kvm), "KVM");
    json_array_foreach(cases, i, rec) {
        struct conformance_verdict v;

        conformance_judge(rec, &env, &v);
        count(&c, &v);
    }
    fprintf(out, "conformance: %u cases — TLFS: %u match, %u deviate, %u not prescribed; "
            "%s: %u as expected, %u unexpected, %u unknown", c.cases, c.tlfs_match,
            c.tlfs_deviation, c.tlfs_none, kvm, c.kvm_match, c.kvm_deviation, c.kvm_unknown);
    if (c.refused)
        fprintf(out, "; %u refused by the guest (not issued)", c.refused);
    fputc('\n', out);
    json_array_foreach(cases, i, rec) {
        struct conformance_verdict v;
        char b1[48], b2[48];

        conformance_judge(rec, &env, &v);
        if (strcmp(v.kvm_verdict, "deviation"))
            continue;
        fprintf(out, "conformance: unexpected: %s (%s, %s input): %s, expected of %s: %s\n",
                field(rec, "case", b1, sizeof(b1)), field(rec, "call", b2, sizeof(b2)),
                str_at(rec, "input", NULL, NULL) ? str_at(rec, "input", NULL, NULL) : "?",
                v.outcome, kvm, v.kvm);
    }
    if (counts)
        *counts = c;
}
