/*
 * IPI shootdown engine shared by the latency measurement and the effect
 * probe: target CPUs wait in a loop (spinning or halted); the initiator
 * posts a command, sends a fixed IPI to each target and waits for every
 * target's acknowledgement.  The latency measurement and the effect probe
 * use any initiator and any target list (sweep_placement()); the precision
 * checks CPU 0 as the initiator and CPUs 1..n as targets (shootdown_start).
 */
#ifndef BENCH_SHOOTDOWN_H
#define BENCH_SHOOTDOWN_H

#include <stdint.h>
#include <stdbool.h>
#include <bench/sweep.h>

#define SHOOTDOWN_VECTOR 0xe0

enum shootdown_cmd {
    SD_FLUSH,        /* invalidate, acknowledge */
    SD_PRIME,        /* read every probe page (fills the TLB), acknowledge */
    SD_FLUSH_READ,   /* invalidate, then read and check every probe page */
    SD_READ,         /* read and check without invalidating (negative control) */
    SD_FLUSH_ALL,    /* drop every entry, global ones too (clean-up) */
    SD_TOUCH,        /* read the configuration's pages (live entries), acknowledge */
    SD_SWITCH,       /* load the address space space_set_switch() chose (space.c) */
};

/* Per-target result slots in struct percpu.bench_slot[]. */
#define SLOT_ACK      0   /* generation of the last completed command */
#define SLOT_FRESH    1   /* probe reads that saw the expected (new) page */
#define SLOT_STALE    2   /* probe reads that saw the previous page */
#define SLOT_OTHER    3   /* probe reads that saw neither (an error) */
#define SLOT_PARKED   4   /* generation at which the target last went to hlt */
#define SLOT_PV_FLUSHED 5 /* generation whose flush the hypervisor did for it (kvm-pv) */

/* Marker values the probe compares against, one per test-window page. */
struct probe_pages {
    uint32_t first;                    /* first test-window page read */
    uint32_t count;
    const volatile uint64_t *expect;   /* marker a fresh read must see */
    const volatile uint64_t *previous; /* marker a stale read would see */
};

void shootdown_init(void);
/* Starts targets 1..ntargets in their wait loop for one configuration.
 * poll: spinning targets take commands from shared memory instead of IPIs. */
bool shootdown_start(uint32_t ntargets, enum target_state state,
                     enum flush_op op, uint32_t pages, bool poll);
/* The same for the target CPUs cpus[0..n).  A target that is the calling
 * CPU is not started: the caller runs shootdown_serve() itself. */
bool shootdown_start_cpus(const uint32_t *cpus, uint32_t n, enum target_state state,
                          enum flush_op op, uint32_t pages, bool poll);
/* Runs the target loop on the calling CPU until the engine is stopped. */
void shootdown_serve(void);
/* Tells every target to leave its loop (any CPU may call it). */
void shootdown_signal_stop(void);
/* Stops the targets and waits until those it started are back in the idle
 * loop. */
void shootdown_stop(void);
/* Points SD_PRIME/SD_READ/SD_FLUSH_READ at the probe markers. */
void shootdown_set_probe(const struct probe_pages *p);
/* state=work targets walk the first `pages` pages of the test window
 * between commands (0: they only wait, as for the effect probe). */
void shootdown_set_work(uint32_t pages);
/* One command round trip to every target; false on an acknowledgement
 * timeout.  Call with interrupts disabled for timing. */
bool shootdown_round(enum shootdown_cmd cmd);
/* For halted targets: waits (at most 100 ms) until every target has parked
 * again, i.e. reached its sti; hlt.  True when all did (or targets spin);
 * false when one had not, so a sample taken now would time a running
 * target. */
bool shootdown_wait_parked(void);
uint32_t shootdown_targets(void);

/* How shootdown_round() interrupts the targets for command cmd (kick.c):
 * targets cpus[0..n) with their APIC ids; the function interrupts those it
 * chooses and sets no_ack[t] for a target it did not interrupt and whose
 * acknowledgement must not be awaited.  Returns NULL, or a word saying why
 * it failed (the round then fails with it, see shootdown_problem()). */
typedef const char *(*shootdown_kick_fn)(enum shootdown_cmd cmd, uint64_t gen,
                                         const uint32_t *cpus, const uint32_t *apic_ids,
                                         uint32_t n, bool *no_ack);
/* NULL (the default): one fixed IPI per target through the local APIC. */
void shootdown_set_kick(shootdown_kick_fn kick);
/* Why the last shootdown_round() failed: "ack-timeout" or the kick's word. */
const char *shootdown_problem(void);
/* The CPU that will issue the rounds when it is one of the targets
 * (targets=self or all): shootdown_start_cpus() does not start a wait loop
 * there (it is busy initiating); it takes each command inline (polling
 * delivery) or through its own IPI, which shootdown_round() lets in by
 * waiting with interrupts enabled.  Applies to the next start only. */
void shootdown_set_initiator(uint32_t cpu);

/* Flush of the test window on the calling CPU, as a target performs it. */
void flush_window(enum flush_op op, uint32_t pages);

#endif
