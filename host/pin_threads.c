/*
 * After the vCPU threads are bound (pin_apply): QEMU's other threads and
 * the affinities the kernel reports (see pin.h, pin_settle).
 *
 * The other threads are those in /proc/PID/task that QMP did not name as
 * vCPUs: the main loop, the RCU thread, I/O and worker threads.  They go to
 * the PUs the plan leaves free of vCPUs, so that they do not preempt a
 * vCPU.  QEMU is paused while this runs; a thread it starts later inherits
 * the affinity of the thread that starts it (clone copies it), so threads
 * spawned by the main loop stay off the vCPUs' PUs too.  A thread that
 * exits between the listing and the binding is skipped.
 *
 * The read-back asks the kernel itself (sched_getaffinity), not hwloc, so
 * that it checks the binding rather than repeating it.
 */
#include "pin.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define AFFINITY_CPUS 8192

/* The process a thread belongs to (Tgid in /proc/TID/status); -1 if gone. */
static long thread_group(long tid)
{
    char path[64], *text = NULL, *p;
    size_t len;
    long tgid = -1;

    fmt(path, sizeof(path), "/proc/%ld/status", tid);
    if (!read_file(path, &text, &len, 1 << 16))
        return -1;
    p = strstr(text, "\nTgid:");
    if (p)
        tgid = strtol(p + 6, NULL, 10);
    free(text);
    return tgid;
}

static void thread_name(long pid, long tid, char *out, size_t cap)
{
    char path[96], *text = NULL;
    size_t len;

    fmt(path, sizeof(path), "/proc/%ld/task/%ld/comm", pid, tid);
    out[0] = '\0';
    if (!read_file(path, &text, &len, 4096))
        return;
    text[strcspn(text, "\n")] = '\0';
    fmt(out, cap, "%s", text);
    free(text);
}

/* The kernel's affinity of tid into set; false if it cannot be read. */
static bool read_affinity(long tid, hwloc_bitmap_t set)
{
    size_t size = CPU_ALLOC_SIZE(AFFINITY_CPUS);
    cpu_set_t *mask = CPU_ALLOC(AFFINITY_CPUS);
    bool ok;

    if (!mask)
        return false;
    hwloc_bitmap_zero(set);
    ok = sched_getaffinity((pid_t)tid, size, mask) == 0;
    for (int cpu = 0; ok && cpu < AFFINITY_CPUS; cpu++)
        if (CPU_ISSET_S(cpu, size, mask))
            hwloc_bitmap_set(set, (unsigned)cpu);
    CPU_FREE(mask);
    return ok;
}

static struct pin_thread *add_thread(struct pin_outcome *out, long tid)
{
    struct pin_thread *t = realloc(out->threads, (out->nthreads + 1) * sizeof(*t));

    if (!t)
        return NULL;
    out->threads = t;
    t = &out->threads[out->nthreads++];
    memset(t, 0, sizeof(*t));
    t->tid = tid;
    t->vcpu = -1;
    return t;
}

/* The vCPU threads first (in vCPU order), then the others as listed. */
static bool list_threads(long pid, const long *tids, unsigned n, struct pin_outcome *out)
{
    char path[64];
    struct dirent *e;
    DIR *d;

    for (unsigned i = 0; i < n; i++) {
        struct pin_thread *t = add_thread(out, tids[i]);

        if (!t)
            return false;
        t->vcpu = (int)i;
    }
    fmt(path, sizeof(path), "/proc/%ld/task", pid);
    d = opendir(path);
    if (!d)
        return false;
    while ((e = readdir(d))) {
        long tid = strtol(e->d_name, NULL, 10);
        bool vcpu = false;

        for (unsigned i = 0; i < n; i++)
            vcpu |= tids[i] == tid;
        if (tid > 0 && !vcpu && !add_thread(out, tid)) {
            closedir(d);
            return false;
        }
    }
    closedir(d);
    return true;
}

/* The warning for a thread whose affinity differs from the plan. */
static void mismatch_line(const struct pin_thread *t, char *line, size_t cap)
{
    if (t->vcpu >= 0)
        fmt(line, cap, "vCPU %d (thread %ld): the kernel reports affinity %s, the plan says "
            "PU %s", t->vcpu, t->tid, t->affinity, t->planned);
    else
        fmt(line, cap, "QEMU thread %ld (%s): the kernel reports affinity %s, the plan says "
            "PUs %s", t->tid, t->name, t->affinity, t->planned);
}

/* Binds one non-vCPU thread to plan->others; a thread that has exited
 * meanwhile is not an error. */
