/*
 * The QEMU process (see qemu.h).
 */
#include "qemu.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define KILL_GRACE_MS 5000

void argv_add(struct argv_builder *b, const char *fmt, ...)
{
    va_list ap;
    char *arg;

    if (b->failed)
        return;
    if (b->n + 2 > b->cap) {
        unsigned cap = b->cap ? b->cap * 2 : 32;
        char **bigger = realloc(b->argv, cap * sizeof(*bigger));

        if (!bigger) {
            b->failed = true;
            return;
        }
        b->argv = bigger;
        b->cap = cap;
    }
    va_start(ap, fmt);
    if (vasprintf(&arg, fmt, ap) < 0)
        b->failed = true;
    else
        b->argv[b->n++] = arg;
    va_end(ap);
    b->argv[b->n] = NULL;
}

char **argv_finish(struct argv_builder *b)
{
    if (b->failed || !b->argv) {
        qemu_argv_free(b->argv);
        return NULL;
    }
    return b->argv;
}

void qemu_argv_machine(struct argv_builder *b, const char *binary, const char *name,
                       const char *accel, const char *cpu, unsigned vcpus,
                       unsigned memory_mib, const char *kernel)
{
    argv_add(b, "%s", binary);
    argv_add(b, "-name");
    argv_add(b, "%s,debug-threads=on", name);
    argv_add(b, "-machine");
    argv_add(b, "pc");
    argv_add(b, "-accel");
    argv_add(b, "%s", accel);
    argv_add(b, "-cpu");
    argv_add(b, "%s", cpu);
    argv_add(b, "-smp");
    argv_add(b, "%u", vcpus);
    argv_add(b, "-m");
    argv_add(b, "%u", memory_mib);
    argv_add(b, "-display");
    argv_add(b, "none");
    argv_add(b, "-nodefaults");
    argv_add(b, "-no-reboot");
    argv_add(b, "-kernel");
    argv_add(b, "%s", kernel);
}

char **qemu_build_argv(const struct qemu_params *p)
{
    struct argv_builder b = { NULL, 0, 0, false };
    bool kvm = !strcmp(p->accel, "kvm");

    /* TCG emulates rdtscp when asked; this host's KVM refuses the flag, so
     * under KVM the guest detects what it has. */
    qemu_argv_machine(&b, p->binary, "hvflush", kvm ? "kvm" : "tcg,thread=multi",
                      p->cpu ? p->cpu : kvm ? "qemu64" : "qemu64,+rdtscp",
                      p->smp, p->memory_mib, p->guest);
    if (p->ram_path) {
        argv_add(&b, "-object");
        argv_add(&b, "memory-backend-file,id=hvflush-ram,size=%uM,mem-path=%s,share=on",
                 p->memory_mib, p->ram_path);
        argv_add(&b, "-machine");
        argv_add(&b, "memory-backend=hvflush-ram");
        argv_add(&b, "-fw_cfg");
        argv_add(&b, "name=opt/hvflush/results-area,string=%llu %llu", p->area_gpa,
                 p->area_size);
    }
    argv_add(&b, "-serial");
    argv_add(&b, "stdio");
    argv_add(&b, "-chardev");
    argv_add(&b, "file,id=records,path=%s/records.txt", p->run_dir);
    argv_add(&b, "-device");
    argv_add(&b, "isa-debugcon,iobase=0xe9,chardev=records");
    argv_add(&b, "-device");
    argv_add(&b, "isa-debug-exit,iobase=0xf4,iosize=4");
    argv_add(&b, "-fw_cfg");
    argv_add(&b, "name=opt/hvflush/sweep,file=%s/sweep.txt", p->run_dir);
    /* Paused until the host has pinned the vCPU threads over QMP.  The
     * lab's L2 has no QMP: its vCPUs are L1's threads, not the host's. */
    if (p->qmp_socket) {
        argv_add(&b, "-qmp");
        argv_add(&b, "unix:%s,server=on,wait=off", p->qmp_socket);
        argv_add(&b, "-S");
    }
    return argv_finish(&b);
}

