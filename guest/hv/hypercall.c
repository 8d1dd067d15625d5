/*
 * hypercall.c: establishing the Hyper-V hypercall interface and issuing raw
 * hypercalls.
 *
 * hv_init() (BSP, after smp_init(); all steps are fault-safe, see trap.c):
 *  1. installs the #UD/#GP recovery handlers, discovers the interface from
 *     CPUID (detect.c), allocates the hypercall page (filled with ud2) and
 *     calls it once: the #UD that comes back proves the recovery path on
 *     every platform (hv_info.trap_selftest = 6);
 *  2. stops, with a reason
 *     in why_unavailable, unless: a hypervisor leaf range is present, the
 *     interface is "Hv#1", the max leaf is >= 0x40000005 (TLFS step 2) and
 *     the partition may access the hypercall MSRs (privilege bit 5).  Without
 *     Hv#1 it reads HV_X64_MSR_GUEST_OS_ID once (safely) only to record
 *     whether it faults (msr_fault);
 *  3. writes HV_X64_MSR_GUEST_OS_ID = HV_HVFLUSH_GUEST_OS_ID if it reads 0
 *     (layout in guest/hv.h), then re-reads leaves 0x40000003-5 (0x40000004
 *     EAX before and after the write: rec_before, rec_after, for the
 *     `hypervisor` record; Xen shows it only to some Guest OS IDs);
 *  4. reads HV_X64_MSR_HYPERCALL; unless already enabled, writes the page's
 *     GPFN | enable, keeping the RsvdP bits 11:2; reads it back: enabled
 *     with our GPFN (or an already-enabled page below 4 GiB, which is
 *     identity-mapped) sets hypercall_enabled;
 *  5. reads HV_X64_MSR_VP_INDEX on every CPU (smp_call on the APs) and keeps
 *     the cpu <-> APIC id <-> VP index map, and gives each CPU a 4 KiB
 *     input page.
 * hv_usable() needs the page enabled and the VP index of every online CPU
 * read (a CPU that never came up, smp.c, has none).  Where the interface
 * is unavailable and hv_pretend is set, pretend.c makes one up (where it
 * is usable, pretend.c forces its advertisement).
 *
 * hv_hypercall()/hv_hypercall_xmm() call the page with interrupts off
 * (the per-CPU input page must not be reused underneath a call) and turn a
 * caught fault into a result with faulted = true.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <guest/console.h>
#include <guest/hv.h>
#include <guest/percpu.h>
#include "hv_internal.h"

#define UD2_BYTE0 0x0f
#define UD2_BYTE1 0x0b
#define IDENTITY_TOP (4ull << 30)     /* the boot tables map 0-4 GiB 1:1 */

struct hv_cpu hv_cpus[MAX_CPUS];
uint8_t *hv_hypercall_page;
bool hv_vp_all_read;

struct hv_cpu *hv_this_cpu(void)
{
    return &hv_cpus[smp_processor_id()];
}

void *hv_input_page(void)
{
    return hv_cpus[smp_processor_id()].input_page;
}

bool hv_usable(void)
{
    return hv_info.hypercall_enabled && hv_vp_all_read && !hv_info.why_unavailable;
}

uint32_t hv_vp_index(unsigned cpu)
{
    if (cpu >= nr_cpus || cpu >= MAX_CPUS || !hv_cpus[cpu].vp_valid)
        return UINT32_MAX;
    return hv_cpus[cpu].vp_index;
}

static struct hv_result result_of(uint64_t rax, const struct hv_cpu *c)
{
    struct hv_result r = { 0 };

    if (c->vector) {
        r.faulted = true;
        r.vector = c->vector;
        r.fault_rip = c->fault_rip;
        r.status = HV_RESULT_NOT_ISSUED;
        return r;
    }
    r.raw = rax;
    r.status = hv_result_status(rax);
    r.reps_done = hv_result_reps(rax);
    return r;
}

static struct hv_result not_issued(uint8_t why)
{
    struct hv_result r = { 0 };

    r.status = HV_RESULT_NOT_ISSUED;
    r.refused = why;
    return r;
}

