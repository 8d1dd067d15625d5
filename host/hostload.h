/*
 * What the host saw while a run's QEMU ran: CPU time taken by other
 * processes (/proc/stat less QEMU's and hvflush's own), the host's steal,
 * the load average, and for QEMU's vCPU threads their run-queue wait and
 * involuntary context switches (/proc/PID/task/TID/schedstat and status).
 * A vCPU thread that waited on a run queue while it was runnable is the
 * most direct sign that another process had its core.  host/analysis/noise.c
 * turns these into the run's noise verdict.
 */
#ifndef HOST_HOSTLOAD_H
#define HOST_HOSTLOAD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define HOSTLOAD_VCPUS_MAX 64

/* One reading of the counters (hostload_sample). */
struct hostload_sample {
    bool ok;                    /* /proc/stat and QEMU's stat were read */
    long long mono_ms;
    uint64_t cpu_busy, cpu_total, cpu_steal;   /* /proc/stat "cpu" line, ticks */
    uint64_t qemu_ticks, self_ticks;           /* utime + stime of QEMU, of hvflush */
    unsigned vcpus_read;        /* vCPU threads whose schedstat was read */
    uint64_t vcpu_run_ns, vcpu_wait_ns;        /* summed over those threads */
    uint64_t vcpu_nvcsw;        /* nonvoluntary_ctxt_switches, summed */
    double load1;               /* /proc/loadavg, 1-minute */
};

/* Sums of the intervals measured (one per boot), and what they came to. */
struct hostload {
    bool measured;              /* at least one interval with two good samples */
    unsigned intervals, samples;
    unsigned nproc;             /* online CPUs */
    unsigned vcpu_threads;      /* vCPU threads read in the last interval */
    bool have_schedstat;        /* every interval read every vCPU's schedstat */
    double wall_s;
    uint64_t cpu_busy, cpu_total, cpu_steal, qemu_ticks, self_ticks;
    uint64_t vcpu_run_ns, vcpu_wait_ns, vcpu_nvcsw;
    double load1_start, load1_end;             /* first interval's start, last's end */
};

/* The watch state of one QEMU process: its pid and vCPU thread ids, the
 * first sample and the latest good one. */
struct hostload_watch {
    pid_t qemu;
    long tids[HOSTLOAD_VCPUS_MAX];
    unsigned ntids;
    struct hostload_sample first, last;
    long long next_ms;          /* the next sample is due at this mono_ms() */
    unsigned samples;
};

/* Reads the counters for QEMU process qemu and its vCPU threads tids. */
void hostload_sample(pid_t qemu, const long *tids, unsigned ntids,
                     struct hostload_sample *s);

/* Starts watching (takes the first sample). */
void hostload_watch_start(struct hostload_watch *w, pid_t qemu, const long *tids,
                          unsigned ntids);
/* Called from the supervisor's tick: a new sample every HOSTLOAD_PERIOD_MS,
 * kept when it is good (QEMU still there). */
void hostload_watch_tick(struct hostload_watch *w, long long now_ms);
#define HOSTLOAD_PERIOD_MS 100
/* Adds the interval first..last of w to h (nothing when either is bad). */
void hostload_watch_finish(struct hostload_watch *w, struct hostload *h);

/* Fractions of the summed intervals; negative when not measurable.
 * others_cpu: CPU time of every process but QEMU and hvflush over the
 * host's capacity (wall x CPUs); steal: the host's own steal time over its
 * capacity; vcpu_wait: the vCPU threads' run-queue wait over their run +
 * wait time. */
double hostload_others_cpu(const struct hostload *h);
double hostload_steal(const struct hostload *h);
double hostload_vcpu_wait(const struct hostload *h);

/* Parsers, for the tests: the "cpu" line of /proc/stat text (busy = all
 * but idle and iowait; guest time is already inside user), utime + stime
 * of a /proc/PID/stat line, "run wait slices" of a schedstat line.  False
 * on malformed text. */
bool hostload_parse_stat(const char *text, uint64_t *busy, uint64_t *total, uint64_t *steal);
bool hostload_parse_pid_stat(const char *text, uint64_t *ticks);
bool hostload_parse_schedstat(const char *text, uint64_t *run_ns, uint64_t *wait_ns);

#endif
