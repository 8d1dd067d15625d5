/*
 * Unit tests of --lab-kernel PATH (host/lab/local.c, and the build-tree
 * lookup of host/lab/modinfo.c): which specs are paths, how a folder is
 * classified (install folder, build tree, a kernel image file) and every
 * refusal: no kernel, only modules, a non-kernel bzImage, two images,
 * modules or a tree of another release.  The folders are made here with a
 * synthetic bzImage setup header; the cache entry is made in a temporary
 * cache.  Where the Debian 6.1 kernel has been fetched into the lab cache,
 * a build tree made of its modules is looked up through modinfo as well.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glob.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/lab.h"

static char top[] = "/tmp/hvflush-labk-XXXXXX";

/* Writes path (creating its folders) with text, or a bzImage of release
 * when text is NULL. */
static void make_file(const char *rel, const char *text, const char *release)
{
    char path[PATH_MAX], cmd[PATH_MAX + 16];
    unsigned char img[0x1000] = { 0 };
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", top, rel);
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
    *strrchr(cmd, '/') = '\0';
    strcat(cmd, "'");
    assert_int_equal(system(cmd), 0);
    f = fopen(path, "wb");
    assert_non_null(f);
    if (text) {
        fputs(text, f);
    } else {
        img[0x1f1] = 3;
        img[0x1fe] = 0x55, img[0x1ff] = 0xaa;
        memcpy(img + 0x202, "HdrS", 4);
        img[0x206] = 0x0f, img[0x207] = 0x02;
        img[0x20e] = 0x00, img[0x20f] = 0x02;      /* string at 0x400 */
        img[0x236] = 0x01;
        snprintf((char *)img + 0x400, 0x100, "%s (dev@box) #1 SMP", release);
        fwrite(img, 1, sizeof(img), f);
    }
    fclose(f);
}

