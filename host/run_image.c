/*
 * "hvflush run --image FILE.iso [--firmware bios|uefi]": boots the portable
 * image (hvflush image) under QEMU the way a foreign hypervisor would: none
 * of run's devices (no fw_cfg sweep, no results area, no isa-debugcon, no
 * isa-debug-exit), the ISO as a CD-ROM, COM1 into RUN/serial.log, SeaBIOS
 * or OVMF.  The vCPUs are pinned as run pins them.  When QEMU exits (the
 * guest powers off through ACPI S5) or --timeout passes, RUN/serial.log is
 * imported into the same run directory (host/import.c): the records the
 * guest wrote decide the run, not how QEMU ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "import.h"
#include "paths.h"
#include "qmp.h"
#include "run.h"
#include "util.h"

#define IMAGE_QMP_SETUP_MS 15000
#define OVMF_PATH RUN_OVMF_PATH

static volatile sig_atomic_t image_interrupted, image_stop;

static void on_signal(int sig)
{
    (void)sig;
    image_interrupted = 1;
    image_stop = 1;
}

/* A guest without ACPI S5 ends with this console line and halts for ever
 * (docs: portable mode, "End"): the watch stops QEMU when it appears. */
#define HALTED_LINE "hvflush: halted"

struct halt_watch {
    char path[PATH_MAX + 32];
    long offset;                    /* bytes of serial.log already searched */
    char tail[sizeof(HALTED_LINE)]; /* the last bytes before offset, which the line */
    size_t ntail;                   /* may have begun in */
    bool halted;
};

/* qemu_watch tick (about every 100 ms): searches what serial.log gained,
 * byte-wise (a console log may hold NULs). */
static void halt_tick(void *ctx)
{
    struct halt_watch *w = ctx;
    const size_t want = strlen(HALTED_LINE);
    char buf[sizeof(w->tail) + 4096];
    size_t n, total;
    FILE *f;

    if (w->halted || !(f = fopen(w->path, "rb")))
        return;
    if (fseek(f, w->offset, SEEK_SET) == 0) {
        memcpy(buf, w->tail, w->ntail);
        while ((n = fread(buf + w->ntail, 1, sizeof(buf) - w->ntail, f)) > 0) {
            total = w->ntail + n;
            w->offset += (long)n;
            if (memmem(buf, total, HALTED_LINE, want)) {
                w->halted = true;
                image_stop = 1;
                break;
            }
            w->ntail = total < want - 1 ? total : want - 1;
            memcpy(w->tail, buf + total - w->ntail, w->ntail);
            memcpy(buf, w->tail, w->ntail);
        }
    }
    fclose(f);
}

/* The image's QEMU: the machine as run's, the devices as a plain VM's. */
static char **image_argv(const struct run_info *ri, const char *qmp_socket)
{
    const struct cli_options *o = ri->opt;
    struct argv_builder b = { NULL, 0, 0, false };
    bool kvm = !strcmp(ri->accel, "kvm");

    argv_add(&b, "%s", ri->qemu);
    argv_add(&b, "-name");
    argv_add(&b, "hvflush,debug-threads=on");
    argv_add(&b, "-machine");
    argv_add(&b, "pc");
    argv_add(&b, "-accel");
    argv_add(&b, "%s", kvm ? "kvm" : "tcg,thread=multi");
    argv_add(&b, "-cpu");
    argv_add(&b, "%s", ri->hv.cpu[0] ? ri->hv.cpu : kvm ? "qemu64" : "qemu64,+rdtscp");
    argv_add(&b, "-smp");
    argv_add(&b, "%u", o->smp);
    argv_add(&b, "-m");
    argv_add(&b, "%u", o->memory_mib);
    argv_add(&b, "-display");
    argv_add(&b, "none");
    argv_add(&b, "-nodefaults");
    argv_add(&b, "-vga");
    argv_add(&b, "none");
    argv_add(&b, "-no-reboot");
    if (o->firmware && !strcmp(o->firmware, "uefi")) {
        argv_add(&b, "-bios");
        argv_add(&b, "%s", OVMF_PATH);
    }
    argv_add(&b, "-cdrom");
    argv_add(&b, "%s", o->image);
    argv_add(&b, "-serial");
    argv_add(&b, "file:%s/serial.log", ri->run_dir);
    argv_add(&b, "-qmp");
    argv_add(&b, "unix:%s,server=on,wait=off", qmp_socket);
    argv_add(&b, "-S");
    return argv_finish(&b);
}

/* What run's options mean with --image; false after one "hvflush: ..." line. */
bool run_image_check_options(const struct cli_options *o)
{
    struct stat st;

    if (o->sweep_given) {
        hv_err("--sweep with --image: the sweep is in the image (hvflush image --sweep)");
        return false;
    }
    if (o->repeat > 1 || o->channel_debugcon) {
        hv_err("--image: %s is not available (one QEMU boot of the image)",
               o->repeat > 1 ? "--repeat" : "--channel debugcon");
        return false;
    }
    if (stat(o->image, &st) < 0 || !S_ISREG(st.st_mode) || access(o->image, R_OK) < 0) {
        hv_err("--image '%s': not a readable file", o->image);
        return false;
    }
    if (o->firmware && !strcmp(o->firmware, "uefi") && access(OVMF_PATH, R_OK) < 0) {
        hv_err("--firmware uefi: %s not found (Debian package: ovmf)", OVMF_PATH);
        return false;
    }
    return true;
}

