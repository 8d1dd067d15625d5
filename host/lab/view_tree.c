/*
 * L1's view of the host on disk (see lab.h): the plan's entries laid out
 * under CACHE/view-<key>, each file a hard link to the host's (a copy
 * where the cache is on another file system or the link is refused), so a
 * tree costs directory entries, not data.  A tree is built under a
 * temporary name and renamed into place: two runs that build the same
 * tree at once both end up using one of them.  Nothing in a tree is ever
 * written through: its files share their inodes with the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lab.h"
#include "util.h"

#define VIEW_PREFIX "view-"
#define VIEW_TMP_PREFIX ".view-tmp-"
#define VIEW_FILES "view-files"
/* A tree unused this long is removed (a lab run lasts minutes). */
#define VIEW_KEEP_S (24 * 3600)

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

/* Removes a tree: FTW_PHYS, so a symlink is removed, never followed. */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p of dir (absolute) under root. */
static bool make_dirs(const char *root, const char *dir, char *err, size_t errcap)
{
    char path[2 * PATH_MAX];
    size_t base = strlen(root);

    if (!fmt(path, sizeof(path), "%s%s", root, dir))
        return fmt(err, errcap, "%s%s: path too long", root, dir), false;
    for (char *c = path + base + 1; ; c++) {
        bool end = *c == '\0';

        if (*c != '/' && !end)
            continue;
        *c = '\0';
        if (mkdir(path, 0755) < 0 && errno != EEXIST)
            return fmt(err, errcap, "cannot create %s: %s", path, strerror(errno)), false;
        if (end)
            break;
        *c = '/';
    }
    return true;
}

static bool copy_file(const char *from, const char *to, mode_t mode, char *err,
                      size_t errcap)
{
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1;
    char buf[65536];
    ssize_t n = 0;

    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0777);
    while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    if (in < 0 || out < 0 || n < 0 || close(out) < 0) {
        fmt(err, errcap, "cannot copy %s to %s: %s", from, to, strerror(errno));
        if (in >= 0)
            close(in);
        return false;
    }
    close(in);
    return true;
}

/* A file the cache may not link to (another file system; protected_hardlinks
 * for a file the user does not own) is copied once into CACHE/view-files,
 * named by its identity, and trees link to that copy: a rebuilt hvflush
 * does not copy QEMU and its libraries again. */
static bool link_or_copy(const struct lab_view_entry *e, const char *cache, const char *to,
                         char *err, size_t errcap)
{
    char store[PATH_MAX + 128], tmp[PATH_MAX + 160];

    if (link(e->path, to) == 0)
        return true;
    if (!fmt(store, sizeof(store), "%s/" VIEW_FILES "/%llx-%llx-%lld-%lld.%09ld", cache,
             (unsigned long long)e->st.st_dev, (unsigned long long)e->st.st_ino,
             (long long)e->st.st_size, (long long)e->st.st_mtim.tv_sec,
             e->st.st_mtim.tv_nsec) ||
        !fmt(tmp, sizeof(tmp), "%s.tmp-%d", store, (int)getpid()))
        return fmt(err, errcap, "the lab cache path is too long"), false;
    if (access(store, F_OK) != 0) {
        char dir[PATH_MAX + 32];

        if (!fmt(dir, sizeof(dir), "%s/" VIEW_FILES, cache) ||
            !make_dirs("", dir, err, errcap))
            return false;
        unlink(tmp);
        if (!copy_file(e->path, tmp, e->st.st_mode, err, errcap))
            return false;
        if (rename(tmp, store) < 0) {
            unlink(tmp);
            return fmt(err, errcap, "cannot rename %s: %s", tmp, strerror(errno)), false;
        }
    }
    if (link(store, to) < 0)
        return copy_file(e->path, to, e->st.st_mode, err, errcap);
    return true;
}

/* Lays the plan out under root (an empty directory). */
static bool lay_out(const struct lab_view_plan *p, const char *cache, const char *root,
                    char *err, size_t errcap)
{
    static const char *const mount_points[] = { "/dev", "/proc", "/sys", NULL };
    char path[2 * PATH_MAX];

    for (size_t i = 0; i < p->n; i++) {
        const struct lab_view_entry *e = &p->e[i];

        if (!fmt(path, sizeof(path), "%s%s", root, e->path))
            return fmt(err, errcap, "%s%s: path too long", root, e->path), false;
        switch (e->kind) {
        case LAB_VIEW_DIR:
            if (mkdir(path, 0755) < 0 && errno != EEXIST)
                return fmt(err, errcap, "cannot create %s: %s", path, strerror(errno)),
                       false;
            break;
        case LAB_VIEW_LINK:
            if (symlink(e->target, path) < 0)
                return fmt(err, errcap, "cannot create %s: %s", path, strerror(errno)),
                       false;
            break;
        case LAB_VIEW_FILE:
            if (!link_or_copy(e, cache, path, err, errcap))
                return false;
            break;
        case LAB_VIEW_ABSENT:
            break;
        }
    }
    for (unsigned i = 0; mount_points[i]; i++)
        if (!make_dirs(root, mount_points[i], err, errcap))
            return false;
    return true;
}

