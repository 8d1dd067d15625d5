/*
 * Probe frames shared by the effect probe (verify.c) and the precision
 * checks (precision.c): each test-window page alternates between two
 * physical frames, A (the window's own) and B, whose first quadword holds a
 * marker unique to frame and page; re-pointing a PTE flips it.  Targets
 * count what they read in their bench slots (fresh, stale, other).
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/percpu.h>
#include "probe_frames.h"
#include "shootdown.h"
#include "space.h"

#define MARKER_A 0x4846415f41000000ull    /* "HFA_A" + page */
#define MARKER_B 0x4846415f42000000ull    /* "HFA_B" + page */

static uint64_t frame_a[TEST_WINDOW_PAGES], frame_b[TEST_WINDOW_PAGES];
static bool on_b[TEST_WINDOW_PAGES];
volatile uint64_t probe_expect[TEST_WINDOW_PAGES], probe_previous[TEST_WINDOW_PAGES];
static bool frames_ready;

static uint64_t marker(bool b, uint32_t page)
{
    return (b ? MARKER_B : MARKER_A) | page;
}

/* Frame A is the window's own frame; frame B is allocated once. */
void probe_frames_init(void)
{
    uint8_t *alt;
    uint32_t i;

    if (frames_ready)
        return;
    alt = pages_alloc(TEST_WINDOW_PAGES);
    for (i = 0; i < TEST_WINDOW_PAGES; i++) {
        frame_a[i] = *pte_of(TEST_WINDOW_VA + i * PAGE_SIZE) & PTE_ADDR_MASK;
        frame_b[i] = (uint64_t)(uintptr_t)(alt + i * PAGE_SIZE);
        /* Frames are identity-mapped, so their physical address is a pointer. */
        *(volatile uint64_t *)(uintptr_t)frame_a[i] = marker(false, i);
        *(volatile uint64_t *)(uintptr_t)frame_b[i] = marker(true, i);
        on_b[i] = false;
    }
    frames_ready = true;
}

void probe_repoint(uint32_t first, uint32_t count)
{
    uint32_t i;

    if (space_window_large()) {     /* the window is one 2 MiB page (space.c) */
        space_repoint_large();
        count = 0;
    }
    for (i = first; i < first + count; i++) {
        volatile uint64_t *pte = pte_of(TEST_WINDOW_VA + i * PAGE_SIZE);
        uint64_t flags = *pte & ~PTE_ADDR_MASK;

        probe_previous[i] = marker(on_b[i], i);
        on_b[i] = !on_b[i];
        probe_expect[i] = marker(on_b[i], i);
        *pte = (on_b[i] ? frame_b[i] : frame_a[i]) | flags;
        /* The initiator's own TLB is not under test. */
        invlpg((const void *)(TEST_WINDOW_VA + i * PAGE_SIZE));
    }
    /* PTE stores before the IPI that makes targets read; pairs with the
     * acquire in shootdown_irq() via the fence in shootdown_round(). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void clear_slots_of(uint32_t cpu)
{
    struct percpu *pc = percpu_of(cpu);

    pc->bench_slot[SLOT_FRESH] = 0;
    pc->bench_slot[SLOT_STALE] = 0;
    pc->bench_slot[SLOT_OTHER] = 0;
}

static void add_slots_of(uint32_t cpu, struct tally *t)
{
    struct percpu *pc = percpu_of(cpu);

    t->fresh += pc->bench_slot[SLOT_FRESH];
    t->stale += pc->bench_slot[SLOT_STALE];
    t->other += pc->bench_slot[SLOT_OTHER];
}

void probe_clear_slots(uint32_t first_cpu, uint32_t last_cpu)
{
    uint32_t t;

    for (t = first_cpu; t <= last_cpu; t++)
        clear_slots_of(t);
}

void probe_add_slots(uint32_t first_cpu, uint32_t last_cpu, struct tally *t)
{
    uint32_t i;

    for (i = first_cpu; i <= last_cpu; i++)
        add_slots_of(i, t);
}

void probe_clear_cpus(const uint32_t *cpus, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        clear_slots_of(cpus[i]);
}

void probe_add_cpus(const uint32_t *cpus, uint32_t n, struct tally *t)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        add_slots_of(cpus[i], t);
}
