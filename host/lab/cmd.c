/*
 * "hvflush lab": the nested lab's self-check (see lab.h).  It is an
 * ordinary lab run of a bring-up-only sweep, followed by a short report
 * read back from the run's meta.json: what L0 emulated, which kernel and
 * KVM module L1 ran, which hv-* flags L1's own hvflush run found its KVM to accept, which
 * hypervisor the guest in L2 saw, and how long each step took.  It passes
 * when the run is ok and the guest saw Hyper-V ("Microsoft Hv").
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "paths.h"
#include "run.h"
#include "util.h"

#define SELFCHECK_SWEEP "# hvflush lab: bring-up only (platform, timer, probes)\n" \
                        "name lab-selfcheck\n"

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    remove(path);               /* best effort: go on with the rest */
    return 0;
}

/* rm -rf of the self-check's temporary directory. */
static void remove_tree(const char *dir)
{
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *str_at(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);

    return json_string_value(b ? json_object_get(v, b) : v);
}

static double seconds(json_t *times, const char *event)
{
    json_t *v = json_object_get(times, event);

    return json_is_number(v) ? json_number_value(v) : -1.0;
}

/* Prints one L1 step's duration, the time between two of its stamps. */
static void step(json_t *times, const char *name, const char *from, const char *to)
{
    double a = from ? seconds(times, from) : 0.0, b = seconds(times, to);

    if (a >= 0 && b >= 0)
        printf("  %-26s %6.1f s\n", name, b - a);
    else
        printf("  %-26s      - (not reached)\n", name);
}

/* The -cpu value L2 ran with and each hv-* flag L1's run asked for. */
static void print_flags(json_t *hv)
{
    const char *cpu = json_string_value(json_object_get(hv, "cpu"));
    json_t *v;
    size_t i;

    printf("L2   -cpu %s\n", cpu ? cpu : "(L1 never got that far)");
    json_array_foreach(json_object_get(hv, "accepted"), i, v)
        printf("     %s: accepted\n", json_string_value(v));
    json_array_foreach(json_object_get(hv, "refused"), i, v)
        printf("     %s: refused (%s)\n", json_string_value(json_object_get(v, "flag")),
               json_string_value(json_object_get(v, "reason")));
}

/* The end of the console log of a failed check whose run directory is
 * about to go away with the temporary directory. */
static void print_console_tail(const char *run_dir)
{
    char path[PATH_MAX + 16], *text = NULL;
    const char *from;
    size_t len;
    int lines = 0;

    fmt(path, sizeof(path), "%s/serial.log", run_dir);
    if (!read_file(path, &text, &len, 0) || len == 0) {
        free(text);
        return;
    }
    for (from = text + len; from > text; from--)
        if (from[-1] == '\n' && from != text + len && ++lines > 15)
            break;
    printf("last lines of serial.log (pass --out DIR to keep the run):\n%s", from);
    if (text[len - 1] != '\n')
        putchar('\n');
    free(text);
}

