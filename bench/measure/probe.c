/*
 * Platform calibration on one CPU: can this platform show a stale TLB
 * entry at all, and does an entry survive a plain VM exit?
 *
 * Algorithm (PROBE_ROUNDS times, interrupts off, nothing printed between
 * the reads because console output causes exits):
 *   map PROBE_VA -> frame A; read it (the TLB now caches A);
 *   re-point the PTE to frame B without invlpg; read  -> A means a stale
 *     entry is observable ("stale-read"), B means the platform noticed the
 *     PTE write (shadow paging) or had flushed;
 *   execute CPUID (an unconditional exit under a hypervisor); read again ->
 *     A means entries survive an exit ("exit-survival"), B that the exit
 *     flushed.  Only meaningful where the first read was stale;
 *   invlpg; read -> must be B ("local-invlpg"), else the flush is broken.
 * Races: none on one CPU; a timer interrupt is impossible with interrupts
 * off, but a host-side preemption between reads can flush on some
 * platforms, which only lowers the observed counts.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include "measure.h"

#define PROBE_ROUNDS 16

struct platform_facts platform_facts;
#define PROBE_VA (TEST_WINDOW_VA + 4 * 1024 * 1024)

static void emit_probe(const char *name, const char *result, uint32_t hits, uint32_t of)
{
    char detail[32];

    snprintk(detail, sizeof(detail), "%u/%u", hits, of);
    record_begin(&records, "probe");
    record_str(&records, "name", name);
    record_str(&records, "result", result);
    record_str(&records, "detail", detail);
    record_finish(&records);
    printk("probe %-14s %-14s (%s)\n", name, result, detail);
}

void probe_platform(void)
{
    uint64_t *a = page_alloc(), *b = page_alloc();
    const volatile uint64_t *va = (const volatile uint64_t *)PROBE_VA;
    volatile uint64_t *pte;
    uint32_t r, stale = 0, survived = 0, invlpg_ok = 0;
    uint64_t flags;

    *a = 0xa;
    *b = 0xb;
    map_page(PROBE_VA, (uint64_t)(uintptr_t)a, PTE_P | PTE_W);
    pte = pte_of(PROBE_VA);
    flags = irq_save();
    for (r = 0; r < PROBE_ROUNDS; r++) {
        uint64_t first, after_exit, after_invlpg;

        *pte = (uint64_t)(uintptr_t)a | PTE_P | PTE_W;
        invlpg((const void *)va);
        (void)*va;
        *pte = (uint64_t)(uintptr_t)b | PTE_P | PTE_W;
        first = *va;
        (void)cpuid(0, 0);
        after_exit = *va;
        invlpg((const void *)va);
        after_invlpg = *va;
        stale += first == 0xa;
        survived += first == 0xa && after_exit == 0xa;
        invlpg_ok += after_invlpg == 0xb;
    }
    irq_restore(flags);

    platform_facts.stale_observable = stale > 0;
    platform_facts.survives_exits = survived > 0;
    emit_probe("stale-read", stale ? "observable" : "never-observed", stale, PROBE_ROUNDS);
    emit_probe("exit-survival", !stale ? "unknown" : survived ? "survives" : "flushed",
               survived, stale);
    emit_probe("local-invlpg", invlpg_ok == PROBE_ROUNDS ? "effective" : "ineffective",
               invlpg_ok, PROBE_ROUNDS);
}
