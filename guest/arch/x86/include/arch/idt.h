/* Interrupt descriptor table.  Exceptions (0-31) not claimed by a handler
 * print vector, error code, RIP, CR2 and the CPU and exit the VM failed. */
#ifndef ARCH_IDT_H
#define ARCH_IDT_H

#include <stdint.h>

struct irq_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;
};

typedef void (*irq_handler_t)(struct irq_frame *f);

void idt_init(void);              /* BSP: build the table; every CPU: load it */
void idt_load(void);
/* Installs a handler for vector (32-255: the handler must apic_eoi()).
 * An exception handler may set f->rip to resume elsewhere. */
void idt_set_handler(uint8_t vector, irq_handler_t fn);
/* The report an unclaimed exception gets (and the failed exit): for a
 * handler that declines a fault it does not own. */
_Noreturn void idt_fatal_exception(struct irq_frame *f);

#endif
