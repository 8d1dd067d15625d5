/*
 * Address spaces: page-table roots that share the kernel's mappings.
 *
 * Space 0 is the boot tables (kernel_cr3()), on which every CPU runs.
 * Spaces 1..ASPACE_COUNT-1 are copies of its PML4 made on first use: each
 * entry points to the same lower-level tables, so every space maps the
 * kernel, the identity map and the test window identically, and a PTE
 * store in the window re-points the page in every space at once.  What
 * differs is the root, i.e. the CR3 value (and, with CR4.PCIDE, the PCID)
 * under which a CPU's TLB entries are tagged.
 */
#ifndef ARCH_ASPACE_H
#define ARCH_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#define ASPACE_COUNT 18u         /* spaces 0..16 live, 17 loaded nowhere */
#define ASPACE_UNLOADED 17u
#define CR3_NOFLUSH (1ull << 63) /* with CR4.PCIDE: keep the new PCID's entries */

/* The root (physical address of the PML4) of space k, built on first use. */
uint64_t aspace_root(unsigned k);
/* CPUID.1:ECX[17]: the CPU has process-context identifiers. */
bool cpu_has_pcid(void);
/* Loads space k on this CPU: without PCID a plain CR3 load (which empties
 * the TLB of non-global entries); with pcid, CR4.PCIDE must be on and
 * space k runs under PCID k + 1, loaded with CR3_NOFLUSH. */
void aspace_load(unsigned k, bool pcid);
/* CR4.PCIDE on / off on this CPU.  On: the CPU must run on a root with
 * CR3[11:0] = 0.  Off: this CPU goes back to space 0, PCID 0 (turning
 * PCIDE off empties the TLB). */
void aspace_pcid_on(void);
void aspace_pcid_off(void);
/* Empties this CPU's TLB of every entry, global ones and every PCID's
 * (toggling CR4.PGE), and its paging-structure caches. */
void aspace_flush_everything(void);
/* The page-directory entry that maps the test window's 2 MiB (pointing to
 * its page table, or a 2 MiB page with PTE_PS). */
volatile uint64_t *aspace_window_pde(void);

#endif
