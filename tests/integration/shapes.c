/*
 * The shape of a run directory (see shapes.h): which files it holds,
 * meta.json's keys and types, summary.csv row by row against the expanded
 * sweep, samples.csv, verify.csv, conformance.csv, the logs, the plots and
 * the closing `verdicts:` line.  Values that vary between runs (timings,
 * verdicts under load) are checked for type and consistency, never for a
 * number.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>

#include "shapes.h"
#include "analysis/summary.h"

struct shapes_sweep shapes_sw;

static const char *const verdicts[] = { "pass", "inconclusive", "fail", "error",
                                        "unsupported", "-" };
#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

bool shapes_expand(const struct shapes_expect *e, unsigned cpus)
{
    struct sweep_error err;
    static char text[1 << 16];
    size_t len;
    FILE *f = fopen(e->sweep_file, "r");

    if (!f)
        return (void)problem("cannot read %s", e->sweep_file), false;
    len = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    shapes_sw.cpus = cpus;
    if (!sweep_parse(text, len, &shapes_sw.sw, &err))
        return (void)problem("%s:%u: %s", e->sweep_file, err.lineno, err.msg), false;
    shapes_sw.n = sweep_expand(&shapes_sw.sw, cpus, shapes_sw.cfg, SWEEP_CONFIGS_MAX, &err);
    if (shapes_sw.n <= 0)
        return (void)problem("%s on %u CPUs: %s", e->sweep_file, cpus, err.msg), false;
    return true;
}

const struct sweep_config *shapes_config(unsigned id)
{
    for (int i = 0; i < shapes_sw.n; i++)
        if (shapes_sw.cfg[i].id == id)
            return &shapes_sw.cfg[i];
    return NULL;
}

int shapes_row_of_id(const struct csv_table *t, unsigned id)
{
    for (unsigned i = 0; i < t->nrows; i++)
        if (csv_num(t, i, "id") == (double)id)
            return (int)i;
    return -1;
}

bool shapes_header_is(const struct run_result *r, const char *name, const char *header)
{
    char path[700], line[2048];
    FILE *f;
    bool ok;

    snprintf(path, sizeof(path), "%s/%s", r->run_dir, name);
    f = fopen(path, "r");
    if (!f)
        return false;
    ok = fgets(line, sizeof(line), f) && (line[strcspn(line, "\n")] = '\0', !strcmp(line, header));
    fclose(f);
    return ok;
}

/* ---- the run directory holds what results/README.md documents, no more --- */

/* The README's file tree (its fenced block). */
static const char *documented_tree(void)
{
    static char text[16384];
    char *start, *end;
    size_t n = 0;
    FILE *f = fopen("results/README.md", "r");

    if (f) {
        n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
    }
    text[n] = '\0';
    start = strstr(text, "```\n");
    end = start ? strstr(start + 4, "```") : NULL;
    if (!end)
        return "";
    *end = '\0';
    return start + 4;
}

/* An entry at the top of the run directory: the README lists it as the
 * first word of a line indented by two spaces ("  meta.json", "  plots/"). */
static bool top_documented(const char *tree, const char *name, bool dir)
{
    char want[300];

    snprintf(want, sizeof(want), "\n  %s%s", name, dir ? "/" : "");
    for (const char *p = strstr(tree, want); p; p = strstr(p + 1, want)) {
        char after = p[strlen(want)];

        if (after == ' ' || after == '\n' || after == '\0')
            return true;
    }
    return false;
}

/* An entry of plots/ or lab/: named in the tree as "latency.{svg,png}",
 * "lab.env (", "l2-run/": its stem followed by '.', '/', ' ' or ','. */
static bool sub_documented(const char *tree, const char *name, bool dir)
{
    char stem[256];
    size_t len;

    snprintf(stem, sizeof(stem), "%s", name);
    if (!dir)
        stem[strcspn(stem, ".")] = '\0';
    len = strlen(stem);
    for (const char *p = strstr(tree, stem); p; p = strstr(p + 1, stem)) {
        char before = p == tree ? ' ' : p[-1], after = p[len];

        if (strchr(" \n(,{", before) && (dir ? after == '/' : strchr("./ ,)", after) != NULL))
            return true;
    }
    return false;
}

