/*
 * idt.c: the interrupt descriptor table shared by every CPU, the handler
 * table and isr_dispatch(), which isr.S calls for every interrupt and
 * exception.  An exception no handler claims prints one EXCEPTION line
 * (vector, name, error code, RIP, CR2, CPU) plus the registers and exits the
 * VM failed; #DF and NMI run on their own IST stacks (see gdt.c) so even a
 * broken stack ends in that report, not in a triple fault.
 */
#include <stdint.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <guest/console.h>
#include <guest/percpu.h>

struct __attribute__((packed)) idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;        /* P, DPL, type */
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

#define IDT_INTERRUPT_GATE 0x8e   /* present, DPL 0, 64-bit interrupt gate */
#define VECTOR_NMI          2
#define VECTOR_DOUBLE_FAULT 8
#define VECTOR_FIRST_IRQ    32

static struct idt_gate idt[256] __attribute__((aligned(16)));
static irq_handler_t handlers[256];
extern const uint64_t isr_stub_table[256];

void isr_dispatch(struct irq_frame *f);

static const char *const exception_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
    "#DF", "#CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
    "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "#22", "#23",
    "#24", "#25", "#26", "#27", "#HV", "#VC", "#SX", "#31",
};

static void set_gate(unsigned vector, uint64_t addr, uint8_t ist)
{
    struct idt_gate *g = &idt[vector];
    g->offset_low = (uint16_t)addr;
    g->selector = GDT_KERNEL_CODE;
    g->ist = ist;
    g->type_attr = IDT_INTERRUPT_GATE;
    g->offset_mid = (uint16_t)(addr >> 16);
    g->offset_high = (uint32_t)(addr >> 32);
    g->reserved = 0;
}

static void spurious_interrupt(struct irq_frame *f)
{
    (void)f;    /* A spurious interrupt is not acknowledged with an EOI. */
}

void idt_load(void)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" :: "m"(idtr) : "memory");
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint8_t ist = 0;
        if (v == VECTOR_DOUBLE_FAULT)
            ist = IST_DOUBLE_FAULT;
        else if (v == VECTOR_NMI)
            ist = IST_NMI;
        set_gate(v, isr_stub_table[v], ist);
    }
    idt_set_handler(APIC_SPURIOUS_VECTOR, spurious_interrupt);
    idt_load();
}

void idt_set_handler(uint8_t vector, irq_handler_t fn)
{
    /* Release: pairs with the acquire load in isr_dispatch() on any CPU,
     * so a handler's own data is set up before it can be called. */
    __atomic_store_n(&handlers[vector], fn, __ATOMIC_RELEASE);
}

/* The CPU index for a report, even when GS is not set up yet. */
static int report_cpu(void)
{
    return rdmsr(MSR_GS_BASE) ? (int)smp_processor_id() : -1;
}

/* Set by the first CPU that reports a fatal fault; anyone else who faults
 * meanwhile stops and leaves the report (and the exit) to that CPU. */
static volatile uint64_t fatal_reporter;

static _Noreturn void fatal_exception(struct irq_frame *f)
{
    uint64_t me = rdmsr(MSR_GS_BASE) ? rdmsr(MSR_GS_BASE) : 1;
    uint64_t expected = 0;
    if (!__atomic_compare_exchange_n(&fatal_reporter, &expected, me, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        if (expected == me)
            guest_exit(GUEST_EXIT_FAILURE);   /* faulted while reporting */
        for (;;)
            halt();                           /* interrupts are off here */
    }

    const char *name = f->vector < 32 ? exception_names[f->vector] : "IRQ";
    printk("EXCEPTION vector=%lu (%s) error=0x%lx rip=0x%lx cr2=0x%lx cpu=%d\n",
           f->vector, name, f->error_code, f->rip, read_cr2(), report_cpu());
    printk("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n"
           "  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n"
           "  r8=%016lx r9=%016lx r10=%016lx r11=%016lx\n"
           "  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n"
           "  cs=%lx ss=%lx rflags=%lx cr3=%lx\n",
           f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rbp, f->rsp,
           f->r8, f->r9, f->r10, f->r11, f->r12, f->r13, f->r14, f->r15,
           f->cs, f->ss, f->rflags, read_cr3());
    guest_exit(GUEST_EXIT_FAILURE);
}

_Noreturn void idt_fatal_exception(struct irq_frame *f)
{
    fatal_exception(f);
}

void isr_dispatch(struct irq_frame *f)
{
    /* Acquire: pairs with the release store in idt_set_handler(). */
    irq_handler_t fn = __atomic_load_n(&handlers[f->vector], __ATOMIC_ACQUIRE);
    if (fn) {
        fn(f);
        return;
    }
    if (f->vector >= VECTOR_FIRST_IRQ)
        printk("unexpected interrupt vector=%lu cpu=%d\n", f->vector, report_cpu());
    fatal_exception(f);
}
