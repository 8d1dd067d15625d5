/*
 * A run directory while its run goes (see run_guard.h).
 */
#include "run_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

#define GUARD_CHECK_MS 200

bool run_guard_begin(struct run_guard *g, const char *dir)
{
    struct stat st;

    memset(g, 0, sizeof(*g));
    g->fd = -1;
    if (!fmt(g->dir, sizeof(g->dir), "%s", dir)) {
        errno = ENAMETOOLONG;
        return false;
    }
    g->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (g->fd < 0)
        return false;
    if (fstat(g->fd, &st) < 0) {
        close(g->fd);
        g->fd = -1;
        return false;
    }
    g->dev = st.st_dev;
    g->ino = st.st_ino;
    g->held = true;
    /* Readers take LOCK_SH | LOCK_NB (run_state.c): while this is held they
     * see the run as in progress.  Released by run_guard_end or, should
     * hvflush die, by the kernel with the descriptor. */
    (void)flock(g->fd, LOCK_EX | LOCK_NB);
    return true;
}

bool run_guard_dir_gone(struct run_guard *g)
{
    struct stat st;

    if (!g->held || g->gone)
        return g->gone;
    /* The path must still lead to the directory we made: rm -rf (or a
     * directory put in its place) would send every later write elsewhere. */
    if (stat(g->dir, &st) < 0 || st.st_dev != g->dev || st.st_ino != g->ino)
        g->gone = true;
    return g->gone;
}

bool run_guard_said_gone(struct run_guard *g)
{
    if (!run_guard_dir_gone(g))
        return false;
    hv_err("run directory %s was deleted while the run was going: its results are lost "
           "(QEMU stopped; nothing written elsewhere, latest unchanged)", paths_display(g->dir));
    return true;
}

void run_guard_watch_tick(void *ctx)
{
    struct run_guard *g = ctx;
    long long now = mono_ms();

    if (g->inner && g->inner->tick)
        g->inner->tick(g->inner->ctx);
    if (now < g->next_check_ms)
        return;
    g->next_check_ms = now + GUARD_CHECK_MS;
    if (run_guard_dir_gone(g) && g->stop)
        *g->stop = 1;
}

void run_guard_watch_clear(void *ctx)
{
    struct run_guard *g = ctx;

    if (g->inner && g->inner->before_echo)
        g->inner->before_echo(g->inner->ctx);
}

void run_guard_end(struct run_guard *g)
{
    if (g->held && g->fd >= 0)
        close(g->fd);
    g->held = false;
    g->fd = -1;
}
