/*
 * `hvflush run --image` without the hvflush guest: GRUB itself writes the
 * serial log.  A grub.cfg `echo`es a record stream built with the bench/
 * record writer (hello, the sweep as sweeptext records, platform,
 * hypervisor, cpus, timer, end; a bring-up sweep without measure lines,
 * every line shorter than GRUB's 80-column wrap), then `hvflush: done`, then
 * `halt` (ACPI power-off): run --image must boot the ISO under SeaBIOS/TCG
 * with COM1 in RUN/serial.log and none of run's devices, see QEMU exit, and
 * import the log: status ok, exit 0, the guest's hypervisor record in
 * meta.json, run's timing class kept; the same under KVM (when /dev/kvm
 * works) with the vCPUs pinned.
 * Faults: a record longer than the wrap (GRUB splits it over lines, as
 * console output inside a record would) gives exit 1 and a damaged record;
 * a log ending in `hvflush: halted` makes the watch stop QEMU (the reason is
 * the missing end record, not a timeout).
 * Skipped where grub-mkrescue is missing.
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
#include <bench/pct.h>
#include "harness.h"

static char tmp[] = "/tmp/hvflush-test-image-grub-XXXXXX";
static bool have_grub;
static char out[16384], err[4096];

static const char bringup_sweep[] = "# bring-up only\nname grub\nsamples 8\n";

/* Runs a shell command; its stdout and stderr (starts) into out and err
 * (tests/integration/harness.h, sh_capture). */
HARNESS_SH(tmp, out, err)

/* Each record becomes one `echo '<line>'` of grub.cfg. */
static void echo_record(const char *line, size_t len, void *ctx)
{
    FILE *f = ctx;

    fprintf(f, "echo '%.*s'\n", (int)(len - 1), line);
}

static void sweeptext(struct record_writer *w)
{
    const char *p = bringup_sweep;
    unsigned of = 1, n = 0;
    char enc[256];

    for (const char *q = bringup_sweep; *q; q++)
        of += *q == '\n';
    for (const char *nl; ; p = nl + 1) {
        nl = strchr(p, '\n');
        assert_true(pct_encode(p, nl ? (size_t)(nl - p) : strlen(p), enc, sizeof(enc)) <
                    sizeof(enc));
        record_begin(w, "sweeptext");
        record_u64(w, "n", n++);
        record_u64(w, "of", of);
        record_raw(w, "text", enc);     /* an empty line: `text=` */
        assert_true(record_finish(w));
        if (!nl)
            break;
    }
}

/* Writes grub.cfg for the stream (long_line: one record past the wrap;
 * halt_line: end with `hvflush: halted` and sleep instead of the end
 * record and halt) and makes NAME.iso. */
static void make_iso(const char *name, bool long_line, bool halt_line)
{
    char dir[600], cfg[700];
    struct record_writer w;
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/%s/boot/grub", tmp, name);
    assert_int_equal(sh("mkdir -p %s", dir), 0);
    snprintf(cfg, sizeof(cfg), "%s/grub.cfg", dir);
    f = fopen(cfg, "w");
    assert_non_null(f);
    fputs("serial --unit=0 --speed=115200\nterminal_input serial\nterminal_output serial\n"
          "set timeout=0\n"
          /* GRUB clears the screen first: its escape codes get a line of their own. */
          "echo 'grub: the records follow'\n", f);
    record_writer_init(&w, echo_record, f);
    record_begin(&w, "hello");
    record_u64(&w, "version", 1);
    record_str(&w, "sweep", "grub");
    assert_true(record_finish(&w));
    sweeptext(&w);
    record_begin(&w, "platform");
    record_u64(&w, "cpus", 2);
    record_u64(&w, "tsc_hz", 1000000000);
    record_str(&w, "tsc_src", "pm-timer");
    assert_true(record_finish(&w));
    record_begin(&w, "hypervisor");
    record_str(&w, "sig0", "TCGTCGTCGTCG");
    record_str(&w, "sig1", "none");
    record_str(&w, "rule", long_line ? "recommended-and-then-some-more-words-to-pass-"
                                       "the-eighty-column-wrap" : "recommended");
    assert_true(record_finish(&w));
    for (unsigned i = 0; i < 2; i++) {
        record_begin(&w, "cpu");
        record_u64(&w, "idx", i);
        record_u64(&w, "apic_id", i);
        assert_true(record_finish(&w));
    }
    record_begin(&w, "timer");
    record_u64(&w, "overhead", 30);
    record_u64(&w, "min", 28);
    record_u64(&w, "p50", 30);
    record_u64(&w, "n", 100);
    assert_true(record_finish(&w));
    if (halt_line) {
        fputs("echo 'hvflush: halted (no ACPI S5)'\nsleep 3600\n", f);
    } else {
        assert_true(record_end_stream(&w, true));
        fputs("echo 'hvflush: done'\nhalt\n", f);
    }
    fclose(f);
    assert_int_equal(sh("grub-mkrescue -o %s/%s.iso %s/%s", tmp, name, tmp, name), 0);
}

