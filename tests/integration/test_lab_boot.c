/*
 * The nested lab through the real tool: `hvflush run --accel lab` boots the
 * guest's bring-up (tests/sweeps/boot.sweep) on 4 vCPUs under the KVM of a
 * stock Debian kernel (the distro's default 6.1, and 6.12), itself under
 * the QEMU the tool starts.  The guest must come up on all 4 CPUs and see a
 * Hyper-V signature, and meta.json must describe every level.  L1 runs
 * hvflush run --accel kvm itself: its hv-flag probe must find L1's KVM to
 * accept hv-vpindex and hv-tlbflush, and the outer run must adopt its
 * result and its records.  The failure
 * paths are checked too: a KVM module that cannot load inside L1 (L0
 * without SVM) fails the run with one clear reason; a kernel that does not
 * exist and an L2 larger than L1 are refused before anything starts; bad
 * input that only L1's run can see ends the run with its status 2.
 * "hvflush lab", the self-check, must pass and clean up after itself.
 *
 * The first run downloads the kernels into the lab cache (see README.md);
 * later runs reuse it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <jansson.h>
#include "harness.h"

static bool files_equal(const char *a, const char *b)
{
    static char x[1 << 20], y[1 << 20];
    FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
    size_t na = fa ? fread(x, 1, sizeof(x), fa) : 0, nb = fb ? fread(y, 1, sizeof(y), fb) : 0;

    if (fa)
        fclose(fa);
    if (fb)
        fclose(fb);
    return fa && fb && na > 0 && na == nb && !memcmp(x, y, na);
}

static void check_l1_run(const struct run_result *r);

static void check_boot(const char *kernel_args, const char *release_prefix)
{
    char args[256], s[512];
    struct run_result *r;

    snprintf(args, sizeof(args), "run --accel lab --smp 4 --sweep tests/sweeps/boot.sweep "
             "--timeout 900 %s", kernel_args);
    r = run_hvflush(args);
    if (r->exit_code != 0)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    assert_true(r->stream_ok);
    assert_string_equal(r->end_status, "ok");
    assert_int_equal(r->cpus, 4);
    assert_int_equal(r->ncpu_records, 4);

    /* The guest in L2 talks to a Hyper-V interface: KVM's, with hv-* flags. */
    meta_value(r, "guest", "platform", "hv", s, sizeof(s));
    if (strncmp(s, "Microsoft", 9) != 0 && strncmp(s, "Linux", 5) != 0)
        fail_msg("L2 saw hypervisor signature '%s', not Microsoft Hv or Linux KVM Hv", s);

    /* Every table and plot takes this label. */
    meta_value(r, "accelerator", "name", NULL, s, sizeof(s));
    assert_string_equal(s, "lab");
    meta_value(r, "accelerator", "timing_class", NULL, s, sizeof(s));
    assert_true(!strcmp(s, "nested-emulated") || !strcmp(s, "nested-hardware"));
    meta_value(r, "accelerator", "label", NULL, s, sizeof(s));
    assert_true(!strncmp(s, "nested", 6));

    meta_value(r, "lab", "l1", "kernel_release", s, sizeof(s));
    if (strncmp(s, release_prefix, strlen(release_prefix)) != 0)
        fail_msg("L1 ran Linux %s, expected %s*", s, release_prefix);
    meta_value(r, "lab", "l1", "kernel_package", s, sizeof(s));
    assert_true(!strncmp(s, "linux-image-", 12));
    meta_value(r, "lab", "l1", "vcpus", s, sizeof(s));
    assert_true(atoi(s) >= 4);
    check_l1_run(r);
}

/* L1 ran hvflush run --accel kvm itself: its hv-flag probe found L1's KVM
 * to accept hv-vpindex and hv-tlbflush, the outer meta.json records that
 * result, and the outer run's records are the inner run's. */
static void check_l1_run(const struct run_result *r)
{
    char s[512], path[1200], inner[700], mine[600];
    json_t *meta, *hv, *v, *l1_run;
    bool vpindex = false, tlbflush = false;
    size_t i;

    snprintf(mine, sizeof(mine), "%s/meta.json", r->run_dir);
    meta = json_load_file(mine, 0, NULL);
    assert_non_null(meta);
    hv = json_object_get(meta, "hyperv_flags");
    assert_true(json_is_true(json_object_get(hv, "probed")));
    assert_string_equal(json_string_value(json_object_get(hv, "mode")), "auto");
    json_array_foreach(json_object_get(hv, "accepted"), i, v) {
        vpindex |= !strcmp(json_string_value(v), "hv-vpindex");
        tlbflush |= !strcmp(json_string_value(v), "hv-tlbflush");
    }
    assert_true(vpindex && tlbflush);
    /* L2 ran with the accepted flags on the lab's default model, qemu64. */
    meta_value(r, "lab", "l2", "cpu", s, sizeof(s));
    assert_string_equal(s, json_string_value(json_object_get(hv, "cpu")));
    assert_true(!strncmp(s, "qemu64,hv-vpindex,", 18));
    assert_non_null(strstr(r->err, "hvflush: lab: L1's hv flags: accepted hv-vpindex,"));

    l1_run = json_object_get(json_object_get(meta, "lab"), "l1_run");
    assert_int_equal(json_integer_value(json_object_get(l1_run, "exit_status")), 0);
    assert_string_equal(json_string_value(json_object_get(l1_run, "status")), "ok");
    /* Its figures carry the outer run's timing class, not "hardware"
     * (L1's cpuinfo shows svm). */
    meta_value(r, "accelerator", "timing_class", NULL, s, sizeof(s));
    assert_string_equal(json_string_value(json_object_get(l1_run, "timing_class")), s);
    snprintf(inner, sizeof(inner), "%s/%s", r->run_dir,
             json_string_value(json_object_get(l1_run, "run_dir")));
    assert_true(!strncmp(json_string_value(json_object_get(l1_run, "run_dir")),
                         "lab/l2-run/", 11));
    snprintf(path, sizeof(path), "%s/records.txt", inner);
    snprintf(mine, sizeof(mine), "%s/records.txt", r->run_dir);
    assert_true(files_equal(path, mine));
    json_decref(meta);

    /* No separate L2 launch script any more. */
    snprintf(path, sizeof(path), "%s/lab/l2.sh", r->run_dir);
    assert_false(file_contains(path, ""));
}

