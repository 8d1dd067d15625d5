/*
 * The guest booted by GRUB from a small ISO (grub-mkrescue), with none of
 * the devices `hvflush run` adds: no fw_cfg sweep, no debugcon, no
 * debug-exit; only -cdrom, COM1 to a file and -no-reboot, under QEMU TCG.
 *  - multiboot2 + module2 `sweep` under SeaBIOS and under OVMF (UEFI): the
 *    guest takes the sweep from the module, the RSDP from the multiboot2
 *    tag (under UEFI nothing is in the BIOS areas), brings every CPU
 *    online, writes `hvflush: done` and powers off through ACPI S5, so
 *    QEMU exits by itself;
 *  - multiboot (v1) + module under SeaBIOS: the same, the RSDP from the
 *    BIOS areas;
 *  - fault: no module: the guest says it has no sweep, writes
 *    `hvflush: done` and halts (nothing powers it off; the test stops
 *    QEMU once the `hvflush: halted` line is there, or after a safety
 *    limit, and asserts on the log), which also shows the module
 *    assertions able to fail.
 * Prints the time from QEMU's start to the first console line after the
 * sweep was read (`sweep: from boot module`, written just before the hello
 * record) for SeaBIOS and OVMF.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#define GUEST_ELF   "build/hvflush-guest.elf"
#define SWEEP_FILE  "tests/sweeps/boot.sweep"
#define OVMF        "/usr/share/ovmf/OVMF.fd"
#define SAFETY_S    900          /* only against a guest that never ends */
#define LOG_MAX     (1 << 20)

struct boot {
    const char *what;
    const char *loader;          /* "multiboot2" or "multiboot" */
    const char *module;          /* "module2", "module" or NULL: none */
    bool uefi;
};

struct outcome {
    char log[LOG_MAX];
    bool exited;                 /* QEMU ended by itself */
    int status;
    double first_record_s;       /* QEMU start to `sweep: from boot module`, -1 */
};

static char workdir[] = "/tmp/hvflush-boot-XXXXXX";

static void sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0)
        fail_msg("command failed: %s", cmd);
}

static void make_iso(const struct boot *b, const char *iso)
{
    char dir[256], cfg[512];
    snprintf(dir, sizeof(dir), "%s/%s", workdir, b->what);
    sh("rm -rf %s && mkdir -p %s/boot/grub && cp %s %s/boot/hvflush-guest.elf && "
       "cp %s %s/boot/sweep.txt", dir, dir, GUEST_ELF, dir, SWEEP_FILE, dir);
    snprintf(cfg, sizeof(cfg), "%s/boot/grub/grub.cfg", dir);
    FILE *f = fopen(cfg, "w");
    assert_non_null(f);
    fprintf(f, "serial --unit=0 --speed=115200\nterminal_input serial\n"
               "terminal_output serial\nset timeout=0\nmenuentry hvflush {\n"
               "  %s /boot/hvflush-guest.elf\n", b->loader);
    if (b->module)
        fprintf(f, "  %s /boot/sweep.txt sweep\n", b->module);
    fprintf(f, "}\n");
    fclose(f);
    sh("grub-mkrescue -o %s %s >%s/%s.mkrescue.log 2>&1", iso, dir, workdir, b->what);
}

static size_t read_log(const char *path, char *buf)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, LOG_MAX - 1, f);
        fclose(f);
    }
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
    return n;
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Boots the ISO; waits for QEMU to exit, or for a line after which the guest
 * only halts (`hvflush: halted`, `PANIC:`) and 2 s more, or the safety
 * limit; kills QEMU if it is still there. */
