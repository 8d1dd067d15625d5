/*
 * --lab-kernel PATH through the real tool: kernels "a developer built",
 * laid out from the Debian kernels in the lab cache without compiling one.
 *
 *  (a) a folder with bzImage and lib/modules/<release> (as make
 *      modules_install INSTALL_MOD_PATH= leaves it): a real lab run of
 *      tests/sweeps/labk.sweep works, its hypercall configurations pass
 *      their effect probe in L2 under that kernel's KVM, meta.json's
 *      lab.l1.kernel_source names the folder and the release read from the
 *      bzImage, and the progress lines follow L1's records;
 *  (b) the 6.1 bzImage with the 6.12 modules, and with the 6.12 modules
 *      renamed to 6.1's release (caught by their vermagic), a build tree
 *      whose kernel.release is not its bzImage's: exit 2 before L0 starts,
 *      the two releases named;
 *  (c) an empty folder, one with only modules, a file named bzImage that is
 *      no kernel, a build tree without KVM: exit 2 naming what is missing.
 *
 * "Before L0 starts" is checked by the results folder staying empty (no run
 * directory, so no qemu.log).  Skipped only where the lab cache cannot be
 * prepared (no Debian 6.1 and 6.12 kernels, and apt cannot fetch them).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>
#include "harness.h"
#include "progress_check.h"

static char top[] = "/tmp/hvflush-labk-XXXXXX";
/* The cached packages' unpacked roots, and their releases. */
static char root61[PATH_MAX], root612[PATH_MAX], rel61[64], rel612[64];

/* The root and release of the cached package matching pattern (relative
 * to the cache), or false. */
