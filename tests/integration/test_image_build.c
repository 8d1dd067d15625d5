/*
 * "hvflush image" with the real grub-mkrescue, then the image booted by
 * QEMU's firmware: tests/sweeps/boot.sweep is built into an ISO whose files
 * (read back with xorriso) must be the guest, the sweep byte for byte and
 * the grub.cfg image_grub_cfg() writes; the ISO must carry an El Torito BIOS
 * boot image, an El Torito UEFI one and a GPT EFI system partition holding
 * GRUB's BOOTX64.EFI.  QEMU then boots it from -cdrom with none of the
 * devices `hvflush run` adds (no fw_cfg sweep, no debugcon, no debug-exit),
 * COM1 to a file: under SeaBIOS (TCG, and this host's KVM when usable) and
 * under OVMF.  GRUB must have loaded the guest: the serial log holds the
 * guest's first console lines.
 *
 * A guest with a Multiboot2 header must boot through the default
 * (Multiboot2) entry, under OVMF as well; one without it (Multiboot v1 only)
 * can boot under SeaBIOS only, through GRUB's fallback to the v1 entry, and
 * the OVMF boot is skipped with the reason.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "image.h"
#include "util.h"
#include "version.h"

#define GUEST "build/hvflush-guest.elf"
#define SWEEP "tests/sweeps/boot.sweep"
#define OVMF  "/usr/share/ovmf/OVMF.fd"
/* A harness safety limit on each boot, not a timing assertion: a firmware or
 * GRUB that hangs must not hang the test run. */
#define BOOT_LIMIT_S 300

static char dir[64], iso[128];

/* Lines after which nothing more comes and QEMU does not exit by itself:
 * the guest's last lines (a guest without portable mode halts waiting for
 * debug-exit) and GRUB's when it could load no entry (it then waits at its
 * menu). */
static const char *const end_markers[] = {
    "hvflush: done",                         /* portable mode: the last line */
    "hvflush: halted",                       /* portable mode without ACPI S5 */
    "no sweep (no fw_cfg, no boot module)",  /* portable mode, no module */
    "no-sweep-in-fw_cfg",                    /* a guest without portable mode */
    "Failed to boot both default and fallback entries",   /* GRUB gave up */
};

static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len = 0;

    return read_file(path, &text, &len, 0) ? text : NULL;
}

static bool sh(const char *cmd)
{
    return system(cmd) == 0;
}

/* A Multiboot2 header in the ELF's first 32 KiB: magic, architecture 0 and
 * a checksum that makes the four fields sum to zero, 8-byte aligned. */
static bool guest_has_mb2(void)
{
    char *elf = NULL;
    size_t len = 0;
    bool found = false;

    assert_true(read_file(GUEST, &elf, &len, 0));
    for (size_t off = 0; off + 16 <= len && off < 32768 && !found; off += 8) {
        uint32_t f[4];

        memcpy(f, elf + off, sizeof(f));
        found = f[0] == 0xE85250D6u && f[1] == 0 && (uint32_t)(f[0] + f[1] + f[2] + f[3]) == 0;
    }
    free(elf);
    return found;
}

static int setup(void **state)
{
    char cmd[512];

    (void)state;
    strcpy(dir, "/tmp/hvflush-test-imgbuild-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(iso, sizeof(iso), "%s/boot.iso", dir);
    snprintf(cmd, sizeof(cmd), "build/hvflush image --sweep " SWEEP " -o %s > %s/image.out",
             iso, dir);
    return sh(cmd) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return sh(cmd) ? 0 : -1;
}

static void assert_same_file(const char *a, const char *b)
{
    char *ta = NULL, *tb = NULL;
    size_t la = 0, lb = 0;

    assert_true(read_file(a, &ta, &la, 0));
    assert_true(read_file(b, &tb, &lb, 0));
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    free(ta);
    free(tb);
}

static void test_files(void **state)
{
    char cmd[512], path[256], cfg[4096], *text, *out;

    (void)state;
    snprintf(path, sizeof(path), "%s/image.out", dir);
    out = slurp(path);
    assert_non_null(out);
    assert_non_null(strstr(out, "sweep boot (" SWEEP "), runs on 1-255 vCPUs"));
    free(out);
    snprintf(cmd, sizeof(cmd), "xorriso -osirrox on -indev %s -extract / %s/tree "
             ">/dev/null 2>&1", iso, dir);
    assert_true(sh(cmd));
    snprintf(path, sizeof(path), "%s/tree/boot/hvflush-guest.elf", dir);
    assert_same_file(path, GUEST);
    snprintf(path, sizeof(path), "%s/tree/boot/sweep.txt", dir);
    assert_same_file(path, SWEEP);
    snprintf(path, sizeof(path), "%s/tree/boot/grub/grub.cfg", dir);
    text = slurp(path);
    assert_non_null(text);
    assert_true(image_grub_cfg("boot", cfg, sizeof(cfg)));
    assert_string_equal(text, cfg);
    free(text);
    snprintf(path, sizeof(path), "%s/tree/hvflush/README.txt", dir);
    text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "sweep:    boot (--sweep " SWEEP ")"));
    assert_non_null(strstr(text, "hvflush:  " HVFLUSH_VERSION " (git "));
    free(text);
}

