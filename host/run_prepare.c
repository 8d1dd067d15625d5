/*
 * "hvflush run", part one: check the command line and resolve everything a
 * run needs before anything is written or started.  Every problem here is
 * an input error: one "hvflush: ..." line and exit status 2.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "qemu.h"
#include "run.h"
#include "util.h"

/* --seed N: a `seed N` line after the sweep's own (the last one wins), so
 * the guest receives it with the text and shuffles as the host does. */
static bool append_seed(struct run_info *ri, unsigned seed, const char *shown)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "\nseed %u\n", seed);
    char *text = realloc(ri->sweep_text, ri->sweep_len + (size_t)n + 1);

    if (!text) {
        hv_err("out of memory");
        return false;
    }
    memcpy(text + ri->sweep_len, line, (size_t)n + 1);
    ri->sweep_text = text;
    ri->sweep_len += (size_t)n;
    if (ri->sweep_len > SWEEP_TEXT_MAX) {
        hv_err("sweep %s: larger than %d bytes with --seed", shown, SWEEP_TEXT_MAX);
        return false;
    }
    return true;
}

static bool load_sweep(struct run_info *ri, const struct cli_options *o)
{
    struct sweep_error serr;
    const char *shown;
    int n;

    if (!paths_sweep(ri->root, o->sweep, ri->sweep_path, sizeof(ri->sweep_path))) {
        hv_err("sweep path too long: '%s'", o->sweep);
        return false;
    }
    shown = paths_display(ri->sweep_path);
    if (!read_file(ri->sweep_path, &ri->sweep_text, &ri->sweep_len, SWEEP_TEXT_MAX + 1)) {
        if (errno == EFBIG)
            hv_err("sweep %s: larger than %d bytes", shown, SWEEP_TEXT_MAX);
        else
            hv_err("cannot read sweep '%s': %s", o->sweep, strerror(errno));
        return false;
    }
    if (o->seed_given && !append_seed(ri, o->seed, shown))
        return false;
    if (!sweep_parse(ri->sweep_text, ri->sweep_len, &ri->sweep, &serr)) {
        if (serr.lineno)
            hv_err("sweep %s:%u: %s", shown, serr.lineno, serr.msg);
        else
            hv_err("sweep %s: %s", shown, serr.msg);
        return false;
    }
    ri->configs = calloc(SWEEP_CONFIGS_MAX, sizeof(*ri->configs));
    if (!ri->configs) {
        hv_err("out of memory");
        return false;
    }
    n = sweep_expand(&ri->sweep, o->smp, ri->configs, SWEEP_CONFIGS_MAX, &serr);
    if (n < 0) {
        if (serr.lineno)
            hv_err("sweep %s:%u: %s (--smp %u)", shown, serr.lineno, serr.msg, o->smp);
        else
            hv_err("sweep %s: %s (--smp %u)", shown, serr.msg, o->smp);
        return false;
    }
    /* A sweep without measure lines is a deliberate bring-up-only run; one
     * whose lines all expand to nothing on this VM is a mistake. */
    if (n == 0 && ri->sweep.nlines > 0) {
        hv_err("sweep %s: no configurations to measure with --smp %u", shown, o->smp);
        return false;
    }
    ri->nconfigs = (unsigned)n;
    return true;
}

static bool find_guest(struct run_info *ri, const struct cli_options *o)
{
    char dir[PATH_MAX];
    struct stat st;

    if (o->guest) {
        fmt(ri->guest, sizeof(ri->guest), "%s", o->guest);
    } else if (!paths_exe_dir(dir, sizeof(dir)) ||
               !fmt(ri->guest, sizeof(ri->guest), "%s/hvflush-guest.elf", dir)) {
        hv_err("cannot locate the hvflush executable's directory; use --guest");
        return false;
    }
    if (stat(ri->guest, &st) < 0) {
        hv_err("guest image '%s': %s%s", paths_display(ri->guest), strerror(errno),
               o->guest ? "" : " (build it with make, or pass --guest)");
        return false;
    }
    if (!S_ISREG(st.st_mode) || access(ri->guest, R_OK) < 0) {
        hv_err("guest image '%s' is not a readable file", paths_display(ri->guest));
        return false;
    }
    return true;
}

