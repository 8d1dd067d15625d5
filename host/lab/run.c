/*
 * The nested lab's part of "hvflush run --accel lab" (see lab.h and run.h):
 * plan L0 and L1, prepare the kernel, write the files L1 reads, and after
 * L0 has exited, turn what L1 left in RUN/lab into the run's outcome and
 * meta.json's "lab" section.  L0 exits normally when L1 powers off, so L2's
 * exit status (RUN/lab/l2-status) decides, not L0's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "paths.h"
#include "run.h"
#include "util.h"

#define L1_ERROR_MARK "HVFLUSH-L1-ERROR: "

/* Whether KVM module m has nested virtualization turned on. */
static bool nested_enabled(const char *m)
{
    char path[96], *text = NULL;
    size_t len;
    bool on;

    fmt(path, sizeof(path), "/sys/module/%s/parameters/nested", m);
    if (!read_file(path, &text, &len, 64))
        return false;
    on = text[0] == 'Y' || text[0] == '1';
    free(text);
    return on;
}

void lab_choose_l0(bool kvm_usable, bool host_vmx, bool host_svm, bool nested_on,
                   struct lab_plan *lab)
{
    if (kvm_usable && (host_vmx || host_svm) && nested_on) {
        lab->l0_accel = "kvm";
        lab->kvm_module = host_vmx ? "kvm_intel" : "kvm_amd";
        fmt(lab->l0_cpu, sizeof(lab->l0_cpu), "host");
    } else {
        lab->l0_accel = "tcg";
        lab->kvm_module = "kvm_amd";
        fmt(lab->l0_cpu, sizeof(lab->l0_cpu), "qemu64,+svm,+npt");
    }
}

bool lab_plan_run(struct run_info *ri)
{
    const struct cli_options *o = ri->opt;
    const char *cpu = getenv("HVFLUSH_LAB_L0_CPU");
    struct lab_plan *lab = calloc(1, sizeof(*lab));
    bool vmx = ri->kvm.host_vmx;

    if (!lab) {
        hv_err("out of memory");
        return false;
    }
    ri->lab = lab;
    lab->l1_run_status = -1;
    lab_choose_l0(ri->kvm.usable, vmx, ri->kvm.host_svm,
                  nested_enabled(vmx ? "kvm_intel" : "kvm_amd"), lab);
    /* For diagnosis and tests: another L0 CPU model (e.g. one without SVM). */
    if (cpu && *cpu)
        fmt(lab->l0_cpu, sizeof(lab->l0_cpu), "%s", cpu);
    ri->tc = timing_class_for("lab", !strcmp(lab->l0_accel, "kvm"));

    /* A target vCPU that L1 deschedules keeps its stale TLB entries: L2's
     * vCPUs must each have one of L1's. */
    lab->l1_vcpus = o->lab_vcpus ? o->lab_vcpus : (o->smp > 2 ? o->smp : 2);
    lab->l1_memory_mib = o->lab_memory_mib;
    ri->vcpus = lab->l1_vcpus;
    if (o->smp > lab->l1_vcpus) {
        hv_err("--smp %u is more than L1's %u vCPUs (--lab-vcpus): every L2 vCPU needs "
               "an L1 vCPU of its own", o->smp, lab->l1_vcpus);
        return false;
    }
    if (o->memory_mib + 256 > lab->l1_memory_mib) {
        hv_err("--memory %u MiB does not fit L1's --lab-memory %u MiB (L1 needs about "
               "256 MiB of its own)", o->memory_mib, lab->l1_memory_mib);
        return false;
    }
    return true;
}

/* Replaces path by its absolute, symlink-free form: L1 sees the host's
 * root under /host, where absolute symlinks would point into L1's own. */
static bool make_real(char *path, size_t cap, const char *what)
{
    char real[PATH_MAX];

    if (!realpath(path, real) || !fmt(path, cap, "%s", real)) {
        hv_err("%s '%s': %s", what, path, strerror(errno));
        return false;
    }
    return true;
}

