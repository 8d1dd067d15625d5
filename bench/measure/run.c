/*
 * The guest's sweep driver: read the sweep from fw_cfg (else from the boot
 * module `sweep`: portable mode, bootinfo.h), describe the
 * platform, calibrate, then measure and verify every configuration, in the
 * order sweep_order() gives (the expansion order, or a shuffle when the
 * sweep carries a seed), emitting records as it goes and ending with the
 * end record (the host checks that order: run_index).  Latency and the
 * effect probe run on the configuration's initiator with the targets
 * sweep_placement() chose; the hypercall precision checks still run with
 * CPU 0 as the initiator and CPUs 1..n as the targets (the config record
 * says so: precision_initiator, precision_target_cpus).
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/string.h>
#include <guest/hv.h>
#include <guest/percpu.h>
#include <guest/platform.h>
#include <bench/timing.h>
#include <bench/ci_target.h>
#include "measure.h"
#include "baseline.h"
#include "hypercall.h"
#include "kick.h"
#include "shootdown.h"
#include "space.h"
#include "throughput.h"
#include "portable.h"

/* TLFS: HV_PARTITION_PRIVILEGE_MASK bit 11 AccessFrequencyRegs grants
 * HV_X64_MSR_TSC_FREQUENCY, the TSC rate in Hz. */
#define HV_PRIV_ACCESS_FREQUENCY_REGS (1ull << 11)
#define HV_X64_MSR_TSC_FREQUENCY      0x40000022u

static char sweep_text[SWEEP_TEXT_MAX + 1];
static struct sweep sweep;
static struct sweep_config configs[SWEEP_CONFIGS_MAX];
static uint32_t order[SWEEP_CONFIGS_MAX];
static uint32_t target_cpus[MAX_CPUS];
static uint32_t precision_cpus[MAX_CPUS];

/* Where the hypervisor grants the frequency MSRs, the TSC rate comes from
 * HV_X64_MSR_TSC_FREQUENCY instead of the calibration tsc_init() made
 * (tsc_src=hv-msr).  The read is guarded like every synthetic MSR access
 * (hv_safe_rdmsr: a #GP is caught, and the calibrated rate stays). */
static void tsc_from_hyperv(void)
{
    uint64_t hz = 0;
    int fault;

    if (!(hv_info.privileges & HV_PRIV_ACCESS_FREQUENCY_REGS))
        return;
    fault = hv_safe_rdmsr(HV_X64_MSR_TSC_FREQUENCY, &hz);
    if (fault || hz == 0) {
        printk("tsc: HV_X64_MSR_TSC_FREQUENCY unusable (vector %d, value %llu); keeping %s\n",
               fault, (unsigned long long)hz, tsc_info.source);
        return;
    }
    printk("tsc: %llu Hz from HV_X64_MSR_TSC_FREQUENCY (%s said %llu Hz)\n",
           (unsigned long long)hz, tsc_info.source, (unsigned long long)tsc_info.hz);
    tsc_info.hz = hz;
    tsc_info.source = "hv-msr";
}

static void emit_platform(void)
{
    static char missing[RECORD_LINE_MAX / 2];
    char vendor[13], hv[13];
    unsigned i;

    cpu_vendor(vendor);
    if (!hypervisor_signature(hv))
        snprintk(hv, sizeof(hv), "none");
    record_begin(&records, "platform");
    record_u64(&records, "cpus", nr_cpus);
    record_str(&records, "apic", apic_mode_name());
    record_str(&records, "vendor", vendor);
    record_str(&records, "hv", hv);
    record_u64(&records, "tsc_hz", tsc_info.hz);
    record_str(&records, "tsc_src", tsc_info.source);
    record_u64(&records, "tsc_invariant", tsc_info.invariant);
    cpus_missing_list(missing, sizeof(missing));
    record_str(&records, "missing", missing);
    record_finish(&records);
    emit_hypervisor();
    for (i = 0; i < nr_cpus; i++) {
        record_begin(&records, "cpu");
        record_u64(&records, "idx", i);
        record_u64(&records, "apic_id", percpu_of(i)->apic_id);
        record_u64(&records, "online", cpu_online(i));
        record_finish(&records);
    }
}

