/*
 * A minimal QMP (QEMU Machine Protocol) client over a Unix socket, with
 * jansson for the JSON.  Every wait is bounded by a deadline so that a
 * stuck QEMU cannot hang the tool.
 */
#ifndef HOST_QMP_H
#define HOST_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <jansson.h>

struct qmp {
    int fd;
    char *buf;
    size_t len, cap;
};

/* Connects to the socket at path, retrying while QEMU creates it, reads the
 * greeting and negotiates capabilities.  Gives up at deadline_ms (monotonic
 * clock, see mono_ms) or when process pid exits. */
bool qmp_connect(struct qmp *q, const char *path, pid_t pid, long long deadline_ms,
                 char *err, size_t errcap);

/* Runs a command without arguments and returns its "return" value (a new
 * reference), or NULL with the QMP error or I/O problem in err.
 * Asynchronous events that arrive meanwhile are skipped. */
json_t *qmp_execute(struct qmp *q, const char *command, long long deadline_ms,
                    char *err, size_t errcap);

void qmp_close(struct qmp *q);

/* One vCPU as reported by query-cpus-fast. */
struct qmp_vcpu {
    unsigned index;             /* cpu-index */
    long thread_id;
};

/* Extracts up to max vCPUs from a query-cpus-fast result, sorted by
 * cpu-index.  Returns the count, or -1 if the result is malformed. */
int qmp_parse_cpus(json_t *ret, struct qmp_vcpu *out, unsigned max);

#endif
