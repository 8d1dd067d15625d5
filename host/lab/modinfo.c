/*
 * The module lookup over an unpacked Debian kernel package (see lab.h).
 * Debian ships no modules.dep in the package (depmod writes it when the
 * package is installed), so module names are found by walking
 * lib/modules/<release>/kernel, built-in modules come from modules.builtin,
 * and each module's dependencies from its own depends= field, read with
 * kmod's modinfo.  A kernel build tree (lab_modinfo_open_tree) has no
 * lib/modules: its built modules are those its modules.order names.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "lab.h"
#include "util.h"

struct module_file {
    char name[LAB_MODULE_NAME];
    char *path;                     /* relative to the package root */
};

struct lab_modinfo {
    char root[PATH_MAX];            /* the unpacked package */
    char modinfo[PATH_MAX];
    struct module_file *files;
    size_t nfiles, capfiles;
    char *builtin;                  /* modules.builtin, one path per line */
};

static bool is_module_file(const char *name)
{
    size_t n = strlen(name);

    return (n > 3 && !strcmp(name + n - 3, ".ko")) ||
           (n > 6 && !strcmp(name + n - 6, ".ko.xz")) ||
           (n > 7 && !strcmp(name + n - 7, ".ko.zst"));
}

static bool add_file(struct lab_modinfo *mi, const char *rel)
{
    struct module_file *f;

    if (mi->nfiles == mi->capfiles) {
        size_t cap = mi->capfiles ? mi->capfiles * 2 : 1024;
        struct module_file *bigger = realloc(mi->files, cap * sizeof(*bigger));

        if (!bigger)
            return false;
        mi->files = bigger;
        mi->capfiles = cap;
    }
    f = &mi->files[mi->nfiles];
    f->path = strdup(rel);
    if (!f->path)
        return false;
    lab_module_name(rel, f->name, sizeof(f->name));
    mi->nfiles++;
    return true;
}

/* Records every module file below root/rel. */
static bool walk(struct lab_modinfo *mi, const char *rel)
{
    char dir[PATH_MAX * 2];
    struct dirent *e;
    bool ok = true;
    DIR *d;

    fmt(dir, sizeof(dir), "%s/%s", mi->root, rel);
    d = opendir(dir);
    if (!d)
        return false;
    while (ok && (e = readdir(d))) {
        char child[PATH_MAX];
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        if (!fmt(child, sizeof(child), "%s/%s", rel, e->d_name))
            continue;
        fmt(dir, sizeof(dir), "%s/%s", mi->root, child);
        if (lstat(dir, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode))
            ok = walk(mi, child);
        else if (S_ISREG(st.st_mode) && is_module_file(e->d_name))
            ok = add_file(mi, child);
    }
    closedir(d);
    return ok;
}

/* A lookup rooted at root, with modinfo found; NULL with why in err. */
static struct lab_modinfo *modinfo_new(const char *root, char *err, size_t errcap)
{
    struct lab_modinfo *mi = calloc(1, sizeof(*mi));

    if (!mi) {
        fmt(err, errcap, "out of memory");
        return NULL;
    }
    fmt(mi->root, sizeof(mi->root), "%s", root);
    /* modinfo lives in /usr/sbin, which a user's PATH may lack. */
    if (!find_executable("modinfo", mi->modinfo, sizeof(mi->modinfo)) &&
        !find_executable("/usr/sbin/modinfo", mi->modinfo, sizeof(mi->modinfo)) &&
        !find_executable("/sbin/modinfo", mi->modinfo, sizeof(mi->modinfo))) {
        fmt(err, errcap, "modinfo not found (Debian package: kmod)");
        lab_modinfo_close(mi);
        return NULL;
    }
    return mi;
}

struct lab_modinfo *lab_modinfo_open(const char *package_root, const char *modules_dir,
                                     char *err, size_t errcap)
{
    struct lab_modinfo *mi = modinfo_new(package_root, err, errcap);
    size_t n = strlen(package_root), len;
    char path[PATH_MAX + 32], rel[PATH_MAX];

    if (!mi)
        return NULL;
    if (strncmp(modules_dir, package_root, n) != 0 || modules_dir[n] != '/') {
        fmt(err, errcap, "%s is not inside %s", modules_dir, package_root);
        goto fail;
    }
    fmt(rel, sizeof(rel), "%s/kernel", modules_dir + n + 1);
    if (!walk(mi, rel)) {
        fmt(err, errcap, "cannot list the modules in %s/%s: %s", package_root, rel,
            strerror(errno ? errno : ENOMEM));
        goto fail;
    }
    /* A kernel without modules.builtin simply has nothing built in. */
    fmt(path, sizeof(path), "%s/modules.builtin", modules_dir);
    if (!read_file(path, &mi->builtin, &len, 0))
        mi->builtin = NULL;
    return mi;
fail:
    lab_modinfo_close(mi);
    return NULL;
}

