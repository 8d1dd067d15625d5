/*
 * What a run must not leave behind, for the host-side fault tests: QEMU
 * processes (found in /proc/<pid>/cmdline by a text their command line
 * names, e.g. the run's directory), entries of /tmp and of a private
 * $TMPDIR, and dot-files (a writer's temporary names) in a results tree.
 * A snapshot before the fault, a comparison after it.  Also a digest of a
 * directory tree, to show that an earlier run was left untouched.
 */
#ifndef TESTS_LEFTOVERS_H
#define TESTS_LEFTOVERS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define LEFTOVERS_NAMES_MAX 4096

struct leftovers {
    char private_tmp[256];           /* the $TMPDIR the tool runs with */
    unsigned ntmp;                   /* /tmp's entries at the snapshot */
    char *tmp[LEFTOVERS_NAMES_MAX];
};

/* The QEMU processes (argv[0]'s base name starts with "qemu") whose command
 * line contains needle: up to cap pids into out; returns how many there are. */
unsigned leftovers_qemu_naming(const char *needle, pid_t *out, unsigned cap);

/* Notes /tmp's entries now; private_tmp is the $TMPDIR given to the tool
 * (it must be empty again after the run). */
void leftovers_snapshot(struct leftovers *s, const char *private_tmp);

/* Fails the test (cmocka) naming every leftover: a QEMU naming needle, an
 * entry of /tmp named like the tool's temporary directory
 * (hvflush-XXXXXX) that is new since the snapshot (one a live QEMU of
 * another run names excepted), anything in the private $TMPDIR, or a dot-file anywhere under
 * results_dir (NULL: not checked). Frees the snapshot. */
void leftovers_assert_none(struct leftovers *s, const char *needle, const char *results_dir);
/* The same without failing: the leftovers into report ("" when none). */
void leftovers_find(struct leftovers *s, const char *needle, const char *results_dir,
                    char *report, size_t cap);

/* sha256 over every file's path and content under dir (sorted), into out
 * (65 bytes); "" when dir is missing. */
void tree_digest(const char *dir, char *out, size_t cap);

#endif
