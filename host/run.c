/*
 * "hvflush run", part two: create the run directory, start QEMU paused,
 * pin its vCPU threads through QMP, let the guest run under a timeout, then
 * validate the records and write the results.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/conformance.h"
#include "paths.h"
#include "progress.h"
#include "qemu.h"
#include "qmp.h"
#include "analysis/ratio.h"
#include "analysis/analysis.h"
#include "analysis/noise.h"
#include "analysis/pairwise.h"
#include "run.h"
#include "guest_fault.h"
#include "run_watch.h"
#include "lab/l2_watch.h"
#include "import.h"
#include "analysis/summary.h"
#include "analysis/throughput.h"
#include "analysis/tsc_skew.h"
#include "util.h"
#include "analysis/verdicts.h"

#define QMP_SETUP_MS 15000

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Asks QEMU for its vCPU threads, pins them and resumes the guest. */
static bool setup_vcpus(struct run_info *ri, struct qmp *q, long long deadline,
                        char *err, size_t errcap)
{
    unsigned n = ri->vcpus;
    struct qmp_vcpu *vcpus = calloc(n, sizeof(*vcpus));
    long *tids = calloc(n, sizeof(*tids));
    json_t *ret = NULL;
    bool ok = false;
    int got;

    if (!vcpus || !tids) {
        fmt(err, errcap, "out of memory");
        goto out;
    }
    ret = qmp_execute(q, "query-cpus-fast", deadline, err, errcap);
    if (!ret)
        goto out;
    got = qmp_parse_cpus(ret, vcpus, n);
    if (got != (int)n) {
        fmt(err, errcap, "query-cpus-fast: expected %u vCPUs with thread ids, got %s", n,
            got < 0 ? "a malformed or longer reply" : "fewer");
        goto out;
    }
    for (unsigned i = 0; i < n; i++)
        tids[i] = vcpus[i].thread_id;
    ri->pin_mapped = n;
    if (!pin_apply(ri->topo, ri->pin_sets, tids, n, ri->pin_map, err, errcap))
        goto out;
    pin_settle(ri->topo, &ri->pin_plan, ri->pin_sets, tids, n, &ri->pin_outcome);
    json_decref(ret);
    ret = qmp_execute(q, "cont", deadline, err, errcap);
    ok = ret != NULL;
out:
    json_decref(ret);
    free(vcpus);
    free(tids);
    return ok;
}

/* The last non-empty line of QEMU's stderr, which usually says why it
 * refused to start. */
static void last_log_line(const char *path, char *out, size_t cap)
{
    char *text = NULL, *end;
    size_t len;

    out[0] = '\0';
    if (!read_file(path, &text, &len, 1 << 20))
        return;
    while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
        text[--len] = '\0';
    end = strrchr(text, '\n');
    fmt(out, cap, "%s", end ? end + 1 : text);
    free(text);
}

/* Lets QEMU run under the watchdogs (--timeout here, --stall-timeout and
 * the lab's L2 watchdog in run_watch.h), with the progress line, sampling
 * the host's load into ri->hostload. */
static void supervise(struct run_info *ri, struct qemu_proc *proc, int serial_fd,
                      long long deadline, struct qemu_outcome *outcome)
{
    struct run_watch rw;
    struct qemu_watch watch;
    /* The run directory's watch wraps the others (run_guard.h). */
    struct qemu_watch guarded = {
        .tick = run_guard_watch_tick, .before_echo = run_guard_watch_clear, .ctx = &ri->guard,
    };

    run_watch_start(&rw, &watch, ri, proc->pid, outcome, &interrupted);
    ri->guard.inner = &watch;
    ri->guard.stop = &rw.stop;
    qemu_supervise_watch(proc, serial_fd, ri->opt->quiet, deadline, &rw.stop, &guarded,
                         outcome);
    ri->guard.inner = NULL;
    run_watch_finish(&rw, ri);
}

