/*
 * cpuinfo.c: what CPUID says about the processor, for reports and boot
 * checks: the vendor string, the hypervisor signature, this CPU's APIC id
 * and whether LFENCE is dispatch-serializing (the timer bracket relies on it).
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/setup.h>
#include <guest/platform.h>
#include <guest/string.h>

#define CPUID1_ECX_HYPERVISOR (1u << 31)
#define CPUID_EXT_FEATURES_2  0x80000021u
#define LFENCE_ALWAYS_SERIALIZING (1u << 2)   /* 0x80000021 EAX */

static void copy_regs(char out[13], uint32_t a, uint32_t b, uint32_t c)
{
    memcpy(out, &a, 4);
    memcpy(out + 4, &b, 4);
    memcpy(out + 8, &c, 4);
    out[12] = '\0';
}

void cpu_vendor(char out[13])
{
    struct cpuid_regs r = cpuid(0, 0);
    copy_regs(out, r.ebx, r.edx, r.ecx);
}

bool hypervisor_signature(char out[13])
{
    if (!(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR)) {
        out[0] = '\0';
        return false;
    }
    struct cpuid_regs r = cpuid(0x40000000, 0);
    copy_regs(out, r.ebx, r.ecx, r.edx);
    return true;
}

uint32_t cpuid_apic_id(void)
{
    /* Leaf 0xb gives the full 32-bit x2APIC id; leaf 1 only 8 bits. */
    if (cpuid(0, 0).eax >= 0xb) {
        struct cpuid_regs r = cpuid(0xb, 0);
        if (r.ebx != 0)
            return r.edx;
    }
    return cpuid(1, 0).ebx >> 24;
}

const char *cpu_lfence_serializing(void)
{
    char vendor[13];

    cpu_vendor(vendor);
    if (!strcmp(vendor, "GenuineIntel"))
        return "yes";
    if (strcmp(vendor, "AuthenticAMD") && strcmp(vendor, "HygonGenuine"))
        return "unknown";
    if (cpuid(0x80000000, 0).eax < CPUID_EXT_FEATURES_2)
        return "unknown";
    return cpuid(CPUID_EXT_FEATURES_2, 0).eax & LFENCE_ALWAYS_SERIALIZING ? "yes" : "no";
}
