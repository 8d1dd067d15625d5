/*
 * What "hvflush run" does while QEMU runs, beside the watchdog: the
 * progress line (progress.h) and the host's load samples (hostload.h),
 * both driven by qemu_supervise_watch()'s tick.
 */
#ifndef HOST_RUN_WATCH_H
#define HOST_RUN_WATCH_H

#include "hostload.h"
#include "progress.h"
#include "qemu.h"
#include "run.h"

struct run_watch {
    struct progress prog;
    struct hostload_watch load;
};

/* Starts the progress line and the load samples of QEMU process qemu (its
 * vCPU threads from ri's pinning map) and fills qw for
 * qemu_supervise_watch(). */
void run_watch_start(struct run_watch *w, struct qemu_watch *qw, const struct run_info *ri,
                     pid_t qemu);
/* Ends the progress line and adds the measured interval to ri->hostload. */
void run_watch_finish(struct run_watch *w, struct run_info *ri);

#endif
