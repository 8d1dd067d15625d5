/*
 * "hvflush image [--sweep NAME|FILE] -o FILE.iso": checks the sweep as
 * `run` does, for every vCPU count a VM may have, then builds the boot
 * image (host/image_build.c).  Every problem is an input error: one
 * "hvflush: image: ..." line, exit status 2, nothing written.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "image.h"
#include "paths.h"
#include "util.h"

static const char image_usage[] =
    "usage: hvflush image [--sweep NAME|FILE] [--guest ELF] -o FILE.iso\n"
    "\n"
    "Builds a bootable hybrid ISO (BIOS and UEFI, GRUB) holding the guest and the\n"
    "sweep as a boot module, for VMs that hvflush run does not launch: Hyper-V, Xen,\n"
    "plain QEMU.  The guest writes its records on COM1; capture that port and give\n"
    "the log to hvflush import.  The sweep is checked as run checks it, for every\n"
    "vCPU count from 1 to 255 (the VM's count is only known when it boots); the\n"
    "output says on which counts it runs.\n"
    "\n"
    "  --sweep NAME|FILE  bench/sweeps/NAME.sweep or a file (default: default)\n"
    "  --guest ELF        the guest (default: hvflush-guest.elf beside hvflush)\n"
    "  -o FILE.iso        the image to write (replaced only when the build succeeds)\n"
    "\n"
    "Needs grub-mkrescue with GRUB for BIOS and UEFI (Debian: grub-common grub-pc-bin\n"
    "grub-efi-amd64-bin xorriso mtools).  Exit status: 0 written; 2 bad input or the\n"
    "build failed (nothing written).\n";

/* The image's GRUB configuration; @SWEEP@ becomes the sweep's name.  The
 * Multiboot2 entry is the default: GRUB's multiboot2 loader works under BIOS
 * and UEFI and hands the guest the ACPI RSDP.  Under BIOS, a loader that
 * fails it (an older guest without a Multiboot2 header) falls back to the
 * Multiboot v1 entry; under UEFI there is no fallback, as a v1 guest would
 * look for ACPI in BIOS areas that UEFI does not provide. */
static const char grub_cfg_template[] =
    "# hvflush boot image: the guest with its sweep as the boot module \"sweep\".\n"
    "# Console and records on COM1, 115200 8N1.\n"
    "serial --unit=0 --speed=115200\n"
    "terminal_input serial console\n"
    "terminal_output serial console\n"
    "set timeout=0\n"
    "set default=0\n"
    "if [ \"$grub_platform\" = \"pc\" ]; then set fallback=1; fi\n"
    "\n"
    "menuentry 'hvflush @SWEEP@ (Multiboot2, BIOS and UEFI)' {\n"
    "    multiboot2 /boot/hvflush-guest.elf\n"
    "    module2 /boot/sweep.txt sweep\n"
    "    boot\n"
    "}\n"
    "\n"
    "menuentry 'hvflush @SWEEP@ (Multiboot v1, BIOS)' {\n"
    "    multiboot /boot/hvflush-guest.elf\n"
    "    module /boot/sweep.txt sweep\n"
    "    boot\n"
    "}\n";

bool image_grub_cfg(const char *sweep_name, char *out, size_t cap)
{
    static const char mark[] = "@SWEEP@";
    const char *t = grub_cfg_template, *at;
    size_t n = 0;

    while ((at = strstr(t, mark))) {
        size_t lit = (size_t)(at - t);

        if (n + lit >= cap)
            return false;
        memcpy(out + n, t, lit);
        n += lit;
        for (const char *s = sweep_name; *s; s++) {
            char c = *s;
            bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';

            if (n + 1 >= cap)
                return false;
            out[n++] = plain ? c : '_';
        }
        t = at + sizeof(mark) - 1;
    }
    if (n + strlen(t) >= cap)
        return false;
    strcpy(out + n, t);
    return true;
}

unsigned image_sweep_vcpus(const struct sweep *sw, bool runs[IMAGE_VCPUS_MAX + 1],
                           struct sweep_error *err)
{
    struct sweep_config *configs = calloc(SWEEP_CONFIGS_MAX, sizeof(*configs));
    unsigned count = 0;

    memset(runs, 0, (IMAGE_VCPUS_MAX + 1) * sizeof(runs[0]));
    memset(err, 0, sizeof(*err));
    if (!configs) {
        fmt(err->msg, sizeof(err->msg), "out of memory");
        return 0;
    }
    for (unsigned ncpus = 1; ncpus <= IMAGE_VCPUS_MAX; ncpus++) {
        struct sweep_error e = { 0 };
        int n = sweep_expand(sw, ncpus, configs, SWEEP_CONFIGS_MAX, &e);

        /* Same rule as run: no measure lines is a bring-up-only sweep; lines
         * that all expand to nothing on this count do not run here. */
        if (n == 0 && sw->nlines > 0) {
            e.lineno = 0;
            fmt(e.msg, sizeof(e.msg), "no configurations to measure");
        }
        if (n < 0 || (n == 0 && sw->nlines > 0)) {
            if (ncpus == IMAGE_VCPUS_MAX)
                *err = e;
            continue;
        }
        runs[ncpus] = true;
        count++;
    }
    free(configs);
    return count;
}

