/*
 * The lab's view of the host, through the real tool: from inside L1, the
 * host's /root, /home and /etc/shadow must not be readable.  The test
 * plants a canary file with random content in /root and in /home (made for
 * the test where the host has none), names both in HVFLUSH_LAB_PROBE, and
 * runs a lab run; L1's init probes every path of RUN/lab/l1-probe where
 * L1's run sees the host and writes RUN/lab/l1-host-view.  Neither canary,
 * nor /etc/shadow, nor /root or /home (unless this checkout lies under
 * them) may be there; and no line may carry the canary's hash.
 *
 * The probe is shown able to see: the same probe must read RUN/lab/lab.env
 * (in the exported run directory) with the SHA-256 of its first 4 KiB the
 * host computes, and the QEMU and hvflush binaries -- a probe that can read
 * nothing fails the test.  L1's view is probed before L2 starts, so a run
 * that hit the lab's intermittent L2 stall is judged on its view too (and
 * only its exit status is not).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

static char root_canary[] = "/root/hvflush-canary-XXXXXX";
static char home_canary[] = "/home/hvflush-canary-XXXXXX";
static char content[65], content_sha[65];
static bool made_home, planted;

/* The SHA-256 (hex) of the first 4 KiB of a file, by the host's tools. */
static void sha_head(const char *path, char *out)
{
    char cmd[PATH_MAX + 64];
    FILE *p;

    snprintf(cmd, sizeof(cmd), "head -c 4096 '%s' | sha256sum", path);
    p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%64s", out), 1);
    pclose(p);
}

static bool plant(char *name)
{
    int fd = mkstemp(name);
    bool ok = fd >= 0 && write(fd, content, 64) == 64;

    if (fd >= 0)
        close(fd);
    return ok;
}

static int setup(void **state)
{
    FILE *r = fopen("/dev/urandom", "r");
    unsigned char raw[32];

    (void)state;
    if (!r || fread(raw, 1, sizeof(raw), r) != sizeof(raw))
        return -1;
    fclose(r);
    for (int i = 0; i < 32; i++)
        sprintf(content + 2 * i, "%02x", raw[i]);
    if (access("/home", F_OK) != 0) {
        if (mkdir("/home", 0755) != 0)
            return -1;
        made_home = true;
    }
    planted = plant(root_canary) && plant(home_canary);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(root_canary);
    unlink(home_canary);
    if (made_home)
        rmdir("/home");
    return 0;
}

/* The state L1 gave path in view ("" if the path has no line). */
static const char *state_of(const char *view, const char *path, char *word, size_t cap)
{
    size_t n = strlen(path);

    word[0] = '\0';
    for (const char *l = view; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *sp = strchr(l, ' ');

        if (sp && !strncmp(sp + 1, path, n) && (sp[1 + n] == '\n' || sp[1 + n] == ' ' ||
                                                 !sp[1 + n])) {
            snprintf(word, cap, "%.*s", (int)(sp - l), l);
            return sp + 1 + n;
        }
    }
    return NULL;
}

static bool under(const char *path, const char *dir)
{
    size_t n = strlen(dir);

    return !strncmp(path, dir, n) && path[n] == '/';
}

static void test_l1_sees_no_private_path(void **state)
{
    char probe[PATH_MAX], path[1024], env[sizeof(root_canary) + sizeof(home_canary) + 2];
    char cwd[PATH_MAX], word[32], sha[65], view[8192];
    const char *private_paths[] = { "/etc/shadow", root_canary, home_canary, NULL };
    const char *rest;
    struct run_result *r;
    FILE *f;
    size_t n;

    (void)state;
    if (!planted)
        skip();
    snprintf(env, sizeof(env), "%s:%s", root_canary, home_canary);
    setenv("HVFLUSH_LAB_PROBE", env, 1);
    r = run_hvflush("run --accel lab --smp 2 --sweep tests/sweeps/boot.sweep --timeout 900");
    unsetenv("HVFLUSH_LAB_PROBE");
    if (!r->run_dir[0] && strstr(r->err, "hvflush: lab: "))
        skip();                       /* no lab kernel: nothing started */
    snprintf(path, sizeof(path), "%s/lab/l1-host-view", r->run_dir);
    f = fopen(path, "r");
    if (!f)
        fail_msg("no %s (exit %d): %s", path, r->exit_code, r->err);
    n = fread(view, 1, sizeof(view) - 1, f);
    view[n] = '\0';
    fclose(f);
    {
        char tmp[] = "/tmp/hvflush-canary-sha-XXXXXX";
        int fd = mkstemp(tmp);

        assert_true(fd >= 0 && write(fd, content, 64) == 64);
        close(fd);
        sha_head(tmp, content_sha);
        unlink(tmp);
    }

    /* What L1 must not see. */
    for (int i = 0; private_paths[i]; i++) {
        rest = state_of(view, private_paths[i], word, sizeof(word));
        if (!rest || (strcmp(word, "absent") && strcmp(word, "unreadable")))
            fail_msg("L1 saw %s as '%s':\n%s", private_paths[i], word, view);
    }
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    if (!under(cwd, "/root")) {
        assert_non_null(state_of(view, "/root", word, sizeof(word)));
        assert_string_equal(word, "absent");
    }
    if (!under(cwd, "/home")) {
        assert_non_null(state_of(view, "/home", word, sizeof(word)));
        assert_string_equal(word, "absent");
    }
    assert_null(strstr(view, content_sha));

    /* What L1 must see: the probe can read. */
    snprintf(probe, sizeof(probe), "%s/lab/lab.env", r->run_dir);
    {
        char real[PATH_MAX];

        assert_non_null(realpath(probe, real));
        sha_head(real, sha);
        rest = state_of(view, real, word, sizeof(word));
        if (!rest || strcmp(word, "readable") || strncmp(rest, " ", 1) ||
            strncmp(rest + 1, sha, 64))
            fail_msg("L1 did not read %s (sha %s):\n%s", real, sha, view);
    }
    snprintf(path, sizeof(path), "%s/hvflush", "build");
    {
        char real[PATH_MAX];

        assert_non_null(realpath(path, real));
        assert_non_null(state_of(view, real, word, sizeof(word)));
        assert_string_equal(word, "readable");
    }

    /* The run itself (unless the lab's L2 stall hit it). */
    if (lab_l2_stalled(r)) {
        fprintf(stderr, "the lab's L2 stalled; its view was checked, not its exit status\n");
        return;
    }
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l1_sees_no_private_path),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
