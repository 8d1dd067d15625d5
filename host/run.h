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
#include "channels.h"
#include "analysis/collect.h"
#include "hv_flags.h"
#include "hostload.h"
#include "lab/lab.h"
#include "pin.h"
#include "qemu.h"
#include "analysis/repeat.h"
#include "results.h"
#include "run_guard.h"
#include "run_store.h"

/* The UEFI firmware of --firmware uefi (Debian package ovmf). */
#define RUN_OVMF_PATH "/usr/share/ovmf/OVMF.fd"

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
    const char *accel;               /* "kvm", "tcg" or "lab" */
    const struct timing_class *tc;
    char accel_why[512];             /* --accel auto's one line; "" otherwise */
    struct hv_result hv;             /* hv-* flags asked for, accepted, refused; and
                                      * hv.cpu, the guest's -cpu value */
    unsigned vcpus;                  /* of the QEMU the host starts: --smp, or L1's */
    struct lab_plan *lab;            /* --accel lab only */
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
    struct channel_report channels;  /* the record channels (channels.h) */
    struct repeat_table repeat;      /* --repeat R > 1: p50 per boot (repeat.h) */
    struct pin_plan pin_plan;        /* the vCPUs' PUs and ancestry, the others' PUs */
    struct pin_outcome pin_outcome;  /* after binding: every QEMU thread's affinity */
    json_t *import_meta;             /* an imported log's meta.json keys (import.c), set
                                      * over the others; NULL for a direct run */
    bool stalled;                    /* --stall-timeout stopped QEMU (host/stall.c) */
    struct hostload hostload;        /* what the host saw while QEMU ran (hostload.h) */
    struct run_guard guard;          /* the run directory's lock and watch (run_guard.h) */
    struct run_store store;          /* the results' write refusals (run_store.h) */
};

/* Checks the command line and resolves everything a run needs.  Returns
 * false after printing one "hvflush: ..." line; nothing has been written. */
bool run_prepare(struct run_info *ri, const struct cli_options *o);
void run_release(struct run_info *ri);

/* The whole "hvflush run" command; returns the exit status. */
int run_command(const struct cli_options *o);
/* The same, also telling where the run directory is ("" if none was made). */
int run_command_at(const struct cli_options *o, char *run_dir, size_t cap);

/* Writes run_dir/meta.json (atomically) from ri. */
bool meta_write(const struct run_info *ri, char *err, size_t errcap);

/* The nested lab's part of a run (lab/run.c). */
/* Chooses L0's accelerator and L1's size and sets ri->tc and ri->vcpus;
 * false after one "hvflush: ..." line (bad input). */
bool lab_plan_run(struct run_info *ri);
/* Fetches the kernel, builds the initramfs, makes paths absolute for L1's
 * view of the host; false after one "hvflush: lab: ..." line. */
bool lab_prepare_run(struct run_info *ri);
/* Writes RUN/lab/lab.env (with the argv of L1's own hvflush run) and returns
 * L0's argv (NULL with a message in err). */
char **lab_start(struct run_info *ri, const char *qmp_socket, char *err, size_t errcap);
/* After L0's exit: reads what L1 left in RUN/lab and explains the outcome
 * in why; true when the guest in L2 reported success. */
bool lab_outcome(struct run_info *ri, const struct qemu_outcome *o, char *why, size_t cap);
json_t *lab_meta_json(const struct run_info *ri);
void lab_release(struct run_info *ri);

#endif