/* Runs QEMU from start to exit; on failure leaves the reason in ri->reason. */
static void execute(struct run_info *ri)
{
    const char *tmp = getenv("TMPDIR");
    char tmpdir[PATH_MAX], sock[PATH_MAX + 16], path[PATH_MAX + 32], err[512];
    struct qemu_params params = {
        .binary = ri->qemu, .accel = ri->accel, .cpu = ri->hv.cpu, .smp = ri->opt->smp,
        .memory_mib = ri->opt->memory_mib, .guest = ri->guest, .run_dir = ri->run_dir,
        .qmp_socket = sock,
        .ram_path = ri->channels.area_planned ? ri->channels.ram_path : NULL,
        .area_gpa = ri->channels.gpa, .area_size = ri->channels.size,
    };
    long long deadline = mono_ms() + (long long)ri->opt->timeout_s * 1000;
    struct qemu_outcome outcome;
    struct qemu_proc proc;
    struct qmp q = { .fd = -1 };
    int serial_fd;

    /* The QMP socket's directory: $TMPDIR (a Unix socket path is short). */
    fmt(tmpdir, sizeof(tmpdir), "%s/hvflush-XXXXXX", tmp && *tmp && strlen(tmp) < 64 ? tmp
                                                                                   : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fmt(ri->reason, sizeof(ri->reason), "cannot create a temporary directory: %s",
            strerror(errno));
        return;
    }
    fmt(sock, sizeof(sock), "%s/qmp.sock", tmpdir);
    err[0] = '\0';
    /* In the lab the host starts L0; L1 runs hvflush itself (RUN/lab/lab.env). */
    ri->qemu_argv = ri->lab ? lab_start(ri, sock, err, sizeof(err)) : qemu_build_argv(&params);
    fmt(path, sizeof(path), "%s/serial.log", ri->run_dir);
    serial_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    fmt(path, sizeof(path), "%s/qemu.log", ri->run_dir);
    if (!ri->qemu_argv || serial_fd < 0 ||
        !qemu_spawn(ri->qemu_argv, path, &proc, err, sizeof(err))) {
        fmt(ri->reason, sizeof(ri->reason), "cannot start QEMU: %s",
            (ri->qemu_argv || err[0]) && serial_fd >= 0 ? err : strerror(errno));
        goto cleanup;
    }
    if (ri->lab)
        hv_note("started the lab: L0 QEMU (%s, %u vCPU%s, pin %s) → L1 Linux %s (%s) "
                "running hvflush run --accel kvm → L2 guest (%u vCPU%s); run directory %s", ri->lab->l0_accel, ri->vcpus,
                ri->vcpus == 1 ? "" : "s", ri->opt->pin_spec.text,
                ri->lab->k.release, ri->lab->kvm_module, ri->opt->smp,
                ri->opt->smp == 1 ? "" : "s", paths_display(ri->run_dir));
    else
        hv_note("started QEMU (%s, %u vCPU%s, pin %s); run directory %s", ri->accel,
                ri->opt->smp, ri->opt->smp == 1 ? "" : "s", ri->opt->pin_spec.text,
                paths_display(ri->run_dir));

    long long setup_deadline = mono_ms() + QMP_SETUP_MS;
    if (setup_deadline > deadline)
        setup_deadline = deadline;
    if (!qmp_connect(&q, sock, proc.pid, setup_deadline, err, sizeof(err)) ||
        !setup_vcpus(ri, &q, setup_deadline, err, sizeof(err))) {
        char last[256];

        qemu_kill(&proc, &outcome);
        last_log_line(path, last, sizeof(last));
        fmt(ri->reason, sizeof(ri->reason), "QEMU setup failed: %s%s%s", err,
            last[0] ? "; qemu.log: " : " (see qemu.log)", last);
        goto cleanup;
    }
    qmp_close(&q);
    /* QMP is done with: the socket's directory goes now, so that even an
     * hvflush killed with SIGKILL later (QEMU dies with it) leaves no
     * temporary file behind. */
    unlink(sock);
    rmdir(tmpdir);
    long long started = mono_ms();
    supervise(ri, &proc, serial_fd, deadline, &outcome);
    if (ri->lab) {
        ri->lab->l0_ms = mono_ms() - started;
        lab_outcome(ri, &outcome, ri->reason, sizeof(ri->reason));
        if (ri->lab->l2_stalled)
            lab_stall_reason(ri, ri->reason, sizeof(ri->reason));
    } else {
        qemu_outcome_ok(&outcome, ri->opt->timeout_s, ri->reason, sizeof(ri->reason));
        if (ri->stalled)
            fmt(ri->reason, sizeof(ri->reason), "stalled: the guest wrote nothing for %u s "
                "(--stall-timeout)", ri->opt->stall_timeout_s);
    }
cleanup:
    qmp_close(&q);
    if (serial_fd >= 0)
        close(serial_fd);
    unlink(sock);
    rmdir(tmpdir);
}