static bool find_qemu(struct run_info *ri, const struct cli_options *o)
{
    char *version_argv[3];

    if (o->qemu) {
        if (!find_executable(o->qemu, ri->qemu, sizeof(ri->qemu))) {
            hv_err("--qemu: '%s' is not an executable file", o->qemu);
            return false;
        }
    } else if (!find_executable("qemu-system-x86_64", ri->qemu, sizeof(ri->qemu))) {
        hv_err("qemu-system-x86_64 not found (Debian package: qemu-system-x86)");
        return false;
    }
    version_argv[0] = ri->qemu;
    version_argv[1] = "-version";
    version_argv[2] = NULL;
    if (!capture_first_line(version_argv, ri->qemu_version, sizeof(ri->qemu_version))) {
        hv_err("'%s -version' failed; is it a QEMU binary?", ri->qemu);
        return false;
    }
    return true;
}

static bool choose_accel(struct run_info *ri, const struct cli_options *o)
{
    char err[256];

    kvm_probe(&ri->kvm);
    ri->accel = accel_resolve(o->accel, &ri->kvm, err, sizeof(err));
    if (!ri->accel) {
        hv_err("%s", err);
        return false;
    }
    ri->vcpus = o->smp;
    if (!strcmp(ri->accel, "lab")) {
        if (!lab_plan_run(ri))
            return false;
    } else {
        ri->tc = timing_class_for(ri->accel, ri->kvm.host_vmx || ri->kvm.host_svm);
    }
    if (!ri->tc) {
        hv_err("no timing class for accelerator %s", ri->accel);
        return false;
    }
    return true;
}

/* Places the vCPUs of the QEMU the host starts (in the lab: L0's, which
 * carry L1's vCPUs and through them L2's). */
static bool plan_pinning(struct run_info *ri, const struct cli_options *o)
{
    unsigned npu, n = ri->vcpus;

    ri->topo = pin_load_host_topology();
    if (!ri->topo) {
        hv_err("cannot read the host topology with hwloc");
        return false;
    }
    ri->pin_sets = calloc(n, sizeof(*ri->pin_sets));
    ri->pin_map = calloc(n, sizeof(*ri->pin_map));
    if (!ri->pin_sets || !ri->pin_map ||
        !pin_policy_sets(ri->topo, o->pin, n, ri->pin_sets)) {
        hv_err("--pin %s: cannot place %u vCPUs on this host", pin_policy_name(o->pin), n);
        return false;
    }
    npu = pin_pu_count(ri->topo);
    if (o->pin != PIN_NONE && n > npu)
        hv_note("note: %u vCPUs on %u host PUs: some vCPUs share a PU", n, npu);
    return true;
}

bool run_prepare(struct run_info *ri, const struct cli_options *o)
{
    memset(ri, 0, sizeof(*ri));
    ri->opt = o;
    ri->status = "running";
    if (!paths_root(ri->root, sizeof(ri->root))) {
        hv_err("cannot determine the hvflush root directory; set HVFLUSH_ROOT");
        return false;
    }
    if (o->out)
        fmt(ri->out, sizeof(ri->out), "%s", o->out);
    else
        fmt(ri->out, sizeof(ri->out), "%s/results", ri->root);
    /* The lab's kernel is fetched last: every cheaper check comes first. */
    return load_sweep(ri, o) && find_guest(ri, o) && find_qemu(ri, o) &&
           choose_accel(ri, o) && plan_pinning(ri, o) &&
           (!ri->lab || lab_prepare_run(ri));
}

void run_release(struct run_info *ri)
{
    if (ri->pin_sets)
        pin_sets_free(ri->pin_sets, ri->vcpus);
    lab_release(ri);
    free(ri->pin_sets);
    free(ri->pin_map);
    if (ri->topo)
        hwloc_topology_destroy(ri->topo);
    qemu_argv_free(ri->qemu_argv);
    free(ri->configs);
    free(ri->sweep_text);
    collect_free(&ri->data);
    memset(ri, 0, sizeof(*ri));
}
