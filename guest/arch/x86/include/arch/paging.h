/*
 * Guest page tables.  Boot maps 0-4 GiB 1:1 with 2 MiB pages.  paging_init()
 * adds the test window: TEST_WINDOW_VA .. +2 MiB mapped with 4 KiB pages,
 * non-global, so per-page invalidation acts on real 4 KiB TLB entries
 * (a configuration with global=on or large=on changes that for its own
 * duration: bench/measure/space.c; other address spaces: <arch/aspace.h>).
 */
#ifndef ARCH_PAGING_H
#define ARCH_PAGING_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define PAGE_SIZE 4096ull
#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_ADDR_MASK 0x000ffffffffff000ull

#define TEST_WINDOW_VA    0x0000008000000000ull   /* PML4 slot 1 */
#define TEST_WINDOW_PAGES 512u

void paging_init(void);
/* Zeroed, page-aligned, identity-mapped physical page (bump allocator). */
void *page_alloc(void);
void *pages_alloc(size_t n);
/* Keeps the allocator below base so that [base, base + size) stays free
 * for another use (the results area).  False when pages at or above base
 * were handed out already or the range is not identity-mapped RAM. */
bool pages_reserve_above(uint64_t base, uint64_t size);
/* Maps va -> pa with a 4 KiB page in the kernel tables (kernel_cr3(), which
 * every CPU runs on), allocating tables.  It does not invalidate the TLB:
 * re-pointing a present mapping needs an invlpg by the caller. */
void map_page(uint64_t va, uint64_t pa, uint64_t flags);
/* The 4 KiB PTE that maps va (NULL if none). */
volatile uint64_t *pte_of(uint64_t va);
uint64_t kernel_cr3(void);

#endif
