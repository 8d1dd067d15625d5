/*
 * The no-progress watchdog (--stall-timeout SEC).  --timeout bounds a whole
 * run; a guest that hangs early in a long sweep would hold the machine
 * until then.  Progress is anything the guest writes: the serial log's
 * size, the record port's file size, and the results area's `bytes` (the
 * header in the shared RAM file, bench/results_area.h; `samples` records go
 * only there).  When none of them has changed for SEC seconds, QEMU gets
 * SIGTERM, and SIGKILL 5 s later if it is still there; the run then fails
 * with "stalled" and the collector names the configuration the guest was
 * in.  Off (0) by default and in the lab (L0's console says nothing of L2).
 *
 * Races: the area's `bytes` is read while the guest writes it; a torn or
 * stale read only delays the next change by one tick (100 ms).  QEMU's pid
 * is signalled only while the supervisor has not reaped it (outcome->exited
 * is set by the same thread before each tick), so it is never another
 * process's.
 */
#include "stall.h"

#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bench/results_area.h>

#include "util.h"

#define STALL_KILL_GRACE_MS 5000

void stall_watch_init(struct stall_watch *s, unsigned timeout_s, const char *run_dir,
                      const struct channel_report *ch, pid_t pid,
                      const struct qemu_outcome *outcome, const struct qemu_watch *inner)
{
    memset(s, 0, sizeof(*s));
    s->timeout_s = timeout_s;
    fmt(s->serial, sizeof(s->serial), "%s/serial.log", run_dir);
    fmt(s->port, sizeof(s->port), "%s/records.txt", run_dir);
    if (ch && ch->area_planned) {
        fmt(s->ram, sizeof(s->ram), "%s", ch->ram_path);
        s->bytes_at = ch->gpa + offsetof(struct results_area_header, bytes);
    }
    s->pid = pid;
    s->outcome = outcome;
    s->kill_at = -1;
    s->inner = inner;
    s->last_change_ms = mono_ms();
}

static uint64_t file_size(const char *path)
{
    struct stat st;

    return path[0] && stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static uint64_t area_bytes(const struct stall_watch *s)
{
    uint64_t v = 0;
    int fd;

    if (!s->ram[0] || (fd = open(s->ram, O_RDONLY | O_CLOEXEC)) < 0)
        return 0;
    if (pread(fd, &v, sizeof(v), (off_t)s->bytes_at) != (ssize_t)sizeof(v))
        v = 0;
    close(fd);
    return v;
}

void stall_watch_tick(void *ctx)
{
    struct stall_watch *s = ctx;
    uint64_t now_seen[3];
    long long now = mono_ms();

    if (s->inner && s->inner->tick)
        s->inner->tick(s->inner->ctx);
    if (!s->timeout_s || s->outcome->exited)
        return;
    if (s->stalled) {
        if (s->kill_at >= 0 && now >= s->kill_at) {
            kill(s->pid, SIGKILL);
            s->kill_at = -1;
        }
        return;
    }
    now_seen[0] = file_size(s->serial);
    now_seen[1] = file_size(s->port);
    now_seen[2] = area_bytes(s);
    if (memcmp(now_seen, s->last, sizeof(now_seen)) != 0) {
        memcpy(s->last, now_seen, sizeof(now_seen));
        s->last_change_ms = now;
        return;
    }
    if (now - s->last_change_ms < (long long)s->timeout_s * 1000)
        return;
    s->stalled = true;
    kill(s->pid, SIGTERM);
    s->kill_at = now + STALL_KILL_GRACE_MS;
}

void stall_watch_before_echo(void *ctx)
{
    struct stall_watch *s = ctx;

    if (s->inner && s->inner->before_echo)
        s->inner->before_echo(s->inner->ctx);
}
