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
}

static void watch_clear(void *ctx)
{
    progress_watch_clear(&((struct run_watch *)ctx)->prog);
}

void run_watch_start(struct run_watch *w, struct qemu_watch *qw, const struct run_info *ri,
                     pid_t qemu)
{
    long tids[HOSTLOAD_VCPUS_MAX];
    unsigned n = 0;

    for (; n < ri->pin_mapped && n < HOSTLOAD_VCPUS_MAX; n++)
        tids[n] = ri->pin_map[n].thread_id;
    qw->tick = watch_tick;
    qw->before_echo = watch_clear;
    qw->ctx = w;
    progress_start(&w->prog, ri->run_dir, ri->lab != NULL, ri->nconfigs, ri->opt->quiet);
    hostload_watch_start(&w->load, qemu, tids, n);
}

void run_watch_finish(struct run_watch *w, struct run_info *ri)
{
    progress_finish(&w->prog, mono_ms());
    hostload_watch_finish(&w->load, &ri->hostload);
}
