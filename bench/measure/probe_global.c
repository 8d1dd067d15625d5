/*
 * Platform calibration for global entries, on one CPU: does a global
 * translation survive a CR3 reload here, as the architecture says it does?
 *
 * Algorithm (PROBE_ROUNDS times, interrupts off, nothing printed between
 * the reads): map PROBE_VA -> frame A with the G bit (CR4.PGE is on since
 * paging_init()); invlpg; read it (the TLB now caches a global entry);
 * re-point the PTE to frame B without invalidating; read -> A means the
 * entry is cached and stale reads are observable; reload CR3; read
 * again -> A means the global entry survived the reload ("survives"), B
 * that this platform empties global entries on a CR3 load ("flushed":
 * QEMU's TCG does, whatever the G bit says).  Finally invlpg and clear G.
 * Why it matters: `ipi flush=cr3 global=on` is a plain CR3 reload, which
 * architecturally leaves global entries -- its effect probe reads `fail`
 * where this probe reads `survives`, and may read `pass` where it reads
 * `flushed`.
 * Races: none on one CPU; a host-side preemption between the reads may
 * empty the TLB, which only lowers the counts.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/console.h>
#include "measure.h"

#define PROBE_ROUNDS 16
#define PROBE_VA (TEST_WINDOW_VA + 6 * 1024 * 1024)

void probe_global_cr3(void)
{
    uint64_t *a = page_alloc(), *b = page_alloc();
    const volatile uint64_t *va = (const volatile uint64_t *)PROBE_VA;
    volatile uint64_t *pte;
    uint32_t r, stale = 0, survived = 0;
    uint64_t flags;
    char detail[32];
    const char *result;

    *a = 0xa;
    *b = 0xb;
    map_page(PROBE_VA, (uint64_t)(uintptr_t)a, PTE_P | PTE_W | PTE_G);
    pte = pte_of(PROBE_VA);
    flags = irq_save();
    for (r = 0; r < PROBE_ROUNDS; r++) {
        uint64_t first, after_reload;

        *pte = (uint64_t)(uintptr_t)a | PTE_P | PTE_W | PTE_G;
        invlpg((const void *)va);
        (void)*va;
        *pte = (uint64_t)(uintptr_t)b | PTE_P | PTE_W | PTE_G;
        first = *va;
        write_cr3(read_cr3());
        after_reload = *va;
        invlpg((const void *)va);
        stale += first == 0xa;
        survived += first == 0xa && after_reload == 0xa;
    }
    *pte &= ~PTE_G;
    invlpg((const void *)va);
    irq_restore(flags);

    result = !stale ? "unknown" : survived ? "survives" : "flushed";
    snprintk(detail, sizeof(detail), "%u/%u", survived, stale);
    record_begin(&records, "probe");
    record_str(&records, "name", "global-cr3");
    record_str(&records, "result", result);
    record_str(&records, "detail", detail);
    record_finish(&records);
    printk("probe %-14s %-14s (%s)\n", "global-cr3", result, detail);
}
