/*
 * Throughput of k concurrent initiators (sweep keys initiators=, share=).
 *
 * Where it runs: sweep_throughput_placement() (bench/sweep_initiators.c):
 * the initiators are CPUs c->initiator .. c->initiator + k - 1; each names
 * its own `targets` CPUs (share=own, disjoint sets) or all name the same
 * `targets` CPUs (share=shared).  CPU 0, the driver, hands every other
 * participant its loop with smp_call() and runs its own part (initiator,
 * target or neither) itself, then waits for all of them.
 *
 * Algorithm: every participant counts itself into tp.ready and waits for
 * the phase initiator 0 publishes.  For state=work, TP_QUIET comes first:
 * for TP_WINDOW_MS the targets walk their working set while nobody
 * flushes (interference.c).  In TP_LOADED each initiator, interrupts off,
 * issues flushes back-to-back from the moment it sees the phase until
 * TP_WINDOW_MS have passed on its TSC, timing each one (tsc_begin/tsc_end,
 * the empty bracket's overhead subtracted, floored at 0); a flush started
 * before the deadline counts whole.  Its rate is flushes * tsc_hz / window,
 * window running from its start to the end of its last flush; the
 * aggregate rate is the sum of the initiators' rates; p50 and p99 come from
 * its first min(samples, TP_SAMPLES_MAX) flushes.  For state=work the
 * TP_REFILL rounds follow (interference.c).  Initiator 0 then publishes
 * TP_DONE and stops the targets.
 *
 * One flush (tp_flush_once):
 *   ipi:  initiator i increments its generation tp.init[i].req (release
 *         store, then a full fence, so it is visible before any IPI: an
 *         x2APIC ICR write is not serialising), sends TP_VECTOR to each of
 *         its targets in turn and spins until each target's acks.gen[i]
 *         equals the generation.  A target's handler EOIs first, then, for
 *         every initiator that names it, compares that initiator's
 *         generation (acquire) with its acknowledgement; when they differ
 *         it flushes as the configuration says (flush_window) and stores
 *         the generation (release).  Several initiators' requests that
 *         reach a target together are each flushed and acknowledged.
 *   hv-*: the initiator issues the flush hypercall prepared for it
 *         (throughput_hv.c), naming its own targets; by the TLFS the
 *         targets are flushed when it returns, no acknowledgement.
 *
 * Target states: spin (pause loop, interrupts on), halt (sti; hlt until
 * an IPI; stopped by a TP_VECTOR IPI after tp.stop is set), work (walks
 * the working set: interference.c).
 *
 * Races tolerated: an IPI that arrives while a target's handler runs
 * (another initiator's, or the next one of the same) waits in IRR until
 * the handler returns, and the EOI at its start means a generation stored
 * after the scan always brings another interrupt, so no request is lost;
 * halted targets are not checked for having parked (under load they are
 * woken back-to-back: that is the load).  An acknowledgement missing for
 * ten seconds ends the measurement with an `error` record (ack-timeout).
 * The initiators' windows start when each sees TP_LOADED, a few hundred
 * cycles apart at most; the tail of one window may overlap no other.
 */
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <arch/paging.h>
#include <bench/timing.h>
#include <guest/console.h>
#include <guest/platform.h>
#include "measure.h"
#include "hypercall.h"
#include "shootdown.h"
#include "throughput.h"

#define TP_SAMPLES_MAX 4096u     /* latency samples kept per initiator */

struct tp_state tp;
static struct tp_acks acks[MAX_CPUS];
static uint32_t target_apic[MAX_CPUS];    /* APIC id of tp.targets[t] */
static uint64_t *sample_buf;

