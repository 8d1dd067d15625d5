/*
 * What "hvflush run" does while QEMU runs, beside the watchdog: the
 * progress line (progress.h) and the host's load samples (hostload.h),
 * both driven by qemu_supervise_watch()'s tick.
 */
#ifndef HOST_RUN_WATCH_H
#define HOST_RUN_WATCH_H

#include <signal.h>

#include "hostload.h"
#include "progress.h"
#include "qemu.h"
#include "run.h"
#include "stall.h"
#include "lab/l2_watch.h"

struct run_watch {
    struct progress prog;
    struct hostload_watch load;
    struct lab_stall_watch lab_l2;          /* the lab's L2 watchdog (lab/l2_watch.c) */
    bool lab;
    const volatile sig_atomic_t *interrupted;   /* the user's signal */
    volatile sig_atomic_t stop;             /* interrupted, or the lab's L2 stalled */
    struct qemu_watch inner;                /* the above, ticked by the stall watch */
    struct stall_watch stall;               /* --stall-timeout (stall.h) */
};

/* Starts the progress line, the load samples of QEMU process qemu (its
 * vCPU threads from ri's pinning map), the lab's L2 watchdog and the
 * no-progress watchdog, and fills qw for qemu_supervise_watch(), whose
 * stop flag is w->stop. */
void run_watch_start(struct run_watch *w, struct qemu_watch *qw, const struct run_info *ri,
                     pid_t qemu, const struct qemu_outcome *outcome,
                     const volatile sig_atomic_t *interrupted);
/* Ends the progress line, adds the measured interval to ri->hostload and
 * says which watchdog stopped QEMU (ri->stalled, ri->lab->l2_stalled). */
void run_watch_finish(struct run_watch *w, struct run_info *ri);

#endif
