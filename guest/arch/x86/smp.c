/*
 * smp.c: starting the APs and running functions on them.
 *
 * smp_init() lists the CPUs (ACPI MADT, else fw_cfg's CPU count with APIC
 * ids 0..n-1), numbers them in that order with the BSP as cpu 0, copies the
 * trampoline to TRAMPOLINE_ADDR and sends every AP INIT, then two SIPIs.
 * Each AP enters ap_start(), sets itself up and marks itself online, then
 * sits in ap_idle_loop() until smp_call() hands it a function.
 *
 * An AP that has not checked in when the BSP's TSC-timed wait ends is left
 * out of the run: the BSP prints which, and cpu_online() reads false for it
 * (the measurement code skips it and reports the configurations that need
 * it).  Whether a late AP is in or out is decided by one compare-and-swap
 * on its ap_state (pending -> online by the AP, pending -> abandoned by
 * the BSP), so an AP that checks in just as the wait ends is either online
 * or halts for good, never half of each.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/idt.h>
#include <arch/paging.h>
#include <arch/setup.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include <guest/platform.h>
#include <guest/spinlock.h>
#include <guest/string.h>

#define INIT_DELAY_US     10000
#define SIPI_DELAY_US     200
/* Under TCG many vCPUs share few host cores: 2 s plus 50 ms per AP. */
#define ONLINE_TIMEOUT_BASE_US 2000000
#define ONLINE_TIMEOUT_PER_AP_US 50000

unsigned nr_cpus = 1;
unsigned nr_cpus_online = 1;
bool smp_withhold_last_ap;

/* Bring-up state of each AP (see the top of this file). */
enum { AP_PENDING, AP_ONLINE, AP_ABANDONED };
static uint8_t ap_state[MAX_CPUS];

/* Read by trampoline.S: written by the BSP before the first SIPI, which
 * orders them (the ICR write follows every earlier store). */
uint32_t ap_ticket;
uint64_t ap_boot_cr3, ap_boot_cr4, ap_boot_efer;
uint64_t ap_stack_tops[MAX_CPUS];

extern const char trampoline_start[], trampoline_end[];

/* Serialises smp_call()s to one target: one mailbox per CPU. */
static struct spinlock call_lock[MAX_CPUS];

static void wakeup_interrupt(struct irq_frame *f)
{
    (void)f;    /* Only wakes the CPU out of hlt; ap_idle_loop() does the rest. */
    apic_eoi();
}

static int cpu_of_apic_id(uint32_t id)
{
    for (unsigned i = 0; i < nr_cpus; i++) {
        if (percpu_of(i)->apic_id == id)
            return (int)i;
    }
    return -1;
}

static _Noreturn void ap_idle_loop(struct percpu *me)
{
    for (;;) {
        irq_disable();
        /* Acquire: pairs with the release store of call_fn in smp_call(),
         * so call_arg (written before it) is visible here. */
        void (*fn)(void *) = __atomic_load_n(&me->call_fn, __ATOMIC_ACQUIRE);
        if (!fn) {
            /* An IPI after the check stays pending through sti's shadow
             * and ends the hlt: no wakeup is lost. */
            safe_halt();
            continue;
        }
        void *arg = me->call_arg;
        /* Release: pairs with the acquire poll at the end of smp_call();
         * our read of call_arg is done before the mailbox reads empty. */
        __atomic_store_n(&me->call_fn, NULL, __ATOMIC_RELEASE);
        irq_enable();
        fn(arg);
        /* Release: pairs with the acquire poll in smp_wait_idle() (and at
         * the start of smp_call()): fn's stores are visible first. */
        __atomic_store_n(&me->busy, false, __ATOMIC_RELEASE);
    }
}