static inline uint64_t load_acquire(const volatile uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void store_release(volatile uint64_t *p, uint64_t v)
{
    __atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void tp_irq(struct irq_frame *f)
{
    uint32_t me = smp_processor_id(), bits = tp.names[me], i;

    (void)f;
    /* First: a request stored after the scan below brings a new IPI. */
    apic_eoi();
    for (i = 0; bits; i++, bits >>= 1) {
        uint64_t gen;

        if (!(bits & 1))
            continue;
        /* Pairs with the release store and fence in tp_flush_once(). */
        gen = load_acquire(&tp.init[i].req);
        if (gen == acks[me].gen[i])
            continue;
        flush_window(tp.c->flush, tp.c->pages);
        /* Pairs with the acquire load in tp_flush_once(). */
        store_release(&acks[me].gen[i], gen);
    }
}

bool tp_flush_once(uint32_t i)
{
    struct tp_initiator *ini = &tp.init[i];
    uint64_t gen, deadline;
    uint32_t t;

    if (tp.hv) {
        struct hv_result r = hv_flush_issue(&ini->call);

        ini->problem = hv_result_problem(&r, ini->problem_buf, sizeof(ini->problem_buf));
        return !ini->problem;
    }
    gen = ini->req + 1;
    /* Pairs with the acquire load in tp_irq(). */
    store_release(&ini->req, gen);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (t = ini->first; t < ini->first + ini->ntargets; t++)
        apic_send_ipi(target_apic[t], TP_VECTOR);
    deadline = rdtsc() + 10 * tsc_info.hz;
    for (t = ini->first; t < ini->first + ini->ntargets; t++) {
        /* Pairs with the release store in tp_irq(). */
        while (load_acquire(&acks[tp.targets[t]].gen[i]) != gen) {
            cpu_relax();
            if (rdtsc() > deadline) {
                ini->problem = "ack-timeout";
                return false;
            }
        }
    }
    return true;
}

void tp_wait_phase(uint32_t p)
{
    /* Pairs with the release stores of tp.phase in publish(). */
    while (__atomic_load_n(&tp.phase, __ATOMIC_ACQUIRE) < p &&
           !__atomic_load_n(&tp.stop, __ATOMIC_ACQUIRE))
        cpu_relax();
}

static void publish(uint32_t p)
{
    __atomic_store_n(&tp.phase, p, __ATOMIC_RELEASE);
}

/* Initiator 0: waits until n participants have checked in (ten seconds at
 * most: a missing one shows as a timeout of the first flush). */
static void wait_count(volatile uint32_t *count, uint32_t n)
{
    uint64_t deadline = rdtsc() + 10 * tsc_info.hz;

    while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < n && rdtsc() < deadline)
        cpu_relax();
}

static void stop_targets(void)
{
    uint32_t t;

    publish(TP_DONE);
    /* Pairs with the acquire loads of tp.stop in the target loops. */
    __atomic_store_n(&tp.stop, true, __ATOMIC_RELEASE);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (tp.c->state == TARGET_HALT)
        for (t = 0; t < tp.ntargets; t++)
            apic_send_ipi(target_apic[t], TP_VECTOR);
}

static void loaded_window(uint32_t i)
{
    struct tp_initiator *ini = &tp.init[i];
    uint64_t start = rdtsc(), deadline = start + tp.window_cycles, t0, t1 = start;
    bool clamped;

    while (t1 < deadline) {
        bool ok;

        t0 = tsc_begin();
        ok = tp_flush_once(i);
        t1 = tsc_end();
        if (!ok)
            break;
        if (ini->kept < ini->cap)
            ini->samples[ini->kept++] = timing_net(t0, t1, timer_overhead_cycles(), &clamped);
        ini->flushes++;
    }
    ini->window = t1 - start;
}

static void initiator_main(void *arg)
{
    uint32_t i = (uint32_t)(uintptr_t)arg;
    bool work = tp.c->state == TARGET_WORK;
    uint64_t flags;

    __atomic_add_fetch(&tp.ready, 1, __ATOMIC_ACQ_REL);
    if (i == 0) {
        wait_count(&tp.ready, tp.k + tp.ntargets);
        if (work) {
            uint64_t end = rdtsc() + tp.window_cycles;

            publish(TP_QUIET);
            while (rdtsc() < end)
                cpu_relax();
        }
        publish(TP_LOADED);
    }
    tp_wait_phase(TP_LOADED);
    flags = irq_save();
    loaded_window(i);
    irq_restore(flags);
    __atomic_add_fetch(&tp.finished, 1, __ATOMIC_ACQ_REL);
    if (work) {
        if (i == 0) {
            wait_count(&tp.finished, tp.k);
            publish(TP_REFILL);
        }
        tp_wait_phase(TP_REFILL);
        interference_refill(i);
        __atomic_add_fetch(&tp.finished, 1, __ATOMIC_ACQ_REL);
    }
    if (i == 0) {
        wait_count(&tp.finished, work ? 2 * tp.k : tp.k);
        stop_targets();
    }
}

static void target_main(void *arg)
{
    (void)arg;
    __atomic_add_fetch(&tp.ready, 1, __ATOMIC_ACQ_REL);
    switch (tp.c->state) {
    case TARGET_WORK:
        interference_target(smp_processor_id());
        break;
    case TARGET_HALT:
        for (;;) {
            irq_disable();
            if (__atomic_load_n(&tp.stop, __ATOMIC_ACQUIRE)) {
                irq_enable();
                break;
            }
            safe_halt();
        }
        break;
    default:
        while (!__atomic_load_n(&tp.stop, __ATOMIC_ACQUIRE))
            cpu_relax();
        break;
    }
}

/* Lays out the initiators, their targets and the IPI bookkeeping. */
static bool setup(const struct sweep_config *c)
{
    uint32_t i, t;

    if (!sample_buf)
        sample_buf = pages_alloc(SWEEP_INITIATORS_MAX * TP_SAMPLES_MAX * sizeof(uint64_t) /
                                 PAGE_SIZE);
    tp.c = c;
    tp.hv = strategy_is_hv(c->strategy);
    tp.k = c->initiators;
    tp.ntargets = sweep_throughput_target_count(c);
    if (!sweep_throughput_placement(c, nr_cpus, tp.inits, tp.targets))
        return false;
    tp.window_cycles = tsc_info.hz / 1000 * TP_WINDOW_MS;
    tp.phase = TP_SETUP;
    tp.ready = tp.finished = 0;
    tp.stop = false;
    for (i = 0; i < nr_cpus; i++)
        tp.names[i] = 0;
    for (t = 0; t < tp.ntargets; t++)
        target_apic[t] = percpu_of(tp.targets[t])->apic_id;
    for (i = 0; i < tp.k; i++) {
        struct tp_initiator *ini = &tp.init[i];

        ini->cpu = tp.inits[i];
        ini->first = c->share == SHARE_SHARED ? 0 : i * c->targets;
        ini->ntargets = c->targets;
        ini->flushes = ini->window = 0;
        ini->kept = 0;
        ini->cap = c->samples < TP_SAMPLES_MAX ? c->samples : TP_SAMPLES_MAX;
        ini->samples = sample_buf + i * TP_SAMPLES_MAX;
        ini->problem = NULL;
        for (t = ini->first; t < ini->first + ini->ntargets; t++) {
            tp.names[tp.targets[t]] |= 1u << i;
            acks[tp.targets[t]].gen[i] = ini->req;
        }
    }
    return true;
}

static void emit_records(const struct sweep_config *c, const char *label)
{
    static char list[RECORD_LINE_MAX / 2];
    uint64_t sum = 0, flushes = 0, longest = 0;
    uint32_t i;

    for (i = 0; i < tp.k; i++) {
        struct tp_initiator *ini = &tp.init[i];
        uint64_t per_s = ini->window ? (uint64_t)((unsigned __int128)ini->flushes *
                                                  tsc_info.hz / ini->window) : 0;

        u64_sort(ini->samples, ini->kept);
        ini->p50 = ini->kept ? timing_percentile(ini->samples, ini->kept, 50) : 0;
        ini->p99 = ini->kept ? timing_percentile(ini->samples, ini->kept, 99) : 0;
        record_begin(&records, "initiator");
        record_u64(&records, "id", c->id);
        record_u64(&records, "idx", i);
        record_u64(&records, "cpu", ini->cpu);
        cpu_list_format(tp.targets + ini->first, ini->ntargets, list, sizeof(list));
        record_str(&records, "target_cpus", list);
        record_u64(&records, "flushes", ini->flushes);
        record_u64(&records, "window_cycles", ini->window);
        record_u64(&records, "per_s", per_s);
        record_u64(&records, "kept", ini->kept);
        record_u64(&records, "p50", ini->p50);
        record_u64(&records, "p99", ini->p99);
        record_finish(&records);
        sum += per_s;
        flushes += ini->flushes;
        longest = ini->window > longest ? ini->window : longest;
    }
    record_begin(&records, "throughput");
    record_u64(&records, "id", c->id);
    record_u64(&records, "initiators", tp.k);
    record_str(&records, "share", share_mode_name(c->share));
    record_u64(&records, "window_cycles", longest);
    record_u64(&records, "flushes", flushes);
    record_u64(&records, "aggregate_per_s", sum);
    record_finish(&records);
    printk("      %-24s throughput k=%u %s: %llu flushes/s (", label, tp.k,
           share_mode_name(c->share), (unsigned long long)sum);
    for (i = 0; i < tp.k; i++)
        printk("%s%llu", i ? " " : "", (unsigned long long)tp.init[i].flushes);
    printk(" flushes in %u ms windows)\n", TP_WINDOW_MS);
}

static void emit_error(const struct sweep_config *c, const char *what)
{
    record_begin(&records, "error");
    record_u64(&records, "id", c->id);
    record_str(&records, "what", what);
    record_finish(&records);
    printk("config %u: throughput: %s\n", c->id, what);
}

void throughput_config(const struct sweep_config *c)
{
    uint32_t self = smp_processor_id(), i, t;
    const char *why = NULL;
    char label[64];

    sweep_config_label(c, label, sizeof(label));
    if (!setup(c)) {
        emit_error(c, "not-enough-cpus");
        return;
    }
    for (i = 0; i < tp.k && tp.hv && !why; i++)
        why = tp_hv_prepare(i);
    if (why) {
        emit_error(c, why);
        return;
    }
    idt_set_handler(TP_VECTOR, tp_irq);
    interference_reset();
    for (t = 0; t < tp.ntargets; t++)
        if (tp.targets[t] != self)
            smp_call(tp.targets[t], target_main, NULL);
    for (i = 0; i < tp.k; i++)
        if (tp.inits[i] != self)
            smp_call(tp.inits[i], initiator_main, (void *)(uintptr_t)i);
    if (cpu_list_has(tp.inits, tp.k, self)) {
        initiator_main((void *)(uintptr_t)(self - c->initiator));
    } else if (cpu_list_has(tp.targets, tp.ntargets, self)) {
        uint64_t flags = irq_save();

        irq_enable();               /* as smp_call() runs the others' loops */
        target_main(NULL);
        irq_restore(flags);
    }
    for (t = 0; t < tp.ntargets; t++)
        if (tp.targets[t] != self)
            smp_wait_idle(tp.targets[t]);
    for (i = 0; i < tp.k; i++)
        if (tp.inits[i] != self)
            smp_wait_idle(tp.inits[i]);
    for (i = 0; i < tp.k; i++)
        if (tp.init[i].problem) {
            emit_error(c, tp.init[i].problem);
            return;
        }
    emit_records(c, label);
    if (c->state == TARGET_WORK)
        interference_emit();
}
