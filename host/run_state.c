/*
 * A run directory as its readers see it (see run_state.h).
 *
 * Race: the writer replaces meta.json atomically (rename) and releases
 * its lock only after the final meta.json is in place (run_release), so a
 * reader that sees "running" and then finds the lock free has met a run
 * whose writer is gone -- or one that finished in between; the second
 * look at meta.json after the lock test tells those apart.
 */
#include "run_state.h"

#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "paths.h"
#include "util.h"

static bool meta_says_running(const char *dir)
{
    char path[PATH_MAX + 16];
    json_t *meta;
    const char *status;
    bool running;

    if (!fmt(path, sizeof(path), "%s/meta.json", dir))
        return false;
    meta = json_load_file(path, 0, NULL);
    status = json_string_value(json_object_get(meta, "status"));
    running = status && !strcmp(status, "running");
    json_decref(meta);
    return running;
}

/* True when another process holds the directory's exclusive lock. */
static bool writer_holds_lock(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    bool held;

    if (fd < 0)
        return false;
    held = flock(fd, LOCK_SH | LOCK_NB) < 0;
    close(fd);
    return held;
}

enum run_state run_state_of(const char *dir)
{
    if (!meta_says_running(dir))
        return RUN_STATE_DONE;
    if (writer_holds_lock(dir))
        return RUN_STATE_RUNNING;
    return meta_says_running(dir) ? RUN_STATE_INCOMPLETE : RUN_STATE_DONE;
}

bool run_state_unfinished(const char *dir, char *why, size_t cap)
{
    switch (run_state_of(dir)) {
    case RUN_STATE_RUNNING:
        fmt(why, cap, "run %s is still being written (its hvflush run is going): "
            "try again when it has finished", paths_display(dir));
        return true;
    case RUN_STATE_INCOMPLETE:
        fmt(why, cap, "run %s is incomplete: its hvflush run ended before finishing it "
            "(meta.json still says running)", paths_display(dir));
        return true;
    default:
        return false;
    }
}

const char *run_state_word(enum run_state s)
{
    return s == RUN_STATE_RUNNING ? "running" : s == RUN_STATE_INCOMPLETE ? "incomplete"
                                                                          : "";
}