void ap_start(void)
{
    /* Find ourselves by the APIC id CPUID reports (the APIC is not set up
     * yet).  smp_init() filled every percpu before the SIPIs. */
    uint32_t id = cpuid_apic_id();
    int cpu = cpu_of_apic_id(id);
    static struct percpu stray;
    if (cpu < 0) {
        stray.cpu = ~0u;
        stray.apic_id = id;
        percpu_install(&stray);
        panic("AP with APIC id %u is not in the CPU list", id);
    }
    struct percpu *me = percpu_of((unsigned)cpu);
    percpu_install(me);

    cpu_tss_init(me->cpu);
    idt_load();
    apic_init();
    if (apic_id() != me->apic_id)
        panic("APIC id %u differs from CPUID's %u", apic_id(), me->apic_id);
    if (cpu_has_rdtscp)
        wrmsr(MSR_TSC_AUX, me->cpu);

    /* Acquire/release: pairs with the BSP's compare-and-swap in
     * abandon_late_aps(); exactly one of the two succeeds. */
    uint8_t pending = AP_PENDING;
    if (!__atomic_compare_exchange_n(&ap_state[me->cpu], &pending, AP_ONLINE, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        irq_disable();          /* the BSP gave up on this CPU: stay out of the run */
        for (;;)
            __asm__ volatile("hlt");
    }
    /* Release: pairs with the acquire poll in smp_init(); everything this
     * CPU set up is done before the BSP sees it online. */
    __atomic_store_n(&me->online, true, __ATOMIC_RELEASE);
    ap_idle_loop(me);
}

/* After the wait timed out: every AP still pending is abandoned (it halts
 * if it ever checks in); one that won the race is waited for.  Prints the
 * missing CPUs and returns how many are online. */
static unsigned abandon_late_aps(unsigned count)
{
    unsigned online = 1;

    printk("smp: bring-up wait timed out; never came up:");
    for (unsigned i = 1; i < count; i++) {
        uint8_t pending = AP_PENDING;
        /* Acquire/release: pairs with the AP's compare-and-swap in ap_start(). */
        if (__atomic_compare_exchange_n(&ap_state[i], &pending, AP_ABANDONED, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            printk(" cpu%u(apic %u)", i, percpu_of(i)->apic_id);
            continue;
        }
        /* It checked in: its online store follows at once (acquire pairs
         * with the release store in ap_start()). */
        while (!__atomic_load_n(&percpu_of(i)->online, __ATOMIC_ACQUIRE))
            cpu_relax();
        online++;
    }
    printk("\n");
    return online;
}

/* Builds the CPU list: cpu 0 is the BSP, the others follow the MADT. */
static unsigned list_cpus(uint32_t bsp_id, const char **source)
{
    static uint32_t ids[MAX_CPUS];
    unsigned n = acpi_madt_apic_ids(ids, MAX_CPUS);
    *source = "acpi";
    if (n == 0) {
        n = fwcfg_nb_cpus();
        if (n > MAX_CPUS)
            n = MAX_CPUS;
        for (unsigned i = 0; i < n; i++)
            ids[i] = i;
        *source = "fw_cfg";
    }
    if (n == 0) {
        ids[0] = bsp_id;
        n = 1;
        *source = "none";
    }

    unsigned count = 1;
    percpu_of(0)->apic_id = bsp_id;
    for (unsigned i = 0; i < n; i++) {
        bool seen = ids[i] == bsp_id;
        for (unsigned j = 1; j < count && !seen; j++)
            seen = percpu_of(j)->apic_id == ids[i];
        if (seen || count == MAX_CPUS)
            continue;
        struct percpu *p = percpu_of(count);
        p->self = p;
        p->cpu = count;
        p->apic_id = ids[i];
        count++;
    }
    return count;
}

void smp_init(void)
{
    const char *source;
    struct percpu *bsp = this_cpu();
    unsigned count = list_cpus(bsp->apic_id, &source);

    idt_set_handler(APIC_WAKEUP_VECTOR, wakeup_interrupt);
    __atomic_store_n(&bsp->online, true, __ATOMIC_RELEASE);
    nr_cpus = count;         /* cpu_of_apic_id() searches percpu[0..count) */
    if (count == 1) {
        printk("smp: 1 cpu (source %s)\n", source);
        return;
    }

    size_t tramp_size = (size_t)(trampoline_end - trampoline_start);
    if (tramp_size > PAGE_SIZE)
        panic("trampoline is %zu bytes, more than a page", tramp_size);
    memcpy((void *)(uintptr_t)TRAMPOLINE_ADDR, trampoline_start, tramp_size);

    unsigned aps = count - 1;
    char *stacks = pages_alloc((size_t)aps * (CPU_STACK_SIZE / PAGE_SIZE));
    for (unsigned t = 0; t < aps; t++)
        ap_stack_tops[t] = (uint64_t)(uintptr_t)(stacks + (size_t)(t + 1) * CPU_STACK_SIZE);
    ap_ticket = 0;
    ap_boot_cr3 = read_cr3();
    ap_boot_cr4 = read_cr4();
    ap_boot_efer = rdmsr(MSR_EFER) & ~EFER_LMA;

    /* inject ap-never-starts: the last AP is listed but never started. */
    unsigned started = smp_withhold_last_ap ? count - 1 : count;
    if (started != count)
        printk("smp: cpu%u (apic %u) gets no INIT-SIPI-SIPI (inject ap-never-starts)\n",
               count - 1, percpu_of(count - 1)->apic_id);

    uint64_t start = rdtsc();
    for (unsigned i = 1; i < started; i++)
        apic_send_init(percpu_of(i)->apic_id);
    udelay(INIT_DELAY_US);
    for (unsigned i = 1; i < started; i++)
        apic_send_sipi(percpu_of(i)->apic_id, TRAMPOLINE_ADDR >> 12);
    udelay(SIPI_DELAY_US);
    for (unsigned i = 1; i < started; i++) {
        /* Acquire: pairs with the release store in ap_start(). */
        if (!__atomic_load_n(&percpu_of(i)->online, __ATOMIC_ACQUIRE))
            apic_send_sipi(percpu_of(i)->apic_id, TRAMPOLINE_ADDR >> 12);
    }

    uint64_t timeout_us = ONLINE_TIMEOUT_BASE_US + (uint64_t)ONLINE_TIMEOUT_PER_AP_US * aps;
    uint64_t timeout = (uint64_t)(((unsigned __int128)timeout_us * tsc_info.hz) / 1000000u);
    unsigned online;
    for (;;) {
        online = 0;
        for (unsigned i = 0; i < count; i++) {
            /* Acquire: pairs with the release store in ap_start(). */
            online += __atomic_load_n(&percpu_of(i)->online, __ATOMIC_ACQUIRE);
        }
        if (online == count || rdtsc() - start > timeout)
            break;
        udelay(100);
    }

    if (online != count)
        online = abandon_late_aps(count);
    nr_cpus_online = online;
    printk("smp: %u cpus online (source %s) in %lu us\n", online, source,
           tsc_to_ns(rdtsc() - start) / 1000);
}

void smp_call(unsigned cpu, void (*fn)(void *arg), void *arg)
{
    /* cpu 0, the BSP, runs bench_main() and has no idle loop. */
    if (cpu == 0 || cpu >= nr_cpus || cpu == smp_processor_id() || !cpu_online(cpu))
        panic("smp_call: bad target cpu %u", cpu);
    struct percpu *p = percpu_of(cpu);
    spin_lock(&call_lock[cpu]);

    /* The mailbox takes one call: wait until the previous function has
     * returned, so busy stays true from here until fn returns.  Acquire:
     * pairs with the release store of busy in ap_idle_loop(). */
    while (__atomic_load_n(&p->busy, __ATOMIC_ACQUIRE))
        cpu_relax();
    p->busy = true;
    p->call_arg = arg;
    /* Release: pairs with the acquire load in ap_idle_loop(); busy and
     * call_arg are written before the call becomes visible. */
    __atomic_store_n(&p->call_fn, fn, __ATOMIC_RELEASE);
    apic_send_ipi(p->apic_id, APIC_WAKEUP_VECTOR);
    /* Acquire: pairs with the release store that empties the mailbox. */
    while (__atomic_load_n(&p->call_fn, __ATOMIC_ACQUIRE))
        cpu_relax();

    spin_unlock(&call_lock[cpu]);
}

void smp_wait_idle(unsigned cpu)
{
    struct percpu *p = percpu_of(cpu);
    /* Acquire: pairs with the release store of busy in ap_idle_loop(), so
     * the finished function's stores are visible to the caller. */
    while (__atomic_load_n(&p->busy, __ATOMIC_ACQUIRE))
        cpu_relax();
}
