/*
 * isr.S: the 256 interrupt entry stubs and their common path.  Each stub
 * pushes a dummy error code (unless the CPU pushed one) and its vector; the
 * common path saves the general registers so the stack holds a struct
 * irq_frame (see <arch/idt.h>), calls isr_dispatch(frame) and returns with
 * iretq.  isr_stub_table lists the stubs' addresses for idt_init().
 */

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                           (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .code64

    .macro isr_stub vector
    .balign 16
isr_stub_\vector:
    .if (HAS_ERROR_CODE(\vector)) == 0
    pushq $0
    .endif
    pushq $\vector
    jmp isr_common
    .endm

    .altmacro
    .macro isr_stubs from, to
    isr_stub \from
    .if \to-\from
    isr_stubs %(\from+1), \to
    .endif
    .endm

    /* Split in chunks to keep the macro recursion shallow. */
    isr_stubs 0, 63
    isr_stubs 64, 127
    isr_stubs 128, 191
    isr_stubs 192, 255

isr_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    cld
    movq %rsp, %rdi            /* struct irq_frame * */
    movq %rsp, %rbx            /* callee-saved: the unaligned stack */
    andq $-16, %rsp
    call isr_dispatch
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp             /* vector and error code */
    iretq

    .macro stub_address vector
    .quad isr_stub_\vector
    .endm

    .macro stub_addresses from, to
    stub_address \from
    .if \to-\from
    stub_addresses %(\from+1), \to
    .endif
    .endm

    .section .rodata
    .balign 8
    .global isr_stub_table
isr_stub_table:
    stub_addresses 0, 63
    stub_addresses 64, 127
    stub_addresses 128, 191
    stub_addresses 192, 255

    .section .note.GNU-stack, "", @progbits
