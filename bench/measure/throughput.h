/*
 * Throughput of k concurrent initiators and, for state=work, the
 * interference their flushes cause on the targets (throughput.c,
 * throughput_hv.c, interference.c).  The state below is shared by those
 * files only; run.c calls throughput_config().
 */
#ifndef BENCH_MEASURE_THROUGHPUT_H
#define BENCH_MEASURE_THROUGHPUT_H

#include <stdint.h>
#include <stdbool.h>
#include <bench/sweep.h>
#include <guest/hv.h>
#include <guest/percpu.h>

#define TP_VECTOR       0xe1      /* the throughput engine's shootdown IPI */
#define TP_WINDOW_MS    50        /* each initiator's load window (and the quiet one) */
#define TP_REFILL_ROUNDS 32       /* single flushes timed for the refill cost */

/* Phases, published by initiator 0 (release) and read by everyone
 * (acquire). */
enum tp_phase {
    TP_SETUP = 0,   /* participants arriving (tp.ready counts them) */
    TP_QUIET,       /* state=work: targets walk, nobody flushes */
    TP_LOADED,      /* initiators flush back-to-back for TP_WINDOW_MS each */
    TP_REFILL,      /* state=work: single flushes, first walk after each timed */
    TP_DONE,        /* initiators finished; targets leave on tp.stop */
};

struct tp_initiator {
    uint32_t cpu;
    uint32_t first, ntargets;    /* its targets: tp.targets[first .. first + ntargets) */
    /* IPI: generation of its last flush request; written by this
     * initiator only (release + fence before the IPIs), read by its
     * targets' handler (acquire). */
    _Alignas(64) volatile uint64_t req;
    uint64_t flushes;            /* flushes completed in the window */
    uint64_t window;             /* cycles: window start to the end of its last flush */
    uint64_t *samples;           /* net latency of the first `kept` flushes */
    uint32_t kept, cap;
    uint64_t p50, p99;
    const char *problem;         /* NULL, or why it stopped */
    char problem_buf[48];
    struct hv_flush_prepared call;   /* hv-*: the flush naming its targets */
    void *page;                  /* that call's input page */
};

/* A target's acknowledgements, one generation per initiator (IPI);
 * written by the target's handler (release), read by the initiator
 * (acquire). */
struct tp_acks {
    _Alignas(64) volatile uint64_t gen[SWEEP_INITIATORS_MAX];
};

struct tp_state {
    const struct sweep_config *c;
    bool hv;
    uint32_t k, ntargets;        /* initiators; target CPUs placed */
    uint32_t inits[SWEEP_INITIATORS_MAX];
    uint32_t targets[MAX_CPUS];
    uint32_t names[MAX_CPUS];    /* per CPU: bit i set when initiator i names it */
    struct tp_initiator init[SWEEP_INITIATORS_MAX];
    uint64_t window_cycles;      /* TP_WINDOW_MS in TSC cycles */
    volatile uint32_t phase;     /* enum tp_phase */
    volatile uint32_t ready;     /* participants in their loops */
    volatile uint32_t finished;  /* initiators done with the current phase */
    volatile bool stop;
};
extern struct tp_state tp;

/* run.c: the throughput measurement of c (and its interference for
 * state=work), after its latency and effect probe: `initiator` records,
 * a `throughput` record, and for state=work one `interference` record per
 * target; an `error` record instead when it cannot finish. */
void throughput_config(const struct sweep_config *c);

/* throughput.c: one flush by initiator i to its targets; false with
 * ini->problem set on failure.  Interrupts off on the caller. */
bool tp_flush_once(uint32_t i);
/* throughput.c: waits until tp.phase is at least p or tp.stop is set. */
void tp_wait_phase(uint32_t p);

/* throughput_hv.c: builds initiator i's flush hypercall naming its
 * targets; NULL, or why it cannot (a word for the error record). */
const char *tp_hv_prepare(uint32_t i);

/* interference.c: the target loop of state=work (walks the working set,
 * counts its progress per phase, takes part in the refill rounds). */
void interference_target(uint32_t cpu);
/* interference.c: initiator i's refill rounds (TP_REFILL phase). */
void interference_refill(uint32_t i);
/* interference.c: prepares the per-target counters (before the start)
 * and emits the `interference` records (after the end). */
void interference_reset(void);
void interference_emit(void);

#endif
