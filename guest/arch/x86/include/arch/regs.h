/*
 * Architectural constants (MSR numbers, control-register bits) shared by C
 * and assembly.  BIT() gives a 64-bit constant in C and a plain expression
 * in assembly, where gas evaluates it in 64 bits.
 */
#ifndef ARCH_REGS_H
#define ARCH_REGS_H

#ifdef __ASSEMBLER__
#define BIT(n) (1 << (n))
#else
#define BIT(n) (1ull << (n))
#endif

#define MSR_APIC_BASE   0x0000001b
#define MSR_EFER        0xc0000080
#define MSR_GS_BASE     0xc0000101
#define MSR_TSC_AUX     0xc0000103

#define CR0_PE   BIT(0)
#define CR0_MP   BIT(1)
#define CR0_EM   BIT(2)
#define CR0_TS   BIT(3)
#define CR0_NE   BIT(5)
#define CR0_WP   BIT(16)
#define CR0_NW   BIT(29)
#define CR0_CD   BIT(30)
#define CR0_PG   BIT(31)

#define CR4_PAE        BIT(5)
#define CR4_PGE        BIT(7)
#define CR4_OSFXSR     BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_PCIDE      BIT(17)

#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)

#endif