static void make_dir(const char *rel)
{
    char cmd[PATH_MAX + 16];

    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/%s'", top, rel);
    assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[PATH_MAX + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    return system(cmd) == 0 ? 0 : -1;
}

/* Classifies top/rel; returns the result, err holding the refusal. */
static bool classify(const char *rel, struct lab_local *l, char *err)
{
    char path[PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", top, rel);
    err[0] = '\0';
    return lab_local_classify(path, l, err, 1024);
}

static void test_which_specs_are_paths(void **state)
{
    (void)state;
    assert_false(lab_kernel_is_path(NULL));
    assert_false(lab_kernel_is_path(""));
    assert_false(lab_kernel_is_path("6.1"));
    assert_false(lab_kernel_is_path("6.12.117"));
    assert_false(lab_kernel_is_path("linux-image-6.1.0-56-amd64"));
    assert_true(lab_kernel_is_path("./build"));
    assert_true(lab_kernel_is_path("/nonexistent/kernel"));
    assert_true(lab_kernel_is_path(top));
    /* An existing relative name without a '/' is a path too. */
    assert_int_equal(chdir(top), 0);
    make_file("mykernel/bzImage", NULL, "6.9.0");
    assert_true(lab_kernel_is_path("mykernel"));
}

static void test_install_folder(void **state)
{
    struct lab_local l;
    char err[1024], want[PATH_MAX];

    (void)state;
    make_file("inst/bzImage", NULL, "6.9.0-kvm+");
    make_dir("inst/lib/modules/6.9.0-kvm+/kernel");
    assert_true(classify("inst", &l, err));
    assert_int_equal(l.kind, LAB_SOURCE_INSTALL);
    assert_string_equal(l.release, "6.9.0-kvm+");
    snprintf(want, sizeof(want), "%s/inst/lib/modules/6.9.0-kvm+", top);
    assert_string_equal(l.modules_dir, want);
    snprintf(want, sizeof(want), "%s/inst/bzImage", top);
    assert_string_equal(l.kernel, want);
    /* The image file itself names the same folder. */
    assert_true(classify("inst/bzImage", &l, err));
    assert_int_equal(l.kind, LAB_SOURCE_INSTALL);
    snprintf(want, sizeof(want), "%s/inst", top);
    assert_string_equal(l.path, want);

    /* vmlinuz-<release>, beside the modules or in boot/. */
    make_file("vml/vmlinuz-6.8.1", NULL, "6.8.1");
    make_dir("vml/lib/modules/6.8.1");
    assert_true(classify("vml", &l, err));
    assert_string_equal(l.release, "6.8.1");
    make_file("boot/boot/vmlinuz-6.8.2", NULL, "6.8.2");
    make_dir("boot/lib/modules/6.8.2");
    assert_true(classify("boot", &l, err));
    assert_string_equal(l.release, "6.8.2");
    assert_true(classify("boot/boot/vmlinuz-6.8.2", &l, err));
    snprintf(want, sizeof(want), "%s/boot", top);
    assert_string_equal(l.path, want);
}

/* Each refused folder, what makes it, and the words the refusal needs. */
static void test_refusals(void **state)
{
    struct lab_local l;
    char err[1024];

    (void)state;
    make_dir("empty");
    assert_false(classify("empty", &l, err));
    assert_non_null(strstr(err, "holds no kernel"));
    assert_null(strstr(err, "only lib/modules"));

    make_dir("onlymods/lib/modules/6.9.0");
    assert_false(classify("onlymods", &l, err));
    assert_non_null(strstr(err, "holds no kernel"));
    assert_non_null(strstr(err, "only lib/modules"));

    make_file("notkernel/bzImage", "#!/bin/sh\necho not a kernel\n", NULL);
    make_dir("notkernel/lib/modules/6.9.0");
    assert_false(classify("notkernel", &l, err));
    assert_non_null(strstr(err, "not an x86 bzImage"));

    make_file("mismatch/bzImage", NULL, "6.1.0-56-amd64");
    make_dir("mismatch/lib/modules/6.12.117+deb12-amd64");
    assert_false(classify("mismatch", &l, err));
    assert_non_null(strstr(err, "different versions"));
    assert_non_null(strstr(err, "6.1.0-56-amd64"));
    assert_non_null(strstr(err, "6.12.117+deb12-amd64"));

    make_file("nomods/bzImage", NULL, "6.9.0");
    assert_false(classify("nomods", &l, err));
    assert_non_null(strstr(err, "make modules_install"));

    make_file("two/bzImage", NULL, "6.9.0");
    make_file("two/vmlinuz-6.9.1", NULL, "6.9.1");
    assert_false(classify("two", &l, err));
    assert_non_null(strstr(err, "2 kernel images"));

    assert_false(classify("does-not-exist", &l, err));
    assert_non_null(strstr(err, "No such file"));
}

static void test_build_tree(void **state)
{
    struct lab_local l;
    char err[1024], want[PATH_MAX];

    (void)state;
    make_file("tree/include/config/kernel.release", "6.10.0-rc2-hv\n", NULL);
    make_file("tree/arch/x86/boot/bzImage", NULL, "6.10.0-rc2-hv");
    assert_true(classify("tree", &l, err));
    assert_int_equal(l.kind, LAB_SOURCE_TREE);
    assert_string_equal(l.release, "6.10.0-rc2-hv");
    snprintf(want, sizeof(want), "%s/tree", top);
    assert_string_equal(l.modules_dir, want);
    assert_true(classify("tree/arch/x86/boot/bzImage", &l, err));
    assert_int_equal(l.kind, LAB_SOURCE_TREE);
    assert_string_equal(l.path, want);

    /* A stale bzImage: the tree says another release. */
    make_file("stale/include/config/kernel.release", "6.10.0-rc3\n", NULL);
    make_file("stale/arch/x86/boot/bzImage", NULL, "6.10.0-rc2");
    assert_false(classify("stale", &l, err));
    assert_non_null(strstr(err, "different versions"));
    assert_non_null(strstr(err, "6.10.0-rc3"));

    /* Configured but not built (or another architecture). */
    make_file("unbuilt/include/config/kernel.release", "6.10.0\n", NULL);
    make_file("unbuilt/arch/arm64/boot/Image", "arm64", NULL);
    assert_false(classify("unbuilt", &l, err));
    assert_non_null(strstr(err, "build tree without arch/x86/boot/bzImage"));
}

static void test_cache_entry(void **state)
{
    struct lab_local l, other;
    char err[1024], cache[PATH_MAX], dir[PATH_MAX], dir2[PATH_MAX], link[PATH_MAX + 8];
    char target[PATH_MAX];
    ssize_t n;

    (void)state;
    assert_true(classify("inst", &l, err));
    snprintf(cache, sizeof(cache), "%s/cache", top);
    assert_true(lab_local_entry(cache, &l, dir, sizeof(dir), err, sizeof(err)));
    assert_non_null(strstr(dir, "/local-6.9.0-kvm+-"));
    snprintf(link, sizeof(link), "%s/root", dir);
    n = readlink(link, target, sizeof(target) - 1);
    assert_true(n > 0);
    target[n] = '\0';
    assert_string_equal(target, l.path);
    /* Stable for the same folder; another folder gets its own entry. */
    assert_true(lab_local_entry(cache, &l, dir2, sizeof(dir2), err, sizeof(err)));
    assert_string_equal(dir, dir2);
    assert_true(classify("tree", &other, err));
    assert_true(lab_local_entry(cache, &other, dir2, sizeof(dir2), err, sizeof(err)));
    assert_string_not_equal(dir, dir2);
}

/* The build-tree lookup over a tree made of the cached 6.1 modules. */
static void test_tree_lookup(void **state)
{
    char cache[PATH_MAX], pattern[PATH_MAX + 64], tree[PATH_MAX], cmd[12 * PATH_MAX];
    char file[256], depends[256], err[512], release[64];
    struct lab_modinfo *mi;
    glob_t g;

    (void)state;
    snprintf(tree, sizeof(tree), "%s/lookup", top);
    make_dir("lookup");
    /* Neither modules.order nor modules.builtin: nothing can be told. */
    mi = lab_modinfo_open_tree(tree, err, sizeof(err));
    if (!mi && strstr(err, "modinfo not found"))
        skip();
    assert_null(mi);
    assert_non_null(strstr(err, "neither modules.order nor modules.builtin"));

    assert_true(lab_cache_dir(cache, sizeof(cache)));
    snprintf(pattern, sizeof(pattern), "%s/linux-image-6.1.*-amd64_*/root/lib/modules/*",
             cache);
    if (glob(pattern, 0, NULL, &g) != 0 || g.gl_pathc == 0)
        skip();
    /* kvm and irqbypass built, kvm_amd listed but not built, virtio built in. */
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/arch/x86/kvm %s/virt/lib && "
             "ln -s %s/kernel/arch/x86/kvm/kvm.ko %s/arch/x86/kvm/kvm.ko && "
             "ln -s %s/kernel/virt/lib/irqbypass.ko %s/virt/lib/irqbypass.ko && "
             "printf 'arch/x86/kvm/kvm.o\\nkernel/virt/lib/irqbypass.ko\\n"
             "arch/x86/kvm/kvm-amd.o\\n' > %s/modules.order && "
             "echo kernel/drivers/virtio/virtio.ko > %s/modules.builtin",
             tree, tree, g.gl_pathv[0], tree, g.gl_pathv[0], tree, tree, tree);
    assert_int_equal(system(cmd), 0);
    mi = lab_modinfo_open_tree(tree, err, sizeof(err));
    assert_non_null(mi);
    assert_int_equal(lab_modinfo_lookup(mi, "kvm", file, sizeof(file), depends,
                                        sizeof(depends), err, sizeof(err)), LAB_MODULE_FOUND);
    assert_string_equal(file, "arch/x86/kvm/kvm.ko");
    assert_non_null(strstr(depends, "irqbypass"));
    assert_int_equal(lab_modinfo_lookup(mi, "irqbypass", file, sizeof(file), depends,
                                        sizeof(depends), err, sizeof(err)), LAB_MODULE_FOUND);
    assert_string_equal(file, "virt/lib/irqbypass.ko");
    assert_int_equal(lab_modinfo_lookup(mi, "virtio", file, sizeof(file), depends,
                                        sizeof(depends), err, sizeof(err)),
                     LAB_MODULE_BUILTIN);
    assert_int_equal(lab_modinfo_lookup(mi, "kvm_amd", file, sizeof(file), depends,
                                        sizeof(depends), err, sizeof(err)),
                     LAB_MODULE_MISSING);
    assert_true(lab_modinfo_release(mi, "arch/x86/kvm/kvm.ko", release, sizeof(release),
                                    err, sizeof(err)));
    assert_string_equal(release, strrchr(g.gl_pathv[0], '/') + 1);
    lab_modinfo_close(mi);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_which_specs_are_paths),
        cmocka_unit_test(test_install_folder),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_build_tree),
        cmocka_unit_test(test_cache_entry),
        cmocka_unit_test(test_tree_lookup),
    };

    return cmocka_run_group_tests_name("lab kernel from a path", tests, setup, teardown);
}
