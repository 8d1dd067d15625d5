/*
 * The kick strategies (see kick.h).  Each sample and probe round is the
 * ipi sequence of shootdown.c; only how the initiator interrupts the
 * targets differs:
 *
 * hv-ipi-invlpg: one HvCallSendSyntheticClusterIpi (0x000b) naming the
 *   targets' VP indexes in a ProcessorMask, or ...Ex (0x0015) with a sparse
 *   HV_VP_SET when a target's VP index is >= 64 or the sweep says
 *   ipi-call=ex (Linux's hv_send_ipi_mask()), sends SHOOTDOWN_VECTOR; the
 *   targets flush with invlpg in their handler and acknowledge, as for ipi.
 *   The call is built outside the timed region for the target list it
 *   names; a round for another list (the probe's, without the initiator)
 *   rebuilds it first.  A status other than SUCCESS or a fault fails the
 *   round with "hv-status-NAME" / "hv-fault-N".
 * kvm-pv: Linux's kvm_flush_tlb_multi().  For a flush command, each
 *   target's steal-time `preempted` byte is read; if KVM_VCPU_PREEMPTED is
 *   set and a cmpxchg adds KVM_VCPU_FLUSH_TLB, KVM flushes that vCPU's TLB
 *   before it runs again and no IPI is sent to it (the latency does not
 *   wait for it); otherwise it gets the IPI as in ipi.  In the effect
 *   probe (SD_FLUSH_READ) a target that took the PV path is still
 *   interrupted, but only to read: SLOT_PV_FLUSHED tells its handler the
 *   flush was KVM's, so a fresh read proves KVM's flush.  Other commands
 *   (touch, prime, read) go by IPI to every target.  Races tolerated: the
 *   vCPU may resume between the read and the cmpxchg (KVM clears the byte
 *   when it runs it); the cmpxchg then fails and the IPI is sent.
 * Counts per phase (latency: SD_FLUSH rounds; effect probe: SD_FLUSH_READ
 * rounds) go into the `kick` record.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/hv.h>
#include <guest/hv_ipi.h>
#include <guest/kvm_pv.h>
#include <guest/percpu.h>
#include "measure.h"
#include "hypercall.h"
#include "kick.h"
#include "shootdown.h"

static struct {
    struct hv_ipi_prepared call;
    void *page;
    uint16_t code;                 /* the call in use (0x000b or 0x0015) */
    bool fast;
    enum ipi_call want;
    uint32_t cpus[MAX_CPUS], n;    /* the targets the call names */
    char problem[48];
    uint64_t ipi[2], pv[2];        /* per phase: [0] latency, [1] effect probe */
    bool kvm_reported;
} k;

static unsigned phase_of(enum shootdown_cmd cmd)
{
    return cmd == SD_FLUSH_READ;
}

static bool is_flush(enum shootdown_cmd cmd)
{
    return cmd == SD_FLUSH || cmd == SD_FLUSH_READ;
}

/* Builds the IPI call naming cpus[0..n); NULL or why it cannot be made. */
static const char *build_ipi_call(const uint32_t *cpus, uint32_t n)
{
    static uint32_t vps[MAX_CPUS];
    uint32_t t;
    uint8_t why;

    for (t = 0; t < n; t++) {
        vps[t] = hv_vp_index(cpus[t]);
        if (vps[t] == UINT32_MAX)
            return "vp-index-unknown";
        k.cpus[t] = cpus[t];
    }
    k.n = n;
    k.code = k.want == IPI_CALL_EX ? HVCALL_SEND_IPI_EX :
             k.want == IPI_CALL_PLAIN ? HVCALL_SEND_IPI : hv_send_ipi_code_for(vps, n);
    if (k.code == HVCALL_SEND_IPI_EX && !hv_cluster_ipi_advertised(true))
        return "ex-processor-masks-not-advertised";
    if (k.code == HVCALL_SEND_IPI_EX && k.fast && !hv_info.xmm_input)
        return "xmm-input-not-advertised";
    if (!k.page)
        k.page = page_alloc();
    why = hv_send_ipi_prepare(k.code, k.fast, SHOOTDOWN_VECTOR, vps, n, k.page, &k.call);
    if (why == HV_REFUSED_VP_RANGE && k.code == HVCALL_SEND_IPI)
        return "vp-index-over-63-needs-ex";
    return why ? hv_refused_name(why) : NULL;
}

static bool same_targets(const uint32_t *cpus, uint32_t n)
{
    uint32_t t;

    if (n != k.n)
        return false;
    for (t = 0; t < n; t++)
        if (cpus[t] != k.cpus[t])
            return false;
    return true;
}

static const char *kick_hv_ipi(enum shootdown_cmd cmd, uint64_t gen, const uint32_t *cpus,
                               const uint32_t *apic_ids, uint32_t n, bool *no_ack)
{
    const char *why;
    struct hv_result r;
    uint32_t t;

    (void)gen;
    (void)apic_ids;
    for (t = 0; t < n; t++)
        no_ack[t] = false;
    if (!same_targets(cpus, n) && (why = build_ipi_call(cpus, n)) != NULL)
        return why;
    r = hv_send_ipi_issue(&k.call);
    why = hv_result_problem(&r, k.problem, sizeof(k.problem));
    if (!why && is_flush(cmd))
        k.ipi[phase_of(cmd)] += n;
    return why;
}