/* Calls the page without checking that it is enabled: hv_init()'s
 * self-test uses it while the page holds ud2. */
static struct hv_result call_page(uint64_t control, uint64_t in, uint64_t out)
{
    struct hv_cpu *c = hv_this_cpu();
    uint64_t flags = hv_guard_begin(c);
    uint64_t rax = hv_call_slow_stub(control, in, out, hv_hypercall_page, &c->saved_rsp);

    hv_guard_end(c, flags);
    return result_of(rax, c);
}

struct hv_result hv_hypercall(uint64_t control, uint64_t input_gpa, uint64_t output_gpa)
{
    if (!hv_info.hypercall_enabled)
        return not_issued(HV_REFUSED_UNAVAILABLE);
    return call_page(control, input_gpa, output_gpa);
}

struct hv_result hv_hypercall_xmm(uint64_t control, uint64_t rdx, uint64_t r8,
                                  const uint64_t xmm[12])
{
    struct hv_cpu *c;
    uint64_t flags, rax;

    if (!hv_info.hypercall_enabled)
        return not_issued(HV_REFUSED_UNAVAILABLE);
    c = hv_this_cpu();
    flags = hv_guard_begin(c);
    rax = hv_call_xmm_stub(control | HV_HYPERCALL_FAST_BIT, rdx, r8, xmm,
                           hv_hypercall_page, &c->saved_rsp);
    hv_guard_end(c, flags);
    return result_of(rax, c);
}

const char *hv_refused_name(uint8_t refused)
{
    switch (refused) {
    case HV_REFUSED_NONE: return "-";
    case HV_REFUSED_UNAVAILABLE: return "unavailable";
    case HV_REFUSED_FAST_NO_FIT: return "does-not-fit-fast-input";
    case HV_REFUSED_PAGE_NO_FIT: return "does-not-fit-input-page";
    case HV_REFUSED_VP_RANGE: return "vp-out-of-range";
    case HV_REFUSED_BAD_REQUEST: return "bad-request";
    default: return "unknown";
    }
}

const char *hv_result_status_name(const struct hv_result *r)
{
    if (r->faulted || r->refused)
        return "-";
    return hv_status_name(r->status);
}

/* Runs on each CPU (cpu 0 directly, APs through smp_call). */
static void read_vp_index(void *arg)
{
    struct hv_cpu *c = hv_this_cpu();
    uint64_t v = UINT32_MAX;

    (void)arg;
    c->vp_fault = (uint8_t)hv_safe_rdmsr(HV_X64_MSR_VP_INDEX, &v);
    c->vp_index = c->vp_fault ? UINT32_MAX : (uint32_t)v;
    c->vp_valid = !c->vp_fault;
}

static void read_all_vp_indexes(void)
{
    unsigned cpu;

    read_vp_index(NULL);
    for (cpu = 1; cpu < nr_cpus; cpu++) {
        if (!cpu_online(cpu))          /* never came up: no VP index */
            continue;
        smp_call(cpu, read_vp_index, NULL);
        smp_wait_idle(cpu);
    }
    hv_info.vp_indexes_read = 0;
    for (cpu = 0; cpu < nr_cpus; cpu++)
        if (hv_cpus[cpu].vp_valid)
            hv_info.vp_indexes_read++;
    hv_vp_all_read = hv_info.vp_indexes_read == nr_cpus_online;
}

/* Records the first caught MSR fault; returns true if v is non-zero. */
static bool msr_faulted(int v)
{
    if (v && !hv_info.msr_fault)
        hv_info.msr_fault = (uint8_t)v;
    return v != 0;
}

