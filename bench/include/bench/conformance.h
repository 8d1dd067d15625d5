/*
 * The Hyper-V flush-hypercall conformance cases, one table row per case,
 * read by both sides: the guest (bench/measure/conformance.c) builds and
 * issues each case from its row and records the outcome; the host
 * (host/analysis/conformance.c) judges that outcome against the row's expectations.
 *
 * A row says what the TLFS prescribes for its input and what KVM answers,
 * with the reason wherever KVM's answer is not the TLFS's (or the TLFS
 * names none), so the whole story of a case is in one place.
 *
 * Outcomes are strings: an HV_STATUS name ("SUCCESS",
 * "INVALID_HYPERCALL_INPUT", ...), or "fault-ud" / "fault-gp" where the
 * operation raises #UD / #GP instead of returning a status.
 */
#ifndef BENCH_CONFORMANCE_H
#define BENCH_CONFORMANCE_H

#include <stdbool.h>
#include <stdint.h>

enum conf_target { CONF_T_ONE, CONF_T_ALL, CONF_T_NONE, CONF_T_BAD_VP, CONF_T_VP4000 };
enum conf_input { CONF_IN_SLOW, CONF_IN_FAST, CONF_IN_MSR };
/* CONF_G_XMM: run only where XMM input is advertised. */
enum conf_gate { CONF_G_ALWAYS, CONF_G_XMM };
enum conf_gpa { CONF_GPA_PAGE, CONF_GPA_MISALIGNED, CONF_GPA_CROSSING };
enum conf_how {
    CONF_API,             /* through the guest's flush API (guest/hv/flush.c) */
    CONF_RAW,             /* built with hv_flush_input(), mutated, issued raw */
    CONF_VP_INDEX_WRMSR,  /* writes HV_X64_MSR_VP_INDEX (read-only) with its value */
};

/* TLFS values of a row: "-" where the TLFS names no outcome; one that
 * depends on what the hypervisor advertises (see conf_tlfs_expected). */
#define CONF_TLFS_NONE          "-"
#define CONF_TLFS_SUCCESS_OR_UD "success-or-ud"

/* KVM's answer from Linux version since_major.since_minor on (0.0: every
 * version).  reason: why, where it is not the TLFS's answer; NULL where
 * it is. */
struct conf_kvm_expect {
    const char *outcome;
    const char *reason;
    uint8_t since_major, since_minor;
};
#define CONF_KVM_EXPECT_MAX 2

struct conf_case {
    const char *name;
    uint16_t code;                 /* the call whose input is built (0: not a hypercall) */
    uint8_t how, input, target, gate;
    uint64_t flags;                /* HV_FLUSH_* */
    unsigned pages;                /* List: pages of the test window to flush */
    /* Mutations (CONF_RAW only): */
    uint16_t code_override;        /* 0 = none */
    uint64_t control_or;           /* bits OR'd into the control word */
    int varhead_delta;
    bool set_reps;                 /* replace the natural rep count by reps */
    unsigned reps;
    unsigned rep_start;
    uint8_t gpa;                   /* enum conf_gpa */
    bool set_format;               /* replace HV_VP_SET.Format by format */
    uint64_t format;
    /* Expectations: */
    const char *tlfs;
    struct conf_kvm_expect kvm[CONF_KVM_EXPECT_MAX];   /* ascending since; unused: outcome NULL */
};

extern const struct conf_case conf_cases[];
extern const unsigned conf_ncases;

/* The row named name, or NULL. */
const struct conf_case *conf_case_find(const char *name);

/* What the TLFS prescribes for row k where the hypervisor advertises XMM
 * input (xmm_input) and ExProcessorMasks (ex_masks): the Ex calls are only
 * defined with ExProcessorMasks ("-" without it); a fast call made without
 * looking at the XMM-input bit must succeed where it is advertised and
 * raise #UD where it is not. */
const char *conf_tlfs_expected(const struct conf_case *k, bool xmm_input, bool ex_masks);

/* KVM's expectation for row k on Linux major.minor: the last entry whose
 * since <= the version.  With the version unknown (0.0) the answer is
 * known only if all entries agree; NULL otherwise, and NULL when the row
 * has no KVM entry. */
const struct conf_kvm_expect *conf_kvm_expected(const struct conf_case *k, unsigned major,
                                                unsigned minor);

/* The label of the call: "hv-space", ..., "other". */
const char *conf_call_label(const struct conf_case *k);

#endif
