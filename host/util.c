/*
 * Small helpers shared by the host tool (see util.h).
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool quiet_mode;

void hv_set_quiet(bool quiet)
{
    quiet_mode = quiet;
}

void hv_err(const char *f, ...)
{
    va_list ap;

    fputs("hvflush: ", stderr);
    va_start(ap, f);
    vfprintf(stderr, f, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void hv_note(const char *f, ...)
{
    va_list ap;

    if (quiet_mode)
        return;
    fputs("hvflush: ", stderr);
    va_start(ap, f);
    vfprintf(stderr, f, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool fmt(char *buf, size_t cap, const char *f, ...)
{
    va_list ap;
    int n;

    va_start(ap, f);
    n = vsnprintf(buf, cap, f, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < cap;
}

void append(char *buf, size_t cap, const char *f, ...)
{
    size_t used = strnlen(buf, cap);
    va_list ap;

    if (used + 1 >= cap)
        return;
    va_start(ap, f);
    vsnprintf(buf + used, cap - used, f, ap);
    va_end(ap);
}

bool read_file(const char *path, char **buf, size_t *len, size_t max)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t used = 0, cap = 0;
    int saved;

    if (!f)
        return false;
    for (;;) {
        size_t n;

        if (used + 4096 + 1 > cap) {
            char *bigger;

            cap = cap ? cap * 2 : 8192;
            bigger = realloc(data, cap);
            if (!bigger) {
                saved = ENOMEM;
                goto fail;
            }
            data = bigger;
        }
        n = fread(data + used, 1, cap - used - 1, f);
        used += n;
        if (max && used > max) {
            saved = EFBIG;
            goto fail;
        }
        if (n == 0) {
            if (ferror(f)) {
                saved = errno ? errno : EIO;
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    data[used] = '\0';
    *buf = data;
    *len = used;
    return true;
fail:
    free(data);
    fclose(f);
    errno = saved;
    return false;
}

bool write_file(const char *path, const char *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    size_t done = 0;

    if (fd < 0)
        return false;
    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            int saved = errno;
            close(fd);
            errno = saved;
            return false;
        }
        done += (size_t)n;
    }
    return close(fd) == 0;
}

static bool is_executable_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool find_executable(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    const char *p;

    if (strchr(name, '/'))
        return is_executable_file(name) && fmt(out, cap, "%s", name);
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    for (p = path; ; ) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);

        /* An empty PATH element means the current directory. */
        if (fmt(out, cap, "%.*s%s%s", (int)n, p, n ? "/" : "./", name) &&
            is_executable_file(out))
            return true;
        if (!colon)
            break;
        p = colon + 1;
    }
    return false;
}

void utc_iso(time_t t, char *buf, size_t cap)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool capture_first_line(char *const argv[], char *out, size_t cap)
{
    int fds[2], status;
    size_t used = 0;
    pid_t pid;

    out[0] = '\0';
    if (pipe2(fds, O_CLOEXEC) < 0)
        return false;
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return false;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        dup2(devnull, STDERR_FILENO);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char chunk[256];
        ssize_t n = read(fds[0], chunk, sizeof(chunk));

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n && used + 1 < cap; i++)
            out[used++] = chunk[i];
    }
    close(fds[0]);
    out[used] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && out[0];
}

bool capture_output(char *const argv[], bool discard_stderr, char **out, int *status)
{
    size_t len = 0, cap = 4096;
    char *buf = malloc(cap);
    int fds[2];
    pid_t pid;

    *out = NULL;
    if (!buf || pipe2(fds, O_CLOEXEC) < 0) {
        free(buf);
        return false;
    }
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        free(buf);
        return false;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);

        dup2(devnull, STDIN_FILENO);
        dup2(fds[1], STDOUT_FILENO);
        if (discard_stderr)
            dup2(devnull, STDERR_FILENO);
        execv(argv[0], argv);
        dprintf(STDERR_FILENO, "hvflush: cannot execute %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char discard[512];
        ssize_t n;

        if (len + 1 == cap) {
            char *bigger = realloc(buf, cap * 2);

            if (bigger) {
                buf = bigger;
                cap *= 2;
            }
        }
        /* Out of memory, the rest is read and dropped so that the child
         * can finish; the caller sees a short text. */
        if (len + 1 == cap) {
            n = read(fds[0], discard, sizeof(discard));
            if (n > 0 || (n < 0 && errno == EINTR))
                continue;
            break;
        }
        n = read(fds[0], buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fds[0]);
    buf[len] = '\0';
    while (waitpid(pid, status, 0) < 0 && errno == EINTR)
        ;
    *out = buf;
    return true;
}

void csv_put_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s == '\n' ? ' ' : *s, f);
    }
    fputc('"', f);
}

int csv_split_line(char *line, char **f, int max)
{
    int n = 0;

    line[strcspn(line, "\r\n")] = '\0';
    f[n++] = line;
    for (char *p = line; *p && n < max; p++)
        if (*p == ',') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}