static void test_lab_boot_default_kernel(void **state)
{
    (void)state;
    check_boot("", "6.1.");
}

static void test_lab_boot_6_12(void **state)
{
    (void)state;
    check_boot("--lab-kernel 6.12", "6.12.");
}

/* L0 without SVM: kvm_amd cannot load in L1, and the run says exactly so. */
static void test_lab_kvm_module_failure(void **state)
{
    struct run_result *r;
    char reason[512];

    (void)state;
    setenv("HVFLUSH_LAB_L0_CPU", "qemu64,-svm", 1);
    r = run_hvflush("run --accel lab --smp 2 --sweep tests/sweeps/boot.sweep --timeout 900");
    unsetenv("HVFLUSH_LAB_L0_CPU");
    assert_int_equal(r->exit_code, 1);
    assert_non_null(strstr(r->err, "run failed: lab: kvm_amd failed to load: "));
    meta_string(r, "status", reason, sizeof(reason));
    assert_string_equal(reason, "failed");
    meta_string(r, "reason", reason, sizeof(reason));
    assert_true(!strncmp(reason, "lab: kvm_amd failed to load: ", 29));
    /* One reason, not a list: the missing records add nothing. */
    assert_null(strchr(reason, ';'));
}

/* L1's run refuses its input (a CPU property only its KVM's QEMU checks):
 * its exit status 2 is the outer run's, with its one-line reason. */
static void test_lab_l1_run_bad_input(void **state)
{
    struct run_result *r;
    char reason[512];

    (void)state;
    r = run_hvflush("run --accel lab --smp 2 --cpu host,+nonsense --sweep "
                    "tests/sweeps/boot.sweep --timeout 900");
    if (r->exit_code != 2)
        fail_msg("hvflush exited %d: %s", r->exit_code, r->err);
    meta_string(r, "reason", reason, sizeof(reason));
    assert_string_equal(reason, "lab: L1's run (exit status 2): --cpu host,+nonsense: QEMU "
                                "refuses it under KVM: Property 'host-x86_64-cpu.nonsense' "
                                "not found");
}

/* "hvflush lab": the self-check passes, reports what it found, and leaves
 * nothing behind in /tmp (its run directory is temporary without --out). */
static void test_lab_self_check(void **state)
{
    char out[16384], run_dir[512] = "";
    const char *run;
    struct stat st;
    size_t n;
    FILE *p;

    (void)state;
    p = popen("build/hvflush lab --quiet 2>&1", "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    if (pclose(p) != 0)
        fail_msg("hvflush lab failed:\n%s", out);
    assert_non_null(strstr(out, "hvflush lab: self-check (nested"));
    assert_non_null(strstr(out, "/dev/kvm present"));
    assert_non_null(strstr(out, "hv-xmm-input: "));
    assert_non_null(strstr(out, "hypervisor signature Microsoft"));
    assert_non_null(strstr(out, "result: ok"));
    run = strstr(out, "run: /tmp/hvflush-lab-");
    assert_non_null(run);
    sscanf(run, "run: %511s", run_dir);
    assert_int_not_equal(stat(run_dir, &st), 0);
}

static void test_lab_refusals(void **state)
{
    struct run_result *r;

    (void)state;
    r = run_hvflush("run --accel lab --lab-kernel 6.99 --sweep tests/sweeps/boot.sweep");
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "lab: no Debian kernel package matches '6.99'"));
    assert_string_equal(r->run_dir, "");
    assert_int_equal(count_entries(r->out_dir), 0);

    r = run_hvflush("run --accel lab --smp 4 --lab-vcpus 2 --sweep tests/sweeps/boot.sweep");
    assert_int_equal(r->exit_code, 2);
    assert_non_null(strstr(r->err, "--smp 4 is more than L1's 2 vCPUs"));
    assert_int_equal(count_entries(r->out_dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lab_refusals),
        cmocka_unit_test(test_lab_boot_default_kernel),
        cmocka_unit_test(test_lab_boot_6_12),
        cmocka_unit_test(test_lab_self_check),
        cmocka_unit_test(test_lab_kvm_module_failure),
        cmocka_unit_test(test_lab_l1_run_bad_input),
    };

    return cmocka_run_group_tests_name("guest booted in the nested lab", tests, NULL, NULL);
}
