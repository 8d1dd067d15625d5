/*
 * The host's view of a run's load (see hostload.h).
 *
 * Algorithm: a sample reads /proc/stat's aggregate "cpu" line, utime +
 * stime of QEMU (/proc/QEMU/stat, all its threads) and of hvflush itself,
 * each vCPU thread's schedstat (run and run-queue wait, ns) and its
 * nonvoluntary context switches, and the 1-minute load average.  The
 * supervisor samples once when the guest is resumed and then every
 * HOSTLOAD_PERIOD_MS from its tick; the last sample taken while QEMU was
 * still there closes the interval, so the final < HOSTLOAD_PERIOD_MS of a
 * boot are not measured.  Differences of the two are summed per boot.
 *
 * Races tolerated: the files are read one after the other, not at one
 * instant, so the counters of one sample are up to a few microseconds
 * apart (negligible against the period); QEMU may exit between two
 * reads, which makes that sample bad and keeps the previous one; a counter
 * that went backwards (a thread gone) makes its difference 0.  "Others"
 * is busy - QEMU - hvflush and can undercount by QEMU's own helper
 * processes (none in a TCG or KVM run).
 */
#include "hostload.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* Reads the start of a /proc file into buf (NUL-ended); false if absent. */
static bool read_proc(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return false;
    n = read(fd, buf, cap - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    return true;
}

bool hostload_parse_stat(const char *text, uint64_t *busy, uint64_t *total, uint64_t *steal)
{
    unsigned long long v[8] = { 0 };
    int n;

    if (strncmp(text, "cpu ", 4) != 0)
        return false;
    n = sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
               &v[3], &v[4], &v[5], &v[6], &v[7]);
    if (n < 4)
        return false;
    /* user nice system idle iowait irq softirq steal (guest is inside user). */
    *busy = v[0] + v[1] + v[2] + v[5] + v[6];
    *steal = v[7];
    *total = *busy + v[3] + v[4] + v[7];
    return true;
}

bool hostload_parse_pid_stat(const char *text, uint64_t *ticks)
{
    /* The command name (field 2) may hold spaces and ')': skip to the last ')'. */
    const char *p = strrchr(text, ')');
    unsigned long long utime, stime;

    if (!p)
        return false;
    /* Fields 3..13, then 14 utime and 15 stime. */
    if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
               &stime) != 2)
        return false;
    *ticks = utime + stime;
    return true;
}

bool hostload_parse_schedstat(const char *text, uint64_t *run_ns, uint64_t *wait_ns)
{
    unsigned long long run, wait;

    if (sscanf(text, "%llu %llu", &run, &wait) != 2)
        return false;
    *run_ns = run;
    *wait_ns = wait;
    return true;
}

static uint64_t nvcsw_of(const char *status)
{
    const char *p = strstr(status, "nonvoluntary_ctxt_switches:");

    return p ? strtoull(p + strlen("nonvoluntary_ctxt_switches:"), NULL, 10) : 0;
}

void hostload_sample(pid_t qemu, const long *tids, unsigned ntids, struct hostload_sample *s)
{
    char path[96], buf[4096];

    memset(s, 0, sizeof(*s));
    s->mono_ms = mono_ms();
    if (read_proc("/proc/loadavg", buf, sizeof(buf)))
        s->load1 = strtod(buf, NULL);
    for (unsigned i = 0; i < ntids; i++) {
        uint64_t run, wait;

        fmt(path, sizeof(path), "/proc/%ld/task/%ld/schedstat", (long)qemu, tids[i]);
        if (!read_proc(path, buf, sizeof(buf)) || !hostload_parse_schedstat(buf, &run, &wait))
            continue;
        s->vcpu_run_ns += run;
        s->vcpu_wait_ns += wait;
        s->vcpus_read++;
        fmt(path, sizeof(path), "/proc/%ld/task/%ld/status", (long)qemu, tids[i]);
        if (read_proc(path, buf, sizeof(buf)))
            s->vcpu_nvcsw += nvcsw_of(buf);
    }
    fmt(path, sizeof(path), "/proc/%ld/stat", (long)qemu);
    s->ok = read_proc(path, buf, sizeof(buf)) && hostload_parse_pid_stat(buf, &s->qemu_ticks) &&
            read_proc("/proc/self/stat", buf, sizeof(buf)) &&
            hostload_parse_pid_stat(buf, &s->self_ticks) &&
            read_proc("/proc/stat", buf, sizeof(buf)) &&
            hostload_parse_stat(buf, &s->cpu_busy, &s->cpu_total, &s->cpu_steal);
}

