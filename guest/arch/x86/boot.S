/*
 * boot.S: the multiboot v1 and multiboot2 headers and the BSP's path from
 * the loader's 32-bit protected mode into 64-bit long mode: zero .bss, identity-map
 * 0-4 GiB with 2 MiB pages, load the shared GDT, enable PAE, long mode,
 * paging and SSE, switch to the boot stack and call kernel_start().
 * Also defines the GDT itself (see <arch/gdt.h>).
 */
#include <arch/regs.h>
#include <arch/gdt.h>

#define MULTIBOOT_MAGIC  0x1BADB002
/* Bit 0: page-align modules, bit 1: memory information.  Bit 16 is clear:
 * the loader takes the load addresses from the (elf32) ELF headers. */
#define MULTIBOOT_FLAGS  0x00000003
#define MULTIBOOT2_MAGIC     0xe85250d6
#define MULTIBOOT2_ARCH_I386 0
#define BOOT_STACK_SIZE  (16 * 1024)

#define PTE_PRESENT_WRITE 0x003
#define PDE_LARGE         0x083    /* present, writable, 2 MiB page */
#define PDE_UNCACHED      0x018    /* PWT | PCD */

    .section .multiboot, "a"
    .balign 4
multiboot_header:
    .long MULTIBOOT_MAGIC
    .long MULTIBOOT_FLAGS
    .long -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

    /* Multiboot2 (GRUB's `multiboot2`, BIOS and UEFI): no tags but the end
     * tag.  The loader takes the load addresses from the ELF headers and
     * enters _start in 32-bit protected mode without paging (no EFI
     * boot-services tag is requested, so UEFI boot services are exited),
     * EAX = 0x36d76289 and EBX = the tag list (see guest/lib/bootinfo.c). */
    .balign 8
multiboot2_header:
    .long MULTIBOOT2_MAGIC
    .long MULTIBOOT2_ARCH_I386
    .long multiboot2_header_end - multiboot2_header
    .long -(MULTIBOOT2_MAGIC + MULTIBOOT2_ARCH_I386 + \
            (multiboot2_header_end - multiboot2_header))
    .word 0, 0                  /* end tag: type 0, flags 0 */
    .long 8                     /* its size */
multiboot2_header_end:

    .section .text.boot, "ax"
    .code32
    .global _start
_start:
    cli
    cld
    /* .data is loaded from the file, so these survive the .bss clear. */
    movl %eax, multiboot_magic
    movl %ebx, multiboot_info

    /* Zero .bss: it holds the page tables and the boot stack. */
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    xorl %eax, %eax
    rep stosb
    movl $boot_stack_top, %esp

    /* Long mode is required; say so on COM1 rather than triple-fault. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb no_long_mode
    movl $0x80000001, %eax
    cpuid
    btl $29, %edx
    jnc no_long_mode
    movl %edx, %ebp            /* keep for the NX check below */

    /* Page directories: 2048 entries of 2 MiB cover 0-4 GiB 1:1. */
    movl $boot_pd, %edi
    movl $PDE_LARGE, %eax
    xorl %ecx, %ecx
1:  movl %eax, (%edi, %ecx, 8)
    addl $0x200000, %eax
    incl %ecx
    cmpl $2048, %ecx
    jb 1b
    /* The fourth GiB (PCI hole, LAPIC, IOAPIC) is uncached. */
    movl $1536, %ecx
2:  orl $PDE_UNCACHED, (%edi, %ecx, 8)
    incl %ecx
    cmpl $2048, %ecx
    jb 2b

    /* PDPT entries 0-3 point at the four page directories. */
    movl $boot_pdpt, %edi
    movl $boot_pd + PTE_PRESENT_WRITE, %eax
    xorl %ecx, %ecx
3:  movl %eax, (%edi, %ecx, 8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jb 3b
    movl $boot_pdpt + PTE_PRESENT_WRITE, boot_pml4

    lgdt boot_gdt_ptr
    movw $GDT_KERNEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss

    movl $(CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT), %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3

    movl $MSR_EFER, %ecx
    rdmsr
    orl $EFER_LME, %eax
    btl $20, %ebp              /* CPUID.80000001H:EDX.NX */
    jnc 4f
    orl $EFER_NXE, %eax
4:  wrmsr

    movl %cr0, %eax
    orl $(CR0_PG | CR0_PE | CR0_MP | CR0_NE | CR0_WP), %eax
    andl $~(CR0_EM | CR0_TS | CR0_CD | CR0_NW), %eax
    movl %eax, %cr0
    ljmp $GDT_KERNEL_CODE, $long_mode_entry

no_long_mode:
    movl $no_long_mode_msg, %esi
5:  lodsb
    testb %al, %al
    jz 6f
    movw $0x3f8, %dx
    outb %al, %dx
    jmp 5b
6:  movw $0xf4, %dx
    movl $1, %eax              /* GUEST_EXIT_FAILURE */
    outl %eax, %dx
7:  hlt
    jmp 7b

    .code64
long_mode_entry:
    movw $GDT_KERNEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    fninit
    call kernel_start
8:  cli
    hlt
    jmp 8b

    .section .rodata
no_long_mode_msg:
    .asciz "PANIC: this CPU has no long mode\n"

    .section .data
    .balign 4
    .global multiboot_magic, multiboot_info
multiboot_magic:
    .long 0
multiboot_info:
    .long 0

    /* The GDT every CPU loads: see <arch/gdt.h> for the layout. */
    .balign 16
    .global gdt
gdt:
    .quad 0                     /* null */
    .quad 0x00af9a000000ffff    /* GDT_KERNEL_CODE: 64-bit, DPL 0 */
    .quad 0x00cf92000000ffff    /* GDT_KERNEL_DATA: flat, writable */
    .quad 0x00cf9a000000ffff    /* GDT_KERNEL_CODE32: flat 32-bit */
    .fill GDT_TSS_SLOTS * 2, 8, 0   /* TSS descriptors, filled by cpu_tss_init() */

    /* 32-bit lgdt operand: the limit and the low 32 bits of the base. */
    .balign 8
boot_gdt_ptr:
    .word GDT_SIZE - 1
    .long gdt

    .section .bss
    .balign 4096
    .global boot_pml4
boot_pml4:
    .skip 4096
boot_pdpt:
    .skip 4096
boot_pd:
    .skip 4 * 4096
    .balign 16
boot_stack:
    .skip BOOT_STACK_SIZE
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
