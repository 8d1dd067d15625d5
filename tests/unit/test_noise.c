/*
 * Unit tests of the noise assessment (host/analysis/noise.c) and the host
 * load counters it reads (host/hostload.c): a quiet run is clean; each
 * source of noise alone gives its reason, on both sides of its threshold;
 * an unmeasured quantity gives none; per configuration, the flags of
 * summary.csv's noise column; the /proc parsers on real and malformed text;
 * a real sample of this process; meta.json's section and its read-back;
 * the report's banner.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "analysis/noise.h"
#include "hostload.h"

/* What a quiet run on a quiet host measures. */
static struct noise_measured quiet(void)
{
    struct noise_measured m = {
        .others_cpu = 0.02, .steal = 0.0, .vcpu_wait = 0.01,
        .have_timer = true, .timer_p1 = 20, .timer_p50 = 22, .timer_p99 = 24,
        .configs = 4, .wide_ci = 0, .noise_dominated = 0, .ci_rel_max = 0.01,
    };
    return m;
}

static void test_quiet_is_clean(void **state)
{
    struct noise_measured m = quiet();

    (void)state;
    assert_int_equal(noise_classify(&m), 0);
}

/* One row per threshold: the field set just below and at the threshold. */
static void set_others(struct noise_measured *m, double v) { m->others_cpu = v; }
static void set_steal(struct noise_measured *m, double v) { m->steal = v; }
static void set_wait(struct noise_measured *m, double v) { m->vcpu_wait = v; }

static const struct {
    void (*set)(struct noise_measured *m, double v);
    double threshold;
} host_fields[] = {
    { set_others, NOISE_OTHERS_CPU_MAX },
    { set_steal, NOISE_STEAL_MAX },
    { set_wait, NOISE_VCPU_WAIT_MAX },
};

static void test_host_load_boundaries(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(host_fields) / sizeof(host_fields[0]); i++) {
        struct noise_measured m = quiet();

        host_fields[i].set(&m, host_fields[i].threshold - 1e-9);
        assert_int_equal(noise_classify(&m), 0);
        host_fields[i].set(&m, host_fields[i].threshold);
        assert_int_equal(noise_classify(&m), NOISE_HOST_LOAD);
        host_fields[i].set(&m, 1.0);
        assert_int_equal(noise_classify(&m), NOISE_HOST_LOAD);
        host_fields[i].set(&m, -1);            /* not measured */
        assert_int_equal(noise_classify(&m), 0);
    }
}

static void test_timer_spread(void **state)
{
    struct noise_measured m = quiet();

    (void)state;
    m.timer_p1 = 10, m.timer_p50 = 20, m.timer_p99 = 19;     /* 9 / 20 = 0.45 */
    assert_int_equal(noise_classify(&m), 0);
    m.timer_p99 = 20;                                        /* 10 / 20 = 0.5 */
    assert_true(noise_timer_spread(&m) == 0.5);
    assert_int_equal(noise_classify(&m), NOISE_TIMER_SPREAD);
    m.have_timer = false;                                    /* no p1/p99 */
    assert_true(noise_timer_spread(&m) < 0);
    assert_int_equal(noise_classify(&m), 0);
    m = quiet();
    m.timer_p50 = 0;
    assert_true(noise_timer_spread(&m) < 0);
    m = quiet();
    m.noise_dominated = 1;                                   /* one configuration */
    assert_int_equal(noise_classify(&m), NOISE_TIMER_SPREAD);
}

static void test_wide_ci_and_all(void **state)
{
    struct noise_measured m = quiet();
    char names[64];

    (void)state;
    m.wide_ci = 1;
    assert_int_equal(noise_classify(&m), NOISE_WIDE_CI);
    m.others_cpu = 0.9;
    m.noise_dominated = 2;
    assert_int_equal(noise_classify(&m), NOISE_HOST_LOAD | NOISE_TIMER_SPREAD | NOISE_WIDE_CI);
    noise_names(noise_classify(&m), names, sizeof(names));
    assert_string_equal(names, "host-load;timer-spread;wide-ci");
    noise_names(NOISE_WIDE_CI, names, sizeof(names));
    assert_string_equal(names, "wide-ci");
    noise_names(0, names, sizeof(names));
    assert_string_equal(names, "");
}

