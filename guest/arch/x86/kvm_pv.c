/*
 * kvm_pv.c: KVM's paravirtual CPUID leaves and steal time (see
 * guest/kvm_pv.h), as Linux's arch/x86/kernel/kvm.c uses them for
 * kvm_flush_tlb_multi().
 *
 * Discovery: KVM's leaves sit at 0x40000000, or higher when another
 * interface (Hyper-V's, with QEMU's hv-* flags) occupies that range; the
 * base is the first multiple of 0x100 from 0x40000000 to 0x4000ff00 whose
 * EBX:ECX:EDX read "KVMKVMKVM\0\0\0" (Linux's kvm_cpuid_base()).
 * Steal time: each CPU writes the guest-physical address of its own
 * 64-byte aligned record | KVM_MSR_ENABLED to MSR_KVM_STEAL_TIME (a
 * per-vCPU MSR, so every CPU writes its own, the APs through smp_call()).
 * The write is fault-safe (hv_safe_wrmsr(), guest/hv/trap.c): a #GP is
 * recorded, not fatal.  The records are identity-mapped, so their
 * addresses are their GPAs.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <guest/hv.h>
#include <guest/kvm_pv.h>
#include <guest/percpu.h>

#define CPUID1_ECX_HYPERVISOR (1u << 31)

struct kvm_pv_info kvm_pv;
static struct kvm_steal_time steal_time[MAX_CPUS] __attribute__((aligned(64)));
static uint8_t steal_fault[MAX_CPUS];
static bool detected, enabled;

void kvm_pv_detect(void)
{
    uint32_t leaf;

    if (detected)
        return;
    detected = true;
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR))
        return;
    for (leaf = 0x40000000u; leaf < 0x40010000u; leaf += 0x100) {
        struct cpuid_regs r = cpuid(leaf, 0);

        if (r.ebx == KVM_CPUID_SIGNATURE_EBX && r.ecx == 0x564b4d56u && r.edx == 0x4du) {
            kvm_pv.base = leaf;
            if (r.eax >= leaf + 1 || r.eax == 0) {   /* KVM may leave EAX 0 */
                r = cpuid(leaf + 1, 0);
                kvm_pv.features = r.eax;
                kvm_pv.hints = r.edx;
            }
            return;
        }
    }
}

bool kvm_pv_has(unsigned feature_bit)
{
    kvm_pv_detect();
    return kvm_pv.base && (kvm_pv.features >> feature_bit & 1);
}

struct kvm_steal_time *kvm_pv_steal_time(unsigned cpu)
{
    return &steal_time[cpu];
}

/* Runs on each CPU. */
static void enable_here(void *arg)
{
    unsigned cpu = smp_processor_id();

    (void)arg;
    steal_fault[cpu] = (uint8_t)hv_safe_wrmsr(MSR_KVM_STEAL_TIME,
                                              (uint64_t)(uintptr_t)&steal_time[cpu] |
                                              KVM_MSR_ENABLED);
}

const char *kvm_pv_enable_steal_time(void)
{
    unsigned cpu;

    kvm_pv_detect();
    if (!kvm_pv.base)
        return "no-kvm-leaves";
    if (!kvm_pv_has(KVM_FEATURE_STEAL_TIME))
        return "steal-time-not-advertised";
    if (!enabled) {
        enabled = true;
        for (cpu = 0; cpu < nr_cpus; cpu++) {
            if (cpu == smp_processor_id()) {
                enable_here(NULL);
            } else if (cpu_online(cpu)) {  /* one that never came up runs nothing */
                smp_call(cpu, enable_here, NULL);
                smp_wait_idle(cpu);
            }
            if (steal_fault[cpu] && !kvm_pv.steal_time_fault)
                kvm_pv.steal_time_fault = steal_fault[cpu];
        }
        kvm_pv.steal_time_on = !kvm_pv.steal_time_fault;
    }
    return kvm_pv.steal_time_on ? NULL : "steal-time-msr-faulted";
}
