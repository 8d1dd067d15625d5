/*
 * IPI shootdown engine.
 *
 * Sequence of one round (shootdown_round):
 *   initiator: generation++ and the command are published (plain stores,
 *              then mfence so that they are globally visible before the
 *              IPI: an x2APIC ICR write is not serialising); a fixed IPI
 *              on SHOOTDOWN_VECTOR goes to each target in turn (physical
 *              destination, one ICR write per target, as Linux's
 *              flush_tlb_multi does for a sparse mask); then the initiator
 *              spins until every target's SLOT_ACK equals the generation.
 *   target:    takes the interrupt, EOIs, performs the command (flush,
 *              read or both), then release-stores the generation into its
 *              SLOT_ACK.
 *
 * Polling delivery (shootdown_start(..., poll = true), spinning targets
 * only): no IPI is sent; each target's wait loop notices the new generation
 * (acquire load, pairing with the release store of the generation in
 * shootdown_round()) and performs the command itself.  This is how the
 * hypercall strategies command their targets: a target that only reads
 * memory takes no interrupt and, under a hypervisor, no VM exit -- so
 * anything that flushes its TLB is the hypercall under test.
 *
 * Address spaces (space.c): a target loads its configuration's home space
 * when it enters the target loop and space 0 again when it leaves;
 * SD_TOUCH first reads the pages in the configuration's other live spaces
 * (spaces=N), SD_SWITCH loads the space the initiator chose.
 *
 * Targets and initiator: any CPUs (shootdown_start_cpus()); the CPU that
 * starts the engine hands the target loop to every other target with
 * smp_call() and, when it is a target itself, runs shootdown_serve().  The
 * initiator may be another CPU than the one that started the engine; it
 * ends the targets' loops with shootdown_signal_stop().
 *
 * Races tolerated: a target may still be leaving the previous handler when
 * the next IPI is sent; the APIC holds the new request in IRR until the
 * EOI, so nothing is lost.  Halted targets may not yet have executed hlt
 * when the next IPI arrives (they then take it while running):
 * shootdown_wait_parked() says whether every target had reached its
 * sti; hlt (generation stored just before it), so that the latency
 * measurement can exclude a sample whose target was still running; the
 * few instructions from that store to hlt remain a window it cannot see.
 * An acknowledgement that does not come within ten seconds is reported as
 * a timeout, never waited for forever.
 *
 * Other kicks (shootdown_set_kick(), kick.c): hv-ipi-invlpg sends the IPIs
 * with a hypercall; kvm-pv flags preempted targets in their steal-time
 * record instead (those are not awaited).  The initiator among the targets
 * (targets=self, all) runs no wait loop: it takes a polled command inline,
 * else its own IPI, waiting with interrupts enabled; it is never parked.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/paging.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include <guest/platform.h>
#include "shootdown.h"
#include "space.h"

static struct {
    volatile uint64_t generation;
    volatile enum shootdown_cmd cmd;
    volatile bool stop;
    enum target_state state;
    bool poll;
    enum flush_op op;
    uint32_t pages;
    uint32_t ntargets;
    uint32_t starter;                  /* the CPU that ran shootdown_start_cpus() */
    uint32_t target_cpu[MAX_CPUS];
    uint32_t target_apic[MAX_CPUS];
    struct probe_pages probe;
    uint32_t work_pages;               /* state=work: pages walked between commands */
    /* Kicks other than the APIC IPI, and the initiator among the targets: */
    shootdown_kick_fn kick;
    bool no_ack[MAX_CPUS];
    const char *problem;
    uint32_t initiator_hint;           /* shootdown_set_initiator(), for the next start */
    uint32_t initiator;                /* that CPU for this start, or UINT32_MAX */
} sd = { .initiator_hint = UINT32_MAX, .initiator = UINT32_MAX };