/* Deliberate failures, for tests of the host's failure handling. */
static void inject_fault(enum sweep_inject what)
{
    bench_inject = what;              /* skip-flush, hv-wrong-mask: acted on later */
    if (what == INJECT_NONE)
        return;
    printk("hvflush guest: injecting fault '%s' as the sweep asks\n", sweep_inject_name(what));
    switch (what) {
    case INJECT_PAGE_FAULT:
        (void)*(volatile uint64_t *)0x0000123400000000ull;   /* unmapped */
        break;
    case INJECT_HANG:
        irq_disable();
        for (;;)
            cpu_relax();
    case INJECT_NO_END:
        guest_exit(GUEST_EXIT_SUCCESS);
    default:
        break;
    }
}

static void emit_timer(void)
{
    struct timer_overhead t;

    timer_measure_overhead(&t);
    record_begin(&records, "timer");
    record_u64(&records, "overhead", t.p50);
    record_u64(&records, "min", t.min);
    record_u64(&records, "p1", t.p1);
    record_u64(&records, "p50", t.p50);
    record_u64(&records, "p99", t.p99);
    record_u64(&records, "n", t.n);
    record_str(&records, "open", "lfence-rdtsc-lfence");
    record_str(&records, "close", cpu_has_rdtscp ? "rdtscp-lfence" : "lfence-rdtsc-lfence");
    record_str(&records, "lfence_serializing", cpu_lfence_serializing());
    record_finish(&records);
    printk("timer overhead: p50=%llu min=%llu p1=%llu p99=%llu cycles (subtracted from every "
           "sample); lfence serializing: %s\n", (unsigned long long)t.p50,
           (unsigned long long)t.min, (unsigned long long)t.p1, (unsigned long long)t.p99,
           cpu_lfence_serializing());
}

static void emit_config(const struct sweep_config *c, const char *label, uint32_t placed)
{
    static char list[RECORD_LINE_MAX / 2];
    uint32_t t;

    record_begin(&records, "config");
    record_u64(&records, "id", c->id);
    record_str(&records, "label", label);
    record_str(&records, "strategy", strategy_name(c->strategy));
    record_str(&records, "flush", flush_op_name(c->flush));
    record_u64(&records, "pages", c->pages);
    record_u64(&records, "targets", c->targets);
    record_str(&records, "state", target_state_name(c->state));
    record_str(&records, "input", hv_input_name(c->input));
    record_str(&records, "scope", flush_scope_name(c->scope));
    record_u64(&records, "nonglobal", c->nonglobal);
    record_str(&records, "procs", proc_set_name(c->procs));
    record_u64(&records, "samples", c->samples);
    record_u64(&records, "warmup", c->warmup);
    record_u64(&records, "initiator", c->initiator);
    record_str(&records, "placement", placement_name(c->placement));
    cpu_list_format(target_cpus, placed, list, sizeof(list));
    record_str(&records, "target_cpus", list);
    if (config_has_precision(c)) {
        /* precision.c: CPU 0 and CPUs 1..targets, whatever the placement. */
        for (t = 0; t < c->targets; t++)
            precision_cpus[t] = t + 1;
        cpu_list_format(precision_cpus, c->targets, list, sizeof(list));
        record_u64(&records, "precision_initiator", 0);
        record_str(&records, "precision_target_cpus", list);
    }
    record_u64(&records, "spaces", c->spaces);
    record_u64(&records, "pcid", c->pcid);
    record_u64(&records, "global", c->global);
    record_u64(&records, "large", c->large);
    /* Target sets and patterns (bench/sweep_targets.c, placement.c). */
    record_str(&records, "target_set", target_set_name(c->target_set));
    sweep_placement_text(c, list, sizeof(list));
    record_str(&records, "pattern", list);
    record_str(&records, "ipi_call", ipi_call_name(c->ipi_call));
    record_finish(&records);
}

static void emit_unsupported(const struct sweep_config *c, const char *why)
{
    record_begin(&records, "unsupported");
    record_u64(&records, "id", c->id);
    record_str(&records, "reason", why);
    record_finish(&records);
}

