/*
 * The module lookup over an unpacked Debian kernel package (see lab.h).
 * Debian ships no modules.dep in the package (depmod writes it when the
 * package is installed), so module names are found by walking
 * lib/modules/<release>/kernel, built-in modules come from modules.builtin,
 * and each module's dependencies from its own depends= field, read with
 * kmod's modinfo.
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

struct lab_modinfo *lab_modinfo_open(const char *package_root, const char *modules_dir,
                                     char *err, size_t errcap)
{
    struct lab_modinfo *mi = calloc(1, sizeof(*mi));
    size_t n = strlen(package_root), len;
    char path[PATH_MAX + 32], rel[PATH_MAX];

    if (!mi) {
        fmt(err, errcap, "out of memory");
        return NULL;
    }
    fmt(mi->root, sizeof(mi->root), "%s", package_root);
    /* modinfo lives in /usr/sbin, which a user's PATH may lack. */
    if (!find_executable("modinfo", mi->modinfo, sizeof(mi->modinfo)) &&
        !find_executable("/usr/sbin/modinfo", mi->modinfo, sizeof(mi->modinfo)) &&
        !find_executable("/sbin/modinfo", mi->modinfo, sizeof(mi->modinfo))) {
        fmt(err, errcap, "modinfo not found (Debian package: kmod)");
        goto fail;
    }
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
    char path[PATH_MAX * 2], *out = NULL;
    char *argv[] = { mi->modinfo, "-F", "depends", path, NULL };
    int status;

    for (size_t i = 0; i < mi->nfiles; i++) {
        if (strcmp(mi->files[i].name, name) != 0)
            continue;
        fmt(file, filecap, "%s", mi->files[i].path);
        fmt(path, sizeof(path), "%s/%s", mi->root, mi->files[i].path);
        if (!capture_output(argv, false, &out, &status) ||
            !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fmt(err, errcap, "modinfo -F depends %s failed", path);
            free(out);
            return LAB_MODULE_ERROR;
        }
        out[strcspn(out, "\n")] = '\0';
        fmt(depends, depcap, "%s", out);
        free(out);
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
