/*
 * A configuration's address spaces, globality and large page (space.c):
 * what the targets have loaded, what the hypercall names, how the test
 * window is mapped.
 */
#ifndef BENCH_MEASURE_SPACE_H
#define BENCH_MEASURE_SPACE_H

#include <stdbool.h>
#include <stdint.h>
#include <bench/sweep.h>

/* "no-pcid" where c needs PCID and CPUID.1:ECX[17] is clear; else NULL. */
const char *space_unsupported(const struct sweep_config *c);
/* On CPU 0 before anything of c runs / after it all ran: maps the window
 * as c asks (G bit, one 2 MiB page) and sets what the targets load; the
 * reset restores the window.  Both empty every CPU's TLB when c is not the
 * default (spaces=1, pcid, global, large off, scope cr3/all). */
void space_configure(const struct sweep_config *c);
void space_reset(void);
/* The AddressSpace a hypercall of c names: the root of the initiator's
 * space (cr3), of the targets' (other), of the space loaded nowhere
 * (unloaded); 0 for scope=all. */
uint64_t space_named_root(const struct sweep_config *c);

/* Target side (shootdown.c's target loop). */
void space_target_enter(void);      /* load the home space (PCIDE on with pcid) */
void space_target_leave(void);      /* back to space 0 (PCIDE off) */
void space_target_touch_others(uint32_t pages); /* spaces > 1: the other live spaces */
void space_target_switch(void);     /* SD_SWITCH: load the space space_set_switch() chose */

/* Initiator side: the space an SD_SWITCH round loads (precision_as.c). */
void space_set_switch(unsigned k);
unsigned space_home(void);
bool space_pcid(void);

/* The large window (pages=1): re-points its PDE to the other 2 MiB frame
 * and sets probe_expect[0]/probe_previous[0] (probe_frames.c). */
bool space_window_large(void);
void space_repoint_large(void);

#endif
