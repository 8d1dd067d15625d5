/*
 * aspace.c: address spaces sharing the kernel's mappings (see
 * <arch/aspace.h>).  A space's PML4 is a copy of boot_pml4 taken the first
 * time the space is asked for, after paging_init() and the platform probe
 * have added their mappings; a later mapping below an existing PML4 entry
 * (the test window's slot among them) is seen by every space, one that
 * needs a new PML4 entry would not be.
 */
#include <arch/aspace.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/regs.h>
#include <guest/console.h>
#include <guest/spinlock.h>

extern uint64_t boot_pml4[512];

static struct spinlock roots_lock = SPINLOCK_INIT;
static uint64_t roots[ASPACE_COUNT];

uint64_t aspace_root(unsigned k)
{
    uint64_t flags, root;

    if (k == 0)
        return kernel_cr3();
    if (k >= ASPACE_COUNT)
        panic("aspace_root(%u): no such address space", k);
    flags = spin_lock_irqsave(&roots_lock);
    if (!roots[k]) {
        uint64_t *pml4 = page_alloc();

        for (unsigned i = 0; i < 512; i++)
            pml4[i] = boot_pml4[i];
        roots[k] = (uint64_t)(uintptr_t)pml4;
    }
    root = roots[k];
    spin_unlock_irqrestore(&roots_lock, flags);
    return root;
}

bool cpu_has_pcid(void)
{
    return (cpuid(1, 0).ecx >> 17) & 1;
}

void aspace_load(unsigned k, bool pcid)
{
    uint64_t root = aspace_root(k);

    if (pcid)
        write_cr3(root | (k + 1) | CR3_NOFLUSH);
    else
        write_cr3(root);
}

void aspace_pcid_on(void)
{
    write_cr3(kernel_cr3());          /* CR3[11:0] = 0, as setting PCIDE needs */
    write_cr4(read_cr4() | CR4_PCIDE);
}

void aspace_pcid_off(void)
{
    write_cr3(kernel_cr3());          /* PCID 0 */
    write_cr4(read_cr4() & ~CR4_PCIDE);
}

void aspace_flush_everything(void)
{
    uint64_t cr4 = read_cr4();

    write_cr4(cr4 ^ CR4_PGE);
    write_cr4(cr4);
    write_cr3(read_cr3() & ~CR3_NOFLUSH);
}

volatile uint64_t *aspace_window_pde(void)
{
    uint64_t *table = boot_pml4;
    uint64_t va = TEST_WINDOW_VA;

    for (unsigned level = 4; level > 2; level--) {
        uint64_t e = table[(va >> (12 + 9 * (level - 1))) & 511];

        if (!(e & PTE_P) || (e & PTE_PS))
            panic("aspace_window_pde: no page directory for the test window");
        table = (uint64_t *)(uintptr_t)(e & PTE_ADDR_MASK);
    }
    return &table[(va >> 21) & 511];
}
