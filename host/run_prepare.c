/*
 * "hvflush run", part one: check the command line and resolve everything a
 * run needs before anything is written or started.  Every problem here is
 * an input error: one "hvflush: ..." line and exit status 2.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvm_pv.h"
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

/* A result line that is not an error but always printed. */
static void say(const char *line)
{
    fprintf(stderr, "hvflush: %s\n", line);
}

static bool sweep_has_hv(const struct run_info *ri)
{
    for (unsigned i = 0; i < ri->nconfigs; i++)
        if (strategy_needs_hyperv(ri->configs[i].strategy))   /* the baselines and
                                                                 hv-ipi-invlpg too */
            return true;
    return false;
}

/* The guest's CPU under KVM: the model, probed with the hv-* flags that
 * --hv asks for (none with --hv off).  False (bad input) when QEMU refuses
 * the model itself. */
static bool probe_kvm_cpu(struct run_info *ri, const struct cli_options *o,
                          const struct timing_class *tc)
{
    struct hv_qemu q = { .binary = ri->qemu, .accel = "kvm" };
    const char *model = o->cpu ? o->cpu : accel_default_cpu("kvm", tc);
    char err[HV_REASON_MAX], pv_model[256];

    /* kvm-pv configurations need kvm-pv-tlb-flush (host/kvm_pv.c). */
    model = kvm_pv_cpu_model(model, ri->configs, ri->nconfigs, pv_model, sizeof(pv_model));

    if (!hv_probe(&o->hv, model, hv_try_qemu, &q, &ri->hv, err, sizeof(err))) {
        hv_err("--cpu %s: QEMU refuses it under KVM: %s", model, err);
        return false;
    }
    /* Without KVM_CAP_HYPERV, QEMU takes hv-relaxed and the like but
     * leaves Hyper-V off: the guest would see none of them. */
    if (ri->kvm.cap_hyperv == 0 && ri->hv.naccepted)
        hv_result_refuse_all(&ri->hv, model, "KVM_CAP_HYPERV is 0: QEMU takes the flag but "
                             "turns Hyper-V off, the guest would not see it");
    if (o->hv.mode == HV_OFF) {
        char cpu[sizeof(ri->hv.cpu)];

        fmt(cpu, sizeof(cpu), "%s", ri->hv.cpu);
        hv_result_unused(&o->hv, cpu, "--hv off", &ri->hv);
    }
    return true;
}

/* The model under TCG (or L0's TCG, for the lab's L2 model): one probe
 * start, so that a model QEMU does not know is an input error. */
static bool probe_tcg_model(struct run_info *ri, const char *model, const char *why)
{
    struct hv_request none = { .mode = HV_OFF };
    struct hv_qemu q = { .binary = ri->qemu, .accel = "tcg" };
    char err[HV_REASON_MAX];

    if (!hv_probe(&none, model, hv_try_qemu, &q, &ri->hv, err, sizeof(err))) {
        hv_err("--cpu %s: QEMU refuses it: %s", model, err);
        return false;
    }
    hv_result_unused(&ri->opt->hv, model, why, &ri->hv);
    return true;
}

