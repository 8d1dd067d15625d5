/*
 * One probe start of QEMU for hv_probe() (see hv_flags.h):
 *
 *   QEMU -accel ACCEL -machine pc -cpu CPU -m 16 -display none -nodefaults
 *        -S -qmp stdio        < {"execute":"qmp_capabilities"} {"execute":"quit"}
 *
 * QEMU creates the vCPUs (where KVM checks every hv-* flag) before it
 * reads QMP, so a clean exit means the CPU model and its flags were taken.
 * stdin and stderr are anonymous files, not pipes: QEMU may refuse and exit
 * before it reads anything, and nothing here may block on it or take a
 * SIGPIPE.  A QEMU that does not exit within PROBE_LIMIT_MS is killed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "hv_flags.h"
#include "util.h"

#define PROBE_LIMIT_MS 60000
#define QMP_INPUT "{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n"

/* QEMU's last error line without its "qemu-system-x86_64: " prefix;
 * warnings (e.g. a CPUID bit the host lacks) are not the reason. */
static void last_error_line(int fd, char *out, size_t cap)
{
    char text[8192];
    ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
    char *save = NULL;

    out[0] = '\0';
    if (n <= 0)
        return;
    text[n] = '\0';
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        const char *msg = strstr(line, ": ") && !strncmp(line, "qemu-system", 11)
                              ? strstr(line, ": ") + 2 : line;

        if (!strncmp(msg, "warning: ", 9) || !*msg)
            continue;
        fmt(out, cap, "%s", msg);
    }
}

static bool wait_limited(pid_t pid, int *status)
{
    long long give_up = mono_ms() + PROBE_LIMIT_MS;

    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);

        if (r == pid)
            return true;
        if (r < 0 && errno != EINTR)
            return false;
        if (mono_ms() >= give_up) {
            kill(pid, SIGKILL);
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return false;
        }
        usleep(10 * 1000);
    }
}

bool hv_try_qemu(void *ctx, const char *cpu, char *reason, size_t cap)
{
    const struct hv_qemu *q = ctx;
    char *argv[] = {
        (char *)q->binary, "-accel", (char *)q->accel, "-machine", "pc", "-cpu", (char *)cpu,
        "-m", "16", "-display", "none", "-nodefaults", "-S", "-qmp", "stdio", NULL,
    };
    int in = memfd_create("hvflush-probe-in", MFD_CLOEXEC);
    int errfd = memfd_create("hvflush-probe-err", MFD_CLOEXEC);
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    bool ok = false;
    int status;
    pid_t pid = -1;

    reason[0] = '\0';
    if (in < 0 || errfd < 0 || devnull < 0 ||
        write(in, QMP_INPUT, strlen(QMP_INPUT)) != (ssize_t)strlen(QMP_INPUT) ||
        lseek(in, 0, SEEK_SET) < 0) {
        fmt(reason, cap, "cannot set up a QEMU probe: %s", strerror(errno));
        goto out;
    }
    pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(in, STDIN_FILENO);
        dup2(devnull, STDOUT_FILENO);
        dup2(errfd, STDERR_FILENO);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid < 0) {
        fmt(reason, cap, "fork: %s", strerror(errno));
        goto out;
    }
    if (!wait_limited(pid, &status)) {
        fmt(reason, cap, "QEMU did not quit within %d s of its probe start",
            PROBE_LIMIT_MS / 1000);
        goto out;
    }
    ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
        last_error_line(errfd, reason, cap);
        if (!reason[0])
            fmt(reason, cap, "QEMU exited with status %d", WIFEXITED(status)
                ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    }
out:
    if (in >= 0)
        close(in);
    if (errfd >= 0)
        close(errfd);
    if (devnull >= 0)
        close(devnull);
    return ok;
}
