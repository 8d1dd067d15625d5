/*
 * A run directory as its readers (compare, report, plot, runs) see it
 * (host/run_state.c): finished, still being written (its hvflush run holds
 * the directory's lock, run_guard.h), or left incomplete (meta.json still
 * says "running" and nobody holds the lock: its hvflush died).
 */
#ifndef HOST_RUN_STATE_H
#define HOST_RUN_STATE_H

#include <stdbool.h>
#include <stddef.h>

enum run_state {
    RUN_STATE_DONE,           /* meta.json has a final status (or none to read) */
    RUN_STATE_RUNNING,        /* its hvflush run is writing it now */
    RUN_STATE_INCOMPLETE,     /* "running", but no hvflush is writing it */
};

enum run_state run_state_of(const char *dir);

/* True, with one sentence in why naming dir, when dir is not finished:
 * readers refuse such a run (exit status 2) and leave it alone. */
bool run_state_unfinished(const char *dir, char *why, size_t cap);

/* The word `runs` shows for the state: "running" or "incomplete". */
const char *run_state_word(enum run_state s);

#endif
