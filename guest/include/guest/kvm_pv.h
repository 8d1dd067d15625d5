/*
 * KVM's paravirtual interface, as far as kvm-pv needs it
 * (guest/arch/x86/kvm_pv.c): the KVM CPUID leaves and per-CPU steal time,
 * whose `preempted` byte carries KVM_VCPU_PREEMPTED (set by KVM while the
 * vCPU is scheduled out) and KVM_VCPU_FLUSH_TLB (set by a guest CPU asking
 * KVM to flush that vCPU's TLB before it runs again).
 */
#ifndef GUEST_KVM_PV_H
#define GUEST_KVM_PV_H

#include <stdbool.h>
#include <stdint.h>

#define KVM_CPUID_SIGNATURE_EBX    0x4b4d564bu   /* "KVMKVMKVM\0\0\0" */
#define KVM_FEATURE_STEAL_TIME     5             /* 0x40000001 EAX bits, at the base */
#define KVM_FEATURE_PV_TLB_FLUSH   9
#define KVM_HINTS_REALTIME         0             /* 0x40000001 EDX */
#define MSR_KVM_STEAL_TIME         0x4b564d03u
#define KVM_MSR_ENABLED            1ull
#define KVM_VCPU_PREEMPTED         (1u << 0)
#define KVM_VCPU_FLUSH_TLB         (1u << 1)

/* struct kvm_steal_time (64 bytes, 64-byte aligned), one per CPU. */
struct kvm_steal_time {
    uint64_t steal;
    uint32_t version;
    uint32_t flags;
    uint8_t preempted;
    uint8_t u8_pad[3];
    uint32_t pad[11];
};

struct kvm_pv_info {
    uint32_t base;                /* the leaf with "KVMKVMKVM" (0 when none): 0x40000000,
                                     or 0x40000100 behind Hyper-V's leaves */
    uint32_t features;            /* base + 1, EAX */
    uint32_t hints;               /* base + 1, EDX */
    bool steal_time_on;           /* MSR_KVM_STEAL_TIME enabled on every CPU */
    uint8_t steal_time_fault;     /* vector of a faulting MSR write, 0 if none */
};
extern struct kvm_pv_info kvm_pv;

/* Scans the hypervisor leaves for KVM's signature (idempotent). */
void kvm_pv_detect(void);
bool kvm_pv_has(unsigned feature_bit);
/* Enables steal time on every CPU once (smp_call on the others); NULL, or
 * why not ("no-kvm-leaves", "steal-time-not-advertised",
 * "steal-time-msr-faulted"). */
const char *kvm_pv_enable_steal_time(void);
/* CPU cpu's steal-time record (valid once steal time is on). */
struct kvm_steal_time *kvm_pv_steal_time(unsigned cpu);

#endif
