/* Inline wrappers for x86-64 instructions the guest needs. */
#ifndef ARCH_CPU_H
#define ARCH_CPU_H

#include <stdint.h>
#include <stdbool.h>
#include <arch/regs.h>

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)val),
                     "d"((uint32_t)(val >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

/* String output: one VM exit for the whole buffer under KVM. */
static inline void outsb(uint16_t port, const void *buf, uint64_t n)
{
    __asm__ volatile("rep outsb" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

/* String input: the counterpart of outsb (fw_cfg file reads). */
static inline void insb(uint16_t port, void *buf, uint64_t n)
{
    __asm__ volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
/* sti's one-instruction shadow makes "check, then sti; hlt" race-free. */
static inline void safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline void halt(void) { __asm__ volatile("hlt" ::: "memory"); }

static inline uint64_t irq_save(void)
{
    uint64_t flags;
    __asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) :: "memory");
    return flags;
}

static inline void irq_restore(uint64_t flags)
{
    __asm__ volatile("pushq %0; popfq" :: "r"(flags) : "memory", "cc");
}

static inline uint64_t read_cr0(void) { uint64_t v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr2(void) { uint64_t v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr3(void) { uint64_t v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline uint64_t read_cr4(void) { uint64_t v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }

static inline void invlpg(const volatile void *va)
{
    __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

/* INVPCID type 0 (individual address) for PCID pcid: the invlpg of one
 * address in one PCID (with CR4.PCIDE off only PCID 0 exists).  #UD where
 * CPUID.(EAX=7,ECX=0):EBX[10] is clear (cpu_has_invpcid()). */
static inline void invpcid_addr(uint64_t pcid, uint64_t va)
{
    struct { uint64_t pcid, va; } desc = { pcid, va };

    __asm__ volatile("invpcid %0, %1" :: "m"(desc), "r"(0ull) : "memory");
}

static inline bool cpu_has_invpcid(void)
{
    return cpuid(0, 0).eax >= 7 && (cpuid(7, 0).ebx & (1u << 10));
}

/* Set at boot from CPUID 0x80000001 EDX bit 27. */
extern bool cpu_has_rdtscp;

/* Whether LFENCE is dispatch-serializing on this CPU (cpuinfo.c): "yes"
 * (Intel, architectural; AMD/Hygon with CPUID 0x80000021 EAX[2]
 * LfenceAlwaysSerializing), "no" (AMD/Hygon with that leaf but the bit
 * clear) or "unknown" (the leaf is absent, or another vendor). */
const char *cpu_lfence_serializing(void);

/*
 * Timestamps for a timed region: "lfence; rdtsc; lfence" opens it (earlier
 * instructions have completed before the read, and the region's first
 * instruction does not start before it) and "rdtscp; lfence" closes it (the
 * region has completed, later instructions have not started).  Without
 * RDTSCP the close is "lfence; rdtsc; lfence" (the branch is perfectly
 * predicted).  LFENCE orders execution this way only where it is
 * dispatch-serializing: architecturally on Intel, on AMD where CPUID
 * 0x80000021 EAX[2] says so (cpu_lfence_serializing()).
 */
static inline uint64_t tsc_begin(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t tsc_end(void)
{
    uint32_t lo, hi, aux;

    if (cpu_has_rdtscp)
        __asm__ volatile("rdtscp; lfence" : "=a"(lo), "=d"(hi), "=c"(aux) :: "memory");
    else
        __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

#define barrier() __asm__ volatile("" ::: "memory")

/* MSR numbers and CR0/CR4/EFER bits live in <arch/regs.h> (assembler-safe). */
#endif
