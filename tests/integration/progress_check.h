/*
 * Shared by the integration tests that check the progress line
 * (test_progress_tcg.c, test_lab_kernel_path.c): running the tool without
 * --quiet, its stderr kept, and checking the plain progress lines against
 * the configurations its records announce.  Header-only (static).
 */
#ifndef TESTS_PROGRESS_CHECK_H
#define TESTS_PROGRESS_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "harness.h"

/* Runs `build/hvflush ARGS --out <fresh dir>` with stdout discarded and
 * stderr kept in err (tty: under script(1), so stderr is a terminal);
 * reads the run's records into r.  Returns the exit status. */
static inline int run_loud(const char *args, bool tty, struct run_result *r, char *err, size_t cap)
{
    char dir[] = "/tmp/hvflush-test-XXXXXX", errpath[64], cmd[4096], latest[64];
    char target[256];
    ssize_t n;
    size_t len;
    FILE *f;
    int status;

    memset(r, 0, sizeof(*r));
    if (!mkdtemp(dir))
        return -1;
    snprintf(r->out_dir, sizeof(r->out_dir), "%s", dir);
    snprintf(errpath, sizeof(errpath), "%s.stderr", dir);
    if (tty)
        snprintf(cmd, sizeof(cmd), "script -qec 'build/hvflush %s --out %s >/dev/null' "
                 "/dev/null >%s 2>&1 </dev/null", args, dir, errpath);
    else
        snprintf(cmd, sizeof(cmd), "build/hvflush %s --out %s 2>%s >/dev/null", args, dir,
                 errpath);
    status = system(cmd);
    err[0] = '\0';
    f = fopen(errpath, "r");
    if (f) {
        len = fread(err, 1, cap - 1, f);
        err[len] = '\0';
        fclose(f);
    }
    unlink(errpath);
    snprintf(latest, sizeof(latest), "%s/latest", dir);
    n = readlink(latest, target, sizeof(target) - 1);
    if (n > 0) {
        target[n] = '\0';
        snprintf(r->run_dir, sizeof(r->run_dir), "%s/%s", dir, target);
        read_records(r);
    }
    r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return r->exit_code;
}

static inline void remove_out(const struct run_result *r)
{
    char cmd[300];

    if (!strncmp(r->out_dir, "/tmp/hvflush-test-", 18)) {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", r->out_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", r->out_dir);
    }
}

/* The plain progress lines of err: "[k/N] label  m:ss  ETA m:ss", k from 0
 * to N-1 in order (a line may repeat: the heartbeat), each label the k-th
 * configuration of the records, N their number; "ETA --:--" on the first;
 * then "[N/N] finished". */
static inline void check_progress_lines(const char *err, const struct run_result *r)
{
    unsigned next = 0, lines = 0;
    bool finished = false;

    for (const char *p = strstr(err, "hvflush: ["); p; p = strstr(p + 1, "hvflush: [")) {
        char label[128], elapsed[16], eta[16];
        unsigned k, total;

        if (sscanf(p, "hvflush: [%u/%u] %127s %15s ETA %15s", &k, &total, label, elapsed,
                   eta) != 5)
            fail_msg("malformed progress line: %.80s", p);
        lines++;
        if (total != r->nconfigs)
            fail_msg("progress total %u, but the records announce %u configurations", total,
                     r->nconfigs);
        if (finished)
            fail_msg("a progress line after the last: %.80s", p);
        if (!strcmp(label, "finished")) {
            if (k != total || strcmp(eta, "0:00") != 0)
                fail_msg("last line %.80s", p);
            finished = true;
            continue;
        }
        if (k == next) {
            if (strcmp(label, r->cfg[k].label) != 0)
                fail_msg("progress line %u names '%s', the records' configuration %u is '%s'",
                         k, label, k, r->cfg[k].label);
            if (k == 0 && strcmp(eta, "--:--") != 0)
                fail_msg("ETA before the first configuration finished: %s", eta);
            if (k > 0 && (strchr(eta, ':') == NULL || eta[0] == '-'))
                fail_msg("no ETA after %u finished: %s", k, eta);
            next++;
        } else if (k + 1 != next) {
            fail_msg("progress jumped from %u to %u: %.80s", next, k, p);
        }
    }
    if (next != r->nconfigs || !finished)
        fail_msg("%u progress lines: configurations 0..%u of %u shown, finished %d", lines,
                 next, r->nconfigs, finished);
}

#endif
