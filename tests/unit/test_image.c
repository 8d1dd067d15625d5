/*
 * Unit tests of "hvflush image" (host/image.c, host/image_build.c): the
 * grub.cfg text, the sweep's vCPU counts, the option and bad-input handling
 * (one "hvflush: image:" line, exit 2, nothing written, an existing output
 * kept), and the image's file layout through a stand-in grub-mkrescue that
 * copies the tree it is given.  The real grub-mkrescue and boots are
 * tests/integration/test_image_build.c's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "commands.h"
#include "image.h"
#include "util.h"

static char dir[256];                 /* a fresh directory per test */
static char guest[300], out[300], err_text[4096];

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/hvflush-test-image-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(guest, sizeof(guest), "%s/guest.elf", dir);
    snprintf(out, sizeof(out), "%s/out.iso", dir);
    assert_true(write_file(guest, "\x7f" "ELF stand-in\0\0\0", 16));
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *name, const char *text)
{
    char path[400];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    assert_true(write_file(path, text, strlen(text)));
}

/* Runs image_command with stderr captured into err_text. */
static int image(char **argv)
{
    char path[400];
    int argc = 0, saved, fd, rc;
    char *text = NULL;
    size_t len = 0;

    while (argv[argc])
        argc++;
    snprintf(path, sizeof(path), "%s/stderr", dir);
    fflush(stderr);
    saved = dup(2);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    close(fd);
    rc = image_command(argc, argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    assert_true(read_file(path, &text, &len, 0));
    snprintf(err_text, sizeof(err_text), "%s", text);
    free(text);
    unlink(path);
    return rc;
}

static bool file_has(const char *path, const char *needle)
{
    char *text = NULL;
    size_t len = 0;
    bool found;

    if (!read_file(path, &text, &len, 0))
        return false;
    found = strstr(text, needle) != NULL;
    free(text);
    return found;
}

/* Exit 2 with exactly one "hvflush: image: " line holding needle. */
static void assert_input_error(int rc, const char *needle)
{
    assert_int_equal(rc, 2);
    assert_true(!strncmp(err_text, "hvflush: image: ", 16));
    assert_non_null(strstr(err_text, needle));
    assert_ptr_equal(strchr(err_text, '\n'), err_text + strlen(err_text) - 1);
}

/* Only the files a test made itself are left in dir: no temporary
 * directory, no partial image. */
static void assert_dir_holds(unsigned nfiles)
{
    char cmd[400];
    FILE *p;
    unsigned n = 0;
    int c;

    snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    while ((c = fgetc(p)) != EOF)
        n += c == '\n';
    pclose(p);
    assert_int_equal(n, nfiles);
}

static void test_grub_cfg(void **state)
{
    char cfg[4096];
    const char *mb2, *mb1;

    (void)state;
    assert_true(image_grub_cfg("default", cfg, sizeof(cfg)));
    assert_non_null(strstr(cfg, "serial --unit=0 --speed=115200\n"));
    assert_non_null(strstr(cfg, "terminal_input serial console\n"));
    assert_non_null(strstr(cfg, "terminal_output serial console\n"));
    assert_non_null(strstr(cfg, "set timeout=0\n"));
    mb2 = strstr(cfg, "    multiboot2 /boot/hvflush-guest.elf\n    module2 /boot/sweep.txt sweep\n");
    mb1 = strstr(cfg, "    multiboot /boot/hvflush-guest.elf\n    module /boot/sweep.txt sweep\n");
    assert_non_null(mb2);
    assert_non_null(mb1);
    /* Entry 0, the default, is the Multiboot2 one. */
    assert_true(mb2 < mb1);
    assert_true(strstr(cfg, "menuentry") < mb2 && strstr(strstr(cfg, "menuentry") + 1,
                                                         "menuentry") > mb2);
    assert_non_null(strstr(cfg, "menuentry 'hvflush default (Multiboot2"));
    assert_null(strstr(cfg, "@SWEEP@"));
}

static void test_grub_cfg_name_and_capacity(void **state)
{
    char cfg[4096];

    (void)state;
    assert_true(image_grub_cfg("a'b c;{x}", cfg, sizeof(cfg)));
    assert_non_null(strstr(cfg, "menuentry 'hvflush a_b_c__x_ (Multiboot v1"));
    assert_false(image_grub_cfg("default", cfg, 100));
}

static void test_sweep_vcpus(void **state)
{
    static const struct {
        const char *text, *ranges;
    } cases[] = {
        { "name boot\n", "1-255" },
        { "name l\nmeasure local flush=invlpg pages=1\n", "1-255" },
        { "name i\nmeasure ipi targets=3\n", "4-255" },
        { "name c\nmeasure ipi targets=1 placement=cpus:2\n", "3-255" },
    };
    static bool runs[IMAGE_VCPUS_MAX + 1];
    static struct sweep sw;
    struct sweep_error e;
    char ranges[256];

    (void)state;
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_true(sweep_parse(cases[i].text, strlen(cases[i].text), &sw, &e));
        assert_true(image_sweep_vcpus(&sw, runs, &e) > 0);
        image_vcpu_ranges(runs, ranges, sizeof(ranges));
        assert_string_equal(ranges, cases[i].ranges);
    }
    assert_true(sweep_parse("name x\nmeasure ipi targets=255\n", 31, &sw, &e));
    assert_int_equal(image_sweep_vcpus(&sw, runs, &e), 0);
    assert_int_equal(e.lineno, 2);
    assert_non_null(strstr(e.msg, "targets"));
}

