/*
 * Preparing the lab (see lab.h): choose the kernel package, have
 * scripts/lab/prepare.sh fetch and unpack it into the cache (or, for
 * --lab-kernel PATH, take the kernel a developer built: local.c), resolve the
 * modules L1 must load, and have the script pack the initramfs.  The script
 * prints one "hvflush: lab: ..." line when it fails; this file adds none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "lab.h"
#include "util.h"

#define ARGS_MAX (LAB_MODULES_MAX + 8)

bool lab_cache_dir(char *out, size_t cap)
{
    const char *env = getenv("HVFLUSH_LAB_CACHE"), *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");

    if (env && *env)
        return fmt(out, cap, "%s", env);
    if (xdg && *xdg == '/')
        return fmt(out, cap, "%s/hvflush/lab", xdg);
    if (home && *home)
        return fmt(out, cap, "%s/.cache/hvflush/lab", home);
    return false;
}

/* Runs prepare.sh with args; its stdout comes back in *out.  Its stderr
 * (progress, and its one error line) goes straight to ours. */
static bool run_script(char *const argv[], char **out)
{
    int status;

    if (!capture_output(argv, false, out, &status)) {
        hv_err("lab: cannot run %s", argv[1]);
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    if (!WIFEXITED(status))
        hv_err("lab: %s %s was killed by signal %d", argv[1], argv[2], WTERMSIG(status));
    else if (WEXITSTATUS(status) == 127)
        hv_err("lab: cannot execute %s", argv[1]);
    free(*out);
    *out = NULL;
    return false;
}

/* Copies the value of a "key=value" line of text; false when absent. */
static bool value_of(const char *text, const char *key, char *out, size_t cap)
{
    size_t n = strlen(key);

    for (const char *p = text; p && *p; ) {
        size_t len = strcspn(p, "\n");

        if (len > n && !strncmp(p, key, n) && p[n] == '=')
            return fmt(out, cap, "%.*s", (int)(len - n - 1), p + n + 1);
        p += len + (p[len] == '\n');
    }
    return false;
}

/* Reads the keys a step must print; names the first one missing. */
static bool take_values(const char *text, const char *step, const char *const keys[],
                        char *const outs[], const size_t caps[])
{
    for (size_t i = 0; keys[i]; i++) {
        if (!value_of(text, keys[i], outs[i], caps[i])) {
            hv_err("lab: prepare.sh %s printed no %s=", step, keys[i]);
            return false;
        }
    }
    return true;
}

/* Chooses the package for spec from the "packages" step's listing. */
static bool choose_package(char *sh, char *script, const char *cache, const char *spec,
                           char *out, size_t cap)
{
    char *argv[] = { sh, script, "packages", (char *)cache, NULL };
    char *text, *line, *save = NULL, err[512], default_package[128] = "";
    const char **names;
    size_t n = 0;
    bool ok;

    /* A full package name needs no listing: the kernel step checks it. */
    if (spec && !strncmp(spec, "linux-image-", 12))
        return fmt(out, cap, "%s", spec);
    if (!run_script(argv, &text))
        return false;
    names = calloc(strlen(text) / 2 + 1, sizeof(*names));
    if (!names) {
        free(text);
        hv_err("out of memory");
        return false;
    }
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "default ", 8))
            fmt(default_package, sizeof(default_package), "%s", line + 8);
        else if (!strncmp(line, "candidate ", 10))
            names[n++] = line + 10;
    }
    ok = lab_kernel_select(spec, default_package, names, n, out, cap, err, sizeof(err));
    if (!ok)
        hv_err("lab: %s", err);
    free(names);
    free(text);
    return ok;
}

/* The "kernel" step: download and unpack, or find them in the cache. */
static bool fetch_kernel(char *sh, char *script, const char *package, struct lab_kernel *k,
                         char *modules, size_t modcap)
{
    char *argv[] = { sh, script, "kernel", k->cache, (char *)package, NULL };
    static const char *const keys[] = {
        "package", "version", "dir", "kver", "kernel", "modules", NULL,
    };
    char *const outs[] = { k->package, k->version, k->dir, k->release, k->kernel, modules };
    const size_t caps[] = { sizeof(k->package), sizeof(k->version), sizeof(k->dir),
                            sizeof(k->release), sizeof(k->kernel), modcap };
    char cached[8] = "", *text;
    bool ok;

    if (!run_script(argv, &text))
        return false;
    ok = take_values(text, "kernel", keys, outs, caps);
    value_of(text, "cached", cached, sizeof(cached));
    k->kernel_cached = !strcmp(cached, "yes");
    free(text);
    return ok;
}

/* --lab-kernel PATH: a kernel a developer built (local.c). */
static bool find_local(const char *spec, struct lab_kernel *k, char *modules, size_t modcap)
{
    struct lab_local l;
    char err[PATH_MAX + 512];

    if (!lab_local_classify(spec, &l, err, sizeof(err))) {
        hv_err("lab: %s", err);
        return false;
    }
    k->source = l.kind;
    fmt(k->source_path, sizeof(k->source_path), "%s", l.path);
    fmt(k->release, sizeof(k->release), "%s", l.release);
    fmt(k->kernel, sizeof(k->kernel), "%s", l.kernel);
    k->kernel_cached = true;
    return fmt(modules, modcap, "%s", l.modules_dir);
}

