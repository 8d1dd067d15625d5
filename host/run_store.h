/*
 * Writing a run's results when the file system refuses (host/run_store.c):
 * a full or read-only results directory, or an I/O error.  The first
 * refusal is kept and later ones only counted, so that the run ends in one
 * line saying why; the derived files the run could write only in part are
 * removed (a truncated samples.csv would read as a short run), which also
 * makes room for meta.json to record the failure; the raw records, the
 * logs and the sweep stay.  A run directory that could not even be started
 * (its sweep.txt or first meta.json refused) is removed again.
 */
#ifndef HOST_RUN_STORE_H
#define HOST_RUN_STORE_H

#include <stdbool.h>
#include <stddef.h>

struct run_store {
    unsigned nerrors;
    char first[512];             /* the first refusal, as its writer said it */
};

struct run_info;

/* Keeps err as the first refusal, or counts it. */
void run_store_note(struct run_store *s, const char *err);
/* Before the final meta.json: with refusals, marks the run failed, names
 * the first refusal in its reason and removes the derived files; with a
 * full file system under a failed run, says so in the reason. */
void run_store_settle(struct run_info *ri);
/* Writes the final meta.json (meta_write); should the file system refuse
 * room for the new one beside the old, the old one goes first. */
bool run_store_write_meta(const struct run_info *ri, char *err, size_t cap);
/* Removes the run directory made for a run that never started: its files
 * (only this run wrote there), then the directory. */
void run_store_discard(const char *run_dir);

#endif