static int image_run_accel(const char *name, const char *accel, char *dir, size_t cap)
{
    char link[600], target[256];
    int rc = sh("build/hvflush run --image %s/%s.iso --accel %s --smp 2 --quiet "
                "--timeout 600 --out %s/out-%s", tmp, name, accel, tmp, name);
    ssize_t n;

    snprintf(link, sizeof(link), "%s/out-%s/latest", tmp, name);
    n = readlink(link, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    snprintf(dir, cap, "%s/out-%s/%s", tmp, name, target);
    return rc;
}

static int image_run(const char *name, char *dir, size_t cap)
{
    return image_run_accel(name, "tcg", dir, cap);
}

static void meta_at(const char *dir, const char *a, const char *b, const char *c, char *o,
                    size_t n)
{
    struct run_result r;

    memset(&r, 0, sizeof(r));
    snprintf(r.run_dir, sizeof(r.run_dir), "%s", dir);
    meta_value(&r, a, b, c, o, n);
}

static void test_grub_log_imports(void **state)
{
    char dir[400], v[512];
    int rc;

    (void)state;
    if (!have_grub)
        skip();
    make_iso("good", false, false);
    rc = image_run("good", dir, sizeof(dir));
    meta_at(dir, "reason", NULL, NULL, v, sizeof(v));
    if (rc != 0)
        fail_msg("run --image: exit %d: %s / %s", rc, v, err);
    meta_at(dir, "status", NULL, NULL, v, sizeof(v));
    assert_string_equal(v, "ok");
    meta_at(dir, "accelerator", "timing_class", NULL, v, sizeof(v));
    assert_string_equal(v, "emulated");
    meta_at(dir, "guest", "hypervisor", "sig0", v, sizeof(v));
    assert_string_equal(v, "TCGTCGTCGTCG");
    meta_at(dir, "sweep", "text", NULL, v, sizeof(v));
    assert_string_equal(v, bringup_sweep);
    /* None of run's devices on the command line; the ISO on a CD-ROM. */
    snprintf(v, sizeof(v), "%s/meta.json", dir);
    assert_true(file_contains(v, "\"-cdrom\""));
    assert_false(file_contains(v, "isa-debugcon"));
    assert_false(file_contains(v, "isa-debug-exit"));
    assert_false(file_contains(v, "opt/hvflush/sweep"));
}

/* The same under this host's KVM, pinned through QMP as run pins. */
static void test_grub_log_imports_kvm(void **state)
{
    char dir[400], v[512];
    int rc;

    (void)state;
    if (!have_grub || !kvm_usable())
        skip();
    make_iso("kvm", false, false);
    rc = image_run_accel("kvm", "kvm", dir, sizeof(dir));
    meta_at(dir, "reason", NULL, NULL, v, sizeof(v));
    if (rc != 0)
        fail_msg("run --image --accel kvm: exit %d: %s / %s", rc, v, err);
    meta_at(dir, "accelerator", "name", NULL, v, sizeof(v));
    assert_string_equal(v, "kvm");
    snprintf(v, sizeof(v), "%s/meta.json", dir);
    assert_true(file_contains(v, "\"thread_id\""));
}

static void test_wrapped_record_is_damage(void **state)
{
    char dir[400], v[512];

    (void)state;
    if (!have_grub)
        skip();
    make_iso("wrapped", true, false);
    assert_int_equal(image_run("wrapped", dir, sizeof(dir)), 1);
    meta_at(dir, "status", NULL, NULL, v, sizeof(v));
    assert_string_equal(v, "failed");
    meta_at(dir, "reason", NULL, NULL, v, sizeof(v));
    assert_non_null(strstr(v, "damaged record"));
}

static void test_halted_guest_is_stopped(void **state)
{
    char dir[400], v[512];

    (void)state;
    if (!have_grub)
        skip();
    make_iso("halted", false, true);
    assert_int_equal(image_run("halted", dir, sizeof(dir)), 1);
    meta_at(dir, "reason", NULL, NULL, v, sizeof(v));
    assert_non_null(strstr(v, "truncated"));
    assert_null(strstr(v, "timeout"));
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(tmp))
        return -1;
    have_grub = sh("grub-mkrescue --version") == 0;
    if (!have_grub)
        print_message("SKIP: grub-mkrescue not found (Debian grub-pc-bin, xorriso, mtools)\n");
    return 0;
}

static int teardown(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grub_log_imports),
        cmocka_unit_test(test_grub_log_imports_kvm),
        cmocka_unit_test(test_wrapped_record_is_damage),
        cmocka_unit_test(test_halted_guest_is_stopped),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