/* Writes sweep.txt, the exact text the guest receives through fw_cfg. */
static bool write_sweep(struct run_info *ri)
{
    char path[PATH_MAX + 16];

    fmt(path, sizeof(path), "%s/sweep.txt", ri->run_dir);
    if (write_file(path, ri->sweep_text, ri->sweep_len))
        return true;
    hv_err("cannot write %s: %s%s", path, strerror(errno),
           ri->repeat.boots ? "" : " (run directory removed; nothing was run)");
    return false;
}

/* --repeat: boots 2..R of the same sweep, each in RUN/boot-N with its own
 * records and logs; their p50s join boot 1's in ri->repeat.  A boot that
 * failed is counted and named in the run's reason. */
static void run_more_boots(struct run_info *ri)
{
    char top[PATH_MAX], reason[sizeof(ri->reason)], records[PATH_MAX + 16];
    struct channel_report first = ri->channels;
    struct repeat_table *t = &ri->repeat;

    fmt(top, sizeof(top), "%s", ri->run_dir);
    fmt(reason, sizeof(reason), "%s", ri->reason);
    for (unsigned b = 1; b < t->boots && !interrupted; b++) {
        struct run_data bd;

        fmt(ri->run_dir, sizeof(ri->run_dir), "%s/boot-%u", top, b + 1);
        ri->reason[0] = '\0';
        if (mkdir(ri->run_dir, 0755) != 0 || !write_sweep(ri) ||
            !collect_init(&bd, ri->configs, ri->nconfigs, ri->opt->smp)) {
            fmt(ri->reason, sizeof(ri->reason), "cannot prepare %s", ri->run_dir);
        } else {
            hv_note("boot %u of %u (%s)", b + 1, t->boots, paths_display(ri->run_dir));
            channels_plan(&ri->channels, ri->run_dir, ri->opt->memory_mib);
            ri->channels.area_planned &= first.area_planned;
            execute(ri);
            channels_merge(&ri->channels, ri->run_dir, &bd);
            fmt(records, sizeof(records), "%s/records.txt", ri->run_dir);
            collect_file(&bd, records);
            if (bd.failed && !ri->reason[0])
                fmt(ri->reason, sizeof(ri->reason), "%s", bd.reason);
            repeat_add_boot(t, b, &bd);
            collect_free(&bd);
        }
        if (ri->reason[0] && t->failed_boots++ == 0)
            fmt(t->first_failure, sizeof(t->first_failure), "boot %u: %s", b + 1, ri->reason);
    }
    fmt(ri->run_dir, sizeof(ri->run_dir), "%s", top);
    fmt(ri->reason, sizeof(ri->reason), "%s", reason);
    ri->channels = first;
    if (t->failed_boots)
        append(ri->reason, sizeof(ri->reason), "%s%u of %u boots failed (%s)",
               ri->reason[0] ? "; " : "", t->failed_boots, t->boots, t->first_failure);
}

