/*
 * The progress line of a long run: "[done/total] label  elapsed  ETA m:ss"
 * on stderr while the guest measures.  total is the host's own expansion
 * of the sweep; done and the label come from the guest's `config` records
 * as they arrive in the record port's file (RUN/records.txt, or in the
 * lab the records file of L1's run under RUN/lab/l2-run), read while QEMU
 * runs.  On a terminal the line is rewritten in place; otherwise one plain
 * line per configuration.  The formatting and the estimate are pure
 * functions, tested on their own.
 */
#ifndef HOST_PROGRESS_H
#define HOST_PROGRESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define PROGRESS_LABEL_MAX 96

/* ---- pure parts ------------------------------------------------------------ */

/* Milliseconds as m:ss (minutes unbounded: 75:03); "--:--" when ms < 0. */
void progress_clock(long long ms, char *out, size_t cap);

/* The time left: the mean time of the finished configurations
 * (done_ms / done) times those not finished, less what the current one
 * has already taken (current_ms), never below 0.  -1 (unknown) before the
 * first configuration has finished. */
long long progress_eta_ms(unsigned done, unsigned total, long long done_ms,
                          long long current_ms);

/* "[done/total] label  elapsed  ETA m:ss" ("ETA --:--" when eta_ms < 0). */
void progress_format(char *out, size_t cap, unsigned done, unsigned total, const char *label,
                     long long elapsed_ms, long long eta_ms);

/* ---- following a run -------------------------------------------------------- */

struct progress {
    bool enabled, tty;
    FILE *out;
    unsigned total;
    unsigned started;                   /* config records seen */
    unsigned done;                      /* configurations finished */
    bool ended;                         /* the end record arrived */
    char label[PROGRESS_LABEL_MAX];     /* the configuration being measured */
    long long start_ms;                 /* QEMU started */
    long long first_ms;                 /* the first config record; -1: none yet */
    long long last_done_ms;             /* the last configuration finished */
    long long last_print_ms;
    unsigned printed_started;           /* plain lines: the config last printed */
    bool shown;                         /* a terminal line is on screen */
    /* The records file: path, or the newest RUN/lab/l2-run/<run>/records.txt
     * where lab_dir is set. */
    char path[PATH_MAX];
    char lab_dir[PATH_MAX];
    int fd;
    char partial[8192];
    size_t plen;
};

/* A run's progress on stderr: follows run_dir/records.txt, or in the lab
 * (lab) the records of L1's run under run_dir/lab/l2-run; off with quiet
 * and in the lab's L1 itself (HVFLUSH_NESTED_IN set: the outer run shows
 * it). */
void progress_start(struct progress *p, const char *run_dir, bool lab, unsigned total,
                    bool quiet);
/* struct qemu_watch callbacks (ctx: the progress): tick now, clear. */
void progress_watch_tick(void *ctx);
void progress_watch_clear(void *ctx);

/* Starts following: enabled prints, tty rewrites one line in place. */
void progress_init(struct progress *p, unsigned total, bool enabled, bool tty, FILE *out,
                   long long now_ms);
/* Follows records_path, or (lab_dir non-NULL) the records of L1's run. */
void progress_follow(struct progress *p, const char *records_path, const char *lab_dir);
/* Takes one record line (as in the records file, without its newline). */
void progress_take_line(struct progress *p, const char *line, size_t len, long long now_ms);
/* Reads what the records file gained and prints if due. */
void progress_tick(struct progress *p, long long now_ms);
/* Clears a terminal line before other output is written to out. */
void progress_clear(struct progress *p);
/* Reads the rest, prints the last state (a plain line) and stops. */
void progress_finish(struct progress *p, long long now_ms);

#endif
