/*
 * A run directory while its run goes (host/run_guard.c): the writer holds
 * an exclusive flock(2) on the directory from its creation to the end of
 * the run, so that readers (compare, report, plot, runs: run_state.h) can
 * tell a run still being written from one whose writer died; and it
 * watches that the directory it created is still there (same device and
 * inode) -- a deleted run directory stops QEMU instead of letting the run
 * go on and write its results nowhere.
 */
#ifndef HOST_RUN_GUARD_H
#define HOST_RUN_GUARD_H

#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "qemu.h"

struct run_guard {
    bool held;                       /* run_guard_begin succeeded (all-zero: inert) */
    char dir[PATH_MAX];
    int fd;                          /* the directory, flocked */
    dev_t dev;
    ino_t ino;
    bool gone;                       /* the directory was found deleted or replaced */
    long long next_check_ms;
    /* While QEMU runs: the watch to chain (the progress line), and the
     * flag that stops QEMU's supervision (set when the directory goes). */
    const struct qemu_watch *inner;
    volatile sig_atomic_t *stop;
};

/* Opens and locks dir (just created by this run).  False, with errno,
 * only when dir cannot be opened; a file system without flock (9p in the
 * lab's L1) leaves the directory unlocked. */
bool run_guard_begin(struct run_guard *g, const char *dir);
/* True when g's directory is no longer the one run_guard_begin opened
 * (checks now; sets g->gone). */
bool run_guard_dir_gone(struct run_guard *g);
/* run_guard_dir_gone, and when gone the one line that says so. */
bool run_guard_said_gone(struct run_guard *g);
/* struct qemu_watch callbacks (ctx: the guard).  tick: the inner tick,
 * then at most every 200 ms the directory check, which sets *stop when the
 * directory is gone; clear: the inner before_echo. */
void run_guard_watch_tick(void *ctx);
void run_guard_watch_clear(void *ctx);
/* Drops the lock. */
void run_guard_end(struct run_guard *g);

#endif
