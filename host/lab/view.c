/*
 * L1's view of the host for one lab run (see lab.h): what goes into it,
 * the run directory's mount point in it, and the list of host paths L1's
 * init probes (RUN/lab/l1-probe; its answer is RUN/lab/l1-host-view).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "run.h"
#include "util.h"

/* Besides the binaries: the loader's cache (libraries outside the
 * default directories) and the time zone (L1's run names its directory by
 * local time, as the host does).  Neither is required. */
static const char *const optional_files[] = { "/etc/ld.so.cache", "/etc/localtime", NULL };

/* What L1 must not see; probed on every run (RUN/lab/l1-host-view). */
static const char *const private_paths[] = {
    "/root", "/home", "/etc/shadow", "/etc/gshadow", "/etc/ssh", "/etc/sudoers", NULL,
};

/* QEMU's data directories (firmware, option ROMs, keymaps), as the binary
 * itself lists them (-L help), each added whole. */
static bool add_qemu_data(struct lab_view_plan *p, const char *qemu, char *err,
                          size_t errcap)
{
    char *argv[] = { (char *)qemu, "-L", "help", NULL }, *out = NULL, *save = NULL;
    int status;
    bool ok = true, any = false;

    if (!capture_output(argv, true, &out, &status))
        return fmt(err, errcap, "cannot run %s -L help", qemu), false;
    for (char *line = strtok_r(out, "\n", &save); ok && line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] != '/')
            continue;
        any = true;
        ok = lab_view_add_dir(p, line, err, errcap);
    }
    free(out);
    if (ok && !any)
        return fmt(err, errcap, "%s -L help named no data directory", qemu), false;
    return ok;
}

/* L1's image run (no --sweep, no --guest: the image has both) still
 * loads the default sweep and finds the default guest of its hvflush's
 * checkout, as any image run does (run_prepare): they are in the view
 * where the host has them. */
static bool add_image_run_defaults(struct lab_view_plan *p, const struct run_info *ri,
                                   const char *hvflush, char *err, size_t errcap)
{
    char dir[PATH_MAX], path[PATH_MAX + 32], *slash;

    fmt(dir, sizeof(dir), "%s", hvflush);
    if ((slash = strrchr(dir, '/')))
        *slash = '\0';
    fmt(path, sizeof(path), "%s/hvflush-guest.elf", dir);
    if (!lab_view_add(p, path, false, NULL, err, errcap))
        return false;
    /* The checkout: the folder above the executable's (paths_root). */
    if ((slash = strrchr(dir, '/')) && slash != dir)
        *slash = '\0';
    else
        fmt(dir, sizeof(dir), "/");
    return !paths_sweep(dir, ri->opt->sweep, path, sizeof(path)) ||
           lab_view_add(p, path, false, NULL, err, errcap);
}

static bool plan_view(const struct run_info *ri, struct lab_view_plan *p, char *err,
                      size_t errcap)
{
    const struct lab_plan *lab = ri->lab;
    char hvflush[PATH_MAX];
    bool ok;

    if (!realpath("/proc/self/exe", hvflush))
        return fmt(err, errcap, "cannot find the hvflush executable: %s", strerror(errno)),
               false;
    ok = lab_view_add_binary(p, hvflush, err, errcap) &&
         lab_view_add_binary(p, ri->qemu, err, errcap) &&
         add_qemu_data(p, ri->qemu, err, errcap);
    if (ok && lab->image[0]) {
        ok = lab_view_add(p, lab->image, true, NULL, err, errcap) &&
             add_image_run_defaults(p, ri, hvflush, err, errcap);
        if (ok && ri->opt->firmware && !strcmp(ri->opt->firmware, "uefi"))
            ok = lab_view_add(p, RUN_OVMF_PATH, true, NULL, err, errcap);
    } else if (ok) {
        ok = lab_view_add(p, ri->guest, true, NULL, err, errcap);
    }
    for (unsigned i = 0; ok && optional_files[i]; i++)
        ok = lab_view_add(p, optional_files[i], false, NULL, err, errcap);
    return ok;
}

bool lab_view_prepare(struct run_info *ri)
{
    struct lab_view_plan p = { 0 };
    char err[PATH_MAX + 512];
    bool built = false, ok;

    ok = plan_view(ri, &p, err, sizeof(err)) &&
         lab_view_build(&p, ri->lab->k.cache, ri->lab->view, sizeof(ri->lab->view), &built,
                        err, sizeof(err));
    if (ok && built)
        hv_note("lab: L1's view of the host: %zu entries in %s", p.n, ri->lab->view);
    lab_view_plan_free(&p);
    if (!ok)
        hv_err("lab: L1's view of the host: %s", err);
    return ok;
}

/* The probe list: the private paths, $HVFLUSH_LAB_PROBE's (colon-separated)
 * and three that L1 must see, so that a probe that can read nothing shows:
 * the two binaries and RUN/lab/lab.env. */
static char *probe_list(const struct run_info *ri, const char *hvflush)
{
    const char *extra = getenv("HVFLUSH_LAB_PROBE");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f)
        return NULL;
    for (unsigned i = 0; private_paths[i]; i++)
        fprintf(f, "%s\n", private_paths[i]);
    for (const char *s = extra ? extra : ""; *s; ) {
        size_t n = strcspn(s, ":");

        if (n && s[0] == '/')
            fprintf(f, "%.*s\n", (int)n, s);
        s += n + (s[n] == ':');
    }
    fprintf(f, "%s\n%s\n%s/lab/lab.env\n", hvflush, ri->qemu, ri->run_dir);
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

bool lab_view_start(struct run_info *ri, const char *hvflush, char *err, size_t errcap)
{
    struct lab_plan *lab = ri->lab;
    char path[PATH_MAX + 32], *text;
    bool ok;

    if (!lab_view_mount_point(lab->view, ri->run_dir, err, errcap))
        return false;
    fmt(lab->view_mount, sizeof(lab->view_mount), "%s", ri->run_dir);
    text = probe_list(ri, hvflush);
    fmt(path, sizeof(path), "%s/lab/l1-probe", ri->run_dir);
    ok = text && write_file(path, text, strlen(text));
    if (!ok)
        fmt(err, errcap, "cannot write %s: %s", path, text ? strerror(errno) : "out of memory");
    free(text);
    return ok;
}

void lab_view_finish(struct run_info *ri)
{
    if (ri->lab && ri->lab->view[0] && ri->lab->view_mount[0])
        lab_view_unmount_point(ri->lab->view, ri->lab->view_mount);
}
