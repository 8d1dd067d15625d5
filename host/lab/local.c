/*
 * A kernel a developer built, as --lab-kernel PATH (see lab.h): either the
 * folder that holds a bzImage (or vmlinuz-*) and the lib/modules/<release>
 * that "make modules_install INSTALL_MOD_PATH=PATH" wrote, or a kernel
 * build tree (arch/x86/boot/bzImage, include/config/kernel.release, the
 * built modules named by modules.order, modules.builtin).  The release is
 * read from the bzImage itself (bzimage.c) and must be the modules'
 * release; prepare.c then checks every module's vermagic against it.
 *
 * The initramfs is built in a cache entry of its own (CACHE/local-<release>
 * -<hash of the path>), whose "root" is a symlink to PATH, so that the
 * developer's folder is only read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "util.h"

#define TREE_IMAGE   "arch/x86/boot/bzImage"
#define TREE_RELEASE "include/config/kernel.release"
#define CANDIDATES   8

static const char *const source_names[] = {
    [LAB_SOURCE_PACKAGE] = "debian-package",
    [LAB_SOURCE_INSTALL] = "install-dir",
    [LAB_SOURCE_TREE] = "build-tree",
};

const char *lab_source_name(enum lab_source s)
{
    return source_names[s];
}

bool lab_kernel_is_path(const char *spec)
{
    struct stat st;

    return spec && *spec && (strchr(spec, '/') || stat(spec, &st) == 0);
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);

    return n >= t && !strcmp(s + n - t, tail);
}

/* Adds dir/bzImage and dir/vmlinuz-* to the candidates. */
static unsigned add_images(const char *dir, char cand[][PATH_MAX], unsigned n)
{
    struct dirent *e;
    DIR *d = opendir(dir);

    while (d && (e = readdir(d)) && n < CANDIDATES) {
        char path[PATH_MAX];

        if ((strcmp(e->d_name, "bzImage") && strncmp(e->d_name, "vmlinuz-", 8)) ||
            !fmt(path, sizeof(path), "%s/%s", dir, e->d_name) || !is_file(path))
            continue;
        fmt(cand[n++], PATH_MAX, "%s", path);
    }
    if (d)
        closedir(d);
    return n;
}

/* The first entry of dir/lib/modules (for the mismatch message), or "". */
static void first_modules_entry(const char *dir, char *out, size_t cap)
{
    char path[PATH_MAX + 16];
    struct dirent *e;
    DIR *d;

    out[0] = '\0';
    fmt(path, sizeof(path), "%s/lib/modules", dir);
    d = opendir(path);
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && !out[0])
            fmt(out, cap, "%s", e->d_name);
    if (d)
        closedir(d);
}

/* An install folder: its kernel image, and lib/modules/<its release>. */
static bool classify_install(struct lab_local *l, const char *image, char *err, size_t errcap)
{
    char cand[CANDIDATES][PATH_MAX], boot[PATH_MAX + 8], other[256];
    unsigned n = 0;

    if (image) {
        fmt(cand[n++], PATH_MAX, "%s", image);
    } else {
        fmt(boot, sizeof(boot), "%s/boot", l->path);
        n = add_images(l->path, cand, n);
        n = add_images(boot, cand, n);
    }
    if (n == 0) {
        fmt(boot, sizeof(boot), "%s/lib/modules", l->path);
        return fmt(err, errcap, "%s holds no kernel: no bzImage, vmlinuz-* or "
                   "boot/vmlinuz-*%s, and it is not a kernel build tree (no %s)", l->path,
                   is_dir(boot) ? " (only lib/modules)" : "", TREE_IMAGE), false;
    }
    if (n > 1)
        return fmt(err, errcap, "%s holds %u kernel images (%s, %s%s): pass the one to "
                   "use", l->path, n, cand[0], cand[1], n > 2 ? ", ..." : ""), false;
    fmt(l->kernel, sizeof(l->kernel), "%s", cand[0]);
    if (!lab_bzimage_release(l->kernel, l->release, sizeof(l->release), err, errcap))
        return false;
    if (!fmt(l->modules_dir, sizeof(l->modules_dir), "%s/lib/modules/%s", l->path,
             l->release))
        return fmt(err, errcap, "%s: path too long", l->path), false;
    if (is_dir(l->modules_dir))
        return true;
    first_modules_entry(l->path, other, sizeof(other));
    if (other[0])
        return fmt(err, errcap, "kernel and modules of different versions: %s is release "
                   "%s, but %s/lib/modules holds %s", l->kernel, l->release, l->path,
                   other), false;
    return fmt(err, errcap, "%s has no modules: no lib/modules/%s (make modules_install "
               "INSTALL_MOD_PATH=%s)", l->path, l->release, l->path), false;
}

