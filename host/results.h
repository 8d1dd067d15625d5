/*
 * The results store: run ids, run directories that are never overwritten,
 * and the <out>/latest symlink.
 */
#ifndef HOST_RESULTS_H
#define HOST_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define RUN_ID_MAX 128

/* Builds "YYYYmmdd-HHMMSS-<accel>-<N>cpu[-<label>]" (UTC) into id. */
void results_run_id(time_t t, const char *accel, unsigned ncpus, const char *label,
                    char *id, size_t cap);

/* Replaces every character outside [A-Za-z0-9._-] by '-', squeezes runs of
 * '-', trims '-' and '.' at both ends and limits the length. */
void results_sanitize_label(const char *label, char *out, size_t cap);

/* Creates out (and its parents) if needed, then a new directory
 * out/<base_id>, or out/<base_id>-2, -3, ... if that exists.  Writes the
 * chosen id and full path.  Returns false with a message in err. */
bool results_create_run_dir(const char *out, const char *base_id,
                            char *id, size_t idcap, char *path, size_t pathcap,
                            char *err, size_t errcap);

/* Points out/latest at run_id (relative), replacing any old link atomically. */
bool results_update_latest(const char *out, const char *run_id, char *err, size_t errcap);

/* mkdir -p. */
bool results_mkdirs(const char *path);

#endif