static bool choose_accel(struct run_info *ri, const struct cli_options *o)
{
    const struct timing_class *kvm_tc;
    const char *nested_in = getenv("HVFLUSH_NESTED_IN");
    bool virt;
    char err[256], line[1024];

    kvm_probe(&ri->kvm);
    virt = ri->kvm.host_vmx || ri->kvm.host_svm;
    /* Inside the lab's L1 the run is one level down: its figures carry
     * the outer run's timing class, and its CPU model comes from --cpu. */
    kvm_tc = nested_in && timing_class_by_name(nested_in) ? timing_class_by_name(nested_in)
                                                          : timing_class_for("kvm", virt);
    if (o->accel == ACCEL_AUTO) {
        struct accel_auto_input in = {
            .kvm_usable = ri->kvm.usable, .kvm_reason = ri->kvm.reason,
            .hv_off = o->hv.mode == HV_OFF, .sweep_has_hv = sweep_has_hv(ri),
        };

        if (ri->kvm.usable) {
            if (!probe_kvm_cpu(ri, o, kvm_tc))
                return false;
            in.kvm_hv_tlbflush = hv_result_accepted(&ri->hv, "hv-tlbflush");
            for (unsigned i = 0; i < ri->hv.nrefused; i++)
                if (!strcmp(ri->hv.refused[i].flag->name, "hv-tlbflush"))
                    in.hv_tlbflush_refusal = ri->hv.refused[i].reason;
        }
        ri->accel = accel_auto_choose(&in, ri->accel_why, sizeof(ri->accel_why));
        say(ri->accel_why);
        if (strcmp(ri->accel, "lab") && (o->lab_kernel || o->lab_vcpus ||
                                         o->lab_memory_mib != CLI_LAB_MEMORY_DEFAULT)) {
            hv_err("--lab-kernel, --lab-memory and --lab-vcpus apply to the lab, and "
                   "--accel auto chose %s here", ri->accel);
            return false;
        }
    } else {
        ri->accel = accel_resolve(o->accel, &ri->kvm, err, sizeof(err));
        if (!ri->accel) {
            hv_err("%s", err);
            return false;
        }
        if (!strcmp(ri->accel, "kvm") && !probe_kvm_cpu(ri, o, kvm_tc))
            return false;
    }
    ri->vcpus = o->smp;
    if (!strcmp(ri->accel, "lab")) {
        /* L2's model is checked here under TCG, except "host" (L1's own
         * CPU), which only a KVM takes: L1's run checks that one. */
        const char *l2_model = o->cpu ? o->cpu : LAB_L2_CPU_DEFAULT;

        if (!lab_plan_run(ri))
            return false;
        if (!strcmp(l2_model, "host") || !strncmp(l2_model, "host,", 5))
            hv_result_unused(&o->hv, l2_model, "decided by L1's run", &ri->hv);
        else if (!probe_tcg_model(ri, l2_model, "decided by L1's run"))
            return false;
    } else if (!strcmp(ri->accel, "tcg")) {
        ri->tc = timing_class_for("tcg", virt);
        if (!probe_tcg_model(ri, o->cpu ? o->cpu : accel_default_cpu("tcg", ri->tc),
                             "TCG has no Hyper-V"))
            return false;
        if (o->hv_given)
            say("--hv: TCG has no Hyper-V; the hv flags are not used");
    } else {
        ri->tc = kvm_tc;
        hv_result_line(&ri->hv, line, sizeof(line));
        say(line);
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
    char why[400];

    ri->topo = pin_load_host_topology();
    if (!ri->topo) {
        hv_err("cannot read the host topology with hwloc");
        return false;
    }
    ri->pin_sets = calloc(n, sizeof(*ri->pin_sets));
    ri->pin_map = calloc(n, sizeof(*ri->pin_map));
    if (!ri->pin_sets || !ri->pin_map ||
        !pin_plan_make(ri->topo, &o->pin_spec, n, ri->pin_sets, &ri->pin_plan, why,
                       sizeof(why))) {
        hv_err("--pin %s: cannot place %u vCPUs on this host: %s", o->pin_spec.text, n,
               ri->pin_sets && ri->pin_map ? why : "out of memory");
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
    run_guard_end(&ri->guard);
    if (ri->pin_sets)
        pin_sets_free(ri->pin_sets, ri->vcpus);
    lab_release(ri);
    free(ri->pin_sets);
    free(ri->pin_map);
    pin_plan_free(&ri->pin_plan);
    pin_outcome_free(&ri->pin_outcome);
    if (ri->topo)
        hwloc_topology_destroy(ri->topo);
    qemu_argv_free(ri->qemu_argv);
    free(ri->configs);
    free(ri->sweep_text);
    collect_free(&ri->data);
    memset(ri, 0, sizeof(*ri));
}
