/*
 * The progress line of a long run (see progress.h).  The records file is
 * read while QEMU writes it: a line is taken only once its newline is
 * there, so a record is never parsed half-written; a line that fails its
 * checksum is ignored here (the collector judges the stream after the run).
 * A configuration counts as finished when the next one's `config` record
 * or the `end` record arrives.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bench/record.h>

#include "lab/lab.h"
#include "progress.h"
#include "util.h"

/* A terminal line is redrawn at most this often; plain lines come one per
 * configuration, and again after this long without one. */
#define REDRAW_MS      250
#define PLAIN_EVERY_MS 30000

void progress_clock(long long ms, char *out, size_t cap)
{
    long long s;

    if (ms < 0) {
        fmt(out, cap, "--:--");
        return;
    }
    s = (ms + 500) / 1000;
    fmt(out, cap, "%lld:%02lld", s / 60, s % 60);
}

long long progress_eta_ms(unsigned done, unsigned total, long long done_ms,
                          long long current_ms)
{
    long long left;

    if (done == 0)
        return -1;
    if (done >= total)
        return 0;
    left = done_ms / done * (long long)(total - done) - (current_ms > 0 ? current_ms : 0);
    return left > 0 ? left : 0;
}

void progress_format(char *out, size_t cap, unsigned done, unsigned total, const char *label,
                     long long elapsed_ms, long long eta_ms)
{
    char elapsed[32], eta[32];

    progress_clock(elapsed_ms, elapsed, sizeof(elapsed));
    progress_clock(eta_ms, eta, sizeof(eta));
    fmt(out, cap, "[%u/%u] %s  %s  ETA %s", done, total, label && *label ? label : "-",
        elapsed, eta);
}

void progress_init(struct progress *p, unsigned total, bool enabled, bool tty, FILE *out,
                   long long now_ms)
{
    memset(p, 0, sizeof(*p));
    p->enabled = enabled;
    p->tty = tty;
    p->out = out;
    p->total = total;
    p->start_ms = now_ms;
    p->first_ms = -1;
    p->fd = -1;
}

void progress_follow(struct progress *p, const char *records_path, const char *lab_dir)
{
    fmt(p->path, sizeof(p->path), "%s", records_path ? records_path : "");
    fmt(p->lab_dir, sizeof(p->lab_dir), "%s", lab_dir ? lab_dir : "");
}

void progress_take_line(struct progress *p, const char *line, size_t len, long long now_ms)
{
    static struct record r;
    const char *label;

    if (record_parse(line, len, &r) != RECORD_OK)
        return;
    if (!strcmp(r.type, "config")) {
        if (p->started > p->done) {
            p->done++;
            p->last_done_ms = now_ms;
        }
        p->started++;
        if (p->first_ms < 0)
            p->first_ms = p->last_done_ms = now_ms;
        label = record_get(&r, "label");
        fmt(p->label, sizeof(p->label), "%s", label ? label : "-");
    } else if (!strcmp(r.type, "end")) {
        p->done = p->started;
        p->last_done_ms = now_ms;
        p->ended = true;
    }
}

/* The newest run directory's records.txt under lab_dir (names start with
 * the UTC time), or false while there is none. */
static bool find_lab_records(const struct progress *p, char *out, size_t cap)
{
    char best[256] = "";
    struct dirent *e;
    DIR *d = opendir(p->lab_dir);

    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, best) > 0)
            fmt(best, sizeof(best), "%s", e->d_name);
    if (d)
        closedir(d);
    return best[0] && fmt(out, cap, "%s/%s/records.txt", p->lab_dir, best);
}

static void print(struct progress *p, long long now_ms);

/* Takes every complete line the records file has gained. */
static void read_new(struct progress *p, long long now_ms)
{
    char buf[4096];
    ssize_t n;

    if (p->fd < 0) {
        char path[PATH_MAX + 300];

        if (p->lab_dir[0] ? !find_lab_records(p, path, sizeof(path))
                          : !fmt(path, sizeof(path), "%s", p->path) || !p->path[0])
            return;
        p->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (p->fd < 0)
            return;
    }
    while ((n = read(p->fd, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n') {
                unsigned before = p->started;

                progress_take_line(p, p->partial, p->plen, now_ms);
                p->plen = 0;
                /* Plain lines: one as each configuration starts. */
                if (!p->tty && p->started != before)
                    print(p, now_ms);
            } else if (p->plen + 1 < sizeof(p->partial)) {
                p->partial[p->plen++] = buf[i];
            }
        }
    }
}

/* The line for now. */
static void current_line(const struct progress *p, long long now_ms, char *out, size_t cap)
{
    unsigned total = p->total > p->started ? p->total : p->started;
    long long eta = progress_eta_ms(p->done, total, p->last_done_ms - p->first_ms,
                                    now_ms - p->last_done_ms);

    progress_format(out, cap, p->done, total, p->label, now_ms - p->start_ms, eta);
}

static void print(struct progress *p, long long now_ms)
{
    char line[PROGRESS_LABEL_MAX + 96];

    current_line(p, now_ms, line, sizeof(line));
    if (p->tty)
        fprintf(p->out, "\r\033[Khvflush: %s", line);
    else
        fprintf(p->out, "hvflush: %s\n", line);
    fflush(p->out);
    p->shown = p->tty;
    p->last_print_ms = now_ms;
    p->printed_started = p->started;
}

void progress_tick(struct progress *p, long long now_ms)
{
    if (!p->enabled)
        return;
    read_new(p, now_ms);
    if (p->started == 0)
        return;
    if (p->tty ? now_ms - p->last_print_ms >= REDRAW_MS || !p->shown
               : p->started != p->printed_started || now_ms - p->last_print_ms >= PLAIN_EVERY_MS)
        print(p, now_ms);
}

void progress_clear(struct progress *p)
{
    if (p->enabled && p->shown) {
        fprintf(p->out, "\r\033[K");
        fflush(p->out);
        p->shown = false;
    }
}

void progress_finish(struct progress *p, long long now_ms)
{
    if (p->enabled) {
        read_new(p, now_ms);
        progress_clear(p);
        if (p->ended)
            fmt(p->label, sizeof(p->label), "finished");
        if (p->started)
            print(p, now_ms);
        if (p->tty && p->started)
            fputc('\n', p->out);
        fflush(p->out);
    }
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    p->shown = false;
}

void progress_start(struct progress *p, const char *run_dir, bool lab, unsigned total,
                    bool quiet)
{
    char records[PATH_MAX], lab_runs[PATH_MAX];

    progress_init(p, total, !quiet && !getenv("HVFLUSH_NESTED_IN"), isatty(STDERR_FILENO),
                  stderr, mono_ms());
    fmt(records, sizeof(records), "%s/records.txt", run_dir);
    fmt(lab_runs, sizeof(lab_runs), "%s/lab/%s", run_dir, LAB_L1_RUN_DIR);
    progress_follow(p, records, lab ? lab_runs : NULL);
}

void progress_watch_tick(void *ctx)
{
    progress_tick(ctx, mono_ms());
}

void progress_watch_clear(void *ctx)
{
    progress_clear(ctx);
}