void image_vcpu_ranges(const bool runs[IMAGE_VCPUS_MAX + 1], char *out, size_t cap)
{
    out[0] = '\0';
    for (unsigned lo = 1; lo <= IMAGE_VCPUS_MAX; lo++) {
        unsigned hi = lo;

        if (!runs[lo])
            continue;
        while (hi < IMAGE_VCPUS_MAX && runs[hi + 1])
            hi++;
        if (hi == lo)
            append(out, cap, "%s%u", out[0] ? ", " : "", lo);
        else
            append(out, cap, "%s%u-%u", out[0] ? ", " : "", lo, hi);
        lo = hi;
    }
}

struct image_args {
    const char *sweep, *output, *guest;
    bool help;
};

static bool parse_args(int argc, char **argv, struct image_args *a, char *err, size_t cap)
{
    memset(a, 0, sizeof(*a));
    a->sweep = "default";
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i], *eq = strchr(name, '='), *val;
        char key[32];

        if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
            a->help = true;
            return true;
        }
        fmt(key, sizeof(key), "%.*s", eq ? (int)(eq - name) : (int)strlen(name), name);
        if (strcmp(key, "--sweep") && strcmp(key, "--guest") && strcmp(key, "-o"))
            return fmt(err, cap, "unknown argument '%s' (hvflush image --help)", name), false;
        if (eq)
            val = eq + 1;
        else if (i + 1 < argc)
            val = argv[++i];
        else
            return fmt(err, cap, "%s needs a value", key), false;
        if (!*val)
            return fmt(err, cap, "%s: empty value", key), false;
        if (!strcmp(key, "--sweep"))
            a->sweep = val;
        else if (!strcmp(key, "--guest"))
            a->guest = val;
        else
            a->output = val;
    }
    if (!a->output)
        return fmt(err, cap, "-o FILE.iso is required (hvflush image --help)"), false;
    return true;
}

static bool guest_path(const struct image_args *a, char *out, size_t cap)
{
    char dir[PATH_MAX];
    struct stat st;

    if (a->guest) {
        if (!fmt(out, cap, "%s", a->guest))
            return hv_err("image: --guest path too long"), false;
    } else if (!paths_exe_dir(dir, sizeof(dir)) ||
               !fmt(out, cap, "%s/hvflush-guest.elf", dir)) {
        hv_err("image: cannot locate the hvflush executable's directory; use --guest");
        return false;
    }
    if (stat(out, &st) < 0) {
        hv_err("image: guest image '%s': %s%s", paths_display(out), strerror(errno),
               a->guest ? "" : " (build it with make, or pass --guest)");
        return false;
    }
    if (!S_ISREG(st.st_mode) || access(out, R_OK) < 0) {
        hv_err("image: guest image '%s' is not a readable file", paths_display(out));
        return false;
    }
    return true;
}

static void sweep_err(const char *shown, const struct sweep_error *e, const char *tail)
{
    if (e->lineno)
        hv_err("image: sweep %s:%u: %s%s", shown, e->lineno, e->msg, tail);
    else
        hv_err("image: sweep %s: %s%s", shown, e->msg, tail);
}

int image_command(int argc, char **argv)
{
    static bool runs[IMAGE_VCPUS_MAX + 1];
    static struct sweep sw;
    struct image_args a;
    struct sweep_error serr;
    struct image_spec spec;
    struct stat st;
    char err[512], root[PATH_MAX], path[PATH_MAX], guest[PATH_MAX], name[SWEEP_NAME_MAX];
    char vcpus[1024];
    const char *shown;
    char *text = NULL;
    size_t len = 0;
    long long t0 = mono_ms();
    int rc = 2;

    if (!parse_args(argc, argv, &a, err, sizeof(err))) {
        hv_err("image: %s", err);
        return 2;
    }
    if (a.help) {
        fputs(image_usage, stdout);
        return 0;
    }
    if (!paths_root(root, sizeof(root)) || !paths_sweep(root, a.sweep, path, sizeof(path))) {
        hv_err("image: cannot resolve sweep '%s'", a.sweep);
        return 2;
    }
    shown = paths_display(path);
    if (!read_file(path, &text, &len, SWEEP_TEXT_MAX + 1)) {
        if (errno == EFBIG)
            hv_err("image: sweep %s: larger than %d bytes", shown, SWEEP_TEXT_MAX);
        else
            hv_err("image: cannot read sweep '%s': %s", a.sweep, strerror(errno));
        return 2;
    }
    if (!sweep_parse(text, len, &sw, &serr)) {
        sweep_err(shown, &serr, "");
        goto out;
    }
    if (image_sweep_vcpus(&sw, runs, &serr) == 0) {
        sweep_err(shown, &serr, " (at 255 vCPUs; no count from 1 to 255 runs it)");
        goto out;
    }
    if (!guest_path(&a, guest, sizeof(guest)))
        goto out;
    image_vcpu_ranges(runs, vcpus, sizeof(vcpus));
    fmt(name, sizeof(name), "%s", sw.name);    /* sweep_parse() requires a name */
    spec = (struct image_spec){ .output = a.output, .guest = guest, .sweep_text = text,
                                .sweep_len = len, .sweep_name = name, .sweep_arg = a.sweep,
                                .vcpus = vcpus };
    if (!image_build(&spec))
        goto out;
    if (stat(a.output, &st) < 0)
        st.st_size = 0;
    printf("%s: sweep %s (%s), runs on %s vCPUs; %lld bytes, built in %lld ms\n", a.output,
           name, shown, vcpus, (long long)st.st_size, mono_ms() - t0);
    rc = 0;
out:
    free(text);
    return rc;
}