bool lab_prepare_run(struct run_info *ri)
{
    char out[PATH_MAX];

    if (!make_real(ri->guest, sizeof(ri->guest), "guest image") ||
        !make_real(ri->qemu, sizeof(ri->qemu), "QEMU binary"))
        return false;
    if (ri->opt->image) {
        fmt(ri->lab->image, sizeof(ri->lab->image), "%s", ri->opt->image);
        if (!make_real(ri->lab->image, sizeof(ri->lab->image), "--image"))
            return false;
    }
    /* The results directory may not exist yet: only make it absolute. */
    if (ri->out[0] != '/') {
        char cwd[PATH_MAX];

        if (!getcwd(cwd, sizeof(cwd)) || !fmt(out, sizeof(out), "%s/%s", cwd, ri->out)) {
            hv_err("cannot make the results directory '%s' absolute", ri->out);
            return false;
        }
        fmt(ri->out, sizeof(ri->out), "%s", out);
    }
    return lab_prepare(ri->root, ri->opt->lab_kernel, ri->lab->kvm_module, ri->opt->quiet,
                       &ri->lab->k) && lab_view_prepare(ri);
}

/* Writes text to RUN/lab/name with the given mode. */
static bool write_lab_file(const struct run_info *ri, const char *name, const char *text,
                           mode_t mode, char *err, size_t errcap)
{
    char path[PATH_MAX + 32];

    fmt(path, sizeof(path), "%s/lab/%s", ri->run_dir, name);
    if (!text || !write_file(path, text, strlen(text)) || chmod(path, mode) < 0) {
        fmt(err, errcap, "cannot write %s: %s", path, text ? strerror(errno) : "out of memory");
        return false;
    }
    return true;
}

char **lab_start(struct run_info *ri, const char *qmp_socket, char *err, size_t errcap)
{
    struct lab_plan *lab = ri->lab;
    char hvflush[PATH_MAX], hv[512], dir[PATH_MAX + 32], *env;
    struct lab_l1_run_params l1 = {
        .hvflush = hvflush, .run_dir = ri->run_dir, .guest = ri->guest, .qemu = ri->qemu,
        .smp = ri->opt->smp, .memory_mib = ri->opt->memory_mib,
        .timeout_s = ri->opt->timeout_s, .hv = hv,
        .pin = pin_spec_inner_text(&ri->opt->pin_spec),
        .cpu = ri->opt->cpu, .quiet = ri->opt->quiet,
        .image = lab->image[0] ? lab->image : NULL, .firmware = ri->opt->firmware,
    };
    struct lab_l0_params l0 = {
        .binary = ri->qemu, .accel = lab->l0_accel, .cpu = lab->l0_cpu,
        .vcpus = lab->l1_vcpus, .memory_mib = lab->l1_memory_mib,
        .kernel = lab->k.kernel, .initramfs = lab->k.initramfs,
        .run_dir = ri->run_dir, .qmp_socket = qmp_socket, .host_view = lab->view,
    };
    bool ok;

    /* The run directory is mounted at its own path inside L1's view of
     * the host's root: that path must be the real one, and so must the
     * path of the hvflush that L1 runs. */
    if (!make_real(ri->run_dir, sizeof(ri->run_dir), "run directory"))
        return fmt(err, errcap, "cannot resolve the run directory"), NULL;
    if (!realpath("/proc/self/exe", hvflush))
        return fmt(err, errcap, "cannot find the hvflush executable: %s", strerror(errno)),
               NULL;
    hv_request_name(&ri->opt->hv, hv, sizeof(hv));
    fmt(dir, sizeof(dir), "%s/lab", ri->run_dir);
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return fmt(err, errcap, "cannot create %s: %s", dir, strerror(errno)), NULL;
    lab->l1_run_argv = lab_l1_run_argv(&l1);
    env = lab->l1_run_argv ? lab_env_text(ri->run_dir, lab->kvm_module, ri->tc->name,
                                          lab->l1_run_argv) : NULL;
    ok = write_lab_file(ri, "lab.env", env, 0644, err, errcap) &&
         lab_view_start(ri, hvflush, err, errcap);
    free(env);
    return ok ? lab_l0_argv(&l0) : NULL;
}

enum part { FIRST_LINE, LAST_LINE, WHOLE };

/* A part of RUN/lab/name, or "" (trailing newlines dropped). */
static void read_lab_line(const struct run_info *ri, const char *name, char *out, size_t cap,
                          enum part part)
{
    const char *from;
    char path[PATH_MAX + 32], *text = NULL;
    size_t len;

    out[0] = '\0';
    fmt(path, sizeof(path), "%s/lab/%s", ri->run_dir, name);
    if (!read_file(path, &text, &len, 1 << 16))
        return;
    while (len && text[len - 1] == '\n')
        text[--len] = '\0';
    if (part == FIRST_LINE)
        text[strcspn(text, "\n")] = '\0';
    from = part == LAST_LINE && strrchr(text, '\n') ? strrchr(text, '\n') + 1 : text;
    fmt(out, cap, "%s", from);
    free(text);
}