static void test_config_flags(void **state)
{
    struct config_figures g = { .have_ci = true, .ci_rel = NOISE_CI_REL_MAX, .ci_flag = "-" };

    (void)state;
    assert_int_equal(noise_config(false, false, &g, false), 0);
    g.ci_rel = NOISE_CI_REL_MAX + 1e-6;
    assert_int_equal(noise_config(false, false, &g, false), NOISE_WIDE_CI);
    g.have_ci = false;                      /* too few samples: no interval, no flag */
    assert_int_equal(noise_config(false, false, &g, false), 0);
    g.ci_flag = "ci-wide";                  /* the sweep's ci-target missed */
    assert_int_equal(noise_config(false, false, &g, false), NOISE_WIDE_CI);
    g.ci_flag = "ok";
    assert_int_equal(noise_config(false, false, &g, true), NOISE_WIDE_CI);
    assert_int_equal(noise_config(true, false, &g, false), NOISE_HOST_LOAD);
    assert_int_equal(noise_config(false, true, &g, false), NOISE_TIMER_SPREAD);
}

static void test_parsers(void **state)
{
    uint64_t busy, total, steal, ticks, run, wait;

    (void)state;
    assert_true(hostload_parse_stat("cpu  100 5 20 1000 7 1 2 3 50 0\ncpu0 1 2 3 4\n",
                                    &busy, &total, &steal));
    assert_int_equal(busy, 100 + 5 + 20 + 1 + 2);
    assert_int_equal(steal, 3);
    assert_int_equal(total, busy + 1000 + 7 + 3);
    assert_false(hostload_parse_stat("cpu0 1 2 3 4\n", &busy, &total, &steal));
    assert_false(hostload_parse_stat("cpu  1 2\n", &busy, &total, &steal));
    /* A command name with spaces and a ')' of its own. */
    assert_true(hostload_parse_pid_stat("42 (qemu (x) y) S 1 42 42 0 -1 4194560 10 0 0 0 "
                                        "700 33 0 0 20 0 3 0 100 0 0\n", &ticks));
    assert_int_equal(ticks, 733);
    assert_false(hostload_parse_pid_stat("42 qemu S 1\n", &ticks));
    assert_false(hostload_parse_pid_stat("42 (qemu) S 1 2\n", &ticks));
    assert_true(hostload_parse_schedstat("123 456 7\n", &run, &wait));
    assert_int_equal(run, 123);
    assert_int_equal(wait, 456);
    assert_false(hostload_parse_schedstat("garbage\n", &run, &wait));
}

/* A real sample of this process (standing in for QEMU, this thread for its
 * vCPU) before and after some work; then the fractions of made-up sums. */
static void test_sample_and_fractions(void **state)
{
    long tid = (long)syscall(SYS_gettid);
    struct hostload_watch w;
    struct hostload h = { 0 };
    volatile uint64_t x = 0;
    struct timespec t0, t;

    (void)state;
    hostload_watch_start(&w, getpid(), &tid, 1);
    assert_true(w.first.ok);
    assert_int_equal(w.first.vcpus_read, 1);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    do {                                    /* 100 ms of this thread's CPU time */
        for (int i = 0; i < 100000; i++)
            x += (uint64_t)i;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 100);
    assert_true(x > 0);                     /* the work was done (and x is used) */
    hostload_watch_tick(&w, w.next_ms);
    assert_int_equal(w.samples, 2);
    hostload_watch_finish(&w, &h);
    assert_true(h.measured);
    assert_true(h.have_schedstat);
    assert_true(h.vcpu_run_ns >= 90 * 1000000ull);   /* schedstat's run time saw it */
    assert_true(hostload_vcpu_wait(&h) >= 0 && hostload_vcpu_wait(&h) <= 1);
    assert_true(hostload_others_cpu(&h) >= 0 && hostload_others_cpu(&h) <= 1);

    memset(&h, 0, sizeof(h));
    assert_true(hostload_others_cpu(&h) < 0);              /* not measured */
    h.measured = h.have_schedstat = true;
    h.cpu_total = 1000, h.cpu_busy = 600, h.qemu_ticks = 190, h.self_ticks = 10;
    h.cpu_steal = 50, h.vcpu_run_ns = 300, h.vcpu_wait_ns = 100;
    assert_true(hostload_others_cpu(&h) == 0.4);
    assert_true(hostload_steal(&h) == 0.05);
    assert_true(hostload_vcpu_wait(&h) == 0.25);
    h.qemu_ticks = 700;                                    /* more than busy: 0 */
    assert_true(hostload_others_cpu(&h) == 0);
    h.have_schedstat = false;
    assert_true(hostload_vcpu_wait(&h) < 0);
}

/* noise_measure on a made-up run: one tight configuration, one with a wide
 * CI, one below the timer's spread; then meta.json's section read back. */
