/*
 * Unit tests of the launch-side tables (host/accel.c, host/qemu.c): the
 * timing classes, the QEMU command line for each accelerator, and how a
 * QEMU exit status is read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "accel.h"
#include "qemu.h"

static void test_timing_classes(void **state)
{
    const struct timing_class *tc;

    (void)state;
    tc = timing_class_for("tcg", true);
    assert_string_equal(tc->name, "emulated");
    assert_string_equal(tc->label, "TCG — emulated, not hardware");
    tc = timing_class_for("kvm", false);
    assert_string_equal(tc->name, "software-kvm");
    assert_string_equal(tc->label, "software KVM — not hardware virtualization");
    tc = timing_class_for("kvm", true);
    assert_string_equal(tc->name, "hardware");
    assert_string_equal(tc->label, "hardware KVM");
    assert_null(timing_class_for("warp", false));
    assert_ptr_equal(timing_class_by_name("software-kvm"), timing_class_for("kvm", false));
}

static void test_accel_resolve(void **state)
{
    struct kvm_probe good = { .usable = true, .api_version = 12 };
    struct kvm_probe bad = { .usable = false, .reason = "cannot open /dev/kvm: denied" };
    char err[256] = "";

    (void)state;
    assert_string_equal(accel_resolve(ACCEL_AUTO, &good, err, sizeof(err)), "kvm");
    assert_string_equal(accel_resolve(ACCEL_AUTO, &bad, err, sizeof(err)), "tcg");
    assert_string_equal(accel_resolve(ACCEL_TCG, &good, err, sizeof(err)), "tcg");
    assert_null(accel_resolve(ACCEL_KVM, &bad, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot open /dev/kvm: denied"));
}

static int index_of(char **argv, const char *arg)
{
    for (int i = 0; argv[i]; i++)
        if (!strcmp(argv[i], arg))
            return i;
    return -1;
}

static void test_qemu_argv(void **state)
{
    struct qemu_params p = {
        .binary = "/usr/bin/qemu-system-x86_64", .accel = "tcg", .smp = 3, .memory_mib = 128,
        .guest = "/g.elf", .run_dir = "/r", .qmp_socket = "/tmp/x/qmp.sock",
    };
    char **argv = qemu_build_argv(&p);
    int i;

    (void)state;
    assert_non_null(argv);
    assert_string_equal(argv[0], "/usr/bin/qemu-system-x86_64");
    assert_string_equal(argv[index_of(argv, "-accel") + 1], "tcg,thread=multi");
    assert_string_equal(argv[index_of(argv, "-cpu") + 1], "qemu64,+rdtscp");
    assert_string_equal(argv[index_of(argv, "-smp") + 1], "3");
    assert_string_equal(argv[index_of(argv, "-m") + 1], "128");
    assert_string_equal(argv[index_of(argv, "-kernel") + 1], "/g.elf");
    assert_true(index_of(argv, "file,id=records,path=/r/records.txt") > 0);
    assert_true(index_of(argv, "name=opt/hvflush/sweep,file=/r/sweep.txt") > 0);
    assert_true(index_of(argv, "unix:/tmp/x/qmp.sock,server=on,wait=off") > 0);
    assert_true(index_of(argv, "isa-debug-exit,iobase=0xf4,iosize=4") > 0);
    i = index_of(argv, "-S");
    assert_true(i > 0);
    assert_null(argv[i + 1]);
    qemu_argv_free(argv);

    p.accel = "kvm";
    argv = qemu_build_argv(&p);
    assert_string_equal(argv[index_of(argv, "-accel") + 1], "kvm");
    assert_string_equal(argv[index_of(argv, "-cpu") + 1], "qemu64");
    qemu_argv_free(argv);
}

static void test_qemu_outcome(void **state)
{
    struct qemu_outcome o = { .exited = true };
    char why[256];

    (void)state;
    o.status = W_EXITCODE(1, 0);
    assert_true(qemu_outcome_ok(&o, 300, why, sizeof(why)));
    o.status = W_EXITCODE(3, 0);
    assert_false(qemu_outcome_ok(&o, 300, why, sizeof(why)));
    assert_non_null(strstr(why, "guest reported failure"));
    o.status = W_EXITCODE(0, 0);
    assert_false(qemu_outcome_ok(&o, 300, why, sizeof(why)));
    assert_non_null(strstr(why, "without the guest's exit code"));
    o.status = W_EXITCODE(0, SIGSEGV);
    assert_false(qemu_outcome_ok(&o, 300, why, sizeof(why)));
    assert_non_null(strstr(why, "signal 11"));
    o.timed_out = true;
    o.status = W_EXITCODE(0, SIGTERM);
    assert_false(qemu_outcome_ok(&o, 7, why, sizeof(why)));
    assert_string_equal(why, "timeout after 7 s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timing_classes),
        cmocka_unit_test(test_accel_resolve),
        cmocka_unit_test(test_qemu_argv),
        cmocka_unit_test(test_qemu_outcome),
    };

    return cmocka_run_group_tests_name("host_launch", tests, NULL, NULL);
}
