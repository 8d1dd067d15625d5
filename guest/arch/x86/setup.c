/*
 * setup.c: kernel_start(), the BSP's C entry from boot.S.  It brings the
 * platform up in dependency order (memory, per-CPU area, console, CPU
 * checks, IDT, paging, TSC, APIC, APs), prints cpus_online=N and runs
 * bench_main(), whose result becomes the VM's exit code (guest_end()).
 */
#include <stdint.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/paging.h>
#include <arch/setup.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/main.h>
#include <guest/percpu.h>
#include <guest/platform.h>
#include <guest/poweroff.h>

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
    /* The loader's structures may lie where page_alloc() hands out pages:
     * bootinfo_init() copies what the guest needs first. */
    bootinfo_init(multiboot_magic, multiboot_info);
    page_alloc_init(bootinfo.alloc.start, bootinfo.alloc.end);

    /* GS first: the console lock and panic() use this_cpu(). */
    struct percpu *bsp = percpu_of(0);
    bsp->cpu = 0;
    percpu_install(bsp);

    console_init();
    printk("hvflush guest %s\n", GIT_REV);
    bootinfo_print();
    check_cpu_features();

    idt_init();
    cpu_tss_init(0);
    paging_init();
    tsc_init();
    apic_init();
    bsp->apic_id = apic_id();
    if (cpu_has_rdtscp)
        wrmsr(MSR_TSC_AUX, 0);

    bench_early();
    smp_init();
    printk("cpus_online=%u\n", nr_cpus_online);

    /* The BSP takes interrupts too (IPIs from the measurement code). */
    irq_enable();
    int rc = bench_main();
    guest_end(rc == 0 ? GUEST_EXIT_SUCCESS : GUEST_EXIT_FAILURE);
}
