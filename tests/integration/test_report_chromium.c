/*
 * The report in a browser: a small TCG run (tests/sweeps/report.sweep,
 * --smp 3: latency over 1 and 2 targets, two initiators sharing a target,
 * a working target, an unsupported hypercall line), `hvflush report` on
 * it (which plots first), then headless Chromium opens the page:
 *  - the screenshot is not blank (decoded with libpng: more than one
 *    colour, and a share of non-white pixels);
 *  - every image loaded (the page's own check, run on load, leaves
 *    data-report-check="ok" on <body>, which --dump-dom shows);
 *  - the console logged nothing (Chromium's --enable-logging=stderr shows
 *    every console message as a CONSOLE line; the page logs only when
 *    broken).
 * Each check is shown able to fail: a report whose latency.png is
 * corrupted (the image check and the console check catch it), a blank
 * page (the screenshot check), and the report with a script error
 * injected (the console check).  Bad input (a folder that is not a run, an
 * output that cannot be written) exits 2 with one line and leaves an
 * existing file alone; two runs give a report with a comparison section
 * that passes the same checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <png.h>
#include "harness.h"

static char run_dir[512];
static char work[] = "/tmp/hvflush-test-report-XXXXXX";

/* Runs cmd through the shell; its stdout (start) in out; the exit status. */
static int sh(const char *cmd, char *out, size_t cap)
{
    FILE *p = popen(cmd, "r");
    size_t n = 0;
    int st;

    assert_non_null(p);
    if (out) {
        n = fread(out, 1, cap - 1, p);
        out[n] = '\0';
    } else {
        char sink[4096];

        while (fread(sink, 1, sizeof(sink), p) > 0)
            ;
    }
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    buf[fread(buf, 1, (size_t)n, f)] = '\0';
    fclose(f);
    return buf;
}

/* What Chromium made of a page. */
struct browser_view {
    bool not_blank;             /* more than one colour, >= 0.5 % non-white pixels */
    bool images_ok;             /* <body data-report-check="ok"> after load */
    unsigned images;            /* data-report-images */
    unsigned console_lines;     /* CONSOLE lines in Chromium's log */
    char console_first[256];
};

static void screenshot_check(const char *png_path, struct browser_view *v)
{
    png_image img;
    png_bytep px;
    unsigned long nonwhite = 0, pixels;
    bool two_colours = false;

    memset(&img, 0, sizeof(img));
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, png_path))
        fail_msg("cannot decode screenshot %s: %s", png_path, img.message);
    img.format = PNG_FORMAT_RGB;
    px = malloc(PNG_IMAGE_SIZE(img));
    assert_non_null(px);
    assert_true(png_image_finish_read(&img, NULL, px, 0, NULL));
    pixels = (unsigned long)img.width * img.height;
    for (unsigned long i = 0; i < pixels; i++) {
        png_bytep p = px + 3 * i;

        if (p[0] != 255 || p[1] != 255 || p[2] != 255)
            nonwhite++;
        if (memcmp(p, px, 3))
            two_colours = true;
    }
    free(px);
    png_image_free(&img);
    v->not_blank = two_colours && nonwhite * 200 >= pixels;
}

/* Opens file_path in headless Chromium twice: a screenshot, then the DOM
 * after load with the console log. */
static void browse(const char *file_path, struct browser_view *v)
{
    char cmd[2048], shot[600], dom_path[600], log_path[600], *dom, *log, *at;
    const char *common = "chromium --headless --no-sandbox --disable-gpu --hide-scrollbars "
                         "--no-first-run --user-data-dir=";

    memset(v, 0, sizeof(*v));
    snprintf(shot, sizeof(shot), "%s/shot.png", work);
    snprintf(dom_path, sizeof(dom_path), "%s/dom.html", work);
    snprintf(log_path, sizeof(log_path), "%s/chromium.log", work);
    unlink(shot);
    snprintf(cmd, sizeof(cmd), "%s%s/profile --screenshot=%s --window-size=1280,2000 "
             "'file://%s' >/dev/null 2>&1", common, work, shot, file_path);
    assert_int_equal(sh(cmd, NULL, 0), 0);
    screenshot_check(shot, v);
    snprintf(cmd, sizeof(cmd), "%s%s/profile --dump-dom --enable-logging=stderr --v=0 "
             "'file://%s' >%s 2>%s", common, work, file_path, dom_path, log_path);
    assert_int_equal(sh(cmd, NULL, 0), 0);
    dom = slurp(dom_path);
    log = slurp(log_path);
    assert_non_null(dom);
    assert_non_null(log);
    v->images_ok = strstr(dom, "data-report-check=\"ok\"") != NULL;
    if ((at = strstr(dom, "data-report-images=\"")))
        v->images = (unsigned)strtoul(at + 20, NULL, 10);
    for (at = log; (at = strstr(at, ":CONSOLE")); at++) {
        if (!v->console_lines++)
            snprintf(v->console_first, sizeof(v->console_first), "%.*s",
                     (int)strcspn(at, "\n"), at);
    }
    free(dom);
    free(log);
}

