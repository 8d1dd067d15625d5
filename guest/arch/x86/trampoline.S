/*
 * trampoline.S: how an AP gets from the real mode a SIPI starts it in to
 * ap_start() in long mode.
 *
 * trampoline_start..trampoline_end is copied by smp_init() to
 * TRAMPOLINE_ADDR (the SIPI vector page), so everything in it addresses
 * itself through TRAMP(); kernel symbols are absolute (below 4 GiB).  The
 * AP loads the shared GDT, enters 32-bit protected mode, claims a boot
 * ticket with lock xadd (the ticket picks its stack, so several APs may run
 * this at once), takes the BSP's CR3/CR4/EFER and jumps to 64-bit
 * ap_long_entry in the kernel image.  No stack is used until then.
 */
#include <arch/regs.h>
#include <arch/gdt.h>
#include <arch/setup.h>

#define TRAMP(sym) (TRAMPOLINE_ADDR + ((sym) - trampoline_start))

    .section .rodata.trampoline, "a"
    .code16
    .global trampoline_start, trampoline_end
trampoline_start:
    cli
    cld
    xorw %ax, %ax
    movw %ax, %ds
    lgdtl TRAMP(tramp_gdt_ptr)
    movl %cr0, %eax
    orl $CR0_PE, %eax
    movl %eax, %cr0
    ljmpl $GDT_KERNEL_CODE32, $TRAMP(tramp_protected)

    .code32
tramp_protected:
    movw $GDT_KERNEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss

    /* Claim a ticket: ap_stack_tops[ticket] is this AP's stack. */
    movl $1, %edi
    lock xaddl %edi, ap_ticket

    /* The BSP's paging state (smp_init() wrote it before the SIPIs). */
    movl ap_boot_cr4, %eax
    andl $~CR4_PCIDE, %eax     /* PCIDE only once in long mode */
    movl %eax, %cr4
    movl ap_boot_cr3, %eax
    movl %eax, %cr3
    movl $MSR_EFER, %ecx
    movl ap_boot_efer, %eax
    movl ap_boot_efer + 4, %edx
    wrmsr

    /* After INIT, CR0 has CD and NW set: turn the caches on as well. */
    movl %cr0, %eax
    orl $(CR0_PG | CR0_MP | CR0_NE | CR0_WP), %eax
    andl $~(CR0_EM | CR0_TS | CR0_CD | CR0_NW), %eax
    movl %eax, %cr0
    ljmp $GDT_KERNEL_CODE, $ap_long_entry

    /* 32-bit lgdt operand: limit and base of the shared GDT. */
    .balign 4
tramp_gdt_ptr:
    .word GDT_SIZE - 1
    .long gdt
trampoline_end:

    .text
    .code64
ap_long_entry:
    movw $GDT_KERNEL_DATA, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorl %eax, %eax
    movw %ax, %fs
    movw %ax, %gs
    movq ap_boot_cr4, %rax     /* now the full value, PCIDE included */
    movq %rax, %cr4
    movl %edi, %edi            /* the ticket; upper half was undefined */
    movq ap_stack_tops(, %rdi, 8), %rsp
    xorl %ebp, %ebp
    fninit
    call ap_start
1:  cli
    hlt
    jmp 1b

    .section .note.GNU-stack, "", @progbits
