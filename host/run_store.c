/*
 * Writing a run's results when the file system refuses (see run_store.h).
 */
#include "run_store.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "run.h"
#include "util.h"

/* Below this much free space a failed run's file system counts as full. */
#define STORE_FULL_BYTES (64 * 1024)

/* What a run keeps when its results cannot be written: what the guest and
 * QEMU wrote, what it ran, and the record of the run itself. */
static const char *const kept_files[] = {
    "meta.json", "records.txt", "records-area.txt", "records-debugcon.txt", "serial.log",
    "qemu.log", "sweep.txt",
};

static bool is_kept(const char *name)
{
    for (size_t i = 0; i < sizeof(kept_files) / sizeof(kept_files[0]); i++)
        if (!strcmp(name, kept_files[i]))
            return true;
    return false;
}

void run_store_note(struct run_store *s, const char *err)
{
    if (s->nerrors++ == 0)
        fmt(s->first, sizeof(s->first), "%s", err);
}

/* Removes the regular files of dir that are not kept (all of them with
 * keep false); subdirectories (boot-N, plots) are left alone. */
static void remove_files(const char *dir, bool keep)
{
    char path[PATH_MAX + 256];
    struct dirent *e;
    DIR *d = opendir(dir);

    while (d && (e = readdir(d))) {
        if (e->d_type == DT_DIR || (keep && is_kept(e->d_name)))
            continue;
        if (fmt(path, sizeof(path), "%s/%s", dir, e->d_name))
            unlink(path);
    }
    if (d)
        closedir(d);
}

static bool file_system_full(const char *dir)
{
    struct statvfs vfs;

    return statvfs(dir, &vfs) == 0 &&
           (unsigned long long)vfs.f_bavail * vfs.f_frsize < STORE_FULL_BYTES;
}

void run_store_settle(struct run_info *ri)
{
    struct run_store *s = &ri->store;
    bool full = file_system_full(ri->run_dir);

    if (s->nerrors) {
        remove_files(ri->run_dir, true);
        ri->status = "failed";
        append(ri->reason, sizeof(ri->reason), "%scannot write the results: %s",
               ri->reason[0] ? "; " : "", s->first);
        if (s->nerrors > 1)
            append(ri->reason, sizeof(ri->reason), " (and %u more)", s->nerrors - 1);
        append(ri->reason, sizeof(ri->reason), "; the results written in part were removed, "
               "records, logs and sweep kept");
    }
    /* A full file system also cuts QEMU's records short, which QEMU does
     * not report: the collector then sees only a broken stream. */
    if (full && strcmp(ri->status, "ok"))
        append(ri->reason, sizeof(ri->reason), "%sthe run directory's file system is full "
               "(No space left on device)", ri->reason[0] ? "; " : "");
}

bool run_store_write_meta(const struct run_info *ri, char *err, size_t cap)
{
    char path[PATH_MAX + 16], *old = NULL;
    size_t len;
    bool ok;

    if (meta_write(ri, err, cap))
        return true;
    /* meta.json is replaced by rename: for a moment both take room.  The
     * old one goes first, and comes back should the new one still not fit
     * (its "running" then reads as incomplete: run_state.h). */
    if (!ri->store.nerrors || !fmt(path, sizeof(path), "%s/meta.json", ri->run_dir) ||
        !read_file(path, &old, &len, 1 << 24))
        return false;
    unlink(path);
    ok = meta_write(ri, err, cap);
    if (!ok && !write_file(path, old, len))
        unlink(path);
    free(old);
    return ok;
}

void run_store_discard(const char *run_dir)
{
    remove_files(run_dir, false);
    rmdir(run_dir);
}
