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
#define SWEEP_CONFIGS_MAX   1024  /* expanded configurations */
#define SWEEP_PAGES_MAX     512   /* the guest's test window is 2 MiB of 4 KiB pages */
#define SWEEP_SAMPLES_MAX   1000000
#define SWEEP_TEXT_MAX      16384
#define SWEEP_MAX_CPUS      256   /* the guest's MAX_CPUS */

/* How the initiator makes the flush happen. */
enum strategy {
    STRATEGY_LOCAL = 0,   /* initiator flushes its own TLB only; no targets */
    STRATEGY_IPI,         /* fixed IPI to each target; targets flush and ack */
    STRATEGY_HV_SPACE,    /* HvCallFlushVirtualAddressSpace (0x0002) */
    STRATEGY_HV_LIST,     /* HvCallFlushVirtualAddressList (0x0003) */
    STRATEGY_HV_SPACE_EX, /* HvCallFlushVirtualAddressSpaceEx (0x0013) */
    STRATEGY_HV_LIST_EX,  /* HvCallFlushVirtualAddressListEx (0x0014) */
    /* Decomposition baselines: on the initiator alone, flushing nothing. */
    STRATEGY_HV_NULL,     /* HvCallFlushVirtualAddressSpaceEx, empty sparse set */
    STRATEGY_HV_INVALID,  /* an unknown call code (0x0fff) */
    STRATEGY_CPUID,       /* one cpuid (leaf 0): a plain VM exit */
    /* IPI shootdowns kicked another way (bench/measure/kick.c): the
     * targets flush themselves on the interrupt and acknowledge, as for ipi. */
    STRATEGY_HV_IPI_INVLPG, /* the IPI sent with HvCallSendSyntheticClusterIpi[Ex] */
    STRATEGY_KVM_PV,      /* KVM's PV flush: preempted targets get KVM_VCPU_FLUSH_TLB
                             in their steal-time record instead of an IPI */
    STRATEGY_COUNT
};

static inline bool strategy_is_hv(unsigned s) { return s >= 2 && s < 6; }
static inline bool strategy_is_list(unsigned s) { return s == 3 || s == 5; }
static inline bool strategy_is_ex(unsigned s) { return s == 4 || s == 5; }

/* hv-null, hv-invalid, cpuid: local baselines (no targets, nothing flushed). */
static inline bool strategy_is_baseline(unsigned s) { return s >= 6 && s < 9; }
/* hv-ipi-invlpg and kvm-pv: ipi with another way of kicking the targets. */
static inline bool strategy_is_kick(unsigned s) { return s == 9 || s == 10; }
/* Strategies that interrupt target CPUs: ipi, the hv-* flushes, the kicks. */
static inline bool strategy_has_targets(unsigned s)
{
    return (s >= 1 && s < 6) || strategy_is_kick(s);
}
/* Strategies that need the Hyper-V hypercall interface. */
static inline bool strategy_needs_hyperv(unsigned s)
{
    return strategy_is_hv(s) || s == 6 || s == 7 || s == 9;
}

/* A decomposition baseline: a configuration that times part of a flush's
 * cost (hypercall entry/exit, a plain exit, the IPI round trip of
 * `ipi flush=none`), never a flush itself: not verified, never the best IPI
 * or hypercall of a ratio. */
static inline bool config_is_baseline(unsigned strategy, unsigned flush)
{
    return strategy_is_baseline(strategy) ||
           (strategy == 1 && flush == 2);   /* STRATEGY_IPI, FLUSH_NONE */
}

/* How a hypercall's input travels: memory (slow) or registers (XMM fast). */
enum hv_input { HV_INPUT_SLOW = 0, HV_INPUT_FAST, HV_INPUT_COUNT };

/* Which address spaces a hypercall names: the current CR3, or
 * HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES; other: the address space the targets
 * have loaded and the initiator has not; unloaded: one loaded on no CPU
 * (bench/measure/space.c). */
enum flush_scope { SCOPE_CR3 = 0, SCOPE_ALL, SCOPE_OTHER, SCOPE_UNLOADED, SCOPE_COUNT };

/* How a hypercall names its processors: the targets' VP indexes (a mask or
 * a sparse HV_VP_SET), or all of them (HV_FLUSH_ALL_PROCESSORS or the
 * HV_GENERIC_SET_ALL format). */
enum proc_set { PROCS_MASK = 0, PROCS_ALL, PROCS_COUNT };