void qemu_argv_free(char **argv)
{
    if (!argv)
        return;
    for (int i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
}

bool qemu_spawn(char *const argv[], const char *stderr_path, struct qemu_proc *p,
                char *err, size_t errcap)
{
    int fds[2], logfd, devnull;
    pid_t parent = getpid();

    p->pid = -1;
    p->console_fd = -1;
    logfd = open(stderr_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0) {
        fmt(err, errcap, "cannot create %s: %s", stderr_path, strerror(errno));
        return false;
    }
    devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0 || pipe2(fds, O_CLOEXEC) < 0) {
        fmt(err, errcap, "cannot set up QEMU's stdio: %s", strerror(errno));
        close(logfd);
        if (devnull >= 0)
            close(devnull);
        return false;
    }
    p->pid = fork();
    if (p->pid == 0) {
        /* Own process group: a Ctrl-C reaches only hvflush, which then stops
         * QEMU itself and still writes the run directory.  If hvflush dies,
         * the kernel kills QEMU. */
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(126);
        dup2(devnull, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(logfd, STDERR_FILENO);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "hvflush: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    close(logfd);
    close(devnull);
    if (p->pid < 0) {
        fmt(err, errcap, "fork: %s", strerror(errno));
        close(fds[0]);
        return false;
    }
    p->console_fd = fds[0];
    return true;
}

/* The prefix of an echoed console line.  In the lab the console is L1's,
 * and L1's own hvflush run already writes the guest's lines as "guest: "
 * and its own as "hvflush: ": those keep theirs, marked as L1's. */
static const char *echo_prefix(const char *line, size_t len)
{
    if (len >= 7 && !strncmp(line, "guest: ", 7))
        return "";
    if (len >= 9 && !strncmp(line, "hvflush: ", 9))
        return "L1: ";
    return "guest: ";
}

/* Echoes complete console lines to stderr; keeps a partial line for later. */
static void echo_lines(char *pending, size_t *plen, size_t cap, const char *data, size_t n,
                       const struct qemu_watch *w)
{
    for (size_t i = 0; i < n; i++) {
        char c = data[i];

        if (c == '\n' || *plen + 1 >= cap) {
            if (w && w->before_echo)
                w->before_echo(w->ctx);
            fprintf(stderr, "%s%.*s\n", echo_prefix(pending, *plen), (int)*plen, pending);
            *plen = 0;
            if (c == '\n')
                continue;
        }
        if (c != '\r')
            pending[(*plen)++] = c;
    }
}

static bool reap(struct qemu_proc *p, struct qemu_outcome *out, int flags)
{
    pid_t r;

    do
        r = waitpid(p->pid, &out->status, flags);
    while (r < 0 && errno == EINTR);
    if (r == p->pid) {
        out->exited = true;
        return true;
    }
    return false;
}

void qemu_supervise(struct qemu_proc *p, int serial_fd, bool quiet, long long deadline_ms,
                    volatile sig_atomic_t *stop, struct qemu_outcome *out)
{
    qemu_supervise_watch(p, serial_fd, quiet, deadline_ms, stop, NULL, out);
}

void qemu_supervise_watch(struct qemu_proc *p, int serial_fd, bool quiet, long long deadline_ms,
                          volatile sig_atomic_t *stop, const struct qemu_watch *w,
                          struct qemu_outcome *out)
{
    char pending[1024];
    size_t plen = 0;
    long long kill_at = -1;
    bool eof = false;

    memset(out, 0, sizeof(*out));
    while (!out->exited || !eof) {
        struct pollfd pfd = { .fd = p->console_fd, .events = POLLIN };
        long long now = mono_ms();

        /* Never signal a reaped pid: it may belong to someone else by now. */
        if (!out->exited && kill_at < 0 && (now >= deadline_ms || (stop && *stop))) {
            out->timed_out = now >= deadline_ms;
            out->interrupted = !out->timed_out;
            kill(p->pid, SIGTERM);
            kill_at = now + KILL_GRACE_MS;
        }
        if (!out->exited && kill_at >= 0 && now >= kill_at) {
            kill(p->pid, SIGKILL);
            kill_at = now + 3600 * 1000LL;
        }
        if (!eof && poll(&pfd, 1, 100) > 0) {
            char buf[4096];
            ssize_t n = read(p->console_fd, buf, sizeof(buf));

            if (n > 0) {
                if (serial_fd >= 0 && write(serial_fd, buf, (size_t)n) != n)
                    serial_fd = -1;       /* keep running; the log is best effort */
                if (!quiet)
                    echo_lines(pending, &plen, sizeof(pending), buf, (size_t)n, w);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                eof = true;
            }
        } else if (eof) {
            usleep(50 * 1000);
        }
        if (!out->exited)
            reap(p, out, WNOHANG);
        if (w && w->tick)
            w->tick(w->ctx);
    }
    if (!quiet && plen && w && w->before_echo)
        w->before_echo(w->ctx);
    if (!quiet && plen)
        fprintf(stderr, "%s%.*s\n", echo_prefix(pending, plen), (int)plen, pending);
    close(p->console_fd);
    p->console_fd = -1;
}

void qemu_kill(struct qemu_proc *p, struct qemu_outcome *out)
{
    memset(out, 0, sizeof(*out));
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        reap(p, out, 0);
    }
    if (p->console_fd >= 0)
        close(p->console_fd);
    p->console_fd = -1;
}

bool qemu_outcome_ok(const struct qemu_outcome *o, unsigned timeout_s, char *why, size_t cap)
{
    if (o->timed_out)
        return fmt(why, cap, "timeout after %u s", timeout_s), false;
    if (o->interrupted)
        return fmt(why, cap, "interrupted"), false;
    if (!o->exited)
        return fmt(why, cap, "QEMU did not exit"), false;
    if (WIFSIGNALED(o->status))
        return fmt(why, cap, "QEMU was killed by signal %d (%s)", WTERMSIG(o->status),
                   strsignal(WTERMSIG(o->status))), false;
    switch (WEXITSTATUS(o->status)) {
    case 1:
        return true;
    case 0:
        fmt(why, cap, "QEMU exited without the guest's exit code "
            "(guest reset, triple fault or shutdown; see serial.log and qemu.log)");
        return false;
    case 3:
        fmt(why, cap, "guest reported failure (isa-debug-exit code 1)");
        return false;
    case 127:
        fmt(why, cap, "QEMU could not be executed (see qemu.log)");
        return false;
    default:
        if (WEXITSTATUS(o->status) & 1)
            fmt(why, cap, "guest exited with code %d (QEMU status %d)",
                WEXITSTATUS(o->status) >> 1, WEXITSTATUS(o->status));
        else
            fmt(why, cap, "QEMU exited with status %d (see qemu.log)", WEXITSTATUS(o->status));
        return false;
    }
}
