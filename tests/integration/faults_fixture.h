/*
 * The host-side fault tests' common ground: a scratch directory
 * (/tmp/hvflush-test-XXXXXX) with a private $TMPDIR, a results directory
 * holding one earlier, complete run whose digest is kept, and hvflush
 * started in the background so that a fault can be injected while it runs.
 * A "hang" run boots a guest that hangs after its first records (inject
 * hang): it runs until something stops it, or until its --timeout.
 */
#ifndef TESTS_FAULTS_FIXTURE_H
#define TESTS_FAULTS_FIXTURE_H

#include <stdbool.h>
#include <sys/types.h>

#include "leftovers.h"

/* The options of a run that hangs after boot, and of a short real one. */
#define FAULT_HANG_ARGS  "run --accel tcg --smp 2 --quiet --timeout 300 --sweep %s/hang.sweep"
#define FAULT_FAST_ARGS  "run --accel tcg --smp 2 --quiet --sweep %s/fast.sweep"

struct fault_fix {
    char scratch[64];          /* /tmp/hvflush-test-XXXXXX */
    char tmp[128];             /* scratch/tmp: the tool's $TMPDIR */
    char out[256];             /* the results directory */
    char earlier[512];         /* the earlier run's directory */
    char digest[72];           /* its digest */
    struct leftovers left;
    char mnt[128];             /* a tmpfs the test mounted, "" if none */
};

struct fault_outcome {
    int exit_code;             /* 128 + signal when killed */
    char err[8192], out[8192];
};

/* Makes the scratch directory, its sweeps and tmp/; out is scratch/results
 * unless results_dir is given (a mount point the test made). */
void fix_begin(struct fault_fix *f);
/* A short real run into f->out; keeps its directory and digest. */
void fix_earlier_run(struct fault_fix *f);
/* Starts `build/hvflush <args>` (printf-style, %s-expanded by the caller)
 * with TMPDIR=f->tmp, its stdout/stderr into scratch/<tag>.out/.err. */
pid_t fix_spawn(struct fault_fix *f, const char *tag, const char *args);
/* The same with argv as given (argv[0] "build/hvflush"), no shell between. */
pid_t fix_spawn_argv(struct fault_fix *f, const char *tag, char *const argv[]);
/* Mounts a tmpfs with opts (e.g. "size=2m") at scratch/mnt and makes
 * scratch/mnt/results the results directory; false (the test skips,
 * saying why) when not root or mounting is not permitted here. */
bool fix_mount_tmpfs(struct fault_fix *f, const char *opts);
/* Waits for it and reads what it printed. */
void fix_wait(struct fault_fix *f, pid_t pid, const char *tag, struct fault_outcome *o);
/* Runs it to the end. */
void fix_run(struct fault_fix *f, const char *tag, const char *args, struct fault_outcome *o);
/* Waits until the hang run pid (spawned with the tag "hang") has a run directory under f->out whose
 * serial.log says the guest hangs, and a QEMU that names it; writes the
 * directory and QEMU's pid.  Fails the test if hvflush ends first. */
void fix_wait_hanging(struct fault_fix *f, pid_t pid, char *run_dir, size_t cap, pid_t *qemu);
/* Asserts: stderr is exactly one line, "hvflush: ...", containing needle. */
void fix_assert_one_line(const struct fault_outcome *o, const char *needle);
/* Asserts: one "hvflush: " line containing needle among stderr's lines. */
void fix_assert_said(const struct fault_outcome *o, const char *needle);
/* True when path's last component is name. */
bool fix_is_named(const char *path, const char *name);
/* Reads RUN/meta.json's top-level string key ("" if absent or unreadable). */
void fix_meta(const char *run_dir, const char *key, char *out, size_t cap);
/* The earlier run is untouched, nothing is left behind (QEMUs naming
 * f->out, temporary files); then the scratch directory is removed. */
void fix_end(struct fault_fix *f);

#endif