static unsigned check_dir(const char *tree, const char *dir, const char *sub)
{
    char path[900];
    struct dirent *d;
    struct stat st;
    unsigned n = 0;
    DIR *dh = opendir(dir);

    if (!dh)
        return problem("%s: cannot list", dir);
    while ((d = readdir(dh))) {
        bool is_dir;

        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
        is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
        if (sub ? !sub_documented(tree, d->d_name, is_dir) :
            !top_documented(tree, d->d_name, is_dir))
            n += problem("%s%s%s: not documented in results/README.md", sub ? sub : "",
                         d->d_name, is_dir ? "/" : "");
        else if (!sub && is_dir)
            n += check_dir(tree, path, !strcmp(d->d_name, "plots") ? "plots/" : "lab/");
    }
    closedir(dh);
    return n;
}

unsigned shapes_check_files(const struct run_result *r)
{
    static const char *const always[] = {
        "meta.json", "sweep.txt", "records.txt", "summary.csv", "samples.csv", "verify.csv",
        "serial.log", "qemu.log", "ratio.csv", "costmodel.csv", "decision.csv",
    };
    const char *tree = documented_tree();
    char path[700];
    struct stat st;
    unsigned n = 0;

    if (!*tree)
        return problem("results/README.md: no file tree");
    for (size_t i = 0; i < sizeof(always) / sizeof(always[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", r->run_dir, always[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            n += problem("%s: missing", always[i]);
    }
    return n + check_dir(tree, r->run_dir, NULL);
}

/* ---- meta.json: the keys results/README.md promises, by type ------------- */

/* Types: s string, i integer, b boolean, a array, o object, n null. */
static const struct { const char *path, *types; } meta_keys[] = {
    { "hvflush.version", "s" }, { "hvflush.git_rev", "s" }, { "label", "sn" },
    { "run_id", "s" }, { "start_utc", "s" }, { "end_utc", "s" }, { "status", "s" },
    { "reason", "n" }, { "host.kernel", "s" }, { "host.cpu_model", "s" },
    { "host.nproc", "i" }, { "qemu.binary", "s" }, { "qemu.version", "s" },
    { "qemu.argv", "a" }, { "accelerator.requested", "s" },
    { "accelerator.choice_reason", "sn" }, { "accelerator.name", "s" },
    { "accelerator.timing_class", "s" }, { "accelerator.label", "s" },
    { "accelerator.kvm_api", "in" }, { "accelerator.kvm_cap_hyperv", "in" },
    { "accelerator.kvm_usable", "b" }, { "accelerator.kvm_reason", "sn" },
    { "accelerator.host_virt_flags", "a" }, { "hwloc.version", "s" },
    { "hwloc.topology_xml", "s" }, { "pinning.policy", "s" }, { "pinning.map", "a" },
    { "sweep.name", "s" }, { "sweep.file", "s" }, { "sweep.text", "s" },
    { "sweep.configurations", "i" }, { "sweep.inject", "s" }, { "sweep.seed", "in" },
    { "vm.smp", "i" }, { "vm.memory_mib", "i" }, { "guest.platform.cpus", "i" },
    { "guest.platform.tsc_hz", "i" }, { "guest.platform.tsc_src", "s" },
    { "guest.platform.tsc_invariant", "i" }, { "guest.cpus", "a" },
    { "guest.timer.overhead", "i" }, { "guest.hyperv", "o" }, { "guest.conformance", "a" },
    { "guest.errors", "a" }, { "tsc_hz", "i" }, { "verdicts.pass", "i" },
    { "verdicts.inconclusive", "i" }, { "verdicts.fail", "i" }, { "verdicts.error", "i" },
    { "verdicts.unsupported", "i" }, { "hyperv_flags.probed", "b" },
    { "hyperv_flags.mode", "s" }, { "hyperv_flags.requested", "a" },
    { "hyperv_flags.accepted", "a" }, { "hyperv_flags.refused", "a" },
    { "hyperv_flags.cpu", "s" },
};

/* The value at a dotted path ("a.b.c"); NULL if absent. */
static json_t *at(json_t *root, const char *path)
{
    char key[64];

    while (root && *path) {
        size_t len = strcspn(path, ".");

        snprintf(key, sizeof(key), "%.*s", (int)len, path);
        root = json_object_get(root, key);
        path += len + (path[len] == '.');
    }
    return root;
}

static bool has_type(json_t *v, const char *types)
{
    return v && ((strchr(types, 's') && json_is_string(v)) ||
                 (strchr(types, 'i') && json_is_integer(v)) ||
                 (strchr(types, 'b') && json_is_boolean(v)) ||
                 (strchr(types, 'a') && json_is_array(v)) ||
                 (strchr(types, 'o') && json_is_object(v)) ||
                 (strchr(types, 'n') && json_is_null(v)));
}

static const char *str_at(json_t *m, const char *path)
{
    const char *s = json_string_value(at(m, path));

    return s ? s : "";
}

unsigned shapes_check_meta(const struct run_result *r, const struct shapes_expect *e)
{
    char path[700];
    unsigned n = 0;
    json_t *m;
    long long cpus = (long long)shapes_sw.cpus;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    m = json_load_file(path, 0, NULL);
    if (!m)
        return problem("meta.json: missing or not JSON");
    for (size_t i = 0; i < sizeof(meta_keys) / sizeof(meta_keys[0]); i++)
        if (!has_type(at(m, meta_keys[i].path), meta_keys[i].types))
            n += problem("meta.json: %s missing or not of type %s", meta_keys[i].path,
                         meta_keys[i].types);
    if (strcmp(str_at(m, "status"), "ok"))
        n += problem("meta.json: status %s", str_at(m, "status"));
    if (!json_is_string(at(m, "accelerator.choice_reason")) !=
        !!strcmp(str_at(m, "accelerator.requested"), "auto"))
        n += problem("meta.json: choice_reason must say why exactly when --accel auto chose");
    if (strcmp(str_at(m, "accelerator.timing_class"), e->timing_class))
        n += problem("meta.json: timing class %s, want %s",
                     str_at(m, "accelerator.timing_class"), e->timing_class);
    if (strcmp(str_at(m, "sweep.name"), e->sweep_name) ||
        strcmp(str_at(m, "guest.hello.sweep"), e->sweep_name))
        n += problem("meta.json: sweep %s (guest: %s), want %s", str_at(m, "sweep.name"),
                     str_at(m, "guest.hello.sweep"), e->sweep_name);
    if (json_integer_value(at(m, "sweep.configurations")) != shapes_sw.n)
        n += problem("meta.json: %lld configurations, the sweep expands to %d",
                     (long long)json_integer_value(at(m, "sweep.configurations")), shapes_sw.n);
    if (json_integer_value(at(m, "vm.smp")) != cpus ||
        json_integer_value(at(m, "guest.platform.cpus")) != cpus ||
        (long long)json_array_size(at(m, "guest.cpus")) != cpus)
        n += problem("meta.json: vm.smp, guest.platform.cpus and guest.cpus disagree with %lld",
                     cpus);
    if (json_integer_value(at(m, "tsc_hz")) <= 0 ||
        json_integer_value(at(m, "tsc_hz")) != json_integer_value(at(m, "guest.platform.tsc_hz")))
        n += problem("meta.json: tsc_hz not the guest's, or not positive");
    if (json_is_true(at(m, "hyperv_flags.probed")) == json_is_string(at(m, "hyperv_flags.not_probed_why")))
        n += problem("meta.json: hyperv_flags: not_probed_why exactly when not probed");
    if (json_array_size(at(m, "guest.errors")))
        n += problem("meta.json: the guest reported errors");
    json_decref(m);
    return n;
}

/* ---- summary.csv, row by row against the expanded sweep ------------------ */

static unsigned check_summary_row(const struct run_result *r, const struct csv_table *t,
                                  unsigned row, const struct sweep_config *c,
                                  const struct shapes_expect *e)
{
    const char *label = csv_cell(t, row, "label"), *verdict = csv_cell(t, row, "verdict");
    const char *flag = csv_cell(t, row, "ci_flag");
    const struct run_config *rc = NULL;
    double n = csv_num(t, row, "n");
    char want[96];
    unsigned k, bad = 0;

    sweep_config_label(c, want, sizeof(want));
    if (strcmp(label, want))
        bad += problem("summary.csv id %u: label %s, the sweep says %s", c->id, label, want);
    for (k = 0; k < NVERDICTS && strcmp(verdict, verdicts[k]); k++)
        ;
    if (k == NVERDICTS)
        bad += problem("summary.csv %s: verdict '%s'", label, verdict);
    if (strcmp(csv_cell(t, row, "timing_class"), e->timing_class))
        bad += problem("summary.csv %s: timing class %s", label,
                       csv_cell(t, row, "timing_class"));
    if (!strcmp(verdict, "unsupported")) {
        if (n != 0 || strcmp(flag, "-"))
            bad += problem("summary.csv %s: unsupported with n %s, ci_flag %s", label,
                           csv_cell(t, row, "n"), flag);
    } else {
        if (n < c->samples || (uint64_t)n % c->samples)
            bad += problem("summary.csv %s: n %s, not whole rounds of %u", label,
                           csv_cell(t, row, "n"), c->samples);
        /* The sweep has a ci-target: every measured row says where its CI got. */
        if (!c->ci_target_bp || (strcmp(flag, "ok") && strcmp(flag, "ci-wide")))
            bad += problem("summary.csv %s: ci_flag '%s' (ci-target %u bp)", label, flag,
                           c->ci_target_bp);
        if (!(csv_num(t, row, "p50_cyc") >= 0 &&
              csv_num(t, row, "min_cyc") <= csv_num(t, row, "p50_cyc") &&
              csv_num(t, row, "p50_cyc") <= csv_num(t, row, "max_cyc")))
            bad += problem("summary.csv %s: min <= p50 <= max does not hold", label);
    }
    if (!c->verify && strcmp(verdict, "-") && strcmp(verdict, "unsupported"))
        bad += problem("summary.csv %s: verdict %s for a configuration never verified", label,
                       verdict);
    for (k = 0; k < r->nconfigs; k++)
        if (r->cfg[k].id == c->id)
            rc = &r->cfg[k];
    if (!rc)
        return bad + problem("summary.csv %s: the guest never announced it", label);
    if (n != (double)rc->nsamples)
        bad += problem("summary.csv %s: n %s, records hold %llu", label, csv_cell(t, row, "n"),
                       (unsigned long long)rc->nsamples);
    snprintf(want, sizeof(want), "%s", rc->has_verify ? rc->verdict :
             rc->unsupported[0] ? "unsupported" : "-");
    if (strcmp(verdict, want))
        bad += problem("summary.csv %s: verdict %s, records say %s", label, verdict, want);
    return bad;
}

unsigned shapes_check_summary(const struct run_result *r, const struct shapes_expect *e)
{
    struct csv_table t;
    unsigned n = 0;

    if (!shapes_header_is(r, "summary.csv", SUMMARY_HEADER))
        n += problem("summary.csv: header is not SUMMARY_HEADER");
    if (!csv_read(r, "summary.csv", &t))
        return n + problem("summary.csv: missing or malformed");
    if (t.nrows != (unsigned)shapes_sw.n || r->nconfigs != (unsigned)shapes_sw.n)
        n += problem("summary.csv: %u rows, %u announced, the sweep expands to %d", t.nrows,
                     r->nconfigs, shapes_sw.n);
    for (int i = 0; i < shapes_sw.n; i++) {
        int row = shapes_row_of_id(&t, shapes_sw.cfg[i].id);

        if (row < 0)
            n += problem("summary.csv: no row for id %u", shapes_sw.cfg[i].id);
        else
            n += check_summary_row(r, &t, (unsigned)row, &shapes_sw.cfg[i], e);
    }
    csv_free(&t);
    return n;
}