/* A build tree: its bzImage, whose release must be the tree's. */
static bool classify_tree(struct lab_local *l, char *err, size_t errcap)
{
    char path[PATH_MAX + 64], *text = NULL;
    size_t len;
    bool same;

    fmt(l->kernel, sizeof(l->kernel), "%s/%s", l->path, TREE_IMAGE);
    if (!is_file(l->kernel))
        return fmt(err, errcap, "%s is a kernel build tree without %s (not built yet: make "
                   "bzImage modules; or not an x86 kernel)", l->path, TREE_IMAGE), false;
    if (!lab_bzimage_release(l->kernel, l->release, sizeof(l->release), err, errcap))
        return false;
    fmt(path, sizeof(path), "%s/%s", l->path, TREE_RELEASE);
    if (!read_file(path, &text, &len, 4096))
        return fmt(err, errcap, "cannot read %s: %s", path, strerror(errno)), false;
    text[strcspn(text, "\r\n")] = '\0';
    same = !strcmp(text, l->release);
    if (!same)
        fmt(err, errcap, "kernel and modules of different versions: %s is release %s, but "
            "the tree's %s says %s (a stale bzImage? make bzImage modules)", l->kernel,
            l->release, TREE_RELEASE, text);
    free(text);
    fmt(l->modules_dir, sizeof(l->modules_dir), "%s", l->path);
    return same;
}

bool lab_local_classify(const char *spec, struct lab_local *l, char *err, size_t errcap)
{
    char real[PATH_MAX], dir[PATH_MAX], probe[PATH_MAX + 64];
    const char *image = NULL;
    struct stat st;

    memset(l, 0, sizeof(*l));
    if (stat(spec, &st) != 0 || !realpath(spec, real))
        return fmt(err, errcap, "--lab-kernel %s: %s", spec, strerror(errno)), false;
    if (S_ISREG(st.st_mode)) {
        /* A kernel image: its build tree, or the install folder around it. */
        image = real;
        fmt(dir, sizeof(dir), "%s", real);
        if (ends_with(dir, "/" TREE_IMAGE))
            dir[strlen(dir) - strlen("/" TREE_IMAGE)] = '\0';
        else
            *strrchr(dir, '/') = '\0';
        if (ends_with(dir, "/boot") && strlen(dir) > 5)
            dir[strlen(dir) - 5] = '\0';
    } else if (S_ISDIR(st.st_mode)) {
        fmt(dir, sizeof(dir), "%s", real);
    } else {
        return fmt(err, errcap, "--lab-kernel %s is neither a folder nor a kernel image",
                   spec), false;
    }
    fmt(l->path, sizeof(l->path), "%s", dir[0] ? dir : "/");
    fmt(probe, sizeof(probe), "%s/%s", l->path, TREE_RELEASE);
    l->kind = is_file(probe) ? LAB_SOURCE_TREE : LAB_SOURCE_INSTALL;
    if (l->kind == LAB_SOURCE_TREE && (!image || ends_with(image, "/" TREE_IMAGE)))
        return classify_tree(l, err, errcap);
    l->kind = LAB_SOURCE_INSTALL;
    return classify_install(l, image, err, errcap);
}

/* FNV-1a: a short, stable name for a path. */
static unsigned long long path_hash(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;

    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
    return h;
}

bool lab_local_entry(const char *cache, const struct lab_local *l, char *dir, size_t cap,
                     char *err, size_t errcap)
{
    char link[PATH_MAX + 16], tmp[PATH_MAX + 32], target[PATH_MAX];
    ssize_t n;

    if (!fmt(dir, cap, "%s/local-%s-%016llx", cache, l->release, path_hash(l->path)))
        return fmt(err, errcap, "cache path too long"), false;
    if ((mkdir(cache, 0755) < 0 && errno != EEXIST) || (mkdir(dir, 0755) < 0 && errno != EEXIST))
        return fmt(err, errcap, "cannot create %s: %s", dir, strerror(errno)), false;
    fmt(link, sizeof(link), "%s/root", dir);
    n = readlink(link, target, sizeof(target) - 1);
    if (n > 0 && (target[n] = '\0', !strcmp(target, l->path)))
        return true;
    /* Replaced atomically: a second run may be reading it. */
    fmt(tmp, sizeof(tmp), "%s/.root.%ld", dir, (long)getpid());
    unlink(tmp);
    if (symlink(l->path, tmp) < 0 || rename(tmp, link) < 0) {
        fmt(err, errcap, "cannot link %s to %s: %s", link, l->path, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}