/* The report; returns the self-check's exit status. */
static int report(const char *run_dir, int run_rc, long long total_ms)
{
    char path[PATH_MAX + 16];
    json_t *meta, *lab, *l0, *l1, *times, *platform;
    const char *status, *reason, *hv, *package;
    int rc;

    fmt(path, sizeof(path), "%s/meta.json", run_dir);
    meta = json_load_file(path, 0, NULL);
    if (!meta) {
        hv_err("lab: cannot read %s", path);
        return 1;
    }
    lab = json_object_get(meta, "lab");
    l0 = json_object_get(lab, "l0");
    l1 = json_object_get(lab, "l1");
    times = json_object_get(lab, "l1_uptime_s");
    platform = json_object_get(json_object_get(meta, "guest"), "platform");
    status = str_at(meta, "status", NULL);
    reason = str_at(meta, "reason", NULL);
    hv = str_at(platform, "hv", NULL);

    printf("\nhvflush lab: self-check (%s)\n", str_at(meta, "accelerator", "label"));
    printf("L0   QEMU %s, -cpu %s, %d vCPUs, %d MiB\n", str_at(l0, "accel", NULL),
           str_at(l0, "cpu", NULL), (int)json_integer_value(json_object_get(l0, "vcpus")),
           (int)json_integer_value(json_object_get(l0, "memory_mib")));
    /* A kernel given as a path has no package: its folder instead. */
    package = str_at(l1, "kernel_package", NULL);
    if (!package || !*package)
        package = str_at(l1, "kernel_source", "path");
    printf("L1   %s %s (Linux %s), %s; /dev/kvm %s\n", package,
           str_at(l1, "package_version", NULL), str_at(l1, "kernel_release", NULL),
           str_at(l1, "kvm_module", NULL),
           seconds(times, "kvm") >= 0 ? "present" : "not reached");
    print_flags(json_object_get(meta, "hyperv_flags"));
    printf("L2   guest: %d CPUs, hypervisor signature %s\n",
           (int)json_integer_value(json_object_get(platform, "cpus")), hv ? hv : "(none)");
    printf("time\n  %-26s %6.1f s (kernel %s, initramfs %s)\n", "prepare",
           (double)json_integer_value(json_object_get(l1, "prepare_ms")) / 1000.0,
           json_is_true(json_object_get(l1, "kernel_cached")) ? "cached" : "downloaded",
           json_is_true(json_object_get(l1, "initramfs_cached")) ? "cached" : "built");
    step(times, "L1 kernel boot to init", NULL, "init");
    step(times, "L1 modules, 9p mounts", "init", "mounted");
    step(times, "L1 hv flag probe", "mounted", "probed");
    step(times, "L1 boot to its run", NULL, "l2-start");
    step(times, "L1's hvflush run", "l2-start", "l2-end");
    printf("  %-26s %6.1f s\n", "L0 start to exit (host)",
           (double)json_integer_value(json_object_get(lab, "l0_run_ms")) / 1000.0);
    printf("  %-26s %6.1f s\n", "self-check in all", (double)total_ms / 1000.0);

    if (run_rc != 0 || !status || strcmp(status, "ok") != 0) {
        printf("result: FAILED: %s\n", reason ? reason : "the run failed");
        rc = 1;
    } else if (!hv || strncmp(hv, "Microsoft", 9) != 0) {
        printf("result: FAILED: the guest in L2 saw no Hyper-V interface (signature %s)\n",
               hv ? hv : "none");
        rc = 1;
    } else {
        printf("result: ok\n");
        rc = 0;
    }
    json_decref(meta);
    return rc;
}

int lab_command(const struct cli_options *o)
{
    char tmp[] = "/tmp/hvflush-lab-XXXXXX", sweep[64], run_dir[PATH_MAX];
    struct cli_options opts = *o;
    long long start = mono_ms();
    int rc;

    if (!mkdtemp(tmp)) {
        hv_err("lab: cannot create a temporary directory");
        return 1;
    }
    fmt(sweep, sizeof(sweep), "%s/selfcheck.sweep", tmp);
    if (!write_file(sweep, SELFCHECK_SWEEP, strlen(SELFCHECK_SWEEP))) {
        hv_err("lab: cannot write %s", sweep);
        remove_tree(tmp);
        return 1;
    }
    /* Without --out the check's run lives in the temporary directory and
     * goes with it; the kernel cache stays. */
    opts.accel = ACCEL_LAB;
    opts.sweep = sweep;
    if (!opts.out)
        opts.out = tmp;
    if (!opts.label)
        opts.label = "lab-check";
    rc = run_command_at(&opts, run_dir, sizeof(run_dir));
    if (rc != 2 && run_dir[0]) {
        rc = report(run_dir, rc, mono_ms() - start);
        if (rc != 0 && !o->out)
            print_console_tail(run_dir);
    }
    if (o->out)
        printf("run kept in %s\n", paths_display(run_dir));
    remove_tree(tmp);
    return rc;
}
