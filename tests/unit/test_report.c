/*
 * Unit tests of the report's parts (host/analysis/report*.c): base64 and
 * data: URIs, the <img src> rewrite of an HTML fragment, HTML escaping,
 * the CSV reader's quoting, and the warnings list -- a clean run gives
 * none, and each fault the list guards against, injected alone into that
 * run, gives exactly its own warning.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analysis/report.h"
#include "util.h"

static char dir[] = "/tmp/hvflush-test-report-XXXXXX";

/* What fn wrote to a memory stream, as a heap string. */
#define CAPTURE(buf, call) do {                                   \
        size_t len_;                                              \
        FILE *f_ = open_memstream(&(buf), &len_);                 \
        assert_non_null(f_);                                      \
        call;                                                     \
        fclose(f_);                                               \
    } while (0)

static void put(const char *name, const char *text)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(write_file(path, text, strlen(text)));
}

static void test_base64_vectors(void **state)
{
    /* RFC 4648, section 10. */
    static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                       "Zm9vYmFy" };
    static const unsigned char high[] = { 0xff, 0xfe, 0x00, 0xfb };

    (void)state;
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        char *b = report_base64((const unsigned char *)in[i], strlen(in[i]));

        assert_string_equal(b, out[i]);
        free(b);
    }
    char *b = report_base64(high, sizeof(high));

    assert_string_equal(b, "//4A+w==");
    free(b);
}

static void test_mime_and_data_uri(void **state)
{
    char *s = NULL;
    bool ok;

    (void)state;
    assert_string_equal(report_mime_of("a/b/latency.svg"), "image/svg+xml");
    assert_string_equal(report_mime_of("x.PNG"), "image/png");
    assert_string_equal(report_mime_of("x.jpeg"), "image/jpeg");
    assert_string_equal(report_mime_of("notes"), "text/plain");
    put("foo.png", "foo");
    char path[256];

    snprintf(path, sizeof(path), "%s/foo.png", dir);
    CAPTURE(s, ok = report_put_data_uri(f_, path));
    assert_true(ok);
    assert_string_equal(s, "data:image/png;base64,Zm9v");
    free(s);
    snprintf(path, sizeof(path), "%s/absent.png", dir);
    CAPTURE(s, ok = report_put_data_uri(f_, path));
    assert_false(ok);
    assert_string_equal(s, "");
    free(s);
}

static void test_img_rewrite(void **state)
{
    static const char html[] =
        "<p>ratio</p><img alt=\"r\" src=\"a.png\">\n"
        "<IMG SRC='b.svg'/>\n"
        "<img src=\"data:image/png;base64,QUFB\">\n"
        "<img src=\"http://example.org/c.png\">\n"
        "<img src=\"../d.png\">\n"
        "<img src=\"/etc/e.png\">\n"
        "<img alt=\"gone\" src=\"missing.png\">\n"
        "<imgx src=\"a.png\"><p>end</p>";
    unsigned missing = 0, n;
    char *s = NULL;

    (void)state;
    put("a.png", "foo");
    put("b.svg", "<svg/>");
    CAPTURE(s, n = report_inline_imgs(f_, html, dir, &missing));
    assert_int_equal(n, 2);
    assert_int_equal(missing, 1);
    assert_non_null(strstr(s, "<img alt=\"r\" src=\"data:image/png;base64,Zm9v\">"));
    assert_non_null(strstr(s, "<IMG SRC='data:image/svg+xml;base64,PHN2Zy8+'/>"));
    /* Left as they were: inline data, a URL, a way up, an absolute path,
     * an unreadable file, and a tag that is not <img>. */
    assert_non_null(strstr(s, "src=\"data:image/png;base64,QUFB\""));
    assert_non_null(strstr(s, "src=\"http://example.org/c.png\""));
    assert_non_null(strstr(s, "src=\"../d.png\""));
    assert_non_null(strstr(s, "src=\"/etc/e.png\""));
    assert_non_null(strstr(s, "<img alt=\"gone\" src=\"missing.png\">"));
    assert_non_null(strstr(s, "<imgx src=\"a.png\"><p>end</p>"));
    free(s);
}