/* What a flushing CPU does to its TLB. */
enum flush_op {
    FLUSH_INVLPG = 0,     /* invlpg on each of the configuration's pages */
    FLUSH_CR3,            /* reload CR3 (drops all non-global entries) */
    FLUSH_NONE,           /* ipi only: acknowledge without invalidating (a
                             decomposition baseline: the IPI round trip) */
    FLUSH_INVPCID,        /* INVPCID type 0 (individual address, PCID 0) on each
                             page, where CPUID.(7,0):EBX[10] has it */
    FLUSH_OP_COUNT
};

/* What targets are doing when the shootdown arrives. */
enum target_state {
    TARGET_SPIN = 0,      /* spinning with interrupts enabled */
    TARGET_HALT,          /* halted (sti; hlt) */
    TARGET_WORK,          /* walking a working set of pages (working-set=) */
    TARGET_STATE_COUNT
};

/* Which CPUs are the targets, among all but the initiator. */
enum placement {
    PLACEMENT_FIRST = 0,  /* the lowest-numbered CPUs */
    PLACEMENT_LAST,       /* the highest-numbered CPUs */
    PLACEMENT_SPREAD,     /* evenly spaced over the CPU numbers */
    PLACEMENT_CONTIGUOUS, /* the CPUs after the initiator, wrapping past the last */
    PLACEMENT_STRIDED,    /* strided:S: initiator + S, + 2S, ... (no wrap) */
    PLACEMENT_CPUS,       /* cpus:A+B+C: the listed CPUs, the first `targets` of them */
    PLACEMENT_COUNT
};

/* Concurrent initiators (initiators=): each flushes its own disjoint
 * target set, or all flush the same one (share=). */
enum share_mode { SHARE_OWN = 0, SHARE_SHARED, SHARE_COUNT };
#define SWEEP_INITIATORS_MAX      16
#define SWEEP_INITIATORS_POW2     0    /* initiators=pow2: 1, 2, 4 ... as many as fit */
#define SWEEP_WORKING_SET_DEFAULT 64   /* pages of the test window (state=work) */

/* "targets=" values that depend on the CPU count, resolved by sweep_expand(). */
#define SWEEP_TARGETS_POW2  (-1)  /* 1, 2, 4, ... and all-but-self */
#define SWEEP_TARGETS_ALL   (-2)  /* all-but-self */
#define SWEEP_TARGETS_NULL  (-3)  /* no target at all */
#define SWEEP_TARGETS_SELF  (-4)  /* the initiator itself */
#define SWEEP_TARGETS_EVERY (-5)  /* "all": every CPU, the initiator included */

/* Which CPUs a configuration's targets are (sweep_config.target_set). */
enum target_set {
    TARGETS_OTHERS = 0,   /* a count placed among all but the initiator */
    TARGETS_NULL,         /* none (targets 0) */
    TARGETS_SELF,         /* the initiator alone (targets 1) */
    TARGETS_ALL,          /* every CPU, the initiator included (targets = CPUs) */
    TARGET_SET_COUNT
};

/* hv-ipi-invlpg: which call sends the IPI.  auto: HvCallSendSyntheticClusterIpi
 * unless a target's VP index is >= 64, then ...Ex (as Linux does). */
enum ipi_call { IPI_CALL_AUTO = 0, IPI_CALL_PLAIN, IPI_CALL_EX, IPI_CALL_COUNT };

#define SWEEP_CPUSET_WORDS (SWEEP_MAX_CPUS / 64)

struct sweep_line {
    unsigned lineno;
    enum strategy strategy;
    unsigned nflush;  enum flush_op flush[FLUSH_OP_COUNT];
    unsigned npages;  uint32_t pages[SWEEP_LIST_MAX];
    unsigned ntargets; int32_t targets[SWEEP_LIST_MAX];
    unsigned nstates; enum target_state state[TARGET_STATE_COUNT];
    unsigned ninitiator; uint32_t initiator[SWEEP_LIST_MAX];
    unsigned nplacement; enum placement placement[PLACEMENT_COUNT];
    /* Hypercall strategies only: */
    unsigned ninput;  enum hv_input input[HV_INPUT_COUNT];
    unsigned nscope;  enum flush_scope scope[SCOPE_COUNT];
    unsigned nnonglobal; bool nonglobal[2];
    unsigned nprocs;  enum proc_set procs[PROCS_COUNT];
    uint32_t samples;        /* 0: the sweep's default */
    uint32_t warmup;         /* UINT32_MAX: the sweep's default */
    bool verify;
    unsigned ninitiators; uint32_t initiators[SWEEP_LIST_MAX];
    unsigned nshare;  enum share_mode share[SHARE_COUNT];
    uint32_t working_set;    /* pages; SWEEP_WORKING_SET_DEFAULT unless given */
    bool throughput;         /* initiators= given: measure throughput too */
    /* Address spaces, globality, large pages (bench/sweep_space.c): */
    unsigned nspaces; uint32_t spaces[SWEEP_LIST_MAX];
    unsigned npcid;   bool pcid[2];
    unsigned nglobal; bool global[2];
    unsigned nlarge;  bool large[2];
    uint32_t ci_target_bp;   /* UINT32_MAX: the sweep's ci-target (bench/ci_target.h) */
    uint32_t time_cap_ms;    /* 0: the sweep's time-cap */
    /* Parameters of placement[i] (strided:S, cpus:LIST), and more keys: */
    uint32_t stride[PLACEMENT_COUNT];
    uint64_t cpuset[PLACEMENT_COUNT][SWEEP_CPUSET_WORDS];
    bool targets_given;      /* the line has a targets= key */
    unsigned nipi_call; enum ipi_call ipi_call[IPI_CALL_COUNT];
    bool pairs;              /* pairs=all: every (initiator, target) pair (bench/sweep_pairs.c) */
};