static void test_vcpu_ranges(void **state)
{
    static bool runs[IMAGE_VCPUS_MAX + 1];
    char ranges[256];

    (void)state;
    runs[1] = runs[3] = runs[4] = runs[5] = runs[255] = true;
    image_vcpu_ranges(runs, ranges, sizeof(ranges));
    assert_string_equal(ranges, "1, 3-5, 255");
}

static void test_bad_options(void **state)
{
    (void)state;
    assert_input_error(image((char *[]){ "image", "--bogus", "-o", out, NULL }),
                       "unknown argument '--bogus'");
    assert_input_error(image((char *[]){ "image", "--guest", guest, NULL }), "-o FILE.iso");
    assert_input_error(image((char *[]){ "image", "-o", out, "--sweep", NULL }),
                       "--sweep needs a value");
    assert_input_error(image((char *[]){ "image", "-o=", NULL }), "-o: empty value");
    assert_dir_holds(1);
    assert_int_equal(image((char *[]){ "image", "--help", NULL }), 0);
}

static void test_bad_sweeps(void **state)
{
    char bad[300], never[300], missing[300];

    (void)state;
    put("bad.sweep", "name bad\nmeasure ipi bogus=1\n");
    put("never.sweep", "name never\nmeasure ipi targets=255\n");
    snprintf(bad, sizeof(bad), "%s/bad.sweep", dir);
    snprintf(never, sizeof(never), "%s/never.sweep", dir);
    snprintf(missing, sizeof(missing), "%s/missing.sweep", dir);
    assert_input_error(image((char *[]){ "image", "--sweep", bad, "--guest", guest, "-o", out,
                                         NULL }), "bad.sweep:2: unknown key 'bogus'");
    assert_input_error(image((char *[]){ "image", "--sweep", never, "--guest", guest, "-o",
                                         out, NULL }), "no count from 1 to 255 runs it");
    assert_input_error(image((char *[]){ "image", "--sweep", missing, "--guest", guest, "-o",
                                         out, NULL }), "cannot read sweep");
    put("ok.sweep", "name ok\n");
    snprintf(bad, sizeof(bad), "%s/ok.sweep", dir);
    assert_input_error(image((char *[]){ "image", "--sweep", bad, "--guest", missing, "-o",
                                         out, NULL }), "guest image");
    assert_dir_holds(4);       /* guest.elf and the three sweeps: no image */
}

/* A failed build keeps an existing output byte for byte and leaves no
 * temporary directory: grub-mkrescue missing from PATH, then one that
 * fails after writing part of its image. */
