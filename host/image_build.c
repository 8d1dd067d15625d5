/*
 * "hvflush image", part two: lays the image's files out in a temporary
 * directory beside the output, runs grub-mkrescue there and renames the ISO
 * into place, so that a failed build leaves nothing behind and an existing
 * output untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "paths.h"
#include "util.h"
#include "version.h"

/* The GRUB platforms grub-mkrescue must find: it silently leaves out one
 * that is not installed, and the image would then boot under one firmware
 * only. */
static const struct {
    const char *dir, *firmware, *package;
} grub_platforms[] = {
    { "/usr/lib/grub/i386-pc",    "BIOS", "grub-pc-bin" },
    { "/usr/lib/grub/x86_64-efi", "UEFI", "grub-efi-amd64-bin" },
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static bool put_file(const char *dir, const char *name, const char *buf, size_t len)
{
    char path[PATH_MAX];

    if (!fmt(path, sizeof(path), "%s/%s", dir, name) || !write_file(path, buf, len)) {
        hv_err("image: cannot write %s: %s", path, strerror(errno));
        return false;
    }
    return true;
}

static bool make_dirs(const char *tmp)
{
    static const char *const dirs[] = { "root", "root/boot", "root/boot/grub",
                                        "root/hvflush" };
    char path[PATH_MAX];

    for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        if (!fmt(path, sizeof(path), "%s/%s", tmp, dirs[i]) || mkdir(path, 0755) < 0) {
            hv_err("image: cannot create %s: %s", path, strerror(errno));
            return false;
        }
    return true;
}

static bool put_readme(const char *root, const struct image_spec *s)
{
    char text[2048], when[32];

    utc_iso(time(NULL), when, sizeof(when));
    fmt(text, sizeof(text),
        "hvflush boot image\n"
        "\n"
        "A microbenchmark of the Hyper-V remote TLB flush hypercalls against IPI\n"
        "shootdowns.  Boot it in a VM (BIOS or UEFI; Secure Boot off) with COM1\n"
        "captured to a file: the guest writes its progress and its records there and\n"
        "powers the VM off when done.  Then: hvflush import SERIAL_LOG.\n"
        "\n"
        "sweep:    %s (--sweep %s), /boot/sweep.txt\n"
        "vCPUs:    runs on %s\n"
        "hvflush:  %s (git %s)\n"
        "built:    %s\n",
        s->sweep_name, s->sweep_arg, s->vcpus, HVFLUSH_VERSION, GIT_REV, when);
    return put_file(root, "hvflush/README.txt", text, strlen(text));
}

static bool put_guest(const char *root, const char *guest)
{
    char *elf = NULL;
    size_t len = 0;
    bool ok;

    if (!read_file(guest, &elf, &len, 0)) {
        hv_err("image: cannot read guest image '%s': %s", paths_display(guest),
               strerror(errno));
        return false;
    }
    ok = put_file(root, "boot/hvflush-guest.elf", elf, len);
    free(elf);
    return ok;
}

/* The last non-empty line of the file at path, for an error message. */
static void last_line(const char *path, char *out, size_t cap)
{
    char *text = NULL, *end, *start;
    size_t len = 0;

    out[0] = '\0';
    if (!read_file(path, &text, &len, 0))
        return;
    end = text + len;
    while (end > text && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
        end--;
    *end = '\0';
    start = strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text;
    fmt(out, cap, "%s", start);
    free(text);
}

/* Runs grub-mkrescue -o ISO ROOT with its chatter in LOG; the reason of a
 * failure on one line. */
static bool run_mkrescue(const char *tmp, const char *iso)
{
    char mkrescue[PATH_MAX], root[PATH_MAX], log[PATH_MAX], why[256];
    int status, fd;
    pid_t pid;

    if (!find_executable("grub-mkrescue", mkrescue, sizeof(mkrescue))) {
        hv_err("image: grub-mkrescue not found (Debian packages: grub-common grub-pc-bin "
               "grub-efi-amd64-bin xorriso mtools)");
        return false;
    }
    for (unsigned i = 0; i < sizeof(grub_platforms) / sizeof(grub_platforms[0]); i++)
        if (access(grub_platforms[i].dir, R_OK) < 0) {
            hv_err("image: GRUB for %s is not installed (%s; Debian package: %s)",
                   grub_platforms[i].firmware, grub_platforms[i].dir,
                   grub_platforms[i].package);
            return false;
        }
    fmt(root, sizeof(root), "%s/root", tmp);
    fmt(log, sizeof(log), "%s/grub-mkrescue.log", tmp);
    pid = fork();
    if (pid < 0) {
        hv_err("image: fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        /* No locales, fonts or themes: the console is a serial line. */
        char *argv[] = { mkrescue, "--locales=", "--fonts=", "--themes=", "-o", (char *)iso,
                         root, "--", "-volid", "HVFLUSH", NULL };

        fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(mkrescue, argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            hv_err("image: waitpid: %s", strerror(errno));
            return false;
        }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && access(iso, R_OK) == 0)
        return true;
    last_line(log, why, sizeof(why));
    if (WIFEXITED(status))
        hv_err("image: grub-mkrescue failed (exit %d)%s%s", WEXITSTATUS(status),
               why[0] ? ": " : "", why);
    else
        hv_err("image: grub-mkrescue failed (signal %d)", WTERMSIG(status));
    return false;
}

bool image_build(const struct image_spec *s)
{
    char tmp[PATH_MAX], root[PATH_MAX], iso[PATH_MAX], dir_buf[PATH_MAX], cfg[4096];
    char base_buf[PATH_MAX];
    const char *dir, *base;
    bool ok = false;

    fmt(dir_buf, sizeof(dir_buf), "%s", s->output);
    fmt(base_buf, sizeof(base_buf), "%s", s->output);
    dir = dirname(dir_buf);
    base = basename(base_buf);
    if (!fmt(tmp, sizeof(tmp), "%s/.%s.tmp-XXXXXX", dir, base) || !mkdtemp(tmp)) {
        hv_err("image: cannot create a temporary directory beside '%s': %s", s->output,
               strerror(errno));
        return false;
    }
    fmt(root, sizeof(root), "%s/root", tmp);
    fmt(iso, sizeof(iso), "%s/image.iso", tmp);
    if (!image_grub_cfg(s->sweep_name, cfg, sizeof(cfg))) {
        hv_err("image: grub.cfg larger than %zu bytes", sizeof(cfg));
        goto out;
    }
    if (!make_dirs(tmp) || !put_guest(root, s->guest) ||
        !put_file(root, "boot/sweep.txt", s->sweep_text, s->sweep_len) ||
        !put_file(root, "boot/grub/grub.cfg", cfg, strlen(cfg)) || !put_readme(root, s) ||
        !run_mkrescue(tmp, iso))
        goto out;
    if (rename(iso, s->output) < 0) {
        hv_err("image: cannot write '%s': %s", s->output, strerror(errno));
        goto out;
    }
    ok = true;
out:
    nftw(tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return ok;
}
