/*
 * percpu.c: the per-CPU areas.  Each CPU's GS base points at its struct
 * percpu, whose first field points at itself, so this_cpu() is one load
 * from %gs:0.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/setup.h>
#include <guest/console.h>
#include <guest/percpu.h>

static struct percpu percpu_area[MAX_CPUS];

struct percpu *percpu_of(unsigned cpu)
{
    if (cpu >= MAX_CPUS)
        panic("percpu_of(%u): out of range", cpu);
    return &percpu_area[cpu];
}

struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(p));
    return p;
}

void percpu_install(struct percpu *p)
{
    p->self = p;
    wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)p);
}
