/*
 * The lab's L2 start watchdog and its one retry (lab.h).
 *
 * The nested lab sometimes stalls as L1's run starts L2: L1 reaches
 * 'l2-start' in RUN/lab/l1-times, then its whole VM stops making progress
 * (L0's one TCG thread at 100 %, no further L1 console output, L2's
 * serial.log stays empty) until the run's --timeout.  A healthy L2 writes
 * its first console line within seconds of its QEMU starting.
 *
 * Algorithm: about once a second, while L0 runs, look for 'l2-start' in
 * RUN/lab/l1-times (written by L1 over 9p; a partial line is ignored and
 * read again next time); from the first sighting, on the host's clock,
 * watch RUN/lab/l2-run/<id>/serial.log until the guest's banner appears
 * in it.  Until then, --lab-l2-wait seconds (default LAB_L2_FIRST_OUTPUT_S
 * plus LAB_L2_PER_VCPU_S per L1 vCPU: L2's QEMU starts one thread per vCPU,
 * slowly under emulation) without a new byte means stalled: before L2's
 * first byte, or (an image) between GRUB's output and the guest's.  Once
 * the banner is there the watchdog is done: later progress is --timeout's.
 *
 * Races tolerated: L1 writes the files the host reads (9p, no locking).
 * l1-times is rewritten whole by `cp`, so a read may see it short or empty
 * for a moment; serial.log only grows.  Both only delay a verdict by one
 * check; neither can make a healthy L2 look stalled before the limit.
 */
#include <dirent.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu.h"
#include "run.h"
#include "lab/l2_watch.h"
#include "util.h"

#define LAB_L2_FIRST_OUTPUT_S 120
#define LAB_L2_PER_VCPU_S     3
#define LAB_STALL_CHECK_MS    1000
/* The guest's first console line (guest/arch/x86/setup.c). */
#define GUEST_BANNER          "hvflush guest "

/* --lab-l2-wait, or the default for L1's vCPU count. */
static long long limit_s(const struct run_info *ri)
{
    if (ri->opt->lab_l2_wait_s)
        return ri->opt->lab_l2_wait_s;
    return LAB_L2_FIRST_OUTPUT_S + (long long)LAB_L2_PER_VCPU_S * ri->lab->l1_vcpus;
}

void lab_stall_watch_init(struct lab_stall_watch *w, const struct run_info *ri)
{
    memset(w, 0, sizeof(*w));
    w->run_dir = ri->run_dir;
    w->l2_start_ms = -1;
    w->limit_ms = limit_s(ri) * 1000;
}

/* Whether RUN/lab/l1-times has a complete "l2-start SECONDS" line. */
static bool l1_reached_l2_start(const char *run_dir)
{
    char path[PATH_MAX + 32], *text = NULL;
    size_t len;
    bool found;

    fmt(path, sizeof(path), "%s/lab/l1-times", run_dir);
    if (!read_file(path, &text, &len, 1 << 16))
        return false;
    found = strstr(text, "l2-start ") != NULL && strchr(strstr(text, "l2-start "), '\n');
    free(text);
    return found;
}

/* The bytes in RUN/lab/l2-run/<id>/serial.log, all of them together, and
 * whether the guest's banner is among them. */
static long long l2_console(const char *run_dir, bool *banner)
{
    char dir[PATH_MAX + 32], path[PATH_MAX + 320], *text;
    long long total = 0;
    struct dirent *e;
    struct stat st;
    size_t len;
    DIR *d;

    *banner = false;
    fmt(dir, sizeof(dir), "%s/lab/l2-run", run_dir);
    d = opendir(dir);
    if (!d)
        return 0;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.' && strcmp(e->d_name, "latest") != 0) {
            fmt(path, sizeof(path), "%s/%s/serial.log", dir, e->d_name);
            if (stat(path, &st) != 0 || st.st_size == 0)
                continue;
            total += st.st_size;
            text = NULL;
            if (!*banner && read_file(path, &text, &len, 1 << 20)) {
                *banner = memmem(text, len, GUEST_BANNER, strlen(GUEST_BANNER)) != NULL;
                free(text);
            }
        }
    closedir(d);
    return total;
}

bool lab_stall_check(struct lab_stall_watch *w, long long now_ms)
{
    long long bytes;
    bool banner;

    if (w->done || w->stalled || now_ms < w->next_check_ms)
        return w->stalled;
    w->next_check_ms = now_ms + LAB_STALL_CHECK_MS;
    if (w->l2_start_ms < 0) {
        if (l1_reached_l2_start(w->run_dir))
            w->l2_start_ms = w->quiet_since_ms = now_ms;
        return false;
    }
    bytes = l2_console(w->run_dir, &banner);
    if (banner) {
        w->done = true;
        return false;
    }
    if (bytes != w->l2_bytes) {
        w->l2_bytes = bytes;
        w->quiet_since_ms = now_ms;
    }
    w->stalled = now_ms - w->quiet_since_ms > w->limit_ms;
    return w->stalled;
}

void lab_stall_reason(const struct run_info *ri, char *why, size_t cap)
{
    fmt(why, cap, "lab: L2 stalled: no console output from L2 for %lld s before the guest's "
        "first line (the nested lab's intermittent stall; see RUN/lab/l1-times)",
        limit_s(ri));
}

/* Moves path (relative to the run directory) into RUN/lab-attempt-N/as. */
static void keep(const char *run_dir, const char *attempt_dir, const char *path, const char *as)
{
    char from[PATH_MAX + 32], to[PATH_MAX + 64];

    fmt(from, sizeof(from), "%s/%s", run_dir, path);
    fmt(to, sizeof(to), "%s/%s", attempt_dir, as);
    if (rename(from, to) != 0 && access(from, F_OK) == 0)
        hv_err("cannot keep %s as %s", from, to);
}

bool lab_keep_stalled_attempt(struct run_info *ri, unsigned attempt)
{
    struct lab_plan *lab = ri->lab;
    char dir[PATH_MAX + 32];

    fmt(dir, sizeof(dir), "%s/lab-attempt-%u", ri->run_dir, attempt);
    if (mkdir(dir, 0755) != 0) {
        hv_err("cannot create %s to keep the stalled attempt", dir);
        return false;
    }
    keep(ri->run_dir, dir, "lab", "lab");
    keep(ri->run_dir, dir, "serial.log", "serial.log");
    keep(ri->run_dir, dir, "qemu.log", "qemu.log");
    keep(ri->run_dir, dir, "records.txt", "records.txt");
    /* What lab_outcome() read from this attempt goes with it. */
    json_decref(lab->l1_times);
    json_decref(lab->inner_meta);
    lab->l1_times = lab->inner_meta = NULL;
    lab->inner_hv = NULL;
    lab->l1_error[0] = '\0';
    lab->l1_run_dir[0] = '\0';
    lab->l1_run_status = -1;
    qemu_argv_free(lab->l1_run_argv);   /* lab_start() makes it again */
    lab->l1_run_argv = NULL;
    lab->stalled_attempts++;
    return true;
}
