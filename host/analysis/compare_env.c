/*
 * compare_env(): the runs' environments side by side, from their
 * meta.json (host/meta.c writes it; results/README.md lists it): the keys
 * of env_keys[] in that order, each one line of text per run.  The text
 * shows the keys that differ and names those that are the same; the HTML
 * section shows every key, cells that differ from the first run's marked.
 */
#include "analysis/compare_parts.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/compare_table.h"
#include "util.h"

#define ENV_VALUE_MAX 512

/* meta.json's value at a dotted path ("host.kernel"), or NULL. */
static const json_t *at(const json_t *meta, const char *path)
{
    char part[64];
    const json_t *v = meta;

    while (v && *path) {
        size_t n = strcspn(path, ".");

        if (n >= sizeof(part))
            return NULL;
        memcpy(part, path, n);
        part[n] = '\0';
        v = json_object_get(v, part);
        path += n + (path[n] == '.');
    }
    return v;
}

/* A scalar as text; "-" for null, missing or a structure. */
static void scalar(const json_t *v, char *out, size_t cap)
{
    if (json_is_string(v))
        fmt(out, cap, "%s", json_string_value(v));
    else if (json_is_integer(v))
        fmt(out, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        fmt(out, cap, "%g", json_real_value(v));
    else if (json_is_boolean(v))
        fmt(out, cap, "%s", json_is_true(v) ? "true" : "false");
    else
        fmt(out, cap, "-");
}

static void env_path(const json_t *meta, const char *path, char *out, size_t cap)
{
    scalar(at(meta, path), out, cap);
}

static void env_host_kernel(const json_t *m, char *out, size_t cap)
{
    env_path(m, "host.kernel", out, cap);
}

/* The lab's L1 kernel: its release and Debian package version; "-" for a
 * run outside the lab. */
static void env_l1_kernel(const json_t *m, char *out, size_t cap)
{
    const json_t *l1 = at(m, "lab.l1");
    const char *release = json_string_value(json_object_get(l1, "kernel_release"));
    const char *version = json_string_value(json_object_get(l1, "package_version"));

    if (!l1) {
        fmt(out, cap, "-");
        return;
    }
    if (!release)
        release = json_string_value(json_object_get(l1, "kernel_file"));
    fmt(out, cap, "%s", release ? release : "?");
    if (version)
        append(out, cap, " (%s)", version);
}

static void env_qemu(const json_t *m, char *out, size_t cap)
{
    env_path(m, "qemu.version", out, cap);
}

static void env_cpu(const json_t *m, char *out, size_t cap)
{
    env_path(m, "host.cpu_model", out, cap);
}

static void env_accel(const json_t *m, char *out, size_t cap)
{
    env_path(m, "accelerator.name", out, cap);
}

static void env_timing_class(const json_t *m, char *out, size_t cap)
{
    const char *label = json_string_value(at(m, "accelerator.label"));

    env_path(m, "accelerator.timing_class", out, cap);
    if (label)
        append(out, cap, " (%s)", label);
}

static void env_vcpus(const json_t *m, char *out, size_t cap)
{
    env_path(m, "vm.smp", out, cap);
}

/* The pinning policy and its map, "compact: 0>0 1>1" (vCPU>PUs), at most
 * the first 16 vCPUs spelled out. */
static void env_pinning(const json_t *m, char *out, size_t cap)
{
    const json_t *map = at(m, "pinning.map"), *e;
    size_t i;

    env_path(m, "pinning.policy", out, cap);
    if (!json_array_size(map)) {
        if (json_is_array(map))
            append(out, cap, ": unpinned");
        return;
    }
    append(out, cap, ":");
    json_array_foreach(map, i, e) {
        if (i == 16) {
            append(out, cap, " ... (%zu vCPUs)", json_array_size(map));
            break;
        }
        append(out, cap, " %lld>%s", (long long)json_integer_value(json_object_get(e, "vcpu")),
               json_string_value(json_object_get(e, "pus")) ?
               json_string_value(json_object_get(e, "pus")) : "?");
    }
}

static void env_sweep(const json_t *m, char *out, size_t cap)
{
    const json_t *n = at(m, "sweep.configurations");

    env_path(m, "sweep.name", out, cap);
    if (json_is_integer(n))
        append(out, cap, " (%lld configurations)", (long long)json_integer_value(n));
}

static void env_git(const json_t *m, char *out, size_t cap)
{
    env_path(m, "hvflush.git_rev", out, cap);
}

/* The hv-* flags: those QEMU accepted, or why they were not probed. */
static void env_hv_flags(const json_t *m, char *out, size_t cap)
{
    const json_t *hv = at(m, "hyperv_flags"), *v;
    const char *why = json_string_value(json_object_get(hv, "not_probed_why"));
    size_t i;

    if (!hv) {
        fmt(out, cap, "-");
        return;
    }
    if (!json_is_true(json_object_get(hv, "probed"))) {
        fmt(out, cap, "not probed (%s)", why ? why : "?");
        return;
    }
    fmt(out, cap, "accepted:");
    if (!json_array_size(json_object_get(hv, "accepted")))
        append(out, cap, " none");
    json_array_foreach(json_object_get(hv, "accepted"), i, v)
        append(out, cap, " %s", json_string_value(v) ? json_string_value(v) : "?");
}

/* The environment's keys, in the order they are shown. */
static const struct env_key {
    const char *name;
    void (*get)(const json_t *meta, char *out, size_t cap);
} env_keys[] = {
    { "host kernel",  env_host_kernel },
    { "L1 kernel",    env_l1_kernel },
    { "QEMU",         env_qemu },
    { "CPU model",    env_cpu },
    { "accelerator",  env_accel },
    { "timing class", env_timing_class },
    { "vCPUs",        env_vcpus },
    { "pinning",      env_pinning },
    { "sweep",        env_sweep },
    { "git revision", env_git },
    { "hv flags",     env_hv_flags },
};
#define N_ENV_KEYS (sizeof(env_keys) / sizeof(env_keys[0]))

static json_t *load_meta(const char *run)
{
    char path[4096];
    json_error_t jerr;
    json_t *meta;

    fmt(path, sizeof(path), "%s/meta.json", run);
    meta = json_load_file(path, 0, &jerr);
    if (!meta && access(path, R_OK) != 0)
        hv_err("compare: %s: %s", path, strerror(errno));
    else if (!meta)
        hv_err("compare: %s: line %d: %s", path, jerr.line, jerr.text);
    else if (!json_is_object(meta)) {
        hv_err("compare: %s: not a JSON object", path);
        json_decref(meta);
        meta = NULL;
    }
    return meta;
}

/* The text: the keys that differ as a table, then those that are the same. */
static void env_text(const struct cmp_table *t, FILE *f, const char *const *names)
{
    bool any_same = false;

    cmp_table_text(t, f, names, false);
    fputs("  same in every run:", f);
    for (unsigned i = 0; i < t->nrows; i++)
        if (!t->rows[i].differs) {
            fprintf(f, "%s %s", any_same ? "," : "", t->rows[i].key[0]);
            any_same = true;
        }
    fputs(any_same ? "\n" : " nothing\n", f);
}

int compare_env(const char *const *runs, unsigned nruns, FILE *text, FILE *html,
                bool *classes_differ)
{
    static const char *const key_names[] = { "key" };
    struct cmp_table t;
    char **names;
    char class0[ENV_VALUE_MAX] = "";
    int ret = 0;

    *classes_differ = false;
    if (!(names = cmp_run_names(runs, nruns))) {
        hv_err("compare: out of memory");
        return 2;
    }
    cmp_table_init(&t, "environment", "environment",
                   "each run's environment from its meta.json; a value that differs from "
                   "the first run's is marked.", nruns, 0, 1, key_names);
    t.ref_word = NULL;
    for (unsigned run = 0; run < nruns && !ret; run++) {
        json_t *meta = load_meta(runs[run]);
        char value[ENV_VALUE_MAX], tc[ENV_VALUE_MAX];

        if (!meta) {
            ret = 2;
            break;
        }
        for (unsigned k = 0; k < N_ENV_KEYS; k++) {
            const char *key[] = { env_keys[k].name };

            env_keys[k].get(meta, value, sizeof(value));
            cmp_table_set(&t, key, run, value, true);
        }
        env_path(meta, "accelerator.timing_class", tc, sizeof(tc));
        if (!run)
            fmt(class0, sizeof(class0), "%s", tc);
        else if (strcmp(tc, class0))
            *classes_differ = true;
        json_decref(meta);
    }
    if (!ret && t.oom) {
        hv_err("compare: out of memory");
        ret = 2;
    }
    if (!ret) {
        cmp_table_compare(&t);
        if (text)
            env_text(&t, text, (const char *const *)names);
        cmp_table_html(&t, html, (const char *const *)names);
    }
    cmp_table_free(&t);
    cmp_run_names_free(names, nruns);
    return ret;
}