static void test_measure_json_readback(void **state)
{
    struct config_result c[3];
    struct run_data d;
    struct hostload h = { .measured = true, .have_schedstat = true, .nproc = 2,
                          .vcpu_threads = 2, .wall_s = 1.0, .cpu_total = 200,
                          .cpu_busy = 180, .qemu_ticks = 60, .self_ticks = 0,
                          .vcpu_run_ns = 500, .vcpu_wait_ns = 500, .load1_end = 3.5 };
    uint64_t tight[100], wide[100], tiny[100];
    struct noise_measured m;
    char text[1024];
    json_t *meta;

    (void)state;
    memset(c, 0, sizeof(c));
    memset(&d, 0, sizeof(d));
    for (int i = 0; i < 100; i++) {
        tight[i] = 1000;
        wide[i] = 100 + (uint64_t)i * 50;
        tiny[i] = 3;
    }
    c[0].samples = tight, c[1].samples = wide, c[2].samples = tiny;
    for (int i = 0; i < 3; i++)
        c[i].announced = true, c[i].nsamples = 100;
    d.configs = c, d.nconfigs = 3;
    d.have_timer = d.have_timer_spread = true;
    d.timer_p1 = 20, d.timer_overhead = 21, d.timer_p99 = 24;   /* spread 4 > 3 */
    assert_true(noise_measure(&d, NULL, &m));
    assert_int_equal(m.configs, 3);
    assert_int_equal(m.wide_ci, 1);
    assert_int_equal(m.noise_dominated, 1);
    assert_true(m.others_cpu < 0 && m.vcpu_wait < 0);
    assert_int_equal(noise_classify(&m), NOISE_TIMER_SPREAD | NOISE_WIDE_CI);

    assert_true(noise_measure(&d, &h, &m));
    assert_int_equal(noise_classify(&m), NOISE_HOST_LOAD | NOISE_TIMER_SPREAD | NOISE_WIDE_CI);
    meta = json_pack("{s:o}", "noise", noise_json(&m, &h));
    assert_string_equal(noise_meta_verdict(meta), "noisy");
    assert_true(noise_meta_summary(meta, text, sizeof(text)));
    assert_non_null(strstr(text, "host-load;timer-spread;wide-ci"));
    assert_non_null(strstr(text, "other processes' CPU 60.0 %"));
    assert_non_null(strstr(text, "vCPU run-queue wait 50.0 %"));
    assert_non_null(strstr(text, "timer p1/p50/p99 20/21/24"));
    json_decref(meta);

    /* Quiet: clean, and the read-back says so. */
    c[1].samples = tight, c[2].samples = tight;
    h.cpu_busy = 62, h.vcpu_wait_ns = 0;
    assert_true(noise_measure(&d, &h, &m));
    assert_int_equal(noise_classify(&m), 0);
    meta = json_pack("{s:o}", "noise", noise_json(&m, &h));
    assert_string_equal(noise_meta_verdict(meta), "clean");
    assert_false(noise_meta_summary(meta, text, sizeof(text)));
    assert_true(!strncmp(text, "clean,", 6));
    json_decref(meta);
    meta = json_object();
    assert_string_equal(noise_meta_verdict(meta), "-");
    assert_false(noise_meta_summary(meta, text, sizeof(text)));
    json_decref(meta);
}

/* The report's flag: a banner when noisy, a plain line when clean; what
 * meta.json says is escaped (it is read back from a file). */
static void test_report_banner(void **state)
{
    json_t *meta = json_pack("{s:{s:s, s:[s, s], s:{s:b}}}", "noise", "verdict", "noisy",
                             "reasons", "host-load", "<b>x</b>", "host", "measured", 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f;

    (void)state;
    f = open_memstream(&buf, &len);
    noise_report_banner(f, meta);
    fclose(f);
    assert_non_null(strstr(buf, "id=\"noise-banner\" data-noise=\"noisy\""));
    assert_non_null(strstr(buf, "host-load;&lt;b&gt;x&lt;/b&gt;"));
    assert_null(strstr(buf, "<b>"));
    assert_non_null(strstr(buf, "host load not measured"));
    free(buf);
    json_object_set_new(json_object_get(meta, "noise"), "verdict", json_string("clean"));
    json_object_set_new(json_object_get(meta, "noise"), "reasons", json_array());
    f = open_memstream(&buf, &len);
    noise_report_banner(f, meta);
    fclose(f);
    assert_null(strstr(buf, "noise-banner"));
    assert_non_null(strstr(buf, "data-noise=\"clean\">Noise: clean"));
    free(buf);
    json_decref(meta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quiet_is_clean),
        cmocka_unit_test(test_host_load_boundaries),
        cmocka_unit_test(test_timer_spread),
        cmocka_unit_test(test_wide_ci_and_all),
        cmocka_unit_test(test_config_flags),
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_sample_and_fractions),
        cmocka_unit_test(test_measure_json_readback),
        cmocka_unit_test(test_report_banner),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
