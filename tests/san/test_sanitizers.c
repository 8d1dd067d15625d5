/*
 * The sanitized build (build-san, `make test`) checked against itself:
 *  - each known bug of san_planted (tests/san/planted.c) -- heap and stack
 *    overflow, use after free, a leak, an oversized shift, signed overflow,
 *    a misaligned load -- run under the suite's own ASAN_OPTIONS and
 *    UBSAN_OPTIONS, exits non-zero and leaves the sanitizer's report in its
 *    log_path; the bug-free control exits 0 and leaves none;
 *  - the sanitized hvflush (HVFLUSH_BIN, default build-san/hvflush) holds
 *    the ASan and UBSan runtimes' report entry points;
 *  - no process of the sanitized suite left a report in the suite's log
 *    directory (HVFLUSH_SAN_LOG, set by `make test`); any that did is
 *    printed here.  Run this binary last.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define __SANITIZE_ADDRESS__ 1
#endif
#endif
#ifndef __SANITIZE_ADDRESS__
#error "tests/san/test_sanitizers.c is built only with SAN=1 (-fsanitize=address,undefined)"
#endif

#define PLANTED "build-san/tests/san_planted"

static const struct {
    const char *bug;
    const char *report;      /* what the sanitizer's report must say */
} planted[] = {
    { "heap-overflow", "heap-buffer-overflow" },
    { "use-after-free", "heap-use-after-free" },
    { "stack-overflow", "stack-buffer-overflow" },
    { "leak", "detected memory leaks" },
    { "shift", "shift exponent 32 is too large" },
    { "signed-overflow", "signed integer overflow" },
    { "misaligned", "misaligned address" },
};

/* Appends every regular file of dir to buf (NUL-ended); their number. */
static unsigned read_logs(const char *dir, char *buf, size_t cap)
{
    char path[600];
    struct dirent *e;
    unsigned n = 0;
    size_t len = 0, got;
    DIR *d = opendir(dir);
    FILE *f;

    buf[0] = '\0';
    if (!d)
        return 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        f = fopen(path, "r");
        if (!f)
            continue;
        n++;
        len += (size_t)snprintf(buf + len, cap - len, "---- %s\n", path);
        if (len >= cap - 1) {
            fclose(f);
            break;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        buf[len] = '\0';
        fclose(f);
    }
    closedir(d);
    return n;
}

static void remove_dir(const char *dir)
{
    char cmd[600];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        print_message("could not remove %s\n", dir);
}

/* Runs san_planted ARG under the suite's sanitizer options with their
 * log_path moved to a fresh directory (a later flag overrides an earlier
 * one); its exit status, the reports in logs. */
static int run_planted(const char *arg, char *logs, size_t cap, unsigned *nlogs)
{
    char dir[] = "/tmp/hvflush-san-XXXXXX", cmd[4096];
    const char *asan = getenv("ASAN_OPTIONS"), *ubsan = getenv("UBSAN_OPTIONS");
    int status;

    assert_non_null(mkdtemp(dir));
    snprintf(cmd, sizeof(cmd),
             "ASAN_OPTIONS='%s:log_path=%s/asan' UBSAN_OPTIONS='%s:log_path=%s/ubsan' "
             PLANTED " %s >/dev/null 2>&1",
             asan ? asan : "", dir, ubsan ? ubsan : "", dir, arg);
    status = system(cmd);
    *nlogs = read_logs(dir, logs, cap);
    remove_dir(dir);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void test_control_is_clean(void **state)
{
    static char logs[1 << 16];
    unsigned n;

    (void)state;
    assert_int_equal(run_planted("none", logs, sizeof(logs), &n), 0);
    if (n) {
        fprintf(stderr, "%s", logs);
        fail_msg("the bug-free control left %u report(s) (above)", n);
    }
}

static void test_planted_bugs_fail(void **state)
{
    static char logs[1 << 16];
    unsigned n;
    int rc;

    (void)state;
    for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
        rc = run_planted(planted[i].bug, logs, sizeof(logs), &n);
        if (rc == 0 || n == 0 || !strstr(logs, planted[i].report)) {
            fprintf(stderr, "%s", logs);
            fail_msg("planted %s: exit %d, %u report(s), wanted a non-zero exit and '%s'",
                     planted[i].bug, rc, n, planted[i].report);
        }
        print_message("planted %s: exit %d, report says '%s'\n", planted[i].bug, rc,
                      planted[i].report);
    }
}

/* The output of the shell command cmd (its start) into out. */
static void capture(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    size_t n;

    assert_non_null(p);
    n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    pclose(p);
}

static void test_hvflush_is_instrumented(void **state)
{
    static char out[1 << 22];
    const char *bin = getenv("HVFLUSH_BIN");
    char cmd[600];

    (void)state;
    if (!bin || !bin[0])
        bin = "build-san/hvflush";
    /* Defined (clang's static runtimes) or imported (gcc's shared ones). */
    snprintf(cmd, sizeof(cmd), "nm '%s' 2>&1 | grep -E '__(asan_report_load|ubsan_handle_)' "
             "| sed 's/.* //' | sort -u", bin);
    capture(cmd, out, sizeof(out));
    if (!strstr(out, "__asan_report_load4") || !strstr(out, "__ubsan_handle_shift_out_of_bounds"))
        fail_msg("%s has no ASan or no UBSan runtime: its symbols '%.200s'", bin, out);
}

static void test_suite_left_no_report(void **state)
{
    static char logs[1 << 20];
    const char *dir = getenv("HVFLUSH_SAN_LOG");
    unsigned n;

    (void)state;
    if (!dir || !dir[0]) {
        print_message("SKIP: HVFLUSH_SAN_LOG unset (make test sets it)\n");
        skip();
    }
    n = read_logs(dir, logs, sizeof(logs));
    if (n) {
        fprintf(stderr, "%s", logs);
        fail_msg("%u sanitizer report(s) in %s (above)", n, dir);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_is_clean),
        cmocka_unit_test(test_planted_bugs_fail),
        cmocka_unit_test(test_hvflush_is_instrumented),
        cmocka_unit_test(test_suite_left_no_report),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
