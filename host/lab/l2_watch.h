/*
 * The nested lab's L2 start watchdog and its one retry (host/lab/l2_watch.c),
 * used by the run's supervision (host/run_watch.c) and by run.c.
 */
#ifndef HOST_LAB_L2_WATCH_H
#define HOST_LAB_L2_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct run_info;

/* Watches, while L0 runs, L2's console from L1's 'l2-start' to the guest's
 * banner; stalled when it stays quiet longer than the limit (l2_watch.c). */
struct lab_stall_watch {
    const char *run_dir;
    long long l2_start_ms;          /* host clock when 'l2-start' was seen; -1: not yet */
    long long limit_ms;             /* the longest quiet time before the guest's banner */
    long long quiet_since_ms;       /* when L2's console last grew (or 'l2-start') */
    long long l2_bytes;             /* L2's console bytes at that time */
    long long next_check_ms;
    bool done;                      /* L2 has written: nothing more to watch */
    bool stalled;
};

void lab_stall_watch_init(struct lab_stall_watch *w, const struct run_info *ri);

/* Called often (the supervisor's tick); looks about once a second.  True
 * once L2 is judged stalled (and from then on). */
bool lab_stall_check(struct lab_stall_watch *w, long long now_ms);

/* The run's reason for a stalled attempt. */
void lab_stall_reason(const struct run_info *ri, char *why, size_t cap);

/* Before the retry of a stalled attempt: moves its RUN/lab, serial.log,
 * qemu.log and records.txt into RUN/lab-attempt-N (the logs are kept) and
 * forgets what was read from them.  False (said) when that fails. */
bool lab_keep_stalled_attempt(struct run_info *ri, unsigned attempt);

#endif
