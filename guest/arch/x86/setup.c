/*
 * setup.c: kernel_start(), the BSP's C entry from boot.S.  It brings the
 * platform up in dependency order (memory, per-CPU area, console, CPU
 * checks, IDT, paging, TSC, APIC, APs), prints cpus_online=N and runs
 * bench_main(), whose result becomes the VM's exit code.
 */
#include <stdint.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/paging.h>
#include <arch/setup.h>
#include <guest/console.h>
#include <guest/main.h>
#include <guest/percpu.h>
#include <guest/platform.h>

#define MULTIBOOT_LOADER_MAGIC 0x2badb002
#define MULTIBOOT_INFO_MEMORY  (1u << 0)
/* Used when the loader gives no memory size: the host starts QEMU with
 * -m 256, so 64 MiB is safe. */
#define DEFAULT_MEM_TOP        (64ull << 20)

struct multiboot_info_head {
    uint32_t flags;
    uint32_t mem_lower;        /* KiB below 1 MiB */
    uint32_t mem_upper;        /* KiB from 1 MiB up to the first hole */
};

/* QEMU puts the information at 0x9000 and the command line after the
 * kernel image, where page_alloc() will hand out pages: read it first. */
static uint64_t memory_top(void)
{
    if (multiboot_magic != MULTIBOOT_LOADER_MAGIC || multiboot_info == 0)
        return DEFAULT_MEM_TOP;
    const struct multiboot_info_head *mbi =
        (const void *)(uintptr_t)multiboot_info;
    if (!(mbi->flags & MULTIBOOT_INFO_MEMORY))
        return DEFAULT_MEM_TOP;
    return (1ull << 20) + (uint64_t)mbi->mem_upper * 1024;
}

bool cpu_has_rdtscp;

/* RDTSCP closes timed regions (tsc_end()) where the CPU model has it; some
 * hypervisors refuse it (executing it there is an emulation failure), so
 * tsc_end() falls back to lfence; rdtsc; lfence and the records say which. */
static void check_cpu_features(void)
{
    cpu_has_rdtscp = cpuid(0x80000000, 0).eax >= 0x80000001 &&
                     (cpuid(0x80000001, 0).edx & (1u << 27));
    if (!cpu_has_rdtscp)
        printk("no RDTSCP (CPUID 0x80000001 EDX bit 27): timed regions close with "
               "lfence; rdtsc; lfence\n");
}

void kernel_start(void)
{
    page_alloc_init(memory_top());

    /* GS first: the console lock and panic() use this_cpu(). */
    struct percpu *bsp = percpu_of(0);
    bsp->cpu = 0;
    percpu_install(bsp);

    console_init();
    printk("hvflush guest %s\n", GIT_REV);
    check_cpu_features();

    idt_init();
    cpu_tss_init(0);
    paging_init();
    tsc_init();
    apic_init();
    bsp->apic_id = apic_id();
    if (cpu_has_rdtscp)
        wrmsr(MSR_TSC_AUX, 0);

    smp_init();
    printk("cpus_online=%u\n", nr_cpus);

    /* The BSP takes interrupts too (IPIs from the measurement code). */
    irq_enable();
    int rc = bench_main();
    guest_exit(rc == 0 ? GUEST_EXIT_SUCCESS : GUEST_EXIT_FAILURE);
}
