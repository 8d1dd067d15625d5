/*
 * The flush a target (or a local configuration) performs on the test
 * window, by the configuration's flush= kind: invlpg on each page, INVPCID
 * type 0 (individual address, PCID 0) on each page, a CR3 reload, or
 * nothing (`ipi flush=none`, the round-trip baseline).  The caller has
 * checked that the CPU has INVPCID where it asks for it.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include "shootdown.h"

void flush_window(enum flush_op op, uint32_t pages)
{
    uint32_t i;

    if (op == FLUSH_NONE)   /* the ipi flush=none baseline: acknowledge only */
        return;
    if (op == FLUSH_INVPCID) {
        for (i = 0; i < pages; i++)
            invpcid_addr(0, TEST_WINDOW_VA + i * PAGE_SIZE);
        return;
    }
    if (op == FLUSH_CR3) {
        write_cr3(read_cr3());
        return;
    }
    for (i = 0; i < pages; i++)
        invlpg((const void *)(TEST_WINDOW_VA + i * PAGE_SIZE));
}