bool run_setup_vcpus(struct run_info *ri, struct qmp *q, long long deadline, char *err,
                     size_t errcap)
{
    return setup_vcpus(ri, q, deadline, err, errcap);
}

int run_command(const struct cli_options *o)
{
    return run_command_at(o, NULL, 0);
}

int run_command_at(const struct cli_options *o, char *run_dir, size_t cap)
{
    struct run_info ri;
    char base[RUN_ID_MAX], err[512] = "", records[PATH_MAX + 16];
    int rc;

    if (run_dir && cap)
        run_dir[0] = '\0';
    if (o->image && o->accel != ACCEL_LAB)
        return run_image_command_at(o, run_dir, cap);
    if (o->image && !run_image_check_options(o))
        return 2;
    hv_set_quiet(o->quiet);
    /* From here on a signal stops the run in an orderly way, also while
     * the lab's kernel is being fetched (which can take a while). */
    catch_signals();
    if (!run_prepare(&ri, o)) {
        run_release(&ri);
        return 2;
    }
    if (ri.lab && o->repeat > 1) {
        hv_err("--repeat %u: not available in the lab (one boot per run there)", o->repeat);
        run_release(&ri);
        return 2;
    }
    if (interrupted) {
        hv_err("interrupted before the run started; nothing written");
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
    if (!run_guard_begin(&ri.guard, ri.run_dir)) {
        hv_err("cannot open run directory %s: %s", ri.run_dir, strerror(errno));
        run_release(&ri);
        return 1;
    }
    if (!collect_init(&ri.data, ri.configs, ri.nconfigs, o->smp)) {
        hv_err("out of memory");
        run_release(&ri);
        return 1;
    }
    channels_plan(&ri.channels, ri.run_dir, o->memory_mib);
    /* The lab's L1 runs on a 9p run directory, which QEMU cannot map shared. */
    if (o->channel_debugcon || ri.lab || getenv("HVFLUSH_NESTED_IN")) {
        ri.channels.area_planned = false;
        fmt(ri.channels.no_area_why, sizeof(ri.channels.no_area_why), "%s",
            ri.lab ? "the lab: L1's run reports L2's channels" :
            o->channel_debugcon ? "--channel debugcon" : "L1 of the lab (run directory on 9p)");
    }
    if (!write_sweep(&ri) || !meta_write(&ri, err, sizeof(err))) {
        /* Nothing ran: the directory goes again (run_store.h). */
        if (err[0])
            hv_err("%s (run directory removed; nothing was run)", err);
        run_store_discard(ri.run_dir);
        run_release(&ri);
        return 1;
    }
    execute(&ri);
    /* The lab's intermittent L2 stall: one more attempt, its logs kept. */
    if (ri.lab && ri.lab->l2_stalled && !interrupted) {
        hv_err("%s; trying once more (logs kept in RUN/lab-attempt-1)", ri.reason);
        if (lab_keep_stalled_attempt(&ri, 1)) {
            ri.reason[0] = '\0';
            execute(&ri);
        }
    }
    /* An image in the lab: the sweep is the one L1's import found. */
    if (ri.lab && o->image)
        lab_adopt_image_sweep(&ri);
    channels_merge(&ri.channels, ri.run_dir, &ri.data);
    fmt(records, sizeof(records), "%s/records.txt", ri.run_dir);
    collect_file(&ri.data, records);
    if (o->repeat > 1 && repeat_init(&ri.repeat, o->repeat, ri.nconfigs)) {
        repeat_add_boot(&ri.repeat, 0, &ri.data);
        run_more_boots(&ri);
    }
    rc = run_finish(&ri);
    repeat_free(&ri.repeat);
    if (run_dir)
        fmt(run_dir, cap, "%s", ri.run_dir);
    run_release(&ri);
    return rc;
}