/* The first (or last) line of serial.log that starts with mark, without
 * it; out is left alone when there is none. */
static void console_line(const struct run_info *ri, const char *mark, bool last, char *out,
                         size_t cap)
{
    char path[PATH_MAX + 16], *text = NULL, *found = NULL;
    size_t len;

    fmt(path, sizeof(path), "%s/serial.log", ri->run_dir);
    if (!read_file(path, &text, &len, 0))
        return;
    for (char *p = strstr(text, mark); p; p = strstr(p + 1, mark)) {
        if (p != text && p[-1] != '\n')
            continue;
        found = p;
        if (!last)
            break;
    }
    if (found) {
        found += strlen(mark);
        fmt(out, cap, "%.*s", (int)strcspn(found, "\r\n"), found);
    }
    free(text);
}

/* An error L1 reported before it could write into the run directory: the
 * marked line in serial.log. */
static void console_error(const struct run_info *ri, char *out, size_t cap)
{
    console_line(ri, L1_ERROR_MARK, false, out, cap);
}

/* RUN/lab/l1-times: "EVENT SECONDS" lines into {"EVENT": SECONDS}. */
static json_t *read_times(const struct run_info *ri, char *last, size_t cap)
{
    char text[2048], *save = NULL;
    json_t *times = json_object();

    read_lab_line(ri, "l1-times", text, sizeof(text), WHOLE);
    last[0] = '\0';
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char event[32];
        double s;

        if (sscanf(line, "%31s %lf", event, &s) == 2) {
            json_object_set_new(times, event, json_real(s));
            fmt(last, cap, "%s", event);
        }
    }
    return times;
}

bool lab_outcome(struct run_info *ri, const struct qemu_outcome *o, char *why, size_t cap)
{
    struct lab_plan *lab = ri->lab;
    char status[16], last_event[32], console_message[512];
    const char *inner_reason;

    lab->l1_times = read_times(ri, last_event, sizeof(last_event));
    read_lab_line(ri, "l1-error", lab->l1_error, sizeof(lab->l1_error), FIRST_LINE);
    if (!lab->l1_error[0])
        console_error(ri, lab->l1_error, sizeof(lab->l1_error));
    read_lab_line(ri, "l1-run-status", status, sizeof(status), FIRST_LINE);
    if (status[0])
        lab->l1_run_status = atoi(status);
    /* Whatever L1's run got to write is adopted, also from a failed run. */
    lab_adopt_l1_run(ri);

    /* L0 itself did not end normally: the watchdog, a signal, a crash. */
    if (o->timed_out || o->interrupted || !o->exited || WIFSIGNALED(o->status)) {
        qemu_outcome_ok(o, ri->opt->timeout_s, why, cap);
        if (lab->l1_error[0])
            append(why, cap, "; %s", lab->l1_error);
        else if (last_event[0])
            append(why, cap, " (L1 got as far as '%s', see RUN/lab/l1-times)", last_event);
        else if (!o->interrupted)
            lab_l1_never_up(ri, why, cap);
        return false;
    }
    if (WEXITSTATUS(o->status) != 0) {
        fmt(why, cap, "lab: L0 QEMU exited with status %d (see qemu.log)",
            WEXITSTATUS(o->status));
        return false;
    }
    if (lab->l1_error[0])
        return fmt(why, cap, "%s", lab->l1_error), false;
    if (lab->l1_run_status < 0 && !last_event[0])
        return why[0] = '\0', lab_l1_never_up(ri, why, cap), false;
    if (lab->l1_run_status < 0)
        return fmt(why, cap, "lab: L1 stopped before its hvflush run finished (no "
                   "lab/l1-run-status; last L1 step '%s'; see serial.log)",
                   last_event[0] ? last_event : "none"), false;
    /* 3: L1's run completed and a verdict is fail or error; the outer run
     * reaches the same exit status from the adopted records. */
    if (lab->l1_run_status == 0 || lab->l1_run_status == 3)
        return true;
    /* Its reason: from its meta.json, or (bad input: it wrote nothing)
     * its last "hvflush: " line on L1's console. */
    inner_reason = json_string_value(json_object_get(lab->inner_meta, "reason"));
    console_message[0] = '\0';
    if (!inner_reason)
        console_line(ri, "hvflush: ", true, console_message, sizeof(console_message));
    fmt(why, cap, "lab: L1's run (exit status %d): %s", lab->l1_run_status,
        inner_reason ? inner_reason : console_message[0] ? console_message
                                    : "see serial.log");
    return false;
}
