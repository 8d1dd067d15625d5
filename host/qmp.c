/*
 * A minimal QMP client (see qmp.h).  QEMU sends one JSON object per line;
 * we read lines, parse them with jansson and match replies to the single
 * command in flight.
 */
#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define QMP_LINE_MAX (4u << 20)
#define QMP_RETRY_MS 20

static bool process_gone(pid_t pid)
{
    siginfo_t info;

    /* WNOWAIT: look without reaping, so the caller still gets the status. */
    memset(&info, 0, sizeof(info));
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           info.si_pid == pid;
}

/* Returns a heap copy of the next line (without newline), or NULL. */
static char *read_line(struct qmp *q, long long deadline_ms, char *err, size_t errcap)
{
    for (;;) {
        char *nl = q->len ? memchr(q->buf, '\n', q->len) : NULL;
        struct pollfd pfd = { .fd = q->fd, .events = POLLIN };
        long long left;
        ssize_t n;

        if (nl) {
            size_t linelen = (size_t)(nl - q->buf);
            char *line = strndup(q->buf, linelen);

            memmove(q->buf, nl + 1, q->len - linelen - 1);
            q->len -= linelen + 1;
            return line;
        }
        if (q->len + 4096 > q->cap) {
            size_t cap = q->cap ? q->cap * 2 : 65536;
            char *bigger;

            if (cap > QMP_LINE_MAX || !(bigger = realloc(q->buf, cap))) {
                fmt(err, errcap, "QMP reply too long");
                return NULL;
            }
            q->buf = bigger;
            q->cap = cap;
        }
        left = deadline_ms - mono_ms();
        if (left <= 0) {
            fmt(err, errcap, "QMP: no reply from QEMU in time");
            return NULL;
        }
        n = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (n < 0 && errno != EINTR) {
            fmt(err, errcap, "QMP: poll: %s", strerror(errno));
            return NULL;
        }
        if (n <= 0)
            continue;
        n = recv(q->fd, q->buf + q->len, q->cap - q->len, 0);
        if (n == 0) {
            fmt(err, errcap, "QMP: QEMU closed the connection");
            return NULL;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            fmt(err, errcap, "QMP: recv: %s", strerror(errno));
            return NULL;
        }
        q->len += (size_t)n;
    }
}

/* Reads the next message that is not an asynchronous event. */
static json_t *read_message(struct qmp *q, long long deadline_ms, char *err, size_t errcap)
{
    for (;;) {
        char *line = read_line(q, deadline_ms, err, errcap);
        json_error_t jerr;
        json_t *msg;

        if (!line)
            return NULL;
        msg = json_loads(line, 0, &jerr);
        free(line);
        if (!msg || !json_is_object(msg)) {
            json_decref(msg);
            fmt(err, errcap, "QMP: unparsable message from QEMU (%s)", jerr.text);
            return NULL;
        }
        if (json_object_get(msg, "event")) {
            json_decref(msg);
            continue;
        }
        return msg;
    }
}

static bool send_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        s += n;
        len -= (size_t)n;
    }
    return true;
}

json_t *qmp_execute(struct qmp *q, const char *command, long long deadline_ms,
                    char *err, size_t errcap)
{
    json_t *req = json_pack("{s:s}", "execute", command), *msg, *ret, *error;
    char *text = req ? json_dumps(req, JSON_COMPACT) : NULL;
    bool sent = text && send_all(q->fd, text, strlen(text)) && send_all(q->fd, "\n", 1);

    free(text);
    json_decref(req);
    if (!sent) {
        fmt(err, errcap, "QMP: cannot send '%s': %s", command, strerror(errno));
        return NULL;
    }
    msg = read_message(q, deadline_ms, err, errcap);
    if (!msg)
        return NULL;
    ret = json_object_get(msg, "return");
    error = json_object_get(msg, "error");
    if (ret) {
        json_incref(ret);
    } else {
        const char *desc = json_string_value(json_object_get(error, "desc"));

        fmt(err, errcap, "QMP '%s' failed: %s", command, desc ? desc : "unexpected reply");
    }
    json_decref(msg);
    return ret;
}

bool qmp_connect(struct qmp *q, const char *path, pid_t pid, long long deadline_ms,
                 char *err, size_t errcap)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    json_t *greeting, *ret;

    memset(q, 0, sizeof(*q));
    q->fd = -1;
    if (!fmt(addr.sun_path, sizeof(addr.sun_path), "%s", path)) {
        fmt(err, errcap, "QMP socket path too long: %s", path);
        return false;
    }
    for (;;) {
        q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (q->fd < 0) {
            fmt(err, errcap, "socket: %s", strerror(errno));
            return false;
        }
        if (connect(q->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            break;
        close(q->fd);
        q->fd = -1;
        if (errno != ENOENT && errno != ECONNREFUSED && errno != EINTR) {
            fmt(err, errcap, "cannot connect to QMP socket %s: %s", path, strerror(errno));
            return false;
        }
        if (process_gone(pid)) {
            fmt(err, errcap, "QEMU exited before its QMP socket was ready");
            return false;
        }
        if (mono_ms() >= deadline_ms) {
            fmt(err, errcap, "QEMU did not open its QMP socket in time");
            return false;
        }
        usleep(QMP_RETRY_MS * 1000);
    }
    greeting = read_message(q, deadline_ms, err, errcap);
    if (!greeting)
        return false;
    if (!json_object_get(greeting, "QMP")) {
        json_decref(greeting);
        fmt(err, errcap, "QMP: unexpected greeting");
        return false;
    }
    json_decref(greeting);
    ret = qmp_execute(q, "qmp_capabilities", deadline_ms, err, errcap);
    json_decref(ret);
    return ret != NULL;
}

void qmp_close(struct qmp *q)
{
    if (q->fd >= 0)
        close(q->fd);
    free(q->buf);
    memset(q, 0, sizeof(*q));
    q->fd = -1;
}

static int cmp_vcpu(const void *a, const void *b)
{
    const struct qmp_vcpu *x = a, *y = b;

    return x->index < y->index ? -1 : x->index > y->index;
}

int qmp_parse_cpus(json_t *ret, struct qmp_vcpu *out, unsigned max)
{
    size_t i;
    json_t *cpu;

    if (!json_is_array(ret) || json_array_size(ret) > max)
        return -1;
    json_array_foreach(ret, i, cpu) {
        json_t *idx = json_object_get(cpu, "cpu-index");
        json_t *tid = json_object_get(cpu, "thread-id");

        if (!json_is_integer(idx) || !json_is_integer(tid) ||
            json_integer_value(idx) < 0 || json_integer_value(tid) <= 0)
            return -1;
        out[i].index = (unsigned)json_integer_value(idx);
        out[i].thread_id = (long)json_integer_value(tid);
    }
    qsort(out, json_array_size(ret), sizeof(*out), cmp_vcpu);
    return (int)json_array_size(ret);
}
