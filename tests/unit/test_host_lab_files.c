/*
 * Unit tests of the nested lab's generated files (host/lab/files.c):
 * RUN/lab/l2.sh must run the exact L2 argv it was made from, with only the
 * -cpu value replaced by its argument; RUN/lab/lab.env must give the init
 * back the values it was made from; L0's argv exports the run directory
 * and starts paused.  The scripts are run by /bin/sh, as L1 runs them.
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

/* An argv whose "binary" prints its arguments, one per line. */
static char *const printing_argv[] = {
    "/usr/bin/printf", "%s\\n", "-name", "hvflush,debug-threads=on", "-cpu", "qemu64",
    "-kernel", "/odd path/it's here $HOME `x`.elf", "-S", NULL,
};

static void test_l2_script_runs_the_argv(void **state)
{
    char *script = lab_l2_script(printing_argv, "20250101-000000-lab-4cpu",
                                 "qemu64,hv-vpindex");
    char *out;

    (void)state;
    assert_non_null(script);
    assert_non_null(strstr(script, "# L2 of hvflush run 20250101-000000-lab-4cpu"));
    out = run_sh(script, "qemu64,hv-vpindex,hv-tlbflush");
    assert_string_equal(out, "-name\nhvflush,debug-threads=on\n-cpu\n"
                             "qemu64,hv-vpindex,hv-tlbflush\n-kernel\n"
                             "/odd path/it's here $HOME `x`.elf\n-S\n");
    /* Without an argument: the flags hvflush asked for. */
    out = run_sh(script, "");
    assert_non_null(strstr(out, "-cpu\nqemu64,hv-vpindex\n-kernel"));
    free(script);
}

static void test_l2_script_of_a_real_l2_argv(void **state)
{
    struct qemu_params l2 = {
        .binary = "/usr/bin/qemu-system-x86_64", .accel = "kvm", .cpu = LAB_L2_CPU_BASE,
        .smp = 4, .memory_mib = 256, .guest = "/w/build/hvflush-guest.elf",
        .run_dir = "/w/results/r1", .qmp_socket = NULL,
    };
    char **argv = qemu_build_argv(&l2);
    char *script;

    (void)state;
    assert_non_null(argv);
    script = lab_l2_script(argv, "r1", LAB_L2_CPU_BASE ",hv-xmm-input");
    assert_non_null(script);
    /* The same files as a run without the lab; no QMP, not paused. */
    assert_non_null(strstr(script, "'-accel' 'kvm'"));
    assert_non_null(strstr(script, "'-cpu' \"$cpu\""));
    assert_non_null(strstr(script, "'file,id=records,path=/w/results/r1/records.txt'"));
    assert_non_null(strstr(script, "'name=opt/hvflush/sweep,file=/w/results/r1/sweep.txt'"));
    assert_non_null(strstr(script, "'isa-debug-exit,iobase=0xf4,iosize=4'"));
    assert_null(strstr(script, "-qmp"));
    assert_null(strstr(script, "'-S'"));
    assert_non_null(strstr(script, "cpu=${1:-'" LAB_L2_CPU_BASE ",hv-xmm-input'}"));
    free(script);
    qemu_argv_free(argv);
}

static void test_env_round_trip(void **state)
{
    char *env = lab_env_text("/tmp/it's a run", "/usr/bin/qemu-system-x86_64", "kvm_amd");
    char *text, *out;

    (void)state;
    assert_non_null(env);
    assert_true(asprintf(&text, "%s\nprintf '%%s|%%s|%%s|%%s|%%s' \"$HVFLUSH_RUN_DIR\" "
                         "\"$HVFLUSH_L2_QEMU\" \"$HVFLUSH_KVM_MODULE\" "
                         "\"$HVFLUSH_L2_CPU_BASE\" \"$HVFLUSH_L2_CPU_OPTIONAL\"\n", env) > 0);
    out = run_sh(text, "");
    assert_string_equal(out, "/tmp/it's a run|/usr/bin/qemu-system-x86_64|kvm_amd|"
                             LAB_L2_CPU_BASE "|" LAB_L2_CPU_OPTIONAL);
    free(text);
    free(env);
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
    assert_true(has_pair(argv, "-fsdev", "local,id=hostroot,path=/,security_model=none,"
                                         "readonly=on,multidevs=remap"));
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
        cmocka_unit_test(test_l2_script_runs_the_argv),
        cmocka_unit_test(test_l2_script_of_a_real_l2_argv),
        cmocka_unit_test(test_env_round_trip),
        cmocka_unit_test(test_l0_argv),
    };

    return cmocka_run_group_tests_name("lab files", tests, NULL, NULL);
}
