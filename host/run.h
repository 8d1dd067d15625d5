/*
 * "hvflush run": everything one run knows, from the validated command line
 * to the collected records.  run_prepare.c checks the input and resolves
 * paths before anything is written; run.c launches QEMU and writes the run
 * directory.
 */
#ifndef HOST_RUN_H
#define HOST_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <time.h>
#include <hwloc.h>

#include <bench/sweep.h>

#include "accel.h"
#include "cli.h"
#include "collect.h"
#include "pin.h"
#include "results.h"

struct run_info {
    const struct cli_options *opt;

    /* Resolved input (run_prepare). */
    char root[PATH_MAX];
    char sweep_path[PATH_MAX];
    char *sweep_text;
    size_t sweep_len;
    struct sweep sweep;
    struct sweep_config *configs;
    unsigned nconfigs;
    char guest[PATH_MAX];
    char qemu[PATH_MAX];
    char qemu_version[256];
    char out[PATH_MAX];
    struct kvm_probe kvm;
    const char *accel;               /* "kvm" or "tcg" */
    const struct timing_class *tc;
    hwloc_topology_t topo;
    hwloc_bitmap_t *pin_sets;        /* one per vCPU; NULL entries: unpinned */

    /* The run. */
    char run_id[RUN_ID_MAX];
    char run_dir[PATH_MAX];
    time_t start, end;
    char **qemu_argv;
    struct pin_entry *pin_map;
    unsigned pin_mapped;
    const char *status;              /* "running", "ok", "failed" */
    char reason[1536];               /* why the run failed */
    struct run_data data;
};

/* Checks the command line and resolves everything a run needs.  Returns
 * false after printing one "hvflush: ..." line; nothing has been written. */
bool run_prepare(struct run_info *ri, const struct cli_options *o);
void run_release(struct run_info *ri);

/* The whole "hvflush run" command; returns the exit status. */
int run_command(const struct cli_options *o);

/* Writes run_dir/meta.json (atomically) from ri. */
bool meta_write(const struct run_info *ri, char *err, size_t errcap);

#endif