static void boot(const struct boot *b, struct outcome *o)
{
    char iso[256], log[256], serial[300];
    struct timespec t0;
    snprintf(iso, sizeof(iso), "%s/%s.iso", workdir, b->what);
    snprintf(log, sizeof(log), "%s/%s.serial.log", workdir, b->what);
    snprintf(serial, sizeof(serial), "file:%s", log);
    make_iso(b, iso);

    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *argv[] = { "qemu-system-x86_64", "-accel", "tcg", "-cdrom", iso,
                               "-serial", serial, "-display", "none", "-no-reboot",
                               "-smp", "2", "-m", "256", NULL, NULL, NULL };
        if (b->uefi) {
            argv[14] = "-bios";
            argv[15] = OVMF;
        }
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    o->exited = false;
    o->first_record_s = -1;
    double stop_seen = -1;
    for (;;) {
        pid_t w = waitpid(pid, &o->status, WNOHANG);
        if (w == pid) {
            o->exited = true;
            break;
        }
        read_log(log, o->log);
        if (o->first_record_s < 0 && strstr(o->log, "sweep: from boot module"))
            o->first_record_s = since(&t0);
        if (stop_seen < 0 && (strstr(o->log, "hvflush: halted") || strstr(o->log, "PANIC:")))
            stop_seen = since(&t0);
        if ((stop_seen >= 0 && since(&t0) > stop_seen + 2) || since(&t0) > SAFETY_S) {
            kill(pid, SIGKILL);
            waitpid(pid, &o->status, 0);
            break;
        }
        usleep(10000);
    }
    read_log(log, o->log);
    if (o->first_record_s >= 0)
        printf("boot-to-first-record %s: %.2f s (QEMU start to the sweep line)\n", b->what,
               o->first_record_s);
}

static void assert_line(const struct outcome *o, const char *needle)
{
    if (!strstr(o->log, needle))
        fail_msg("serial log lacks \"%s\"; log:\n%s", needle, o->log);
}

/* The portable path end to end: module sweep, RSDP source, CPUs, done, S5. */
static void assert_portable_run(const struct outcome *o, const char *rsdp_line)
{
    assert_line(o, "sweep: from boot module 'sweep'");
    assert_line(o, rsdp_line);
    assert_line(o, "cpus_online=2\n");
    assert_line(o, "hvflush guest: done,");
    assert_line(o, "\nhvflush: done\n");
    assert_line(o, "acpi: S5 (");
    assert_null(strstr(o->log, "hvflush: halted"));
    assert_null(strstr(o->log, "PANIC"));
    assert_true(o->exited);                    /* ACPI S5 powered QEMU off */
    assert_true(WIFEXITED(o->status));
    assert_int_equal(WEXITSTATUS(o->status), 0);
}

static struct outcome out;

static void test_mb2_seabios(void **state)
{
    (void)state;
    static const struct boot b = { "mb2-seabios", "multiboot2", "module2", false };
    boot(&b, &out);
    assert_line(&out, "boot: multiboot2,");
    assert_portable_run(&out, "acpi: RSDP from multiboot2 tag");
}

static void test_mb2_ovmf(void **state)
{
    (void)state;
    static const struct boot b = { "mb2-ovmf", "multiboot2", "module2", true };
    if (access(OVMF, R_OK) != 0)
        skip();
    boot(&b, &out);
    assert_line(&out, "boot: multiboot2,");
    assert_portable_run(&out, "acpi: RSDP from multiboot2 tag 15");
}

static void test_mb1_seabios(void **state)
{
    (void)state;
    static const struct boot b = { "mb1-seabios", "multiboot", "module", false };
    boot(&b, &out);
    assert_line(&out, "boot: multiboot v1,");
    assert_portable_run(&out, "acpi: RSDP found in the BIOS areas");
}

/* Fault: no module.  The guest must say so and halt after `hvflush: done`. */
static void test_no_module_halts(void **state)
{
    (void)state;
    static const struct boot b = { "mb2-no-module", "multiboot2", NULL, false };
    boot(&b, &out);
    assert_line(&out, "hvflush guest: no sweep (no fw_cfg, no boot module)");
    assert_line(&out, "\nhvflush: done\n");
    assert_line(&out, "hvflush: halted (no isa-debug-exit)");
    assert_null(strstr(out.log, "sweep: from boot module"));
    assert_false(out.exited);                  /* nothing powered it off */
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(workdir))
        return -1;
    return system("command -v grub-mkrescue >/dev/null && command -v xorriso >/dev/null") == 0
               ? 0 : (fprintf(stderr, "hvflush: grub-mkrescue/xorriso missing "
                                      "(scripts/deps.sh)\n"), -1);
}

static int teardown(void **state)
{
    char cmd[300];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mb2_seabios),
        cmocka_unit_test(test_mb2_ovmf),
        cmocka_unit_test(test_mb1_seabios),
        cmocka_unit_test(test_no_module_halts),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