/* Faults a sweep can ask the guest to inject, to test the failure paths of
 * the whole tool chain ("inject page-fault") and that the effect probe can
 * fail ("inject skip-flush", "inject hv-wrong-mask"). */
enum sweep_inject {
    INJECT_NONE = 0,
    INJECT_PAGE_FAULT,    /* touch an unmapped address after the platform records */
    INJECT_HANG,          /* spin forever with interrupts off */
    INJECT_NO_END,        /* exit successfully without the end record */
    INJECT_SKIP_FLUSH,    /* effect probe: IPI targets acknowledge without invalidating */
    INJECT_HV_WRONG_MASK, /* flush hypercalls name only the initiator's own VP */
    INJECT_HV_PRETEND,    /* no Hyper-V interface: act as if one were advertised and enabled
                             (a hypercall page of vmcall/vmmcall), so calls fault for real */
    INJECT_HV_UNKNOWN_STATUS, /* timed flush calls: status replaced by 0x7777 (+ hv-pretend) */
    INJECT_AP_NEVER_STARTS,   /* the last AP gets no INIT-SIPI-SIPI */
    /* On the way out (bench/measure/emit_inject.c): the first `samples`
     * record of the run is sent damaged, then the stream goes on. */
    INJECT_RECORD_TRUNCATE,   /* cut short half-way (a newline ends it) */
    INJECT_RECORD_CORRUPT,    /* one hex digit of its values changed: CRC-32 mismatch */
    INJECT_RECORD_DUPLICATE,  /* sent twice, byte for byte */
    /* In the middle of the last configuration, after its first `samples`
     * record (emit_inject.c). */
    INJECT_HANG_MID,          /* spin forever with interrupts off */
    INJECT_FAULT_MID,         /* touch an unmapped address (#PF) */
    INJECT_COUNT
};

struct sweep {
    char name[SWEEP_NAME_MAX];
    enum sweep_inject inject;
    uint32_t samples;        /* default timed samples per configuration */
    uint32_t warmup;         /* default discarded warm-up iterations */
    uint32_t verify_rounds;  /* stale-TLB probe rounds per configuration */
    bool shuffle;            /* a `seed` directive was given */
    uint64_t seed;           /* order of the configurations (sweep_order) */
    unsigned nlines;
    struct sweep_line lines[SWEEP_LINES_MAX];
    uint32_t ci_target_bp;   /* ci-target in basis points, 0 = off (bench/ci_target.h) */
    uint32_t time_cap_ms;    /* time-cap: adaptive sampling's per-configuration cap */
    uint8_t hv_rule;         /* hv-rule: enum hv_rule (bench/hv_rule.h), 0 = recommended */
};

