/*
 * The command line's words before any command sees them
 * (host/args_check.c): every argument of every command names a file, a
 * directory, a run, a label or a value, and none of those has a control
 * character or is longer than a path can be.  Such a word is refused with
 * one line and exit status 2, before anything is read or written.
 */
#ifndef HOST_ARGS_CHECK_H
#define HOST_ARGS_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Longest argument taken (a path, with room below PATH_MAX for the names
 * hvflush appends to a run directory). */
#define ARGS_CHECK_MAX 3072

/* False, with one sentence in err, when an argument of argv[1..argc-1] has
 * a control character (0x01-0x1f, 0x7f) or is longer than ARGS_CHECK_MAX. */
bool args_check(int argc, char **argv, char *err, size_t cap);

#endif