static void test_escape(void **state)
{
    char *s = NULL;

    (void)state;
    CAPTURE(s, report_put_text(f_, "a<b>&\"c\"'d'"));
    assert_string_equal(s, "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
    free(s);
}

static void test_csv_quoting(void **state)
{
    struct report_csv t;
    char path[256];

    (void)state;
    put("q.csv", "a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,,\r\n3\n");
    snprintf(path, sizeof(path), "%s/q.csv", dir);
    assert_true(report_csv_read(path, &t));
    assert_int_equal(t.ncols, 3);
    assert_int_equal(t.nrows, 3);
    assert_string_equal(report_csv_cell(&t, 0, "b"), "x, y");
    assert_string_equal(report_csv_cell(&t, 0, "c"), "say \"hi\"");
    assert_string_equal(report_csv_cell(&t, 1, "b"), "");
    assert_string_equal(report_csv_cell(&t, 2, "c"), "");       /* short row padded */
    assert_string_equal(report_csv_cell(&t, 0, "zz"), "");
    report_csv_free(&t);
    snprintf(path, sizeof(path), "%s/none.csv", dir);
    assert_false(report_csv_read(path, &t));
}

/* ---- warnings ------------------------------------------------------------ */

static const char clean_meta[] =
    "{\"status\":\"ok\",\"reason\":null,"
    "\"accelerator\":{\"timing_class\":\"hardware\",\"label\":\"hardware KVM\"},"
    "\"pinning\":{\"policy\":\"compact\",\"map\":[{\"vcpu\":0,\"pus\":\"0\"},"
    "{\"vcpu\":1,\"pus\":\"1\"}]},"
    "\"guest\":{\"platform\":{\"tsc_invariant\":1}},"
    "\"tsc_skew\":{\"inconsistent\":0}}";
static const char clean_summary[] =
    "id,label,verdict,noise_dominated,ci_flag\n"
    "0,local/invlpg/p1,-,0,ok\n"
    "1,ipi/invlpg/p1/t1/spin,pass,0,ok\n";
static const char clean_verify[] =
    "id,label,verdict,reason\n1,ipi/invlpg/p1/t1/spin,pass,\n";

/* One fault each: where it goes (meta, summary or verify), the text
 * replaced and its replacement, and the warning kind it must raise. */
static const struct {
    const char *file, *from, *to, *kind;
} faults[] = {
    { "meta", "\"status\":\"ok\"", "\"status\":\"failed\"", "status" },
    { "meta", "\"timing_class\":\"hardware\"", "\"timing_class\":\"emulated\"", "timing-class" },
    { "meta", "\"timing_class\":\"hardware\"", "\"timing_class\":\"nested-hardware\"",
      "timing-class" },
    { "meta", "\"policy\":\"compact\"", "\"policy\":\"none\"", "unpinned" },
    { "meta", "\"pus\":\"1\"", "\"pus\":\"unpinned\"", "unpinned" },
    { "meta", "\"tsc_invariant\":1", "\"tsc_invariant\":0", "tsc" },
    { "meta", "\"inconsistent\":0", "\"inconsistent\":1", "tsc-skew" },
    { "summary", "spin,pass,0,ok", "spin,pass,1,ok", "noise" },
    { "summary", "spin,pass,0,ok", "spin,pass,0,ci-wide", "ci-wide" },
    { "summary", "spin,pass,0,ok", "spin,unsupported,,-", "unsupported" },
    { "verify", "spin,pass,", "spin,fail,stale-reads", "verification" },
    { "verify", "spin,pass,", "spin,error,probe-fault", "verification" },
};

static char *replaced(const char *text, const char *from, const char *to)
{
    const char *at = strstr(text, from);
    char *out;

    assert_non_null(at);
    assert_true(asprintf(&out, "%.*s%s%s", (int)(at - text), text, to,
                         at + strlen(from)) > 0);
    return out;
}

static unsigned warnings_of(const char *meta_text, const char *summary, const char *verify,
                            struct report_warnings *w)
{
    json_error_t jerr;
    json_t *meta = json_loads(meta_text, 0, &jerr);

    assert_non_null(meta);
    put("summary.csv", summary);
    put("verify.csv", verify);
    assert_true(report_warnings_collect(dir, meta, w));
    json_decref(meta);
    return w->n;
}

static void test_warnings_clean_run_has_none(void **state)
{
    struct report_warnings w;

    (void)state;
    if (warnings_of(clean_meta, clean_summary, clean_verify, &w))
        fail_msg("a clean run warned: %s: %s", w.v[0].kind, w.v[0].text);
    report_warnings_free(&w);
}

static void test_warnings_each_fault_caught(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(faults) / sizeof(faults[0]); i++) {
        bool m = !strcmp(faults[i].file, "meta"), s = !strcmp(faults[i].file, "summary");
        char *meta = m ? replaced(clean_meta, faults[i].from, faults[i].to) : strdup(clean_meta);
        char *sum = s ? replaced(clean_summary, faults[i].from, faults[i].to) :
                        strdup(clean_summary);
        char *ver = !m && !s ? replaced(clean_verify, faults[i].from, faults[i].to) :
                               strdup(clean_verify);
        struct report_warnings w;

        warnings_of(meta, sum, ver, &w);
        if (w.n != 1 || report_warnings_count(&w, faults[i].kind) != 1)
            fail_msg("fault %zu (%s -> %s): %u warnings, first %s; wanted one %s", i,
                     faults[i].from, faults[i].to, w.n, w.n ? w.v[0].kind : "-", faults[i].kind);
        /* The warning names the configuration it is about. */
        if (!m)
            assert_non_null(strstr(w.v[0].text, "ipi/invlpg/p1/t1/spin"));
        report_warnings_free(&w);
        free(meta);
        free(sum);
        free(ver);
    }
}

static void test_warnings_without_csvs(void **state)
{
    char path[256];
    json_error_t jerr;
    json_t *meta = json_loads(clean_meta, 0, &jerr);
    struct report_warnings w;

    (void)state;
    snprintf(path, sizeof(path), "%s/summary.csv", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/verify.csv", dir);
    unlink(path);
    assert_true(report_warnings_collect(dir, meta, &w));
    assert_int_equal(w.n, 0);
    report_warnings_free(&w);
    json_decref(meta);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_mime_and_data_uri),
        cmocka_unit_test(test_img_rewrite),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_warnings_clean_run_has_none),
        cmocka_unit_test(test_warnings_each_fault_caught),
        cmocka_unit_test(test_warnings_without_csvs),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