static inline uint64_t load_acquire(const volatile uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(volatile uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Reads every probe page and counts what it saw into the target's slots. */
static void probe_read(struct percpu *me, bool count)
{
    uint32_t i;

    for (i = sd.probe.first; i < sd.probe.first + sd.probe.count; i++) {
        uint64_t v = *(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);

        if (!count)
            continue;
        if (v == sd.probe.expect[i])
            me->bench_slot[SLOT_FRESH]++;
        else if (v == sd.probe.previous[i])
            me->bench_slot[SLOT_STALE]++;
        else
            me->bench_slot[SLOT_OTHER]++;
    }
}

/* Performs the command of generation gen and acknowledges it. */
static void run_command(struct percpu *me, uint64_t gen)
{
    switch (sd.cmd) {
    case SD_FLUSH:
        flush_window(sd.op, sd.pages);
        break;
    case SD_PRIME:
        probe_read(me, false);
        break;
    case SD_FLUSH_READ:
        /* kvm-pv: the hypervisor flushed this target; it only reads. */
        if (me->bench_slot[SLOT_PV_FLUSHED] != gen)
            flush_window(sd.op, sd.pages);
        probe_read(me, true);
        break;
    case SD_READ:
        probe_read(me, true);
        break;
    case SD_TOUCH: {
        uint32_t i;

        space_target_touch_others(sd.pages);    /* spaces=N: the other live spaces */
        for (i = 0; i < sd.pages; i++)
            (void)*(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);
        break;
    }
    case SD_FLUSH_ALL: {
        /* Toggling CR4.PGE drops global entries as well. */
        uint64_t cr4 = read_cr4();

        write_cr4(cr4 & ~CR4_PGE);
        write_cr4(cr4);
        write_cr3(read_cr3());
        break;
    }
    case SD_SWITCH:
        space_target_switch();
        break;
    }
    /* Pairs with the acquire loads in wait_acks(). */
    store_release(&me->bench_slot[SLOT_ACK], gen);
}

static void shootdown_irq(struct irq_frame *f)
{
    /* Pairs with the fence before the IPI in shootdown_round(). */
    uint64_t gen = load_acquire(&sd.generation);

    (void)f;
    apic_eoi();
    run_command(this_cpu(), gen);
}

/* Runs on each target through smp_call(), interrupts enabled. */
static void target_loop(void *arg)
{
    struct percpu *me = this_cpu();

    (void)arg;
    space_target_enter();             /* the configuration's home space */
    while (!__atomic_load_n(&sd.stop, __ATOMIC_ACQUIRE)) {
        if (sd.state == TARGET_WORK)   /* walk the working set between commands */
            for (uint32_t i = 0; i < sd.work_pages; i++)
                (void)*(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);
        if (sd.state == TARGET_HALT) {
            irq_disable();
            if (__atomic_load_n(&sd.stop, __ATOMIC_ACQUIRE)) {
                irq_enable();
                break;
            }
            /* Pairs with the acquire load in shootdown_wait_parked(). */
            store_release(&me->bench_slot[SLOT_PARKED], sd.generation);
            safe_halt();
        } else if (sd.poll) {
            /* Pairs with the release store of the generation in
             * shootdown_round(); cmd was written before it. */
            uint64_t gen = load_acquire(&sd.generation);

            if (gen != me->bench_slot[SLOT_ACK])
                run_command(me, gen);
            cpu_relax();
        } else {
            cpu_relax();
        }
    }
    space_target_leave();
}

void shootdown_set_kick(shootdown_kick_fn kick)
{
    sd.kick = kick;
}

const char *shootdown_problem(void)
{
    return sd.problem ? sd.problem : "ack-timeout";
}

void shootdown_set_initiator(uint32_t cpu)
{
    sd.initiator_hint = cpu;
}

void shootdown_init(void)
{
    idt_set_handler(SHOOTDOWN_VECTOR, shootdown_irq);
}

uint32_t shootdown_targets(void)
{
    return sd.ntargets;
}

void shootdown_set_probe(const struct probe_pages *p)
{
    sd.probe = *p;
}

void shootdown_set_work(uint32_t pages)
{
    sd.work_pages = pages;
}

bool shootdown_start(uint32_t ntargets, enum target_state state,
                     enum flush_op op, uint32_t pages, bool poll)
{
    static uint32_t first[MAX_CPUS];
    uint32_t t;

    if (ntargets >= nr_cpus)
        return false;
    for (t = 0; t < ntargets; t++)
        first[t] = t + 1;
    return shootdown_start_cpus(first, ntargets, state, op, pages, poll);
}

bool shootdown_start_cpus(const uint32_t *cpus, uint32_t n, enum target_state state,
                          enum flush_op op, uint32_t pages, bool poll)
{
    uint32_t t;

    if (n > nr_cpus)                   /* targets=all: every CPU, the initiator too */
        return false;
    for (t = 0; t < n; t++)
        if (cpus[t] >= nr_cpus)
            return false;
    sd.ntargets = n;
    sd.starter = smp_processor_id();
    sd.state = state;
    sd.poll = poll && state != TARGET_HALT;
    sd.op = op;
    sd.pages = pages;
    sd.probe.count = 0;
    sd.stop = false;
    sd.initiator = sd.initiator_hint;
    sd.initiator_hint = UINT32_MAX;
    for (t = 0; t < n; t++) {
        struct percpu *pc = percpu_of(cpus[t]);

        sd.target_cpu[t] = cpus[t];
        sd.target_apic[t] = pc->apic_id;
        sd.no_ack[t] = false;
        pc->bench_slot[SLOT_ACK] = sd.generation;
        pc->bench_slot[SLOT_PARKED] = 0;
        pc->bench_slot[SLOT_PV_FLUSHED] = 0;
        if (cpus[t] != sd.starter && cpus[t] != sd.initiator)
            smp_call(cpus[t], target_loop, NULL);
    }
    return true;
}

void shootdown_serve(void)
{
    uint64_t flags = irq_save();

    /* Interrupts on, as smp_call() runs target_loop on the others. */
    irq_enable();
    target_loop(NULL);
    irq_restore(flags);
}

void shootdown_signal_stop(void)
{
    uint32_t t;

    sd.cmd = SD_FLUSH;
    /* Pairs with the acquire loads of stop in target_loop(). */
    __atomic_store_n(&sd.stop, true, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    /* A halted target needs an interrupt to see the stop flag; the
     * handler's flush and acknowledgement are harmless here. */
    if (sd.state == TARGET_HALT)
        for (t = 0; t < sd.ntargets; t++)
            apic_send_ipi(sd.target_apic[t], SHOOTDOWN_VECTOR);
}

void shootdown_stop(void)
{
    uint32_t t;

    if (!__atomic_load_n(&sd.stop, __ATOMIC_ACQUIRE))
        shootdown_signal_stop();
    for (t = 0; t < sd.ntargets; t++)
        if (sd.target_cpu[t] != sd.starter && sd.target_cpu[t] != sd.initiator)
            smp_wait_idle(sd.target_cpu[t]);
    sd.ntargets = 0;
    sd.initiator = UINT32_MAX;
}

static bool wait_acks(uint64_t gen)
{
    /* Ten seconds: a hang detector, generous enough for vCPUs that share an
     * overloaded host core under TCG. */
    uint64_t deadline = rdtsc() + 10 * tsc_info.hz;
    /* Its own IPI reaches the initiator only with interrupts enabled. */
    bool self = !sd.poll && cpu_list_has(sd.target_cpu, sd.ntargets, smp_processor_id());
    uint64_t flags = irq_save();
    bool ok = true;
    uint32_t t;

    if (self)
        irq_enable();
    for (t = 0; t < sd.ntargets && ok; t++) {
        volatile uint64_t *ack = &percpu_of(sd.target_cpu[t])->bench_slot[SLOT_ACK];

        while (!sd.no_ack[t] && load_acquire(ack) != gen) {
            cpu_relax();
            if (rdtsc() > deadline) {
                ok = false;
                break;
            }
        }
    }
    irq_restore(flags);
    return ok;
}

bool shootdown_round(enum shootdown_cmd cmd)
{
    uint64_t gen = sd.generation + 1;
    uint32_t t;

    sd.cmd = cmd;
    sd.problem = NULL;
    /* Pairs with the acquire load in target_loop() (polling delivery). */
    store_release(&sd.generation, gen);
    if (!sd.poll) {
        /* Makes cmd and generation visible before any IPI can be observed;
         * pairs with the acquire load in shootdown_irq(). */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        if (sd.kick) {
            sd.problem = sd.kick(cmd, gen, sd.target_cpu, sd.target_apic, sd.ntargets,
                                 sd.no_ack);
            if (sd.problem)
                return false;
        } else {
            for (t = 0; t < sd.ntargets; t++)
                apic_send_ipi(sd.target_apic[t], SHOOTDOWN_VECTOR);
        }
    } else if (cpu_list_has(sd.target_cpu, sd.ntargets, smp_processor_id())) {
        run_command(this_cpu(), gen);   /* the initiator as a polling target */
    }
    return wait_acks(gen);
}

bool shootdown_wait_parked(void)
{
    uint64_t deadline = rdtsc() + tsc_info.hz / 10;
    bool all = true;
    uint32_t t;

    if (sd.state != TARGET_HALT)
        return true;
    for (t = 0; t < sd.ntargets; t++) {
        volatile uint64_t *parked = &percpu_of(sd.target_cpu[t])->bench_slot[SLOT_PARKED];

        if (sd.target_cpu[t] == smp_processor_id())
            continue;                   /* the initiator itself never halts */
        while (load_acquire(parked) != sd.generation && rdtsc() < deadline)
            cpu_relax();
        all &= load_acquire(parked) == sd.generation;
    }
    /* From the store to hlt is a handful of instructions. */
    udelay(2);
    return all;
}