void hostload_watch_start(struct hostload_watch *w, pid_t qemu, const long *tids,
                          unsigned ntids)
{
    memset(w, 0, sizeof(*w));
    w->qemu = qemu;
    w->ntids = ntids < HOSTLOAD_VCPUS_MAX ? ntids : HOSTLOAD_VCPUS_MAX;
    if (tids)
        memcpy(w->tids, tids, w->ntids * sizeof(*tids));
    hostload_sample(qemu, w->tids, w->ntids, &w->first);
    w->last = w->first;
    w->samples = w->first.ok;
    w->next_ms = w->first.mono_ms + HOSTLOAD_PERIOD_MS;
}

void hostload_watch_tick(struct hostload_watch *w, long long now_ms)
{
    struct hostload_sample s;

    if (!w->qemu || now_ms < w->next_ms)
        return;
    w->next_ms = now_ms + HOSTLOAD_PERIOD_MS;
    hostload_sample(w->qemu, w->tids, w->ntids, &s);
    /* A sample after QEMU went (or lost a vCPU thread) is not kept. */
    if (s.ok && s.vcpus_read == w->first.vcpus_read) {
        w->last = s;
        w->samples++;
    }
}

static uint64_t delta(uint64_t a, uint64_t b)
{
    return b > a ? b - a : 0;
}

void hostload_watch_finish(struct hostload_watch *w, struct hostload *h)
{
    const struct hostload_sample *a = &w->first, *b = &w->last;

    if (!a->ok || !b->ok || b->mono_ms <= a->mono_ms)
        return;
    if (!h->intervals)
        h->load1_start = a->load1;
    h->have_schedstat = (h->intervals == 0 || h->have_schedstat) && w->ntids &&
                        a->vcpus_read == w->ntids;
    h->measured = true;
    h->intervals++;
    h->samples += w->samples;
    h->nproc = (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
    h->vcpu_threads = a->vcpus_read;
    h->wall_s += (double)(b->mono_ms - a->mono_ms) / 1000.0;
    h->cpu_busy += delta(a->cpu_busy, b->cpu_busy);
    h->cpu_total += delta(a->cpu_total, b->cpu_total);
    h->cpu_steal += delta(a->cpu_steal, b->cpu_steal);
    h->qemu_ticks += delta(a->qemu_ticks, b->qemu_ticks);
    h->self_ticks += delta(a->self_ticks, b->self_ticks);
    h->vcpu_run_ns += delta(a->vcpu_run_ns, b->vcpu_run_ns);
    h->vcpu_wait_ns += delta(a->vcpu_wait_ns, b->vcpu_wait_ns);
    h->vcpu_nvcsw += delta(a->vcpu_nvcsw, b->vcpu_nvcsw);
    h->load1_end = b->load1;
}

double hostload_others_cpu(const struct hostload *h)
{
    uint64_t ours = h->qemu_ticks + h->self_ticks;

    if (!h->measured || !h->cpu_total)
        return -1;
    return h->cpu_busy > ours ? (double)(h->cpu_busy - ours) / (double)h->cpu_total : 0;
}

double hostload_steal(const struct hostload *h)
{
    return h->measured && h->cpu_total ? (double)h->cpu_steal / (double)h->cpu_total : -1;
}

double hostload_vcpu_wait(const struct hostload *h)
{
    uint64_t both = h->vcpu_run_ns + h->vcpu_wait_ns;

    return h->measured && h->have_schedstat && both ? (double)h->vcpu_wait_ns / (double)both
                                                     : -1;
}
