/*
 * An L1 that never comes up, through the real tool: L0 runs a CPU without
 * long mode (HVFLUSH_LAB_L0_CPU=qemu32, the lab's switch for L0's CPU
 * model), on which L1's 64-bit Debian kernel refuses to boot before it has
 * a console, so L1's init never runs and the run's --timeout ends L0.
 * The run must end with one clear line saying that L1 never came up and
 * where its console log is, a non-zero exit status, its logs (serial.log,
 * qemu.log, meta.json) kept, an earlier run in the same results directory
 * untouched (every file's SHA-256 before and after), no QEMU process left
 * that names the results directory (/proc/PID/cmdline), and nothing left
 * in its temporary directory (TMPDIR, private to the test, so that other
 * processes' files in /tmp cannot blur the check).
 *
 * Skipped only where the lab cannot be prepared (no cached or fetchable
 * Debian kernel): the first lab run must then fail before L0 starts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include "harness.h"

static char top[] = "/tmp/hvflush-l1down-XXXXXX";

static int setup(void **state)
{
    char cmd[PATH_MAX + 64];

    (void)state;
    if (!mkdtemp(top))
        return -1;
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/results %s/tmp", top, top);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    return system(cmd) == 0 ? 0 : -1;
}

/* Runs a shell command; returns its exit status (128 if killed). */
static int sh(const char *fmt_, ...)
{
    char cmd[4 * PATH_MAX];
    va_list ap;
    int status;

    va_start(ap, fmt_);
    vsnprintf(cmd, sizeof(cmd), fmt_, ap);
    va_end(ap);
    status = system(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* The whole of a (small) file, "" if it cannot be read. */
static const char *slurp(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}


static unsigned count_lines_with(const char *text, const char *needle)
{
    unsigned n = 0;

    for (const char *p = text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_l1_never_up(void **state)
{
    char sums[2 * PATH_MAX], first[256], lab_run[256], path[PATH_MAX + 32];
    const char *err;
    ssize_t n;
    int rc;

    (void)state;
    /* An earlier run in the same results directory (TCG: seconds). */
    assert_int_equal(sh("build/hvflush run --accel tcg --smp 2 --sweep tests/sweeps/boot.sweep "
                        "--out %s/results --quiet >%s/first.out 2>&1", top, top), 0);
    snprintf(path, sizeof(path), "%s/results/latest", top);
    n = readlink(path, first, sizeof(first) - 1);
    assert_true(n > 0);
    first[n] = '\0';
    snprintf(sums, sizeof(sums), "cd %s/results && find %s -type f | sort | xargs sha256sum",
             top, first);
    assert_int_equal(sh("(%s) >%s/before.sum", sums, top), 0);

    rc = sh("HVFLUSH_LAB_L0_CPU=qemu32 TMPDIR=%s/tmp build/hvflush run --accel lab --smp 2 "
            "--sweep tests/sweeps/boot.sweep --timeout 30 --out %s/results >%s/lab.out "
            "2>%s/lab.err", top, top, top, top);
    snprintf(path, sizeof(path), "%s/lab.err", top);
    err = slurp(path);
    /* No lab without a kernel: then nothing started, and nothing to judge. */
    if (strstr(err, "hvflush: lab: ") && !strstr(err, "started the lab"))
        skip();
    assert_int_not_equal(rc, 0);
    assert_int_not_equal(rc, 2);

    /* One clear line: L1 never came up, and where its console log is. */
    if (count_lines_with(err, "L1 never came up") != 1 || !strstr(err, "hvflush: run failed: "))
        fail_msg("expected one 'L1 never came up' line, got:\n%s", err);
    assert_non_null(strstr(strstr(err, "L1 never came up"), "serial.log"));

    /* The lab run has a directory of its own, with its logs. */
    snprintf(path, sizeof(path), "%s/results/latest", top);
    n = readlink(path, lab_run, sizeof(lab_run) - 1);
    assert_true(n > 0);
    lab_run[n] = '\0';
    assert_string_not_equal(lab_run, first);
    snprintf(path, sizeof(path), "%s/results/%s/meta.json", top, lab_run);
    assert_non_null(strstr(slurp(path), "L1 never came up"));
    assert_int_equal(sh("test -f %s/results/%s/serial.log && test -s %s/results/%s/qemu.log && "
                        "test -f %s/results/%s/lab/lab.env", top, lab_run, top, lab_run, top,
                        lab_run), 0);

    /* The earlier run is untouched. */
    assert_int_equal(sh("(%s) >%s/after.sum && cmp -s %s/before.sum %s/after.sum", sums, top,
                        top, top), 0);
    /* No QEMU (or anything) still running on the results directory. */
    assert_int_equal(processes_naming(top), 0);
    /* No temporary file left. */
    assert_int_equal(sh("test -z \"$(ls -A %s/tmp)\"", top), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l1_never_up),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
