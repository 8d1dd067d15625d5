/*
 * Internal bring-up interfaces of the x86 platform: called by setup.c,
 * smp.c and the assembly entry points, not by measurement code.
 */
#ifndef ARCH_SETUP_H
#define ARCH_SETUP_H

/* Low-memory page the AP real-mode trampoline is copied to.  QEMU puts its
 * multiboot information at 0x9000, so the trampoline must stay below it. */
#define TRAMPOLINE_ADDR 0x8000

#ifndef __ASSEMBLER__
#include <stdint.h>
#include <guest/percpu.h>

/* boot.S: what the multiboot loader passed in EAX and EBX. */
extern uint32_t multiboot_magic;
extern uint32_t multiboot_info;

/* setup.c: the C entry points of the BSP (from boot.S). */
void kernel_start(void);

/* smp.c: the C entry point of every AP (from trampoline.S). */
void ap_start(void);

/* paging.c: the bump allocator's range [start, mem_top), start at least
 * _end, set before the first page_alloc. */
void page_alloc_init(uint64_t start, uint64_t mem_top);

/* percpu.c: points this CPU's GS base at its struct percpu. */
void percpu_install(struct percpu *p);

/* apic.c: the 8259 PICs are remapped and fully masked (BSP, once). */
void pic_disable(void);

/* cpuinfo.c: this CPU's APIC id as CPUID reports it (leaf 0xb, else 1). */
uint32_t cpuid_apic_id(void);

/* Linker-script symbols. */
extern char _end[];
extern char __bss_start[], __bss_end[];
#endif

#endif
