/*
 * Unit tests of the nested lab's generated files (host/lab/files.c):
 * L1's run gets the outer run's options with an explicit CPU model;
 * RUN/lab/lab.env must give the init back the values it was made from and
 * L1's run's argv word for word; L0's argv exports L1's view of the host
 * (not the host's root) read-only and the run directory, and starts paused.  lab.env is read by /bin/sh, as L1 reads it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "lab/lab.h"
#include "qemu.h"

/* Writes text to a temporary file, runs "sh FILE ARGS" and returns its
 * stdout. */
static char *run_sh(const char *text, const char *args)
{
    static char out[8192];
    char path[] = "/tmp/hvflush-labtest-XXXXXX", cmd[256];
    size_t n;
    FILE *p;
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    snprintf(cmd, sizeof(cmd), "sh %s %s", path, args);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    unlink(path);
    return out;
}

/* The arguments of L1's run as an odd user could make them: spaces,
 * quotes, $ and backquotes must reach hvflush unchanged. */
static const struct lab_l1_run_params odd_run = {
    .hvflush = "/w/build/hvflush", .run_dir = "/tmp/it's a run $HOME",
    .guest = "/odd path/`x`.elf", .qemu = "/usr/bin/qemu-system-x86_64",
    .smp = 4, .memory_mib = 256, .timeout_s = 900, .pin = "compact",
    .hv = "hv-vpindex,hv-tlbflush", .cpu = NULL, .quiet = true,
};

static bool has_pair(char **argv, const char *opt, const char *val);

static void test_l1_run_argv(void **state)
{
    struct lab_l1_run_params p = odd_run;
    char **argv = lab_l1_run_argv(&p);

    (void)state;
    assert_non_null(argv);
    assert_string_equal(argv[0], "/w/build/hvflush");
    assert_string_equal(argv[1], "run");
    assert_true(has_pair(argv, "--accel", "kvm"));
    assert_true(has_pair(argv, "--smp", "4"));
    assert_true(has_pair(argv, "--memory", "256"));
    assert_true(has_pair(argv, "--timeout", "900"));
    assert_true(has_pair(argv, "--pin", "compact"));
    assert_true(has_pair(argv, "--sweep", "/tmp/it's a run $HOME/sweep.txt"));
    assert_true(has_pair(argv, "--guest", "/odd path/`x`.elf"));
    assert_true(has_pair(argv, "--hv", "hv-vpindex,hv-tlbflush"));
    /* L1's cpuinfo shows svm: the run must be told its model, never pick
     * "host" by itself. */
    assert_true(has_pair(argv, "--cpu", LAB_L2_CPU_DEFAULT));
    assert_true(has_pair(argv, "--out", "/tmp/it's a run $HOME/lab/" LAB_L1_RUN_DIR));
    qemu_argv_free(argv);
    p.cpu = "EPYC";
    p.quiet = false;
    argv = lab_l1_run_argv(&p);
    assert_true(has_pair(argv, "--cpu", "EPYC"));
    for (int i = 0; argv[i]; i++)
        assert_string_not_equal(argv[i], "--quiet");
    qemu_argv_free(argv);
    /* An image: --image and --firmware instead of --sweep and --guest. */
    p.image = "/odd path/lab.iso";
    argv = lab_l1_run_argv(&p);
    assert_true(has_pair(argv, "--image", "/odd path/lab.iso"));
    assert_true(has_pair(argv, "--firmware", "bios"));
    for (int i = 0; argv[i]; i++) {
        assert_string_not_equal(argv[i], "--sweep");
        assert_string_not_equal(argv[i], "--guest");
    }
    qemu_argv_free(argv);
    p.firmware = "uefi";
    argv = lab_l1_run_argv(&p);
    assert_true(has_pair(argv, "--firmware", "uefi"));
    qemu_argv_free(argv);
}

/* lab.env, sourced by sh as the init does, gives back every value and
 * L1's run's argv word for word (eval "set -- $HVFLUSH_L1_RUN"). */
static void test_env_round_trip(void **state)
{
    char **argv = lab_l1_run_argv(&odd_run);
    char *env = lab_env_text("/tmp/it's a run", "kvm_amd", "nested-emulated", argv);
    char *text, *out, expect[4096] = "";

    (void)state;
    assert_non_null(env);
    assert_true(asprintf(&text, "%s\nprintf '%%s|%%s|%%s\\n' \"$HVFLUSH_RUN_DIR\" "
                         "\"$HVFLUSH_KVM_MODULE\" \"$HVFLUSH_NESTED_IN\"\n"
                         "eval \"set -- $HVFLUSH_L1_RUN\"\nprintf '%%s\\n' \"$@\"\n",
                         env) > 0);
    out = run_sh(text, "");
    strcat(expect, "/tmp/it's a run|kvm_amd|nested-emulated\n");
    for (int i = 0; argv[i]; i++) {
        strcat(expect, argv[i]);
        strcat(expect, "\n");
    }
    assert_string_equal(out, expect);
    free(text);
    free(env);
    qemu_argv_free(argv);
}

static bool has_pair(char **argv, const char *opt, const char *val)
{
    for (int i = 0; argv[i] && argv[i + 1]; i++)
        if (!strcmp(argv[i], opt) && !strcmp(argv[i + 1], val))
            return true;
    return false;
}

static void test_l0_argv(void **state)
{
    struct lab_l0_params p = {
        .binary = "/usr/bin/qemu-system-x86_64", .accel = "tcg", .cpu = "qemu64,+svm,+npt",
        .vcpus = 4, .memory_mib = 2048, .kernel = "/c/vmlinuz", .initramfs = "/c/i.cpio",
        .run_dir = "/w/results/r1", .qmp_socket = "/tmp/q/qmp.sock",
        .host_view = "/c/view-0123",
    };
    char **argv = lab_l0_argv(&p);
    int n = 0;

    (void)state;
    assert_non_null(argv);
    assert_true(has_pair(argv, "-accel", "tcg,thread=single"));
    assert_true(has_pair(argv, "-cpu", "qemu64,+svm,+npt"));
    assert_true(has_pair(argv, "-smp", "4"));
    assert_true(has_pair(argv, "-m", "2048"));
    assert_true(has_pair(argv, "-kernel", "/c/vmlinuz"));
    assert_true(has_pair(argv, "-initrd", "/c/i.cpio"));
    /* L1's view of the host, never the host's root. */
    assert_true(has_pair(argv, "-fsdev", "local,id=hostroot,path=/c/view-0123,"
                                         "security_model=none,readonly=on,multidevs=remap"));
    for (int i = 0; argv[i]; i++)
        assert_null(strstr(argv[i], "path=/,"));
    assert_true(has_pair(argv, "-fsdev", "local,id=hvrun,path=/w/results/r1,"
                                         "security_model=none,multidevs=remap"));
    assert_true(has_pair(argv, "-device", "virtio-9p-pci,fsdev=hvrun,mount_tag=hvrun"));
    assert_true(has_pair(argv, "-qmp", "unix:/tmp/q/qmp.sock,server=on,wait=off"));
    while (argv[n])
        n++;
    assert_string_equal(argv[n - 1], "-S");
    qemu_argv_free(argv);
    p.accel = "kvm";
    p.cpu = "host";
    argv = lab_l0_argv(&p);
    assert_true(has_pair(argv, "-accel", "kvm"));
    qemu_argv_free(argv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_l1_run_argv),
        cmocka_unit_test(test_env_round_trip),
        cmocka_unit_test(test_l0_argv),
    };

    return cmocka_run_group_tests_name("lab files", tests, NULL, NULL);
}
