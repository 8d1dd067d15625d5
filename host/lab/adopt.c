/*
 * The outer lab run adopts L1's own "hvflush run --accel kvm" (see lab.h):
 * its run directory under RUN/lab/l2-run, its meta.json (hv-flag result,
 * status, reason, L2's QEMU command line) and its records.txt, which is
 * copied to RUN/records.txt so that the outer run's collector checks the
 * same records a KVM host's run would.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hv_flags.h"
#include "run.h"
#include "util.h"

/* The run directory L1's run made: the newest (by name, which starts
 * with the UTC time) real directory under RUN/lab/l2-run. */
static bool find_l1_run_dir(const struct run_info *ri, char *out, size_t cap)
{
    char base[PATH_MAX + 32], best[256] = "";
    struct dirent *e;
    DIR *d;

    fmt(base, sizeof(base), "%s/lab/%s", ri->run_dir, LAB_L1_RUN_DIR);
    d = opendir(base);
    if (!d)
        return false;
    while ((e = readdir(d))) {
        char path[PATH_MAX + 300];
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        fmt(path, sizeof(path), "%s/%s", base, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && strcmp(e->d_name, best) > 0)
            fmt(best, sizeof(best), "%s", e->d_name);
    }
    closedir(d);
    return best[0] && fmt(out, cap, "%s/%s", base, best);
}

static void copy_records(const struct run_info *ri, const char *from_dir)
{
    char from[PATH_MAX + 16], to[PATH_MAX + 16], *text = NULL;
    size_t len;

    fmt(from, sizeof(from), "%s/records.txt", from_dir);
    fmt(to, sizeof(to), "%s/records.txt", ri->run_dir);
    if (!read_file(from, &text, &len, 0))
        return;
    if (!write_file(to, text, len))
        hv_err("lab: cannot copy L1's records to %s: %s", to, strerror(errno));
    free(text);
}

void lab_adopt_l1_run(struct run_info *ri)
{
    struct lab_plan *lab = ri->lab;
    char meta[PATH_MAX + 16];

    if (!find_l1_run_dir(ri, lab->l1_run_dir, sizeof(lab->l1_run_dir))) {
        lab->l1_run_dir[0] = '\0';
        return;
    }
    copy_records(ri, lab->l1_run_dir);
    fmt(meta, sizeof(meta), "%s/meta.json", lab->l1_run_dir);
    lab->inner_meta = json_load_file(meta, 0, NULL);
    lab->inner_hv = json_object_get(lab->inner_meta, "hyperv_flags");
    if (lab->inner_hv) {
        char line[2048];

        hv_flags_line(lab->inner_hv, line, sizeof(line));
        fprintf(stderr, "hvflush: lab: L1's %s\n", line);
    }
}

bool lab_adopt_image_sweep(struct run_info *ri)
{
    struct sweep_error serr;
    char path[PATH_MAX + 16], *text = NULL;
    size_t len = 0;
    int n = 0;
    bool ok;

    fmt(path, sizeof(path), "%s/sweep.txt", ri->lab->l1_run_dir);
    ok = ri->lab->l1_run_dir[0] && read_file(path, &text, &len, SWEEP_TEXT_MAX + 1);
    if (ok) {
        free(ri->sweep_text);
        ri->sweep_text = text;
        ri->sweep_len = len;
        fmt(ri->sweep_path, sizeof(ri->sweep_path), "%s", path);
        memset(&ri->sweep, 0, sizeof(ri->sweep));
        ok = sweep_parse(text, len, &ri->sweep, &serr) &&
             (n = sweep_expand(&ri->sweep, ri->opt->smp, ri->configs, SWEEP_CONFIGS_MAX,
                               &serr)) >= 0;
        if (!ok)
            append(ri->reason, sizeof(ri->reason), "%slab: the image's sweep: %s",
                   ri->reason[0] ? "; " : "", serr.msg);
    } else {
        free(text);
        if (!ri->reason[0])
            fmt(ri->reason, sizeof(ri->reason), "lab: L1's run of the image left no "
                "sweep.txt");
    }
    /* Without the image's sweep, meta.json names none (not the default). */
    if (!ok) {
        memset(&ri->sweep, 0, sizeof(ri->sweep));
        ri->sweep_len = 0;
        if (ri->sweep_text)
            ri->sweep_text[0] = '\0';
        fmt(ri->sweep_path, sizeof(ri->sweep_path), "(the image's: not found)");
    }
    ri->nconfigs = ok ? (unsigned)n : 0;
    fmt(path, sizeof(path), "%s/sweep.txt", ri->run_dir);
    if (ok && !write_file(path, ri->sweep_text, ri->sweep_len))
        hv_err("cannot write %s: %s", path, strerror(errno));
    collect_free(&ri->data);
    if (!collect_init(&ri->data, ri->configs, ri->nconfigs, ri->opt->smp)) {
        fmt(ri->reason, sizeof(ri->reason), "out of memory");
        return false;
    }
    return ok;
}
