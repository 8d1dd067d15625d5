/*
 * Where things are: the tool's root directory, and the default locations
 * of the guest image, sweeps, plot scripts and results below it.
 *
 * <root> is the parent of the directory holding the executable (build/..),
 * or $HVFLUSH_ROOT when set.
 */
#ifndef HOST_PATHS_H
#define HOST_PATHS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/* Directory of /proc/self/exe. */
bool paths_exe_dir(char *out, size_t cap);
/* The root directory described above. */
bool paths_root(char *out, size_t cap);

/* Resolves a --sweep argument: a NAME (no '/' and no ".sweep" suffix) is
 * <root>/bench/sweeps/NAME.sweep; anything else is a file path. */
bool paths_sweep(const char *root, const char *arg, char *out, size_t cap);
/* True when --sweep names a sweep rather than a file. */
bool paths_sweep_is_name(const char *arg);

/* A path for messages: relative to the current directory when it lies
 * below it, unchanged otherwise. */
const char *paths_display(const char *path);

#endif