/* One point of the measurement matrix. */
struct sweep_config {
    uint32_t id;             /* 0-based, in expansion order */
    uint32_t run_index;      /* 0-based position in the run order (sweep_order) */
    unsigned lineno;         /* the sweep line it came from */
    enum strategy strategy;
    enum flush_op flush;
    uint32_t pages;
    uint32_t targets;        /* number of target CPUs (0 without strategy_has_targets()) */
    uint32_t initiator;      /* the CPU that times the flush */
    enum placement placement;/* which CPUs the targets are (sweep_placement) */
    enum target_state state;
    enum hv_input input;     /* hypercall strategies only, else HV_INPUT_SLOW */
    enum flush_scope scope;  /* hypercall strategies only, else SCOPE_CR3 */
    bool nonglobal;          /* NON_GLOBAL_MAPPINGS_ONLY */
    enum proc_set procs;     /* hypercall strategies only, else PROCS_MASK */
    uint32_t samples;
    uint32_t warmup;
    bool verify;
    uint32_t verify_rounds;
    uint32_t initiators;     /* concurrent initiators of the throughput measurement */
    enum share_mode share;   /* their target sets: own (disjoint) or shared */
    uint32_t working_set;    /* state=work: pages of the test window targets walk */
    bool throughput;         /* a throughput record follows (initiators= or state=work) */
    uint32_t spaces;         /* live address spaces the targets touch (1: their own) */
    bool pcid;               /* targets run with CR4.PCIDE, one PCID per address space */
    bool global;             /* the test window is mapped with the G bit */
    bool large;              /* the test window is one 2 MiB page */
    bool precision;          /* hv-* with verify=on: the precision checks run */
    uint32_t ci_target_bp;   /* the sweep's ci-target (0 = off) */
    uint32_t time_cap_ms;    /* the sweep's time-cap */
    enum target_set target_set;  /* others (placed), null, self or all */
    uint32_t stride;         /* placement strided:S */
    uint64_t cpuset[SWEEP_CPUSET_WORDS]; /* placement cpus:LIST */
    enum ipi_call ipi_call;  /* hv-ipi-invlpg only, else IPI_CALL_AUTO */
    bool pair;               /* from a pairs=all line: one initiator, one listed target */
};

struct sweep_error {
    unsigned lineno;         /* 0 when not tied to a line */
    char msg[160];
};

/* Parses text (not necessarily NUL-terminated).  Returns false and fills err
 * on the first error. */
bool sweep_parse(const char *text, size_t len, struct sweep *sw,
                 struct sweep_error *err);

/* Expands the sweep for a VM with ncpus CPUs into configs[] (at most max),
 * in expansion order, each with its run_index (sweep_order()).  Returns
 * the number of configurations, or -1 with err filled (e.g. an explicit
 * target count that needs more CPUs than the VM has). */
int sweep_expand(const struct sweep *sw, unsigned ncpus,
                 struct sweep_config *configs, unsigned max,
                 struct sweep_error *err);

/* Short, stable names used in records, CSV files and plots. */
const char *strategy_name(enum strategy s);
const char *flush_op_name(enum flush_op f);
const char *target_state_name(enum target_state t);
const char *sweep_inject_name(enum sweep_inject i);
const char *hv_input_name(enum hv_input i);
const char *flush_scope_name(enum flush_scope s);
const char *proc_set_name(enum proc_set p);
const char *placement_name(enum placement p);
bool placement_from_name(const char *s, size_t n, enum placement *out);
const char *share_mode_name(enum share_mode s);
bool share_mode_from_name(const char *s, size_t n, enum share_mode *out);
bool hv_input_from_name(const char *s, size_t n, enum hv_input *out);
bool flush_scope_from_name(const char *s, size_t n, enum flush_scope *out);
bool proc_set_from_name(const char *s, size_t n, enum proc_set *out);
bool strategy_from_name(const char *s, size_t n, enum strategy *out);
bool flush_op_from_name(const char *s, size_t n, enum flush_op *out);
bool target_state_from_name(const char *s, size_t n, enum target_state *out);
bool sweep_inject_from_name(const char *s, size_t n, enum sweep_inject *out);
const char *ipi_call_name(enum ipi_call i);
bool ipi_call_from_name(const char *s, size_t n, enum ipi_call *out);
const char *target_set_name(enum target_set t);

/* A configuration's label, written into buf: "ipi/invlpg/p1/t4/spin",
 * "local/cr3/p8", "hv-list-ex/fast/all-as/p8/t3/spin[/nonglobal][/all-vps]"
 * (the scope as /cr3, /all-as, /other-as or /unloaded-as), with "/i2" when
 * the initiator is not CPU 0 and "/last" or "/spread" when the targets are
 * not the first CPUs; then, for non-default values only, "/sN" (spaces=N),
 * "/pcid", "/global" and "/large" (sweep_space_label()).  A configuration
 * of a pairs=all line has "/iI-tJ" (initiator CPU I, target CPU J) where
 * others have "/tN", and neither "/iN" nor "/cpus:J": "ipi/invlpg/p1/i2-t1/spin". */
size_t sweep_config_label(const struct sweep_config *c, char *buf, size_t n);