static void test_boot_records(void **state)
{
    char cmd[512], path[256], *text;

    (void)state;
    snprintf(path, sizeof(path), "%s/report", dir);
    snprintf(cmd, sizeof(cmd), "xorriso -indev %s -report_el_torito plain "
             "-report_system_area plain > %s 2>/dev/null", iso, path);
    assert_true(sh(cmd));
    text = slurp(path);
    assert_non_null(text);
    assert_non_null(strstr(text, "El Torito boot img :   1  BIOS  y"));
    assert_non_null(strstr(text, "El Torito boot img :   2  UEFI  y"));
    /* The GPT's EFI system partition type C12A7328-F81F-11D2-BA4B-00A0C93EC93B
     * as xorriso prints it (the first three fields little-endian). */
    assert_non_null(strstr(text, "28732ac11ff8d211ba4b00a0c93ec93b"));
    assert_non_null(strstr(text, "GPT partition path :   2  /efi.img"));
    free(text);
    snprintf(cmd, sizeof(cmd), "xorriso -osirrox on -indev %s -extract /efi.img %s/efi.img "
             ">/dev/null 2>&1 && mdir -b -i %s/efi.img ::/efi/boot > %s/efi.ls 2>&1",
             iso, dir, dir, dir);
    assert_true(sh(cmd));
    snprintf(path, sizeof(path), "%s/efi.ls", dir);
    text = slurp(path);
    assert_non_null(text);
    assert_non_null(strcasestr(text, "/efi/boot/bootx64.efi"));
    free(text);
}

/* Boots the image; returns the serial log (the caller frees it). */
static char *boot(const char *accel, const char *bios)
{
    char log[128], serial[160];
    long long start = mono_ms();
    char *text = NULL;
    int status;
    pid_t pid;

    snprintf(log, sizeof(log), "%s/serial-%s-%s.log", dir, accel, bios ? "ovmf" : "seabios");
    snprintf(serial, sizeof(serial), "file:%s", log);
    unlink(log);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char *argv[24] = { "qemu-system-x86_64", "-accel", (char *)accel, "-m", "256",
                           "-smp", "2", "-cdrom", iso, "-display", "none", "-no-reboot",
                           "-serial", serial, "-monitor", "none", "-nodefaults",
                           "-vga", "none", NULL };

        if (bios) {
            argv[19] = "-bios";
            argv[20] = (char *)bios;
        }
        freopen("/dev/null", "w", stdout);
        execvp(argv[0], argv);
        _exit(127);
    }
    for (;;) {
        bool ended = false;

        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        free(text);
        text = slurp(log);
        for (unsigned i = 0; text && i < sizeof(end_markers) / sizeof(end_markers[0]); i++)
            ended |= strstr(text, end_markers[i]) != NULL;
        if (ended || mono_ms() - start > BOOT_LIMIT_S * 1000LL) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(500 * 1000);
    }
    free(text);
    text = slurp(log);
    assert_non_null(text);
    return text;
}

/* GRUB loaded the guest and it ran: its first console lines are there. */
static void assert_guest_booted(const char *log)
{
    if (!strstr(log, "hvflush guest ") || !strstr(log, "cpus_online=2"))
        fail_msg("the guest did not boot; serial log:\n%.3000s", log);
}

static void boot_seabios(const char *accel)
{
    char *log = boot(accel, NULL);

    assert_guest_booted(log);
    if (guest_has_mb2())
        assert_null(strstr(log, "Falling back to"));
    else
        assert_non_null(strstr(log, "Falling back to `hvflush boot (Multiboot v1, BIOS)'"));
    free(log);
}

static void test_boot_seabios_tcg(void **state)
{
    (void)state;
    boot_seabios("tcg");
}

static void test_boot_seabios_kvm(void **state)
{
    (void)state;
    if (!kvm_usable())
        skip();
    boot_seabios("kvm");
}

static void test_boot_ovmf(void **state)
{
    char *log;

    (void)state;
    if (!guest_has_mb2()) {
        print_message("skipped: " GUEST " has no Multiboot2 header, which UEFI boots need\n");
        skip();
    }
    assert_int_equal(access(OVMF, R_OK), 0);
    log = boot("tcg", OVMF);
    assert_guest_booted(log);
    assert_null(strstr(log, "Falling back to"));
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_boot_records),
        cmocka_unit_test(test_boot_seabios_tcg),
        cmocka_unit_test(test_boot_seabios_kvm),
        cmocka_unit_test(test_boot_ovmf),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
