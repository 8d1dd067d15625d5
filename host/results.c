/*
 * Run ids, run directories and the "latest" symlink (see results.h).
 */
#include "results.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define LABEL_ID_MAX 40
#define RUN_DIR_TRIES 99

void results_sanitize_label(const char *label, char *out, size_t cap)
{
    size_t n = 0;

    if (cap == 0)
        return;
    for (const char *p = label; *p && n + 1 < cap && n < LABEL_ID_MAX; p++) {
        char c = *p;
        bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

        if (!keep)
            c = '-';
        if (c == '-' && (n == 0 || out[n - 1] == '-'))
            continue;
        if (c == '.' && n == 0)
            continue;
        out[n++] = c;
    }
    while (n > 0 && (out[n - 1] == '-' || out[n - 1] == '.'))
        n--;
    out[n] = '\0';
}

void results_run_id(time_t t, const char *accel, unsigned ncpus, const char *label,
                    char *id, size_t cap)
{
    char stamp[32], clean[LABEL_ID_MAX + 1] = "";
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
    if (label)
        results_sanitize_label(label, clean, sizeof(clean));
    fmt(id, cap, "%s-%s-%ucpu%s%s", stamp, accel, ncpus, clean[0] ? "-" : "", clean);
}

bool results_mkdirs(const char *path)
{
    char tmp[PATH_MAX];
    struct stat st;

    if (!fmt(tmp, sizeof(tmp), "%s", path)) {
        errno = ENAMETOOLONG;
        return false;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
        return false;
    if (stat(tmp, &st) < 0)
        return false;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return false;
    }
    return true;
}

bool results_create_run_dir(const char *out, const char *base_id,
                            char *id, size_t idcap, char *path, size_t pathcap,
                            char *err, size_t errcap)
{
    if (!results_mkdirs(out)) {
        fmt(err, errcap, "cannot create results directory '%s': %s", out, strerror(errno));
        return false;
    }
    for (int i = 1; i <= RUN_DIR_TRIES; i++) {
        bool ok = i == 1 ? fmt(id, idcap, "%s", base_id)
                         : fmt(id, idcap, "%s-%d", base_id, i);

        if (!ok || !fmt(path, pathcap, "%s/%s", out, id)) {
            fmt(err, errcap, "run directory name too long under '%s'", out);
            return false;
        }
        /* mkdir is atomic: EEXIST means someone else has this name, so we
         * never reuse (and never overwrite) an existing directory. */
        if (mkdir(path, 0755) == 0)
            return true;
        if (errno != EEXIST) {
            fmt(err, errcap, "cannot create run directory '%s': %s", path, strerror(errno));
            return false;
        }
    }
    fmt(err, errcap, "run directories %s/%s through -%d all exist", out, base_id,
        RUN_DIR_TRIES);
    return false;
}

bool results_update_latest(const char *out, const char *run_id, char *err, size_t errcap)
{
    char tmp[PATH_MAX], link[PATH_MAX];

    if (!fmt(tmp, sizeof(tmp), "%s/.latest.%ld", out, (long)getpid()) ||
        !fmt(link, sizeof(link), "%s/latest", out)) {
        fmt(err, errcap, "path too long");
        return false;
    }
    unlink(tmp);
    if (symlink(run_id, tmp) < 0) {
        fmt(err, errcap, "cannot create symlink '%s': %s", tmp, strerror(errno));
        return false;
    }
    /* rename() replaces an existing symlink atomically. */
    if (rename(tmp, link) < 0) {
        fmt(err, errcap, "cannot replace '%s': %s", link, strerror(errno));
        unlink(tmp);
        return false;
    }
    return true;
}