static void test_failed_build_keeps_output(void **state)
{
    char sweep[300], *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL, bin[300];
    char *text = NULL;
    size_t len = 0;

    (void)state;
    put("ok.sweep", "name ok\n");
    put("out.iso", "the previous image\n");
    snprintf(sweep, sizeof(sweep), "%s/ok.sweep", dir);
    snprintf(bin, sizeof(bin), "%s/bin", dir);
    assert_int_equal(mkdir(bin, 0755), 0);
    setenv("PATH", bin, 1);
    assert_input_error(image((char *[]){ "image", "--sweep", sweep, "--guest", guest, "-o",
                                         out, NULL }), "grub-mkrescue not found");
    put("bin/grub-mkrescue",
        "#!/bin/sh\n"
        "while [ $# -gt 0 ]; do [ \"$1\" = -o ] && iso=$2; shift; done\n"
        "echo partial > \"$iso\"; echo 'xorriso : FAILURE : injected' >&2; exit 1\n");
    snprintf(bin, sizeof(bin), "%s/bin/grub-mkrescue", dir);
    assert_int_equal(chmod(bin, 0755), 0);
    assert_input_error(image((char *[]){ "image", "--sweep", sweep, "--guest", guest, "-o",
                                         out, NULL }),
                       "grub-mkrescue failed (exit 1): xorriso : FAILURE : injected");
    if (path)
        setenv("PATH", path, 1);
    free(path);
    assert_true(read_file(out, &text, &len, 0));
    assert_string_equal(text, "the previous image\n");
    free(text);
    assert_dir_holds(4);       /* guest.elf, ok.sweep, out.iso, bin */
}

/* What grub-mkrescue is given: a stand-in copies the tree to dir/tree and
 * writes a marker as the image, which then replaces the existing output. */
static void test_layout(void **state)
{
    static const char sweep_text[] = "# the sweep, byte for byte\nname lay\n\n";
    char sweep[300], path[400], *saved = strdup(getenv("PATH")), *text = NULL;
    size_t len = 0;

    (void)state;
    put("lay.sweep", sweep_text);
    put("out.iso", "the previous image\n");
    assert_int_equal(mkdir((snprintf(path, sizeof(path), "%s/bin", dir), path), 0755), 0);
    put("bin/grub-mkrescue",
        "#!/bin/sh\n"
        "for a; do case $a in -o) next=iso;; -*) next=;; *) if [ \"$next\" = iso ]; then\n"
        "iso=$a; next=; elif [ -z \"$root\" ]; then root=$a; fi;; esac; done\n"
        "cp -r \"$root\" \"$(dirname \"$0\")/../tree\" && echo stand-in > \"$iso\"\n");
    snprintf(path, sizeof(path), "%s/bin/grub-mkrescue", dir);
    assert_int_equal(chmod(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/bin:%s", dir, saved);
    setenv("PATH", path, 1);
    snprintf(sweep, sizeof(sweep), "%s/lay.sweep", dir);
    assert_int_equal(image((char *[]){ "image", "--sweep", sweep, "--guest", guest, "-o", out,
                                       NULL }), 0);
    setenv("PATH", saved, 1);
    free(saved);
    assert_true(read_file(out, &text, &len, 0));
    assert_string_equal(text, "stand-in\n");
    free(text);
    snprintf(path, sizeof(path), "%s/tree/boot/sweep.txt", dir);
    assert_true(read_file(path, &text, &len, 0));
    assert_int_equal(len, sizeof(sweep_text) - 1);
    assert_memory_equal(text, sweep_text, len);
    free(text);
    snprintf(path, sizeof(path), "%s/tree/boot/hvflush-guest.elf", dir);
    assert_true(read_file(path, &text, &len, 0));
    assert_int_equal(len, 16);
    assert_memory_equal(text, "\x7f" "ELF stand-in\0\0\0", 16);
    free(text);
    snprintf(path, sizeof(path), "%s/tree/boot/grub/grub.cfg", dir);
    assert_true(file_has(path, "module2 /boot/sweep.txt sweep"));
    snprintf(path, sizeof(path), "%s/tree/hvflush/README.txt", dir);
    assert_true(file_has(path, "sweep:    lay"));
    assert_true(file_has(path, "runs on 1-255"));
    assert_true(file_has(path, "(git " GIT_REV ")"));
    assert_dir_holds(5);       /* guest.elf, lay.sweep, out.iso, bin, tree */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grub_cfg),
        cmocka_unit_test(test_grub_cfg_name_and_capacity),
        cmocka_unit_test(test_sweep_vcpus),
        cmocka_unit_test(test_vcpu_ranges),
        cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_sweeps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_build_keeps_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
