/*
 * The no-progress watchdog (--stall-timeout SEC, host/stall.c): a guest that
 * writes nothing for SEC seconds is stopped, whatever --timeout allows.
 */
#ifndef HOST_STALL_H
#define HOST_STALL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "channels.h"
#include "qemu.h"

struct stall_watch {
    unsigned timeout_s;             /* 0: off */
    char serial[PATH_MAX + 16];     /* RUN/serial.log */
    char port[PATH_MAX + 16];       /* RUN/records.txt (the record port, before the merge) */
    char ram[PATH_MAX + 16];        /* RUN/guest-ram, "" without a results area */
    uint64_t bytes_at;              /* file offset of the area header's `bytes` */
    uint64_t last[3];               /* what was seen at last_change_ms */
    long long last_change_ms;
    pid_t pid;
    const struct qemu_outcome *outcome;  /* the supervisor's: exited or not */
    long long kill_at;              /* SIGKILL after SIGTERM; -1: not stopping */
    bool stalled;                   /* it stopped QEMU */
    const struct qemu_watch *inner; /* the progress line's watch, called first */
};

/* Prepares s for one QEMU run; inner (may be NULL) is called on every tick. */
void stall_watch_init(struct stall_watch *s, unsigned timeout_s, const char *run_dir,
                      const struct channel_report *ch, pid_t pid,
                      const struct qemu_outcome *outcome, const struct qemu_watch *inner);
/* struct qemu_watch callbacks, ctx = the stall_watch. */
void stall_watch_tick(void *ctx);
void stall_watch_before_echo(void *ctx);

#endif
