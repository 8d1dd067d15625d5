/*
 * paging.c: the page allocator and the page tables after boot.
 *
 * Physical pages come from a bump allocator over one range of usable RAM
 * above the kernel image (_end) that bootinfo_init() chose from what the
 * multiboot loader reported; they are identity-mapped by the boot tables
 * (0-4 GiB, 2 MiB pages), so a page's physical address is also its virtual
 * address.  Pages are never freed.
 *
 * paging_init() adds the test window: TEST_WINDOW_VA (PML4 slot 1), 512
 * non-global 4 KiB pages, each backed by its own physical page, and turns on
 * CR4.PGE.  Every CPU runs on the same tables (kernel_cr3()).
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <arch/setup.h>
#include <guest/console.h>
#include <guest/spinlock.h>
#include <guest/string.h>

extern uint64_t boot_pml4[512];

/* The boot tables map only the first 4 GiB; RAM above that is not used. */
#define IDENTITY_MAP_TOP (4ull << 30)

static struct spinlock alloc_lock = SPINLOCK_INIT;
static uint64_t alloc_next, alloc_limit;

void page_alloc_init(uint64_t start, uint64_t mem_top)
{
    if (start < (uint64_t)(uintptr_t)_end)
        start = (uint64_t)(uintptr_t)_end;
    alloc_next = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    alloc_limit = mem_top < IDENTITY_MAP_TOP ? mem_top : IDENTITY_MAP_TOP;
    alloc_limit &= ~(PAGE_SIZE - 1);
}

void *pages_alloc(size_t n)
{
    uint64_t bytes = n * PAGE_SIZE;
    uint64_t flags = spin_lock_irqsave(&alloc_lock);
    uint64_t p = alloc_next;
    if (n == 0 || bytes / PAGE_SIZE != n || p + bytes > alloc_limit || p + bytes < p) {
        spin_unlock_irqrestore(&alloc_lock, flags);
        panic("pages_alloc(%zu): out of memory (next 0x%lx, limit 0x%lx)",
              n, p, alloc_limit);
    }
    alloc_next = p + bytes;
    spin_unlock_irqrestore(&alloc_lock, flags);

    memset((void *)(uintptr_t)p, 0, bytes);
    return (void *)(uintptr_t)p;
}

bool pages_reserve_above(uint64_t base, uint64_t size)
{
    uint64_t flags = spin_lock_irqsave(&alloc_lock);
    bool ok = base >= alloc_next && base + size >= base && base + size <= alloc_limit;

    if (ok)
        alloc_limit = base;
    spin_unlock_irqrestore(&alloc_lock, flags);
    return ok;
}

void *page_alloc(void)
{
    return pages_alloc(1);
}

uint64_t kernel_cr3(void)
{
    return (uint64_t)(uintptr_t)boot_pml4;
}

static uint64_t *table_of(uint64_t entry)
{
    return (uint64_t *)(uintptr_t)(entry & PTE_ADDR_MASK);
}

static unsigned index_of(uint64_t va, unsigned level)
{
    /* Level 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT. */
    return (va >> (12 + 9 * (level - 1))) & 511;
}

/* Returns the next-level table under entry, allocating it when create. */
static uint64_t *next_table(volatile uint64_t *entry, uint64_t va, unsigned level, int create)
{
    uint64_t e = *entry;
    if (e & PTE_P) {
        if (e & PTE_PS)
            panic("map_page(0x%lx): level %u entry is a large page", va, level);
        return table_of(e);
    }
    if (!create)
        return NULL;
    uint64_t *t = page_alloc();
    /* Intermediate entries are permissive; the leaf PTE decides. */
    *entry = (uint64_t)(uintptr_t)t | PTE_P | PTE_W;
    return t;
}

void map_page(uint64_t va, uint64_t pa, uint64_t flags)
{
    if ((va | pa) & (PAGE_SIZE - 1))
        panic("map_page(0x%lx, 0x%lx): not page-aligned", va, pa);
    uint64_t *table = (uint64_t *)(uintptr_t)kernel_cr3();
    for (unsigned level = 4; level > 1; level--)
        table = next_table(&table[index_of(va, level)], va, level, 1);
    table[index_of(va, 1)] = (pa & PTE_ADDR_MASK) | flags;
}

volatile uint64_t *pte_of(uint64_t va)
{
    uint64_t *table = (uint64_t *)(uintptr_t)kernel_cr3();
    for (unsigned level = 4; level > 1; level--) {
        uint64_t e = table[index_of(va, level)];
        if (!(e & PTE_P) || (e & PTE_PS))
            return NULL;
        table = table_of(e);
    }
    return &table[index_of(va, 1)];
}

void paging_init(void)
{
    write_cr4(read_cr4() | CR4_PGE);
    for (unsigned i = 0; i < TEST_WINDOW_PAGES; i++) {
        uint64_t pa = (uint64_t)(uintptr_t)page_alloc();
        map_page(TEST_WINDOW_VA + i * PAGE_SIZE, pa, PTE_P | PTE_W);
    }
}