static void emit_latency(const struct sweep_config *c, const struct latency_counts *n)
{
    record_begin(&records, "latency");
    record_u64(&records, "id", c->id);
    record_u64(&records, "clamped", n->clamped);
    record_u64(&records, "excluded", n->excluded);
    adaptive_record_fields(&records, c, &n->ci);
    record_finish(&records);
}

static void emit_samples(const struct sweep_config *c, const uint64_t *s, uint32_t total)
{
    uint32_t first;

    for (first = 0; first < total; first += RECORD_SAMPLES_PER_LINE) {
        uint32_t n = total - first;

        if (n > RECORD_SAMPLES_PER_LINE)
            n = RECORD_SAMPLES_PER_LINE;
        record_begin(&records, "samples");
        record_u64(&records, "id", c->id);
        record_u64(&records, "first", first);
        record_hexlist(&records, "v", s + first, n);
        record_finish(&records);
    }
}

/* Measures (and verifies) one configuration, the n-th of total to run. */
static void measure_config(const struct sweep_config *c, uint32_t n, int total,
                           uint64_t *samples)
{
    struct latency_counts counts;
    enum verdict v = VERDICT_UNSUPPORTED;
    const char *why_not = NULL;
    char label[64], missing_buf[40];
    bool placed;

    sweep_config_label(c, label, sizeof(label));
    placed = sweep_placement(c, nr_cpus, target_cpus);
    emit_config(c, label, placed ? c->targets : 0);
    if (!placed) {
        /* sweep_expand() refuses such configurations; never measured. */
        record_begin(&records, "error");
        record_u64(&records, "id", c->id);
        record_str(&records, "what", "not-enough-cpus");
        record_finish(&records);
        return;
    }
    if ((why_not = config_missing_cpu(c, target_cpus, c->targets, missing_buf,
                                      sizeof(missing_buf)))) {
        /* A CPU it needs never came up (cpus_missing.c): the next one runs. */
        record_begin(&records, "error");
        record_u64(&records, "id", c->id);
        record_str(&records, "what", why_not);
        record_finish(&records);
        printk("[%u/%d] %-24s error (%s)\n", n + 1, total, label, why_not);
        return;
    }
    why_not = space_unsupported(c);    /* pcid=on without PCID */
    if (!why_not && strategy_is_hv(c->strategy)) {
        why_not = hv_config_unsupported(c);
        if (!why_not)       /* for latency.c and verify.c: the placed CPUs */
            why_not = hv_config_set_targets(c, c->initiator, target_cpus, c->targets);
    } else if (!why_not && (c->strategy == STRATEGY_HV_NULL ||
                            c->strategy == STRATEGY_HV_INVALID)) {
        why_not = hv_baseline_unsupported(c);
        if (!why_not)
            hv_baseline_prepare(c);
    }
    if (!why_not)           /* flush=invpcid, hv-ipi-invlpg, kvm-pv (kick.c) */
        why_not = kick_config_prepare(c, target_cpus, c->targets);
    if (why_not) {
        emit_unsupported(c, why_not);
        printk("[%u/%d] %-24s unsupported (%s)\n", n + 1, total, label, why_not);
        return;
    }
    space_configure(c);
    shootdown_set_work(c->state == TARGET_WORK ? c->working_set : 0);
    if (!latency_measure(c, target_cpus, samples, &counts)) {
        shootdown_set_work(0);
        space_reset();
        return;
    }
    shootdown_set_work(0);      /* the effect probe's targets only wait */
    emit_samples(c, samples, counts.ci.n);
    emit_latency(c, &counts);
    if (c->verify)
        v = kick_verify_placed(c, target_cpus);
    if (config_has_precision(c)) {
        hv_config_prepare(c);          /* CPU 0 and targets 1..n, as precision.c names */
        precision_config(c);
    }
    space_reset();
    u64_sort(samples, counts.ci.n);
    printk("[%u/%d] %-24s p50=%llu p99=%llu cycles%s%s", n + 1, total, label,
           (unsigned long long)timing_percentile(samples, counts.ci.n, 50),
           (unsigned long long)timing_percentile(samples, counts.ci.n, 99),
           c->verify ? "  verify=" : "", c->verify ? verdict_name(v) :
           sweep_space_unverified_reason(c) ? "  verify=- " : "");
    if (!c->verify && sweep_space_unverified_reason(c))
        printk("%s", sweep_space_unverified_reason(c));
    if (counts.clamped || counts.excluded)
        printk("  clamped=%u excluded=%u", counts.clamped, counts.excluded);
    if (c->ci_target_bp)
        printk("  n=%u rounds=%u%s", counts.ci.n, counts.ci.rounds,
               counts.ci.wide ? " ci-wide" : "");
    printk("\n");
    kick_emit(c);
    if (c->throughput)
        throughput_config(c);
}

