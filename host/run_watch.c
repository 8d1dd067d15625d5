/*
 * The progress line and the host's load samples while QEMU runs (see
 * run_watch.h).
 */
#include "run_watch.h"

#include "util.h"

static void watch_tick(void *ctx)
{
    struct run_watch *w = ctx;

    progress_watch_tick(&w->prog);
    hostload_watch_tick(&w->load, mono_ms());
    if (*w->interrupted || (w->lab && lab_stall_check(&w->lab_l2, mono_ms())))
        w->stop = 1;
}

static void watch_clear(void *ctx)
{
    progress_watch_clear(&((struct run_watch *)ctx)->prog);
}

void run_watch_start(struct run_watch *w, struct qemu_watch *qw, const struct run_info *ri,
                     pid_t qemu, const struct qemu_outcome *outcome,
                     const volatile sig_atomic_t *interrupted)
{
    long tids[HOSTLOAD_VCPUS_MAX];
    unsigned n = 0;

    for (; n < ri->pin_mapped && n < HOSTLOAD_VCPUS_MAX; n++)
        tids[n] = ri->pin_map[n].thread_id;
    w->lab = ri->lab != NULL;
    w->interrupted = interrupted;
    w->stop = 0;
    if (w->lab)
        lab_stall_watch_init(&w->lab_l2, ri);
    w->inner = (struct qemu_watch){ .tick = watch_tick, .before_echo = watch_clear, .ctx = w };
    /* L0's console says nothing of L2: no --stall-timeout in the lab. */
    stall_watch_init(&w->stall, ri->lab ? 0 : ri->opt->stall_timeout_s, ri->run_dir,
                     &ri->channels, qemu, outcome, &w->inner);
    qw->tick = stall_watch_tick;
    qw->before_echo = stall_watch_before_echo;
    qw->ctx = &w->stall;
    progress_start(&w->prog, ri->run_dir, ri->lab != NULL, ri->nconfigs, ri->opt->quiet);
    hostload_watch_start(&w->load, qemu, tids, n);
}

void run_watch_finish(struct run_watch *w, struct run_info *ri)
{
    progress_finish(&w->prog, mono_ms());
    hostload_watch_finish(&w->load, &ri->hostload);
    ri->stalled = w->stall.stalled;
    if (ri->lab)
        ri->lab->l2_stalled = w->lab_l2.stalled;
}
