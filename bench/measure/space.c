/*
 * A configuration's address spaces (scope, spaces, pcid), globality and
 * large page, on the guest (the keys: bench/sweep_space.c).
 *
 * Spaces (<arch/aspace.h>) share every mapping, the test window's PTEs
 * included, so the effect probe's re-pointing (probe_frames.c) changes the
 * page in all of them; they differ only in the root, the CR3 (and PCID)
 * that tags a CPU's TLB entries.  Space 0 is the one every CPU runs on, the
 * initiator included.  The targets' home space -- loaded when they enter
 * the target loop, restored to 0 when they leave it -- is space 1 for
 * scope=other and space 0 otherwise; space 17 is loaded by no CPU ever
 * (scope=unloaded).  The hypercall names (space_named_root()): space 0
 * (cr3), 1 (other), 17 (unloaded), none with ALL_VIRTUAL_ADDRESS_SPACES
 * (all).  Roots are named as Linux names them, the PML4's physical
 * address without PCID bits.
 *
 * spaces=N: before every sample (SD_TOUCH) each target loads N-1 other
 * spaces in turn -- the lowest-numbered ones but its home -- reads the
 * configuration's pages in each, then loads its home space and reads them
 * there.  Without PCID every load empties its TLB, so only the home
 * space's entries are cached when the flush comes (the cost of the
 * switches is outside the timed region); with pcid=on each space runs
 * under its own PCID (space k: PCID k + 1, loaded with CR3 bit 63 set),
 * so the target holds entries of all N spaces.
 *
 * global=on: every PTE of the window gets the G bit (CR4.PGE is on since
 * paging_init()); large=on: the window's page-directory entry becomes one
 * 2 MiB page (its own 2 MiB frames A and B, 2 MiB-aligned, with markers
 * of their own), re-pointed by space_repoint_large().
 *
 * Races: space_configure() and space_reset() run on CPU 0 while every
 * other CPU is idle; they end by emptying every CPU's TLB and
 * paging-structure caches (smp_call() to each, waited for), so no CPU
 * keeps a translation of the window's previous mapping.  sp is written
 * before smp_call() hands the target loop over (smp_call's release pairs
 * with the callee's acquire, guest/percpu.h); sp.switch_to is written
 * before the generation's release store in shootdown_round() and read
 * after the target's acquire load of it.
 */
#include <arch/aspace.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/percpu.h>
#include "probe_frames.h"
#include "space.h"

#define LARGE_SIZE (2ull << 20)
#define MARKER_LARGE_A 0x4846415f4c410000ull   /* "HFA_LA" */
#define MARKER_LARGE_B 0x4846415f4c420000ull   /* "HFA_LB" */

static struct {
    bool active;              /* not the default: targets switch, TLBs emptied */
    unsigned home;            /* the targets' space */
    uint32_t spaces;
    bool pcid, global, large;
    volatile unsigned switch_to;
} sp;

static uint64_t large_frame[2];
static bool large_on_b;
static uint64_t saved_pde;

const char *space_unsupported(const struct sweep_config *c)
{
    return c->pcid && !cpu_has_pcid() ? "no-pcid" : NULL;
}

static bool is_default(const struct sweep_config *c)
{
    return c->spaces == 1 && !c->pcid && !c->global && !c->large &&
           (c->scope == SCOPE_CR3 || c->scope == SCOPE_ALL);
}

static void flush_here(void *arg)
{
    (void)arg;
    aspace_flush_everything();
}

static void flush_every_cpu(void)
{
    unsigned cpu, self = smp_processor_id();

    for (cpu = 0; cpu < nr_cpus; cpu++) {
        if (cpu == self) {
            aspace_flush_everything();
            continue;
        }
        if (!cpu_online(cpu))          /* never came up: runs nothing */
            continue;
        smp_call(cpu, flush_here, NULL);
        smp_wait_idle(cpu);
    }
}

static void window_global(bool on)
{
    uint32_t i;

    for (i = 0; i < TEST_WINDOW_PAGES; i++) {
        volatile uint64_t *pte = pte_of(TEST_WINDOW_VA + i * PAGE_SIZE);

        *pte = on ? *pte | PTE_G : *pte & ~PTE_G;
    }
}

