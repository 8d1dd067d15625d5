/* Per-CPU data and the SMP call interface. */
#ifndef GUEST_PERCPU_H
#define GUEST_PERCPU_H

#include <stdint.h>
#include <stdbool.h>

#define MAX_CPUS 256
#define CPU_STACK_SIZE (16 * 1024)

struct percpu {
    struct percpu *self;          /* at offset 0: read with %gs:0 */
    unsigned cpu;                 /* logical index, 0 = BSP, ordered by MADT */
    uint32_t apic_id;
    /* Mailbox for smp_call(): written by the caller, cleared by this CPU. */
    void (*volatile call_fn)(void *arg);
    void *volatile call_arg;
    volatile bool online;
    /* Set by smp_call() before it posts fn, cleared by this CPU (release)
     * once fn has returned; smp_wait_idle() polls it (acquire). */
    volatile bool busy;
    /* Free for the measurement code (e.g. acks), one cache line each. */
    _Alignas(64) volatile uint64_t bench_slot[8];
};

extern unsigned nr_cpus;          /* CPUs of the VM (after smp_init()): the BSP and
                                     every AP listed, online or not */
extern unsigned nr_cpus_online;   /* those that came online (== nr_cpus unless an AP
                                     never came up) */
struct percpu *percpu_of(unsigned cpu);
struct percpu *this_cpu(void);    /* via %gs:0 */
static inline unsigned smp_processor_id(void) { return this_cpu()->cpu; }

/* Discovers CPUs (ACPI MADT, else fw_cfg), starts every AP with
 * INIT-SIPI-SIPI and waits until all are online or the bring-up times out
 * (TSC); an AP that has not checked in by then stays offline for the whole
 * run (cpu_online() false; one checking in later halts for good).  APs
 * then sit in an idle loop (sti; hlt) waiting for smp_call(). */
void smp_init(void);
/* cpu came online (cpu 0 always); smp_call() only to such a CPU. */
static inline bool cpu_online(unsigned cpu)
{
    return cpu < nr_cpus && __atomic_load_n(&percpu_of(cpu)->online, __ATOMIC_ACQUIRE);
}
/* Set before smp_init() (sweep `inject ap-never-starts`): the last AP gets
 * no INIT-SIPI-SIPI, so it never comes up. */
extern bool smp_withhold_last_ap;

/* Runs fn(arg) on cpu (an AP, not the caller) asynchronously: returns once
 * the target has taken the call.  If the target is still running an earlier
 * function, waits for it to return first.  The target runs fn with interrupts enabled
 * and returns to its idle loop afterwards. */
void smp_call(unsigned cpu, void (*fn)(void *arg), void *arg);
/* Waits until cpu has finished its last smp_call() function. */
void smp_wait_idle(unsigned cpu);

#endif