static const char *kick_kvm_pv(enum shootdown_cmd cmd, uint64_t gen, const uint32_t *cpus,
                               const uint32_t *apic_ids, uint32_t n, bool *no_ack)
{
    uint32_t t, me = smp_processor_id();

    for (t = 0; t < n; t++) {
        volatile uint8_t *p = &kvm_pv_steal_time(cpus[t])->preempted;
        uint8_t state = __atomic_load_n(p, __ATOMIC_RELAXED);

        no_ack[t] = false;
        if (!is_flush(cmd) || cpus[t] == me)
            continue;
        if ((state & KVM_VCPU_PREEMPTED) &&
            __atomic_compare_exchange_n(p, &state, (uint8_t)(state | KVM_VCPU_FLUSH_TLB), false,
                                        __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
            k.pv[phase_of(cmd)]++;
            if (cmd == SD_FLUSH)
                no_ack[t] = true;          /* flushed by KVM; nothing to await */
            else
                percpu_of(cpus[t])->bench_slot[SLOT_PV_FLUSHED] = gen;
        } else {
            k.ipi[phase_of(cmd)]++;
        }
    }
    /* SLOT_PV_FLUSHED before the IPI that makes the target read it. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (t = 0; t < n; t++)
        if (!no_ack[t])
            apic_send_ipi(apic_ids[t], SHOOTDOWN_VECTOR);
    return NULL;
}

static void report_kvm(void)
{
    if (k.kvm_reported)
        return;
    k.kvm_reported = true;
    kvm_pv_detect();
    record_begin(&records, "kvm");
    record_u64(&records, "base", kvm_pv.base);
    record_u64(&records, "features", kvm_pv.features);
    record_u64(&records, "hints", kvm_pv.hints);
    record_u64(&records, "pv_tlb_flush", kvm_pv_has(KVM_FEATURE_PV_TLB_FLUSH));
    record_u64(&records, "steal_time", kvm_pv_has(KVM_FEATURE_STEAL_TIME));
    record_finish(&records);
    printk("kvm: leaves at 0x%x, features 0x%x, hints 0x%x (PV TLB flush %s)\n", kvm_pv.base,
           kvm_pv.features, kvm_pv.hints,
           kvm_pv_has(KVM_FEATURE_PV_TLB_FLUSH) ? "advertised" : "not advertised");
}

static const char *prepare_kvm_pv(void)
{
    report_kvm();
    if (!kvm_pv.base)
        return "no-kvm-leaves";
    if (!kvm_pv_has(KVM_FEATURE_PV_TLB_FLUSH))
        return "kvm-pv-tlb-flush-not-advertised";
    if (kvm_pv.hints >> KVM_HINTS_REALTIME & 1)
        return "kvm-hints-realtime";   /* Linux then does not use the PV flush */
    return kvm_pv_enable_steal_time();
}

static const char *prepare_hv_ipi(const struct sweep_config *c, const uint32_t *cpus,
                                  uint32_t n)
{
    if (!hv_usable())
        return hv_info.why_unavailable ? hv_info.why_unavailable : "no-hyperv";
    if (!hv_cluster_ipi_advertised(false))
        return "cluster-ipi-not-advertised";
    k.want = c->ipi_call;
    k.fast = c->input == HV_INPUT_FAST;
    k.n = UINT32_MAX;
    return build_ipi_call(cpus, n);
}

const char *kick_config_prepare(const struct sweep_config *c, const uint32_t *cpus,
                                uint32_t n)
{
    const char *why = NULL;

    shootdown_set_kick(NULL);
    k.ipi[0] = k.ipi[1] = k.pv[0] = k.pv[1] = 0;
    if (c->flush == FLUSH_INVPCID && !cpu_has_invpcid())
        return "no-invpcid";
    if (c->strategy == STRATEGY_HV_IPI_INVLPG)
        why = prepare_hv_ipi(c, cpus, n);
    else if (c->strategy == STRATEGY_KVM_PV)
        why = prepare_kvm_pv();
    else
        return NULL;
    if (!why)
        shootdown_set_kick(c->strategy == STRATEGY_KVM_PV ? kick_kvm_pv : kick_hv_ipi);
    return why;
}

void kick_emit(const struct sweep_config *c)
{
    if (!strategy_is_kick(c->strategy))
        return;
    record_begin(&records, "kick");
    record_u64(&records, "id", c->id);
    record_str(&records, "via", c->strategy == STRATEGY_KVM_PV ? "kvm-pv" :
               k.code == HVCALL_SEND_IPI_EX ? "hv-send-ipi-ex" : "hv-send-ipi");
    record_u64(&records, "ipi", k.ipi[0]);
    record_u64(&records, "pv", k.pv[0]);
    record_u64(&records, "verify_ipi", k.ipi[1]);
    record_u64(&records, "verify_pv", k.pv[1]);
    if (c->strategy == STRATEGY_KVM_PV) {
        /* Steal time is live where KVM has counted some (overcommit). */
        uint64_t steal = 0;

        for (unsigned cpu = 0; cpu < nr_cpus; cpu++)
            steal += __atomic_load_n(&kvm_pv_steal_time(cpu)->steal, __ATOMIC_RELAXED);
        record_u64(&records, "steal_ns", steal);
    }
    record_finish(&records);
    printk("  kicks: %llu by IPI, %llu by steal time (effect probe: %llu, %llu)\n",
           (unsigned long long)k.ipi[0], (unsigned long long)k.pv[0],
           (unsigned long long)k.ipi[1], (unsigned long long)k.pv[1]);
}

enum verdict kick_verify_placed(const struct sweep_config *c, const uint32_t *cpus)
{
    static uint32_t others[MAX_CPUS];
    struct sweep_config v = *c;
    uint32_t t, n = 0;

    if (c->target_set != TARGETS_ALL)
        return verify_config(c, cpus);
    for (t = 0; t < c->targets; t++)
        if (cpus[t] != c->initiator)
            others[n++] = cpus[t];
    v.targets = n;
    return verify_config(&v, others);
}