/* Ends the stream and reports failure, e.g. for an unusable sweep. */
static int give_up(const char *what)
{
    printk("hvflush guest: %s\n", what);
    record_begin(&records, "error");
    record_str(&records, "what", what);
    record_finish(&records);
    records_end(false);
    return 1;
}

int bench_run(void)
{
    struct sweep_error err;
    uint64_t *samples;
    uint32_t max_samples = 1, i;
    int nconfigs;
    long len;

    len = sweep_source_read(sweep_text, SWEEP_TEXT_MAX);
    records_init();     /* after the mode is known: portable records go to COM1 */
    record_begin(&records, "hello");
    record_u64(&records, "version", 1);
    record_str(&records, "rev", GIT_REV);
    if (len < 0) {
        record_str(&records, "sweep", "-");
        record_finish(&records);
        printk("hvflush guest: no sweep (no fw_cfg, no boot module)\n");
        return give_up("no-sweep");
    }
    sweep_text[len] = '\0';
    if (!sweep_parse(sweep_text, (size_t)len, &sweep, &err)) {
        record_str(&records, "sweep", "-");
        record_finish(&records);
        printk("sweep line %u: %s\n", err.lineno, err.msg);
        return give_up("sweep-parse-error");
    }
    record_str(&records, "sweep", sweep.name);
    record_finish(&records);
    if (guest_portable_mode() && !emit_sweeptext(sweep_text, (size_t)len))
        return give_up("sweeptext-line-too-long");
    hv_flush_rule = sweep.hv_rule;
    hv_pretend = sweep.inject == INJECT_HV_PRETEND || sweep.inject == INJECT_HV_UNKNOWN_STATUS;
    /* Before the platform record: its tsc_hz may come from Hyper-V. */
    hv_init();
    tsc_from_hyperv();
    emit_platform();
    hv_emit_records();
    conformance_run();
    tsc_skew_measure();
    printk("cpus_online=%u apic=%s tsc=%llu Hz (%s, invariant=%d)\n", nr_cpus_online,
           apic_mode_name(), (unsigned long long)tsc_info.hz, tsc_info.source,
           tsc_info.invariant);

    inject_fault(sweep.inject);
    nconfigs = sweep_expand(&sweep, nr_cpus, configs, SWEEP_CONFIGS_MAX, &err);
    emit_inject_plan(nconfigs > 0 ? (unsigned)nconfigs : 0);
    if (nconfigs < 0) {
        printk("sweep line %u: %s\n", err.lineno, err.msg);
        return give_up("sweep-expand-error");
    }
    emit_timer();
    probe_platform();
    probe_global_cr3();
    shootdown_init();
    for (i = 0; i < (uint32_t)nconfigs; i++)
        if (sweep_samples_limit(&configs[i]) > max_samples)
            max_samples = sweep_samples_limit(&configs[i]);
    samples = pages_alloc((max_samples * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE);

    for (i = 0; i < (uint32_t)nconfigs; i++)
        order[configs[i].run_index] = i;
    if (sweep.shuffle)
        printk("configuration order shuffled with seed %llu\n",
               (unsigned long long)sweep.seed);
    for (i = 0; i < (uint32_t)nconfigs; i++)
        measure_config(&configs[order[i]], i, nconfigs, samples);
    records_end(true);
    printk("hvflush guest: done, %u records\n", records.next_seq);
    return 0;
}