static void bind_other(hwloc_topology_t topo, const struct pin_plan *plan, struct pin_thread *t,
                       struct pin_outcome *out)
{
    if (hwloc_set_proc_cpubind(topo, (hwloc_pid_t)t->tid, plan->others,
                               HWLOC_CPUBIND_THREAD) == 0 || errno == ESRCH)
        return;
    if (!out->others_note[0])
        fmt(out->others_note, sizeof(out->others_note), "cannot bind thread %ld (%s): %s",
            t->tid, t->name, strerror(errno));
}

void pin_settle(hwloc_topology_t topo, const struct pin_plan *plan, const hwloc_bitmap_t *sets,
                const long *tids, unsigned n, struct pin_outcome *out)
{
    hwloc_bitmap_t now = hwloc_bitmap_alloc();
    char line[256];

    memset(out, 0, sizeof(*out));
    out->done = true;
    out->qemu_pid = n ? thread_group(tids[0]) : -1;
    fmt(out->others_note, sizeof(out->others_note), "%s", plan->others_note);
    if (!now || out->qemu_pid <= 0 || !list_threads(out->qemu_pid, tids, n, out)) {
        fmt(out->others_note, sizeof(out->others_note), "cannot list QEMU's threads");
        hwloc_bitmap_free(now);
        return;
    }
    for (unsigned i = 0; i < out->nthreads; i++) {
        struct pin_thread *t = &out->threads[i];
        /* a thread several vCPUs share was bound to the union of their PUs */
        hwloc_bitmap_t shared = t->vcpu >= 0 ? pin_thread_set(sets, tids, n, t->vcpu) : NULL;
        hwloc_const_bitmap_t want = t->vcpu >= 0 ? shared : plan->others;

        thread_name(out->qemu_pid, t->tid, t->name, sizeof(t->name));
        if (t->vcpu < 0 && plan->others)
            bind_other(topo, plan, t, out);
        if (want)
            hwloc_bitmap_list_snprintf(t->planned, sizeof(t->planned), want);
        else
            fmt(t->planned, sizeof(t->planned), "%s", t->vcpu >= 0 ? "unpinned" : "left");
        if (!read_affinity(t->tid, now)) {
            fmt(t->affinity, sizeof(t->affinity), "gone");
            hwloc_bitmap_free(shared);
            continue;
        }
        hwloc_bitmap_list_snprintf(t->affinity, sizeof(t->affinity), now);
        t->differs = want && !hwloc_bitmap_isequal(now, want);
        hwloc_bitmap_free(shared);
        if (!t->differs)
            continue;
        out->mismatches++;
        mismatch_line(t, line, sizeof(line));
        hv_err("warning: %s", line);
    }
    hwloc_bitmap_free(now);
}

void pin_outcome_free(struct pin_outcome *out)
{
    free(out->threads);
    memset(out, 0, sizeof(*out));
}

void pin_meta_add(json_t *pinning, const struct pin_plan *plan, const struct pin_outcome *out)
{
    json_t *threads = json_array(), *warnings = json_array();
    char line[256];

    if (!pinning || !threads || !warnings) {
        json_decref(threads);
        json_decref(warnings);
        return;
    }
    for (unsigned i = 0; i < out->nthreads; i++) {
        const struct pin_thread *t = &out->threads[i];

        json_array_append_new(threads, json_pack("{s:I, s:s, s:o, s:s, s:s, s:b}",
                                                 "tid", (json_int_t)t->tid, "name", t->name,
                                                 "vcpu", t->vcpu >= 0 ? json_integer(t->vcpu)
                                                                      : json_null(),
                                                 "planned", t->planned,
                                                 "affinity", t->affinity,
                                                 "matches", !t->differs));
        if (!t->differs)
            continue;
        mismatch_line(t, line, sizeof(line));
        json_array_append_new(warnings, json_string(line));
    }
    json_object_set_new(pinning, "plan", pin_plan_json(plan));
    json_object_set_new(pinning, "qemu_pid", out->done && out->qemu_pid > 0
                                                 ? json_integer(out->qemu_pid) : json_null());
    /* null: the run ended before its threads were bound. */
    json_object_set_new(pinning, "threads", out->done ? threads : json_null());
    if (!out->done)
        json_decref(threads);
    json_object_set_new(pinning, "other_threads_note",
                        out->others_note[0] ? json_string(out->others_note) : json_null());
    json_object_set_new(pinning, "readback_mismatches", json_integer(out->mismatches));
    json_object_set_new(pinning, "warnings", warnings);
}
