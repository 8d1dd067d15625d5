/*
 * Sweep descriptions: which configurations a run measures.
 *
 * A sweep is a small text file (grammar in bench/sweeps/README.md).  The
 * same parser runs on the host, to reject bad input before QEMU starts, and
 * in the guest, which receives the validated text through fw_cfg.  No heap:
 * everything lives in fixed-size arrays so the freestanding guest can use it.
 */
#ifndef BENCH_SWEEP_H
#define BENCH_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SWEEP_NAME_MAX      48
#define SWEEP_LINES_MAX     32    /* "measure" lines */
#define SWEEP_LIST_MAX      16    /* values in one key=list */
#define SWEEP_CONFIGS_MAX   512   /* expanded configurations */
#define SWEEP_PAGES_MAX     512   /* the guest's test window is 2 MiB of 4 KiB pages */
#define SWEEP_SAMPLES_MAX   1000000
#define SWEEP_TEXT_MAX      16384

/* How the initiator makes the flush happen. */
enum strategy {
    STRATEGY_LOCAL = 0,   /* initiator flushes its own TLB only; no targets */
    STRATEGY_IPI,         /* fixed IPI to each target; targets flush and ack */
    STRATEGY_COUNT
};

/* What a flushing CPU does to its TLB. */
enum flush_op {
    FLUSH_INVLPG = 0,     /* invlpg on each of the configuration's pages */
    FLUSH_CR3,            /* reload CR3 (drops all non-global entries) */
    FLUSH_OP_COUNT
};

/* What targets are doing when the shootdown arrives. */
enum target_state {
    TARGET_SPIN = 0,      /* spinning with interrupts enabled */
    TARGET_HALT,          /* halted (sti; hlt) */
    TARGET_STATE_COUNT
};

/* "targets=" values that depend on the CPU count, resolved by sweep_expand(). */
#define SWEEP_TARGETS_POW2  (-1)  /* 1, 2, 4, ... and all-but-self */
#define SWEEP_TARGETS_ALL   (-2)  /* all-but-self */

struct sweep_line {
    unsigned lineno;
    enum strategy strategy;
    unsigned nflush;  enum flush_op flush[FLUSH_OP_COUNT];
    unsigned npages;  uint32_t pages[SWEEP_LIST_MAX];
    unsigned ntargets; int32_t targets[SWEEP_LIST_MAX];
    unsigned nstates; enum target_state state[TARGET_STATE_COUNT];
    uint32_t samples;        /* 0: the sweep's default */
    uint32_t warmup;         /* UINT32_MAX: the sweep's default */
    bool verify;
};

/* Faults a sweep can ask the guest to inject, to test the failure paths of
 * the whole tool chain ("inject page-fault"). */
enum sweep_inject {
    INJECT_NONE = 0,
    INJECT_PAGE_FAULT,    /* touch an unmapped address after the platform records */
    INJECT_HANG,          /* spin forever with interrupts off */
    INJECT_NO_END,        /* exit successfully without the end record */
    INJECT_COUNT
};

struct sweep {
    char name[SWEEP_NAME_MAX];
    enum sweep_inject inject;
    uint32_t samples;        /* default timed samples per configuration */
    uint32_t warmup;         /* default discarded warm-up iterations */
    uint32_t verify_rounds;  /* stale-TLB probe rounds per configuration */
    unsigned nlines;
    struct sweep_line lines[SWEEP_LINES_MAX];
};

/* One point of the measurement matrix. */
struct sweep_config {
    uint32_t id;             /* 0-based, in expansion order */
    unsigned lineno;         /* the sweep line it came from */
    enum strategy strategy;
    enum flush_op flush;
    uint32_t pages;
    uint32_t targets;        /* number of target CPUs (0 for STRATEGY_LOCAL) */
    enum target_state state;
    uint32_t samples;
    uint32_t warmup;
    bool verify;
    uint32_t verify_rounds;
};

struct sweep_error {
    unsigned lineno;         /* 0 when not tied to a line */
    char msg[160];
};

/* Parses text (not necessarily NUL-terminated).  Returns false and fills err
 * on the first error. */
bool sweep_parse(const char *text, size_t len, struct sweep *sw,
                 struct sweep_error *err);

/* Expands the sweep for a VM with ncpus CPUs into configs[] (at most max).
 * Returns the number of configurations, or -1 with err filled (e.g. an
 * explicit target count that needs more CPUs than the VM has). */
int sweep_expand(const struct sweep *sw, unsigned ncpus,
                 struct sweep_config *configs, unsigned max,
                 struct sweep_error *err);

/* Short, stable names used in records, CSV files and plots. */
const char *strategy_name(enum strategy s);
const char *flush_op_name(enum flush_op f);
const char *target_state_name(enum target_state t);
const char *sweep_inject_name(enum sweep_inject i);
bool strategy_from_name(const char *s, size_t n, enum strategy *out);
bool flush_op_from_name(const char *s, size_t n, enum flush_op *out);
bool target_state_from_name(const char *s, size_t n, enum target_state *out);
bool sweep_inject_from_name(const char *s, size_t n, enum sweep_inject *out);

/* "ipi/invlpg/p1/t4/spin": a configuration's label, written into buf. */
size_t sweep_config_label(const struct sweep_config *c, char *buf, size_t n);

#endif