/* Removes the copies in CACHE/view-files that no tree links to any more. */
static void prune_copies(const char *cache)
{
    char dir[PATH_MAX + 32];
    struct dirent *d;
    DIR *h;

    if (!fmt(dir, sizeof(dir), "%s/" VIEW_FILES, cache) || !(h = opendir(dir)))
        return;
    while ((d = readdir(h))) {
        char path[PATH_MAX + 300];
        struct stat st;

        if (d->d_name[0] != '.' && fmt(path, sizeof(path), "%s/%s", dir, d->d_name) &&
            lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1)
            unlink(path);
    }
    closedir(h);
}

/* Removes the cache's trees (and left-over temporary ones) not used for
 * VIEW_KEEP_S, except keep, then the copies no tree holds. */
static void prune(const char *cache, const char *keep)
{
    DIR *h = opendir(cache);
    struct dirent *d;
    time_t now = time(NULL);

    while (h && (d = readdir(h))) {
        char path[PATH_MAX + 300];
        struct stat st;

        if ((strncmp(d->d_name, VIEW_PREFIX, strlen(VIEW_PREFIX)) != 0 &&
             strncmp(d->d_name, VIEW_TMP_PREFIX, strlen(VIEW_TMP_PREFIX)) != 0) ||
            !strcmp(d->d_name, VIEW_FILES))
            continue;
        if (!fmt(path, sizeof(path), "%s/%s", cache, d->d_name) || !strcmp(path, keep))
            continue;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_mtime + VIEW_KEEP_S < now)
            remove_tree(path);
    }
    if (h)
        closedir(h);
    prune_copies(cache);
}

bool lab_view_build(const struct lab_view_plan *p, const char *cache, char *tree,
                    size_t cap, bool *built, char *err, size_t errcap)
{
    char tmp[PATH_MAX];
    struct stat st;

    *built = false;
    if (cache[0] != '/')
        return fmt(err, errcap, "the lab cache '%s' is not an absolute path", cache), false;
    if (!fmt(tree, cap, "%s/" VIEW_PREFIX "%016llx", cache, lab_view_key(p)) ||
        !fmt(tmp, sizeof(tmp), "%s/" VIEW_TMP_PREFIX "XXXXXX", cache))
        return fmt(err, errcap, "the lab cache path is too long"), false;
    if (stat(tree, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* Its mtime says when it was last used (prune). */
        utimensat(AT_FDCWD, tree, NULL, 0);
        return true;
    }
    if (!make_dirs("", cache, err, errcap))
        return false;
    if (!mkdtemp(tmp) || chmod(tmp, 0755) < 0)
        return fmt(err, errcap, "cannot create %s: %s", tmp, strerror(errno)), false;
    if (!lay_out(p, cache, tmp, err, errcap)) {
        remove_tree(tmp);
        return false;
    }
    if (rename(tmp, tree) < 0) {
        int e = errno;

        remove_tree(tmp);
        /* Another run built the same tree meanwhile: use that one. */
        if ((e != EEXIST && e != ENOTEMPTY) || stat(tree, &st) < 0)
            return fmt(err, errcap, "cannot rename %s to %s: %s", tmp, tree, strerror(e)),
                   false;
        return true;
    }
    *built = true;
    prune(cache, tree);
    return true;
}

bool lab_view_mount_point(const char *tree, const char *path, char *err, size_t errcap)
{
    /* A run ending at once may remove a parent just made (unmount_point):
     * try again. */
    for (int attempt = 0; attempt < 3; attempt++)
        if (make_dirs(tree, path, err, errcap))
            return true;
    return false;
}

void lab_view_unmount_point(const char *tree, const char *path)
{
    size_t base = strlen(tree);
    char full[2 * PATH_MAX];

    if (!fmt(full, sizeof(full), "%s%s", tree, path))
        return;
    /* rmdir removes only an empty directory: never anything of the plan
     * (each of its directories holds a file), nor another run's mount
     * point; a top-level one (/dev, /work, ...) stays. */
    while (full[base] == '/' && strchr(full + base + 1, '/') && rmdir(full) == 0)
        *strrchr(full + base, '/') = '\0';
}
