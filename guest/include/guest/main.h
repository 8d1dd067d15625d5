/* The measurement program's entry point, called on the BSP once every CPU
 * is online.  Returns 0 on success; the guest then exits through
 * isa-debug-exit with GUEST_EXIT_SUCCESS, else GUEST_EXIT_FAILURE. */
#ifndef GUEST_MAIN_H
#define GUEST_MAIN_H

int bench_main(void);
/* Called on the BSP before the APs are started (bench/measure/cpus_missing.c):
 * reads the sweep for what bring-up must know (`inject ap-never-starts`). */
void bench_early(void);

#endif