/* Adds the modules a build tree's modules.order names and that were built:
 * "arch/x86/kvm/kvm.o" (newer kernels) or "kernel/arch/x86/kvm/kvm.ko". */
static bool add_ordered(struct lab_modinfo *mi, char *order)
{
    char *save = NULL;

    for (char *line = strtok_r(order, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char rel[PATH_MAX], path[PATH_MAX * 2];
        size_t n;
        struct stat st;

        if (!strncmp(line, "kernel/", 7))
            line += 7;
        n = strlen(line);
        if (n > 2 && !strcmp(line + n - 2, ".o"))
            fmt(rel, sizeof(rel), "%.*s.ko", (int)(n - 2), line);
        else
            fmt(rel, sizeof(rel), "%s", line);
        fmt(path, sizeof(path), "%s/%s", mi->root, rel);
        if (is_module_file(rel) && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            !add_file(mi, rel))
            return false;
    }
    return true;
}

struct lab_modinfo *lab_modinfo_open_tree(const char *tree, char *err, size_t errcap)
{
    struct lab_modinfo *mi = modinfo_new(tree, err, errcap);
    char path[PATH_MAX + 32], *order = NULL;
    size_t len;
    bool have_order, ok = true;

    if (!mi)
        return NULL;
    fmt(path, sizeof(path), "%s/modules.order", tree);
    have_order = read_file(path, &order, &len, 0);
    if (have_order)
        ok = add_ordered(mi, order);
    free(order);
    fmt(path, sizeof(path), "%s/modules.builtin", tree);
    if (!read_file(path, &mi->builtin, &len, 0))
        mi->builtin = NULL;
    if (!ok || (!have_order && !mi->builtin)) {
        fmt(err, errcap, ok ? "the build tree %s has neither modules.order nor "
            "modules.builtin (make modules)" : "out of memory", tree);
        lab_modinfo_close(mi);
        return NULL;
    }
    return mi;
}

/* Runs modinfo -F field on root/file; its first line in out. */
static bool modinfo_field(struct lab_modinfo *mi, const char *field, const char *file,
                          char *out, size_t cap, char *err, size_t errcap)
{
    char path[PATH_MAX * 2], *text = NULL;
    char *argv[] = { mi->modinfo, "-F", (char *)field, path, NULL };
    int status;

    fmt(path, sizeof(path), "%s/%s", mi->root, file);
    if (!capture_output(argv, false, &text, &status) ||
        !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fmt(err, errcap, "modinfo -F %s %s failed", field, path);
        free(text);
        return false;
    }
    text[strcspn(text, "\n")] = '\0';
    fmt(out, cap, "%s", text);
    free(text);
    return true;
}

bool lab_modinfo_release(struct lab_modinfo *mi, const char *file, char *release,
                         size_t cap, char *err, size_t errcap)
{
    char vermagic[512];

    if (!modinfo_field(mi, "vermagic", file, vermagic, sizeof(vermagic), err, errcap))
        return false;
    if (!vermagic[strspn(vermagic, " ")])
        return fmt(err, errcap, "%s/%s has no vermagic", mi->root, file), false;
    fmt(release, cap, "%.*s", (int)strcspn(vermagic + strspn(vermagic, " "), " "),
        vermagic + strspn(vermagic, " "));
    return true;
}

/* True when modules.builtin names the module. */
static bool builtin_has(const struct lab_modinfo *mi, const char *name)
{
    char line[LAB_MODULE_FILE], each[LAB_MODULE_NAME];

    for (const char *p = mi->builtin; p && *p; ) {
        size_t n = strcspn(p, "\n");

        if (fmt(line, sizeof(line), "%.*s", (int)n, p)) {
            lab_module_name(line, each, sizeof(each));
            if (!strcmp(each, name))
                return true;
        }
        p += n + (p[n] == '\n');
    }
    return false;
}

enum lab_lookup lab_modinfo_lookup(void *ctx, const char *name, char *file, size_t filecap,
                                   char *depends, size_t depcap, char *err, size_t errcap)
{
    struct lab_modinfo *mi = ctx;

    for (size_t i = 0; i < mi->nfiles; i++) {
        if (strcmp(mi->files[i].name, name) != 0)
            continue;
        fmt(file, filecap, "%s", mi->files[i].path);
        if (!modinfo_field(mi, "depends", mi->files[i].path, depends, depcap, err, errcap))
            return LAB_MODULE_ERROR;
        return LAB_MODULE_FOUND;
    }
    return builtin_has(mi, name) ? LAB_MODULE_BUILTIN : LAB_MODULE_MISSING;
}

void lab_modinfo_close(struct lab_modinfo *mi)
{
    if (!mi)
        return;
    for (size_t i = 0; i < mi->nfiles; i++)
        free(mi->files[i].path);
    free(mi->files);
    free(mi->builtin);
    free(mi);
}