/* Starts QEMU, pins, lets it run; the launch's problem, if any, in ri->reason. */
static void boot_image(struct run_info *ri)
{
    const char *tmp = getenv("TMPDIR");
    char tmpdir[PATH_MAX], sock[PATH_MAX + 16], path[PATH_MAX + 32], err[512] = "";
    long long deadline = mono_ms() + (long long)ri->opt->timeout_s * 1000;
    struct qemu_outcome outcome;
    struct qemu_proc proc;
    struct qmp q = { .fd = -1 };
    struct halt_watch halt = { .offset = 0 };
    struct qemu_watch watch = { .tick = halt_tick, .ctx = &halt };
    int console_fd;

    fmt(tmpdir, sizeof(tmpdir), "%s/hvflush-XXXXXX", tmp && *tmp && strlen(tmp) < 64 ? tmp
                                                                                   : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fmt(ri->reason, sizeof(ri->reason), "cannot create a temporary directory: %s",
            strerror(errno));
        return;
    }
    fmt(sock, sizeof(sock), "%s/qmp.sock", tmpdir);
    ri->qemu_argv = image_argv(ri, sock);
    fmt(halt.path, sizeof(halt.path), "%s/serial.log", ri->run_dir);
    /* QEMU's own stdout (nothing, with COM1 in serial.log) goes to console.log. */
    fmt(path, sizeof(path), "%s/console.log", ri->run_dir);
    console_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    fmt(path, sizeof(path), "%s/qemu.log", ri->run_dir);
    if (!ri->qemu_argv || console_fd < 0 ||
        !qemu_spawn(ri->qemu_argv, path, &proc, err, sizeof(err))) {
        fmt(ri->reason, sizeof(ri->reason), "cannot start QEMU: %s",
            err[0] ? err : strerror(errno));
        goto cleanup;
    }
    hv_note("started QEMU (%s, %s, %u vCPU%s, pin %s) on %s; run directory %s", ri->accel,
            ri->opt->firmware ? ri->opt->firmware : "bios", ri->opt->smp,
            ri->opt->smp == 1 ? "" : "s", ri->opt->pin_spec.text,
            paths_display(ri->opt->image), paths_display(ri->run_dir));
    long long setup_deadline = mono_ms() + IMAGE_QMP_SETUP_MS;
    if (setup_deadline > deadline)
        setup_deadline = deadline;
    if (!qmp_connect(&q, sock, proc.pid, setup_deadline, err, sizeof(err)) ||
        !run_setup_vcpus(ri, &q, setup_deadline, err, sizeof(err))) {
        qemu_kill(&proc, &outcome);
        fmt(ri->reason, sizeof(ri->reason), "QEMU setup failed: %s (see qemu.log)", err);
        goto cleanup;
    }
    qmp_close(&q);
    qemu_supervise_watch(&proc, console_fd, true, deadline, &image_stop, &watch, &outcome);
    /* An ACPI power-off and a triple fault both end QEMU with status 0
     * (-no-reboot): the imported records say which it was.  So does a
     * guest that halted without S5 (QEMU stopped by the watch). */
    if (halt.halted && !image_interrupted)
        hv_note("the guest halted without ACPI S5 ('%s'); QEMU stopped", HALTED_LINE);
    else if (outcome.timed_out)
        fmt(ri->reason, sizeof(ri->reason), "timeout after %u s", ri->opt->timeout_s);
    else if (outcome.interrupted)
        fmt(ri->reason, sizeof(ri->reason), "interrupted");
    else if (!outcome.exited || WIFSIGNALED(outcome.status) || WEXITSTATUS(outcome.status))
        qemu_outcome_ok(&outcome, ri->opt->timeout_s, ri->reason, sizeof(ri->reason));
cleanup:
    qmp_close(&q);
    if (console_fd >= 0)
        close(console_fd);
    unlink(sock);
    rmdir(tmpdir);
}

int run_image_command_at(const struct cli_options *o, char *run_dir, size_t cap)
{
    struct cli_options io_opt = *o;
    struct import_options io = { .foreign = false };
    struct import_scan scan;
    struct run_info ri;
    struct kvm_probe kvm;
    struct sigaction sa;
    char base[RUN_ID_MAX], err[512], path[PATH_MAX + 16];
    char *log = NULL;
    size_t len = 0;
    int rc;

    hv_set_quiet(o->quiet);
    if (!run_image_check_options(o))
        return 2;
    /* The image's sweep is unknown here: auto means KVM where it works. */
    if (io_opt.accel == ACCEL_AUTO) {
        kvm_probe(&kvm);
        io_opt.accel = kvm.usable ? ACCEL_KVM : ACCEL_TCG;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (!run_prepare(&ri, &io_opt)) {
        run_release(&ri);
        return 2;
    }
    ri.start = time(NULL);
    results_run_id(ri.start, ri.accel, o->smp, o->label, base, sizeof(base));
    if (!results_create_run_dir(ri.out, base, ri.run_id, sizeof(ri.run_id), ri.run_dir,
                                sizeof(ri.run_dir), err, sizeof(err))) {
        hv_err("%s", err);
        run_release(&ri);
        return 2;
    }
    if (run_dir && cap)
        fmt(run_dir, cap, "%s", ri.run_dir);
    boot_image(&ri);
    fmt(path, sizeof(path), "%s/serial.log", ri.run_dir);
    if (!read_file(path, &log, &len, IMPORT_LOG_MAX)) {
        log = strdup("");
        len = 0;
    }
    if (!log || !import_scan(log, len, &scan)) {
        hv_err("out of memory");
        free(log);
        run_release(&ri);
        return 1;
    }
    io.log_path = path;
    io.platform = NULL;
    rc = import_finish(&ri, &io, &scan, log, len);
    import_scan_free(&scan);
    free(log);
    json_decref(ri.import_meta);
    ri.import_meta = NULL;
    run_release(&ri);
    return rc;
}