static const char *enable_hypercall_page(void)
{
    uint64_t id = 0, msr = 0, gpa = (uint64_t)(uintptr_t)hv_hypercall_page;

    if (msr_faulted(hv_safe_rdmsr(HV_X64_MSR_GUEST_OS_ID, &id)))
        return "guest-os-id-rdmsr-faulted";
    if (id == 0) {
        if (msr_faulted(hv_safe_wrmsr(HV_X64_MSR_GUEST_OS_ID, HV_HVFLUSH_GUEST_OS_ID)))
            return "guest-os-id-wrmsr-faulted";
        hv_info.os_id_written = HV_HVFLUSH_GUEST_OS_ID;
        if (msr_faulted(hv_safe_rdmsr(HV_X64_MSR_GUEST_OS_ID, &id)))
            return "guest-os-id-rdmsr-faulted";
    }
    hv_info.guest_os_id = id;
    if (id == 0)
        return "guest-os-id-stays-zero";
    hv_detect_features();
    hv_info.rec_after = hv_info.recommendations;   /* rec_before: hv_detect() */

    if (msr_faulted(hv_safe_rdmsr(HV_X64_MSR_HYPERCALL, &msr)))
        return "hypercall-rdmsr-faulted";
    if (msr & HV_X64_MSR_HYPERCALL_ENABLE) {
        /* Already enabled (TLFS step 5): use the page where it is. */
        uint64_t at = msr & ~0xfffull;

        hv_info.hypercall_msr = msr;
        if (at >= IDENTITY_TOP)
            return "enabled-hypercall-page-above-4g";
        hv_hypercall_page = (uint8_t *)(uintptr_t)at;
        hv_info.hypercall_enabled = true;
        return NULL;
    }
    msr = (msr & HV_X64_MSR_HYPERCALL_RSVDP) | gpa | HV_X64_MSR_HYPERCALL_ENABLE;
    if (msr_faulted(hv_safe_wrmsr(HV_X64_MSR_HYPERCALL, msr)))
        return "hypercall-wrmsr-faulted";
    if (msr_faulted(hv_safe_rdmsr(HV_X64_MSR_HYPERCALL, &msr)))
        return "hypercall-rdmsr-faulted";
    hv_info.hypercall_msr = msr;
    if (!(msr & HV_X64_MSR_HYPERCALL_ENABLE))
        return "hypercall-page-not-enabled";
    if ((msr & ~0xfffull) != gpa)
        return "hypercall-page-gpfn-differs";
    hv_info.hypercall_enabled = true;
    return NULL;
}

static const char *establish(void)
{
    uint64_t dummy;

    if (!hv_info.hv_present)
        return "no-hypervisor-cpuid-leaves";
    if (!hv_info.hv1) {
        /* Not Hyper-V: one harmless read shows how the MSR behaves here. */
        msr_faulted(hv_safe_rdmsr(HV_X64_MSR_GUEST_OS_ID, &dummy));
        return "no-hv1-interface";
    }
    if (hv_info.max_leaf < HV_CPUID_LIMITS)
        return "max-leaf-below-0x40000005";
    if (!hv_info.access_hypercall_msrs)
        return "no-hypercall-msr-privilege";
    return enable_hypercall_page();
}

void hv_init(void)
{
    unsigned cpu, i;

    hv_trap_init();
    hv_detect();
    hv_hypercall_page = page_alloc();
    for (i = 0; i < PAGE_SIZE; i += 2) {
        hv_hypercall_page[i] = UD2_BYTE0;
        hv_hypercall_page[i + 1] = UD2_BYTE1;
    }
    hv_info.trap_selftest = call_page(0, 0, 0).vector;

    hv_info.why_unavailable = establish();
    if (!hv_info.hypercall_enabled) {
        printk("hyperv: unavailable (%s)\n", hv_info.why_unavailable);
        hv_pretend_interface();
        return;
    }
    for (cpu = 0; cpu < nr_cpus; cpu++)
        hv_cpus[cpu].input_page = page_alloc();
    read_all_vp_indexes();
    if (!hv_vp_all_read)
        hv_info.why_unavailable = "vp-index-unreadable";
    printk("hyperv: vendor \"%s\" hypercall page at 0x%lx (msr 0x%lx), %u/%u VP indexes%s%s\n",
           hv_info.vendor, (uint64_t)(uintptr_t)hv_hypercall_page, hv_info.hypercall_msr,
           hv_info.vp_indexes_read, nr_cpus, hv_info.why_unavailable ? ", unusable: " : "",
           hv_info.why_unavailable ? hv_info.why_unavailable : "");
    hv_pretend_interface();
}
