/*
 * pretend.c: a made-up Hyper-V interface, for tests of how hvflush reports
 * hypercalls that fault or are refused (sweep `inject hv-pretend` and
 * `hv-unknown-status`; guest/hv.h, hv_pretend).
 *
 * Where hv_init() found a usable interface, only the advertisement is
 * forced: remote flush, ExProcessorMasks and cluster IPIs recommended
 * (the last through hv_cluster_ipi_advertised(), ipi.c) and XMM input
 * offered, whatever CPUID said, so a hypervisor that enforces its CPUID
 * (KVM with hv-enforce-cpuid) refuses the calls for real (ACCESS_DENIED
 * for a call whose bit is clear, #UD for XMM input).
 *
 * Where it found none (TCG, a KVM without
 * Hyper-V emulation): the flags a Hyper-V with remote flush would set are
 * set (remote flush and ExProcessorMasks recommended, hypercall MSRs
 * granted, XMM input not offered), each online CPU's VP index is its CPU
 * number, and the hypercall page -- until now all ud2 -- gets what a
 * hypervisor writes there: `vmcall; ret` on an Intel CPU, `vmmcall; ret`
 * elsewhere.  Nothing else is faked: every call really executes that
 * instruction, and what it raises (#UD where no hypervisor takes it, as
 * under TCG) is caught by trap.c like any hypercall fault.  hv_info's
 * `pretended` (the `hyperv` record's `pretend`) says the interface was
 * made up (the console line before it gave the real reason it was
 * unavailable).  The conformance suite is not run on a made-up interface.
 */
#include <stdint.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/hv.h>
#include <guest/percpu.h>
#include <guest/platform.h>
#include <guest/string.h>
#include "hv_internal.h"

bool hv_pretend;

static const uint8_t vmcall_ret[] = { 0x0f, 0x01, 0xc1, 0xc3 };     /* Intel */
static const uint8_t vmmcall_ret[] = { 0x0f, 0x01, 0xd9, 0xc3 };    /* AMD, others */

/* A real, usable interface: only what it advertises is forced. */
static void force_advertised(void)
{
    hv_info.pretended = true;
    hv_info.remote_flush = hv_info.ex_processor_masks = true;
    hv_info.use_remote_flush = hv_info.use_ex_masks = true;
    hv_info.xmm_input = true;
    printk("hyperv: pretending remote flush, ExProcessorMasks and XMM input are advertised "
           "(inject)\n");
}

void hv_pretend_interface(void)
{
    char vendor[13];
    bool intel;
    unsigned cpu;

    if (!hv_pretend)
        return;
    if (hv_usable()) {
        force_advertised();
        return;
    }
    if (hv_info.hypercall_enabled || !hv_hypercall_page)
        return;
    cpu_vendor(vendor);
    intel = !strcmp(vendor, "GenuineIntel");
    memcpy(hv_hypercall_page, intel ? vmcall_ret : vmmcall_ret, sizeof(vmcall_ret));

    hv_info.pretended = true;
    hv_info.hypercall_enabled = true;
    hv_info.why_unavailable = NULL;
    hv_info.access_hypercall_msrs = hv_info.access_vp_index = true;
    hv_info.remote_flush = hv_info.ex_processor_masks = true;
    hv_info.use_remote_flush = hv_info.use_ex_masks = true;
    hv_info.xmm_input = false;
    hv_info.vp_indexes_read = 0;
    for (cpu = 0; cpu < nr_cpus; cpu++) {
        hv_cpus[cpu].input_page = page_alloc();
        hv_cpus[cpu].vp_valid = cpu_online(cpu);
        hv_cpus[cpu].vp_index = hv_cpus[cpu].vp_valid ? cpu : UINT32_MAX;
        hv_info.vp_indexes_read += hv_cpus[cpu].vp_valid;
    }
    hv_vp_all_read = true;
    printk("hyperv: pretending an interface (inject): hypercall page holds %s; ret\n",
           intel ? "vmcall" : "vmmcall");
}
