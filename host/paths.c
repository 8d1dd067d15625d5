/*
 * The tool's root directory and default file locations (see paths.h).
 */
#include "paths.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

bool paths_exe_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0)
        return false;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return false;
    *slash = '\0';
    return fmt(out, cap, "%s", exe[0] ? exe : "/");
}

bool paths_root(char *out, size_t cap)
{
    const char *env = getenv("HVFLUSH_ROOT");
    char dir[PATH_MAX];
    char *slash;

    if (env && *env)
        return fmt(out, cap, "%s", env);
    if (!paths_exe_dir(dir, sizeof(dir)))
        return false;
    slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    else
        strcpy(dir, "/");
    return fmt(out, cap, "%s", dir);
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && !strcmp(s + n - m, suffix);
}

bool paths_sweep_is_name(const char *arg)
{
    return !strchr(arg, '/') && !ends_with(arg, ".sweep");
}

bool paths_sweep(const char *root, const char *arg, char *out, size_t cap)
{
    if (paths_sweep_is_name(arg))
        return fmt(out, cap, "%s/bench/sweeps/%s.sweep", root, arg);
    return fmt(out, cap, "%s", arg);
}

const char *paths_display(const char *path)
{
    static char cwd[PATH_MAX];
    size_t n;

    if (path[0] != '/' || !getcwd(cwd, sizeof(cwd)))
        return path;
    n = strlen(cwd);
    if (n > 1 && !strncmp(path, cwd, n) && path[n] == '/' && path[n + 1])
        return path + n + 1;
    return path;
}