static bool find_package(const char *cache, const char *pattern, char *root, char *release)
{
    char path[PATH_MAX + 128];
    glob_t g;
    bool found = false;

    snprintf(path, sizeof(path), "%s/%s/root/boot/vmlinuz-*", cache, pattern);
    if (glob(path, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
        const char *v = g.gl_pathv[g.gl_pathc - 1];

        snprintf(release, 64, "%s", strstr(v, "/vmlinuz-") + 9);
        snprintf(root, PATH_MAX, "%.*s", (int)(strstr(v, "/boot/vmlinuz-") - v), v);
        found = true;
    }
    globfree(&g);
    return found;
}

/* Finds the 6.1 and 6.12 kernels in the lab cache, fetching them with the
 * lab's own script where they are not there yet. */
static int setup(void **state)
{
    char cache[PATH_MAX], cmd[2 * PATH_MAX + 512];
    const char *env = getenv("HVFLUSH_LAB_CACHE"), *home = getenv("HOME");

    (void)state;
    if (!mkdtemp(top))
        return -1;
    snprintf(cache, sizeof(cache), "%s", env && *env ? env : "");
    if (!cache[0])
        snprintf(cache, sizeof(cache), "%s/.cache/hvflush/lab", home ? home : "/root");
    if (!find_package(cache, "linux-image-6.1.*-amd64_*", root61, rel61) ||
        !find_package(cache, "linux-image-6.12.*-amd64_*", root612, rel612)) {
        snprintf(cmd, sizeof(cmd),
                 "c='%s'; l=$(sh scripts/lab/prepare.sh packages \"$c\") || exit 1; "
                 "for p in $(echo \"$l\" | sed -n 's/^default //p') "
                 "$(echo \"$l\" | sed -n 's/^candidate \\(linux-image-6\\.12\\..*-amd64\\)$/\\1/p'"
                 " | sort -V | tail -n 1); do "
                 "sh scripts/lab/prepare.sh kernel \"$c\" \"$p\" >/dev/null || exit 1; done",
                 cache);
        if (system(cmd) != 0)
            fprintf(stderr, "the lab cache could not be prepared\n");
        root61[0] = root612[0] = '\0';
        find_package(cache, "linux-image-6.1.*-amd64_*", root61, rel61);
        find_package(cache, "linux-image-6.12.*-amd64_*", root612, rel612);
    }
    return 0;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    return system(cmd) == 0 ? 0 : -1;
}

static void require_cache(void)
{
    if (!root61[0] || !root612[0])
        skip();
}

/* Runs a shell command in top; fails the test if it fails. */
static void sh(const char *fmt, ...)
{
    char body[3 * PATH_MAX], cmd[3 * PATH_MAX + 64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(body, sizeof(body), fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof(cmd), "cd '%s' && (%s)", top, body);
    if (system(cmd) != 0)
        fail_msg("could not lay out: %s", body);
}

/* A folder as make modules_install leaves it: bzImage, lib/modules/<rel>. */
static void install_folder(const char *name, const char *kernel_root, const char *kernel_rel,
                           const char *modules_root, const char *modules_rel,
                           const char *as_rel)
{
    sh("mkdir -p %s/lib/modules && ln -s %s/boot/vmlinuz-%s %s/bzImage && "
       "ln -s %s/lib/modules/%s %s/lib/modules/%s", name, kernel_root, kernel_rel, name,
       modules_root, modules_rel, name, as_rel);
}

/* Expects `run --accel lab --lab-kernel top/name` to stop with exit 2 and
 * every needle in its message, before anything was written. */
static void expect_refused(const char *name, const char *const needles[])
{
    static struct run_result r;
    static char err[1 << 14];
    char args[PATH_MAX + 200];

    snprintf(args, sizeof(args), "run --accel lab --smp 2 --sweep tests/sweeps/labk.sweep "
             "--lab-kernel %s/%s", top, name);
    if (run_loud(args, false, &r, err, sizeof(err)) != 2)
        fail_msg("%s: exit %d, not 2: %s", name, r.exit_code, err);
    for (size_t i = 0; needles[i]; i++)
        if (!strstr(err, needles[i]))
            fail_msg("%s: the message does not say '%s': %s", name, needles[i], err);
    if (!strstr(err, "hvflush: lab: "))
        fail_msg("%s: not one hvflush: lab: line: %s", name, err);
    if (count_entries(r.out_dir) != 0)
        fail_msg("%s: %s was written to before the refusal", name, r.out_dir);
    remove_out(&r);
}

static void test_other_versions_refused(void **state)
{
    (void)state;
    require_cache();
    install_folder("mismatch", root61, rel61, root612, rel612, rel612);
    expect_refused("mismatch", (const char *const[]){ "different versions", rel61, rel612,
                                                      NULL });
    /* The 6.12 modules under 6.1's name: their vermagic gives them away. */
    install_folder("renamed", root61, rel61, root612, rel612, rel61);
    expect_refused("renamed", (const char *const[]){ "different versions", "built for",
                                                     rel612, NULL });
    /* A build tree whose bzImage is older than its configuration. */
    sh("mkdir -p stale/arch/x86/boot stale/include/config && "
       "ln -s %s/boot/vmlinuz-%s stale/arch/x86/boot/bzImage && "
       "echo 6.99.0-patched > stale/include/config/kernel.release", root61, rel61);
    expect_refused("stale", (const char *const[]){ "different versions", rel61,
                                                   "6.99.0-patched", NULL });
}

static void test_no_usable_kernel_refused(void **state)
{
    (void)state;
    require_cache();
    sh("mkdir -p empty");
    expect_refused("empty", (const char *const[]){ "holds no kernel", NULL });
    sh("mkdir -p onlymods/lib/modules && ln -s %s/lib/modules/%s onlymods/lib/modules/",
       root61, rel61);
    expect_refused("onlymods", (const char *const[]){ "holds no kernel", "only lib/modules",
                                                      NULL });
    sh("mkdir -p fake/lib/modules && ln -s %s/lib/modules/%s fake/lib/modules/ && "
       "head -c 65536 %s/boot/config-%s > fake/bzImage", root61, rel61, root61, rel61);
    expect_refused("fake", (const char *const[]){ "not an x86 bzImage", NULL });
    expect_refused("fake/bzImage", (const char *const[]){ "not an x86 bzImage", NULL });
    /* A build tree with no KVM: none built, none built in. */
    sh("mkdir -p nokvm/arch/x86/boot nokvm/include/config && "
       "ln -s %s/boot/vmlinuz-%s nokvm/arch/x86/boot/bzImage && "
       "echo %s > nokvm/include/config/kernel.release && : > nokvm/modules.order && "
       "grep -v kvm %s/lib/modules/%s/modules.builtin > nokvm/modules.builtin",
       root61, rel61, rel61, root61, rel61);
    expect_refused("nokvm", (const char *const[]){ "neither built into the kernel", NULL });
}

/* meta.json's lab.l1.kernel_source.key, or "". */
static void kernel_source(const struct run_result *r, const char *key, char *out, size_t n)
{
    char path[600];
    json_t *root, *v;

    snprintf(path, sizeof(path), "%s/meta.json", r->run_dir);
    root = json_load_file(path, 0, NULL);
    v = json_object_get(json_object_get(json_object_get(json_object_get(root, "lab"), "l1"),
                                        "kernel_source"), key);
    snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "");
    json_decref(root);
}

/* Removes the cache entry the run made for the folder (local-*). */
static void remove_cache_entry(const struct run_result *r)
{
    char initramfs[PATH_MAX], *slash;

    meta_value(r, "lab", "l1", "initramfs", initramfs, sizeof(initramfs));
    slash = strrchr(initramfs, '/');
    if (!slash)
        return;
    *slash = '\0';
    slash = strrchr(initramfs, '/');
    if (slash && !strncmp(slash + 1, "local-", 6))
        sh("rm -rf '%s'", initramfs);
}

static void test_install_folder_runs(void **state)
{
    static struct run_result r;
    static char err[1 << 17];
    char args[PATH_MAX + 200], s[PATH_MAX], want[PATH_MAX + 16];

    (void)state;
    require_cache();
    install_folder("inst", root61, rel61, root61, rel61, rel61);
    snprintf(args, sizeof(args), "run --accel lab --smp 2 --sweep tests/sweeps/labk.sweep "
             "--timeout 900 --lab-kernel %s/inst", top);
    if (run_loud(args, false, &r, err, sizeof(err)) != 0)
        fail_msg("exit %d: %s", r.exit_code, err);
    assert_true(r.stream_ok);
    assert_string_equal(r.end_status, "ok");
    assert_int_equal(r.nconfigs, 3);
    /* The hypercalls flush and pass; the IPI's target takes an interrupt,
     * a VM exit that empties L2's TLB in the lab, so its probe cannot tell
     * (README.md, "The nested lab"). */
    for (unsigned i = 0; i < r.nconfigs; i++) {
        if (strcmp(r.cfg[i].strategy, "ipi") != 0) {
            assert_measured_and_verified(&r.cfg[i]);
            continue;
        }
        assert_int_equal(r.cfg[i].nsamples, r.cfg[i].samples_declared);
        assert_string_equal(r.cfg[i].verdict, "inconclusive");
    }
    /* L2 ran under the given kernel's KVM, with its Hyper-V interface. */
    assert_true(r.has_hyperv && r.hv_hypercall == 1);
    meta_value(&r, "lab", "l1", "kernel_release", s, sizeof(s));
    assert_string_equal(s, rel61);
    kernel_source(&r, "kind", s, sizeof(s));
    assert_string_equal(s, "install-dir");
    kernel_source(&r, "release", s, sizeof(s));
    assert_string_equal(s, rel61);
    kernel_source(&r, "path", s, sizeof(s));
    snprintf(want, sizeof(want), "%s/inst", top);
    assert_string_equal(s, want);
    /* The progress lines followed L1's run's records. */
    check_progress_lines(err, &r);
    remove_cache_entry(&r);
    remove_out(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_other_versions_refused),
        cmocka_unit_test(test_no_usable_kernel_refused),
        cmocka_unit_test(test_install_folder_runs),
    };

    return cmocka_run_group_tests_name("lab kernel from a path", tests, setup, teardown);
}