/* bench/sweep_space.c: the spaces/pcid/global/large keys. */
#define SWEEP_SPACES_MAX 16
/* The line's defaults: spaces=1 pcid=off global=off large=off. */
void sweep_space_line_defaults(struct sweep_line *l);
/* Refuses combinations the keys do not allow (err filled, false). */
bool sweep_space_check_line(const struct sweep_line *l, unsigned lineno,
                            struct sweep_error *err);
/* Combinations of spaces x pcid x global x large on line l. */
unsigned sweep_space_combos(const struct sweep_line *l);
/* Sets c's spaces/pcid/global/large from combination k of line l, and
 * its verify and precision flags from the line's verify= (c's other fields
 * already set): an effect the flush need not have is not verified. */
void sweep_space_apply(const struct sweep_line *l, unsigned k, struct sweep_config *c);
/* Why a configuration that asked for verification has none: the flush owes
 * nothing ("no-flush-owed:unloaded-space", "no-flush-owed:nonglobal-call-
 * global-window"); NULL otherwise. */
const char *sweep_space_unverified_reason(const struct sweep_config *c);
/* Appends the label's scope part and its space suffixes. */
void sweep_space_label_scope(const struct sweep_config *c, char *buf, size_t n);
void sweep_space_label(const struct sweep_config *c, char *buf, size_t n);

/* bench/placement.c: the target CPUs of c on a VM of ncpus CPUs, in
 * ascending order, into out[0..c->targets).  first: the lowest-numbered
 * CPUs other than the initiator; last: the highest; spread: of the m CPUs
 * other than the initiator (ascending), those at index
 * floor((2i + 1) * m / (2 * targets)) for i = 0..targets-1, the middle of
 * each of `targets` equal slices.  Returns false when they do not fit (initiator or a
 * target beyond ncpus), which sweep_expand() has already refused. */
bool sweep_placement(const struct sweep_config *c, unsigned ncpus, uint32_t *out);

/* bench/sweep_initiators.c: the CPUs of c's throughput measurement on a
 * VM of ncpus CPUs.  The initiators are CPUs c->initiator ..
 * c->initiator + c->initiators - 1 (inits[0..initiators)); the targets
 * come from the other CPUs (ascending) by c->placement, as
 * sweep_placement() picks them, taking initiators * targets CPUs (own) or
 * targets CPUs (shared) into targets[]; with share=own initiator i's are
 * targets[i * c->targets .. (i + 1) * c->targets), with share=shared every
 * initiator's are targets[0 .. c->targets).  Returns false when they do
 * not fit, which sweep_expand() has already refused. */
bool sweep_throughput_placement(const struct sweep_config *c, unsigned ncpus,
                                uint32_t *inits, uint32_t *targets);
/* The number of target CPUs sweep_throughput_placement() places. */
uint32_t sweep_throughput_target_count(const struct sweep_config *c);
/* bench/placement.c: the number of target CPUs placement p of line l can
 * name on ncpus CPUs from initiator (strided: those below ncpus; cpus: the
 * listed ones; the others: all but the initiator). */
uint32_t sweep_placement_room(const struct sweep_line *l, unsigned pi, uint32_t initiator,
                              unsigned ncpus);
/* bench/placement.c: one placement item ("first", "strided:2",
 * "cpus:1+3+5", "cpus:4-7+9") into l->placement[idx] and its parameters. */
bool sweep_placement_parse(const char *s, size_t n, struct sweep_line *l, unsigned idx);
/* bench/placement.c: c's placement as the sweep names it ("strided:2",
 * "cpus:1-3+7"); returns the length written. */
size_t sweep_placement_text(const struct sweep_config *c, char *buf, size_t cap);
/* Whether a configuration gets the hypercall precision checks (CPU 0 and
 * CPUs 1..targets: only with targets placed among the other CPUs). */
static inline bool config_has_precision(const struct sweep_config *c)
{
    return c->precision && c->target_set == TARGETS_OTHERS;
}

/* bench/placement.c: whether cpu is one of cpus[0..n). */
bool cpu_list_has(const uint32_t *cpus, uint32_t n, uint32_t cpu);
/* bench/placement.c: an ascending CPU list as runs, e.g. "1-3,7", or "-"
 * when n is 0 (records and CSV files).  Returns the length written. */
size_t cpu_list_format(const uint32_t *cpus, uint32_t n, char *buf, size_t cap);

/* bench/placement.c: the order in which configurations run: order[i] is
 * the id of the i-th to run.  Without a seed the expansion order; with one
 * a Fisher-Yates shuffle driven by splitmix64(seed), identical on the host
 * and in the guest. */
void sweep_order(const struct sweep *sw, uint32_t *order, uint32_t n);

#endif
