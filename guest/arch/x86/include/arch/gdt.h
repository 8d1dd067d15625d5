/*
 * The one GDT every CPU shares (defined in boot.S): flat kernel segments
 * plus one 16-byte TSS descriptor per CPU, whose TSS supplies the IST stacks
 * for #DF and NMI.  Assembler-safe apart from the C declarations.
 */
#ifndef ARCH_GDT_H
#define ARCH_GDT_H

#define GDT_KERNEL_CODE   0x08    /* 64-bit code */
#define GDT_KERNEL_DATA   0x10    /* flat data (also used in 32-bit mode) */
#define GDT_KERNEL_CODE32 0x18    /* 32-bit code, used by the AP trampoline */
#define GDT_TSS_BASE      0x20    /* TSS of cpu n at GDT_TSS_BASE + 16 * n */
#define GDT_TSS_SLOTS     256     /* must be >= MAX_CPUS */
#define GDT_SIZE          (GDT_TSS_BASE + 16 * GDT_TSS_SLOTS)

/* IST indices (1-based, as in the IDT gate). */
#define IST_DOUBLE_FAULT  1
#define IST_NMI           2

#ifndef __ASSEMBLER__
#include <stdint.h>

extern uint64_t gdt[GDT_SIZE / 8];

/* Builds cpu's TSS (allocating its IST stacks) and loads it with ltr. */
void cpu_tss_init(unsigned cpu);
#endif

#endif