static void large_frames_init(void)
{
    uint64_t base;

    if (large_frame[0])
        return;
    base = (uint64_t)(uintptr_t)pages_alloc(3 * LARGE_SIZE / PAGE_SIZE);
    base = (base + LARGE_SIZE - 1) & ~(LARGE_SIZE - 1);
    large_frame[0] = base;
    large_frame[1] = base + LARGE_SIZE;
    *(volatile uint64_t *)(uintptr_t)large_frame[0] = MARKER_LARGE_A;
    *(volatile uint64_t *)(uintptr_t)large_frame[1] = MARKER_LARGE_B;
}

void space_configure(const struct sweep_config *c)
{
    unsigned k;

    sp.active = !is_default(c);
    sp.home = c->scope == SCOPE_OTHER ? 1 : 0;
    sp.spaces = c->spaces;
    sp.pcid = c->pcid;
    sp.global = c->global;
    sp.large = c->large;
    sp.switch_to = sp.home;
    if (!sp.active)
        return;
    probe_frames_init();              /* reads the window's 4 KiB frames first */
    for (k = 0; k <= c->spaces; k++)  /* built here, not in a target loop */
        (void)aspace_root(k);
    (void)aspace_root(ASPACE_UNLOADED);
    if (c->large) {
        volatile uint64_t *pde = aspace_window_pde();

        large_frames_init();
        saved_pde = *pde;
        large_on_b = false;
        *pde = large_frame[0] | PTE_P | PTE_W | PTE_PS | (c->global ? PTE_G : 0);
    } else if (c->global) {
        window_global(true);
    }
    flush_every_cpu();
}

void space_reset(void)
{
    if (!sp.active)
        return;
    if (sp.large)
        *aspace_window_pde() = saved_pde;
    else if (sp.global)
        window_global(false);
    flush_every_cpu();
    sp.active = sp.pcid = sp.global = sp.large = false;
    sp.home = 0;
    sp.spaces = 1;
}

uint64_t space_named_root(const struct sweep_config *c)
{
    switch (c->scope) {
    case SCOPE_OTHER:
        return aspace_root(1);
    case SCOPE_UNLOADED:
        return aspace_root(ASPACE_UNLOADED);
    case SCOPE_ALL:
        return 0;
    default:
        return aspace_root(0);
    }
}

void space_target_enter(void)
{
    if (!sp.active)
        return;
    if (sp.pcid)
        aspace_pcid_on();
    aspace_load(sp.home, sp.pcid);
}

void space_target_leave(void)
{
    if (!sp.active)
        return;
    if (sp.pcid)
        aspace_pcid_off();
    else
        write_cr3(kernel_cr3());
}

void space_target_touch_others(uint32_t pages)
{
    uint32_t done = 0, i;
    unsigned k;

    if (!sp.active || sp.spaces <= 1)
        return;
    for (k = 0; done + 1 < sp.spaces; k++) {
        if (k == sp.home)
            continue;
        aspace_load(k, sp.pcid);
        for (i = 0; i < pages; i++)
            (void)*(const volatile uint64_t *)(TEST_WINDOW_VA + i * PAGE_SIZE);
        done++;
    }
    aspace_load(sp.home, sp.pcid);
}

void space_set_switch(unsigned k)
{
    sp.switch_to = k;
}

void space_target_switch(void)
{
    aspace_load(sp.switch_to, sp.pcid);
}

unsigned space_home(void)
{
    return sp.home;
}

bool space_pcid(void)
{
    return sp.pcid;
}

bool space_window_large(void)
{
    return sp.large;
}

void space_repoint_large(void)
{
    volatile uint64_t *pde = aspace_window_pde();
    uint64_t flags = *pde & ~PTE_ADDR_MASK;

    probe_previous[0] = large_on_b ? MARKER_LARGE_B : MARKER_LARGE_A;
    large_on_b = !large_on_b;
    probe_expect[0] = large_on_b ? MARKER_LARGE_B : MARKER_LARGE_A;
    *pde = large_frame[large_on_b] | flags;
    invlpg((const void *)TEST_WINDOW_VA);  /* the initiator's own entry */
}
