/*
 * gdt.c: one 64-bit TSS per CPU, whose only job is to supply the IST stacks
 * for #DF (IST_DOUBLE_FAULT) and NMI (IST_NMI), and its descriptor in the
 * shared GDT (defined in boot.S).  Each CPU has its own descriptor because
 * ltr marks a TSS descriptor busy.
 */
#include <stdint.h>
#include <arch/gdt.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/percpu.h>

#define IST_STACK_PAGES 2
#define TSS_TYPE_AVAILABLE 0x9
#define DESC_PRESENT (1ull << 47)

struct __attribute__((packed)) tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];          /* ist[0] is IST1 */
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
};

_Static_assert(sizeof(struct tss64) == 104, "TSS layout");
_Static_assert(MAX_CPUS <= GDT_TSS_SLOTS, "a GDT TSS slot per CPU");

static struct tss64 tss[MAX_CPUS] __attribute__((aligned(64)));

static uint64_t ist_stack_top(void)
{
    return (uint64_t)(uintptr_t)pages_alloc(IST_STACK_PAGES) + IST_STACK_PAGES * PAGE_SIZE;
}

void cpu_tss_init(unsigned cpu)
{
    if (cpu >= MAX_CPUS)
        panic("cpu_tss_init: cpu %u out of range", cpu);

    struct tss64 *t = &tss[cpu];
    t->ist[IST_DOUBLE_FAULT - 1] = ist_stack_top();
    t->ist[IST_NMI - 1] = ist_stack_top();
    t->iomap_base = sizeof(*t);              /* no I/O bitmap */

    uint64_t base = (uint64_t)(uintptr_t)t;
    uint64_t limit = sizeof(*t) - 1;
    unsigned slot = (GDT_TSS_BASE + 16 * cpu) / 8;
    gdt[slot] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                ((uint64_t)TSS_TYPE_AVAILABLE << 40) | DESC_PRESENT |
                (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[slot + 1] = base >> 32;

    uint16_t selector = (uint16_t)(GDT_TSS_BASE + 16 * cpu);
    __asm__ volatile("ltr %0" :: "r"(selector) : "memory");
}
