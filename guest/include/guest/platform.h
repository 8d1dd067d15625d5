/* What the guest learnt about its platform at boot. */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>

struct tsc_info {
    uint64_t hz;                 /* TSC frequency */
    const char *source;          /* "cpuid15", "cpuid16", "pit", "pm-timer", "hv-msr" */
    bool invariant;              /* CPUID 0x80000007 EDX bit 8 */
};
extern struct tsc_info tsc_info;
void tsc_init(void);             /* BSP, before smp_init() */
void udelay(uint64_t us);        /* TSC busy-wait */
static inline uint64_t tsc_to_ns(uint64_t cycles);

/* fw_cfg (ports 0x510/0x511). */
bool fwcfg_present(void);
unsigned fwcfg_nb_cpus(void);
/* Reads up to len bytes of file "name" into buf; returns bytes read or -1. */
long fwcfg_read_file(const char *name, void *buf, unsigned long len);

/* ACPI MADT: enabled local APIC ids (x2APIC entries included), BSP's first
 * not guaranteed.  Returns the count, 0 if no MADT was found. */
unsigned acpi_madt_apic_ids(uint32_t *ids, unsigned max);

/* CPUID vendor and hypervisor signature (leaf 0x40000000), for reports. */
void cpu_vendor(char out[13]);
bool hypervisor_signature(char out[13]);

static inline uint64_t tsc_to_ns(uint64_t cycles)
{
    /* 128-bit intermediate: no overflow for any realistic count. */
    return (uint64_t)(((unsigned __int128)cycles * 1000000000u) / tsc_info.hz);
}

#endif