/* A local kernel's cache entry, made once its modules are known good. */
static bool make_local_entry(struct lab_kernel *k)
{
    struct lab_local l = { .kind = k->source };
    char err[PATH_MAX + 512];

    fmt(l.path, sizeof(l.path), "%s", k->source_path);
    fmt(l.release, sizeof(l.release), "%s", k->release);
    if (!lab_local_entry(k->cache, &l, k->dir, sizeof(k->dir), err, sizeof(err))) {
        hv_err("lab: %s", err);
        return false;
    }
    return true;
}

/* Every module L1 will load must be built for the kernel's release. */
static bool same_release(struct lab_modinfo *mi, const struct lab_kernel *k, char *err,
                         size_t errcap)
{
    for (unsigned i = 0; i < k->modules.n; i++) {
        char release[128];

        if (!lab_modinfo_release(mi, k->modules.m[i].file, release, sizeof(release),
                                 err, errcap))
            return false;
        if (strcmp(release, k->release) != 0)
            return fmt(err, errcap, "kernel and modules of different versions: the kernel "
                       "is release %s, module %s (%s) was built for %s", k->release,
                       k->modules.m[i].name, k->modules.m[i].file, release), false;
    }
    return true;
}

/* The modules L1 loads: the 9p transport first, so that L1 can report a
 * KVM failure into the run directory, then KVM. */
static bool resolve_modules(struct lab_kernel *k, const char *modules, const char *kvm_module)
{
    static const char *const transport[] = { "virtio_pci", "9pnet_virtio", "9p", NULL };
    const char *const kvm[] = { kvm_module, NULL };
    char root[PATH_MAX + 8], err[1024];
    struct lab_modinfo *mi;
    bool ok;

    /* Module files are named relative to the package's root, or to the
     * folder a developer gave (the local entry's "root" links to it). */
    if (k->source_path[0])
        fmt(root, sizeof(root), "%s", k->source_path);
    else
        fmt(root, sizeof(root), "%s/root", k->dir);
    mi = k->source == LAB_SOURCE_TREE ? lab_modinfo_open_tree(root, err, sizeof(err))
                                      : lab_modinfo_open(root, modules, err, sizeof(err));
    if (!mi) {
        hv_err("lab: %s", err);
        return false;
    }
    k->modules.n = 0;
    ok = lab_modules_resolve(transport, "transport", lab_modinfo_lookup, mi, &k->modules,
                             err, sizeof(err)) &&
         lab_modules_resolve(kvm, "kvm", lab_modinfo_lookup, mi, &k->modules,
                             err, sizeof(err)) &&
         same_release(mi, k, err, sizeof(err));
    lab_modinfo_close(mi);
    if (!ok)
        hv_err("lab: %s (kernel %s%s%s)", err, k->release,
               k->source_path[0] ? " from " : "", k->source_path);
    return ok;
}

/* The "initramfs" step: pack busybox, the init and the modules. */
static bool pack_initramfs(char *sh, char *script, const char *init, const char *kvm_module,
                           struct lab_kernel *k)
{
    static const char *const keys[] = { "initramfs", "busybox", NULL };
    char *const outs[] = { k->initramfs, k->busybox };
    const size_t caps[] = { sizeof(k->initramfs), sizeof(k->busybox) };
    char *argv[ARGS_MAX + 1] = {
        sh, script, "initramfs", k->cache, k->dir, (char *)init, (char *)kvm_module,
    };
    char *module_args[LAB_MODULES_MAX] = { NULL };
    char cached[8] = "", *text = NULL;
    int argc = 7;
    bool ok = true;

    for (unsigned i = 0; i < k->modules.n && ok; i++) {
        ok = asprintf(&module_args[i], "%s:%s", k->modules.m[i].group,
                      k->modules.m[i].file) >= 0;
        if (!ok)
            module_args[i] = NULL;
        argv[argc++] = module_args[i];
    }
    argv[argc] = NULL;
    if (!ok)
        hv_err("out of memory");
    else if ((ok = run_script(argv, &text))) {
        ok = take_values(text, "initramfs", keys, outs, caps);
        value_of(text, "cached", cached, sizeof(cached));
        k->initramfs_cached = !strcmp(cached, "yes");
    }
    free(text);
    for (unsigned i = 0; i < k->modules.n; i++)
        free(module_args[i]);
    return ok;
}

bool lab_prepare(const char *root, const char *spec, const char *kvm_module, bool quiet,
                 struct lab_kernel *k)
{
    char script[PATH_MAX], init[PATH_MAX], package[128], modules[PATH_MAX];
    long long start = mono_ms();
    char sh[] = "/bin/sh";
    bool ok;

    memset(k, 0, sizeof(*k));
    if (!lab_cache_dir(k->cache, sizeof(k->cache))) {
        hv_err("lab: no cache directory: set HVFLUSH_LAB_CACHE, XDG_CACHE_HOME or HOME");
        return false;
    }
    fmt(script, sizeof(script), "%s/scripts/lab/prepare.sh", root);
    fmt(init, sizeof(init), "%s/scripts/lab/init.sh", root);
    if (quiet)
        setenv("HVFLUSH_QUIET", "1", 1);
    if (lab_kernel_is_path(spec))
        ok = find_local(spec, k, modules, sizeof(modules));
    else
        ok = choose_package(sh, script, k->cache, spec, package, sizeof(package)) &&
             fetch_kernel(sh, script, package, k, modules, sizeof(modules));
    ok = ok && resolve_modules(k, modules, kvm_module) &&
         (!k->source_path[0] || make_local_entry(k)) &&
         pack_initramfs(sh, script, init, kvm_module, k);
    if (quiet)
        unsetenv("HVFLUSH_QUIET");
    k->prepare_ms = mono_ms() - start;
    return ok;
}