/* `hvflush report ARGS`: exit status, stdout's last line in path. */
static int report(const char *args, char *path, size_t cap, char *err, size_t errcap)
{
    char cmd[4096], out[8192], errfile[600];
    int rc;

    snprintf(errfile, sizeof(errfile), "%s/report.err", work);
    snprintf(cmd, sizeof(cmd), "build/hvflush report %s 2>%s", args, errfile);
    rc = sh(cmd, out, sizeof(out));
    out[strcspn(out, "\n")] = '\0';
    if (path)
        snprintf(path, cap, "%.*s", (int)cap - 1, out);
    if (err) {
        char *e = slurp(errfile);

        snprintf(err, errcap, "%s", e ? e : "");
        free(e);
    }
    return rc;
}

static void test_report_of_a_run_passes_in_chromium(void **state)
{
    char path[1024], expect[600], err[2048], *html;
    struct browser_view v;
    int rc;

    (void)state;
    rc = report(run_dir, path, sizeof(path), err, sizeof(err));
    if (rc != 0)
        fail_msg("hvflush report exited %d: %s", rc, err);
    snprintf(expect, sizeof(expect), "%s/report.html", run_dir);
    assert_string_equal(path, expect);
    /* The plot step ran first: the load plots exist because the run has
     * throughput.csv and interference.csv. */
    snprintf(expect, sizeof(expect), "%s/plots/throughput.png", run_dir);
    assert_int_equal(access(expect, R_OK), 0);
    snprintf(expect, sizeof(expect), "%s/plots/interference.png", run_dir);
    assert_int_equal(access(expect, R_OK), 0);
    html = slurp(path);
    assert_non_null(html);
    /* Self-contained: no URL the page would fetch. */
    assert_null(strstr(html, "src=\"http"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "<script src"));
    assert_non_null(strstr(html, "<h3>Throughput</h3>"));
    assert_non_null(strstr(html, "<h3>Interference</h3>"));
    assert_non_null(strstr(html, "<h3>Precision</h3>"));
    assert_non_null(strstr(html, "data-kind=\"timing-class\""));
    assert_non_null(strstr(html, "data-kind=\"unsupported\""));
    free(html);
    browse(path, &v);
    assert_true(v.not_blank);
    if (!v.images_ok)
        fail_msg("the page's image check did not pass");
    /* latency, cdf, decision, throughput, interference */
    assert_true(v.images >= 5);
    if (v.console_lines)
        fail_msg("console: %s", v.console_first);
}

/* A corrupted plot: the image check and the console check both catch it. */
static void test_broken_image_is_caught(void **state)
{
    char cmd[2400], copy[600], png[700], out[700], path[1024], err[2048];
    struct browser_view v;
    FILE *f;

    (void)state;
    snprintf(copy, sizeof(copy), "%s/broken-run", work);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' && cp -a '%s' '%s'", copy, run_dir, copy);
    assert_int_equal(sh(cmd, NULL, 0), 0);
    snprintf(png, sizeof(png), "%s/plots/latency.png", copy);
    f = fopen(png, "w");
    assert_non_null(f);
    fputs("\x89PNG this is not an image", f);
    fclose(f);
    snprintf(out, sizeof(out), "%s/broken.html", work);
    snprintf(cmd, sizeof(cmd), "'%s' --out '%s'", copy, out);
    if (report(cmd, path, sizeof(path), err, sizeof(err)) != 0)
        fail_msg("hvflush report: %s", err);
    browse(out, &v);
    assert_false(v.images_ok);
    assert_true(v.console_lines > 0);
    assert_non_null(strstr(v.console_first, "did not load"));
    assert_non_null(strstr(v.console_first, "latency.png"));
}

/* An empty page: the screenshot check sees nothing but white. */
static void test_blank_page_is_caught(void **state)
{
    char path[600];
    struct browser_view v;
    FILE *f;

    (void)state;
    snprintf(path, sizeof(path), "%s/blank.html", work);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("<!DOCTYPE html><html><head><title>x</title></head><body></body></html>\n", f);
    fclose(f);
    browse(path, &v);
    assert_false(v.not_blank);
    assert_false(v.images_ok);
}

/* The good report with a script error injected: the console check sees it. */
static void test_console_error_is_caught(void **state)
{
    char src[600], path[600], *html, *end;
    struct browser_view v;
    FILE *f;

    (void)state;
    snprintf(src, sizeof(src), "%s/report.html", run_dir);
    html = slurp(src);
    assert_non_null(html);
    end = strstr(html, "</body>");
    assert_non_null(end);
    snprintf(path, sizeof(path), "%s/script-error.html", work);
    f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%.*s<script>no_such_function();</script>%s", (int)(end - html), html, end);
    fclose(f);
    free(html);
    browse(path, &v);
    assert_true(v.images_ok);             /* the images are fine ... */
    assert_true(v.console_lines > 0);     /* ... the console is not */
    assert_non_null(strstr(v.console_first, "no_such_function"));
}

static void test_bad_input_exits_2_and_keeps_files(void **state)
{
    char args[1600], keep[600], err[2048], *text;
    FILE *f;

    (void)state;
    snprintf(keep, sizeof(keep), "%s/keep.html", work);
    f = fopen(keep, "w");
    assert_non_null(f);
    fputs("an earlier report\n", f);
    fclose(f);
    /* A folder that is not a run. */
    snprintf(args, sizeof(args), "'%s' --out '%s'", work, keep);
    assert_int_equal(report(args, NULL, 0, err, sizeof(err)), 2);
    assert_non_null(strstr(err, "hvflush: report: "));
    assert_non_null(strstr(err, "not a run directory"));
    assert_null(strchr(err, '\n') ? strchr(strchr(err, '\n') + 1, '\n') : NULL);
    text = slurp(keep);
    assert_string_equal(text, "an earlier report\n");
    free(text);
    /* An output that cannot be written. */
    snprintf(args, sizeof(args), "'%s' --out '%s/no/such/dir/r.html'", run_dir, work);
    assert_int_equal(report(args, NULL, 0, err, sizeof(err)), 2);
    assert_non_null(strstr(err, "hvflush: report: cannot write"));
    /* No run at all, an unknown option. */
    assert_int_equal(report("", NULL, 0, err, sizeof(err)), 2);
    snprintf(args, sizeof(args), "'%s' --bogus", run_dir);
    assert_int_equal(report(args, NULL, 0, err, sizeof(err)), 2);
    assert_non_null(strstr(err, "--bogus"));
}

/* Two runs: one page with both and the comparison section; whatever
 * compare could do, the page passes the browser checks. */
static void test_two_runs_with_comparison(void **state)
{
    char args[2400], out[600], path[1024], err[2048], *html;
    struct browser_view v;

    (void)state;
    snprintf(out, sizeof(out), "%s/two.html", work);
    snprintf(args, sizeof(args), "'%s' '%s' --out '%s'", run_dir, run_dir, out);
    if (report(args, path, sizeof(path), err, sizeof(err)) != 0)
        fail_msg("hvflush report of two runs: %s", err);
    assert_string_equal(path, out);
    html = slurp(out);
    assert_non_null(html);
    assert_non_null(strstr(html, "id=\"run-2\""));
    assert_non_null(strstr(html, "<h2 id=\"comparison\">"));
    free(html);
    browse(out, &v);
    assert_true(v.not_blank);
    assert_true(v.images_ok);
    if (v.console_lines)
        fail_msg("console: %s", v.console_first);
}

static int setup(void **state)
{
    struct run_result *r;

    (void)state;
    if (!mkdtemp(work))
        return -1;
    if (access("/usr/bin/chromium", X_OK) != 0 && system("command -v chromium >/dev/null")) {
        fprintf(stderr, "chromium is not installed (make deps)\n");
        return -1;
    }
    r = run_hvflush("run --accel tcg --smp 3 --sweep tests/sweeps/report.sweep");
    if (r->exit_code != 0 || !r->run_dir[0]) {
        fprintf(stderr, "hvflush run exited %d: %s\n", r->exit_code, r->err);
        return -1;
    }
    snprintf(run_dir, sizeof(run_dir), "%s", r->run_dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[700];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_of_a_run_passes_in_chromium),
        cmocka_unit_test(test_broken_image_is_caught),
        cmocka_unit_test(test_blank_page_is_caught),
        cmocka_unit_test(test_console_error_is_caught),
        cmocka_unit_test(test_bad_input_exits_2_and_keeps_files),
        cmocka_unit_test(test_two_runs_with_comparison),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
