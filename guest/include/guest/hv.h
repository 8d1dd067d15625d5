/*
 * The guest's Hyper-V interface (TLFS): discovery, the hypercall page, VP
 * indexes, and the remote TLB-flush hypercalls.  Encodings shared with the
 * host (control word, HV_VP_SET, GVA ranges, status names) are in
 * bench/include/bench/hv_abi.h.
 */
#ifndef GUEST_HV_H
#define GUEST_HV_H

#include <stdbool.h>
#include <stdint.h>
#include <bench/hv_abi.h>

struct hv_info {
    bool hv_present;              /* CPUID.1:ECX bit 31 and leaf 0x40000000 exists */
    char vendor[13];              /* 0x40000000 EBX:ECX:EDX */
    uint32_t max_leaf;            /* 0x40000000 EAX */
    bool hv1;                     /* 0x40000001 EAX == "Hv#1" */
    uint64_t privileges;          /* 0x40000003 EAX | EBX << 32 */
    uint32_t features_edx;        /* 0x40000003 EDX */
    uint32_t recommendations;     /* 0x40000004 EAX */
    uint32_t max_vps, max_lps;    /* 0x40000005 EAX, EBX */
    /* Decoded bits, each straight from the leaves above: */
    bool access_hypercall_msrs;   /* privileges bit 5 */
    bool access_vp_index;         /* privileges bit 6 */
    bool xmm_input;               /* features_edx bit 4 */
    bool ext_gva_ranges;          /* features_edx bit 14 */
    bool remote_flush;            /* recommendations bit 2 */
    bool ex_processor_masks;      /* recommendations bit 11 */
    /* State: */
    bool hypercall_enabled;       /* HV_X64_MSR_HYPERCALL enable bit reads back set */
    const char *why_unavailable;  /* NULL when hypercalls can be made */
    /* Additions (hvflush): */
    uint32_t interface;           /* 0x40000001 EAX as read */
    uint32_t nested_features;     /* 0x4000000A EAX (0 when max_leaf is lower) */
    uint64_t guest_os_id;         /* HV_X64_MSR_GUEST_OS_ID as read back */
    uint64_t hypercall_msr;       /* HV_X64_MSR_HYPERCALL as read back */
    uint8_t msr_fault;            /* vector of the first synthetic-MSR access
                                     that faulted (caught), 0 if none did */
    uint8_t trap_selftest;        /* vector caught when hv_init() called the
                                     hypercall page while it held only ud2
                                     (expect 6: proves fault recovery works) */
    unsigned vp_indexes_read;     /* CPUs whose VP index MSR read succeeded */
    /* hv-rule (bench/hv_rule.h), each from the bits above and hv_flush_rule: */
    bool use_remote_flush;        /* the flush calls may be made */
    bool use_ex_masks;            /* the Ex calls may be made */
    /* The hypervisor record: */
    uint32_t rec_before;          /* 0x40000004 EAX before the Guest OS ID write */
    uint32_t rec_after;           /* the same after it (= rec_before without one) */
    uint64_t os_id_written;       /* the Guest OS ID the guest wrote, 0 if none */
    bool pretended;               /* hv_pretend made the interface up (pretend.c):
                                     nothing above but these flags came from a hypervisor */
};

/* The guest OS id hv_init() writes (TLFS "open source OS" layout):
 * bit 63 = 1 (open source), 62:56 OS type = 0x7f (not an allocated type:
 * hvflush is not Linux, FreeBSD, Xen or Illumos), 55:48 OS id = 0x48 ('H'),
 * 47:16 version = 1 (hvflush v1), 15:0 build = 0. */
#define HV_HVFLUSH_GUEST_OS_ID 0xff48000000010000ull

extern struct hv_info hv_info;
/* enum hv_rule, the sweep's hv-rule: set before hv_init(). */
extern uint8_t hv_flush_rule;
/* Set before hv_init() (sweep `inject hv-pretend`, `hv-unknown-status`):
 * where a usable interface is found, act as if it advertised remote flush,
 * ExProcessorMasks and XMM input; where none is found, act as if one were
 * there --
 * remote flush and ExProcessorMasks advertised, XMM input not, VP index =
 * CPU number, and a hypercall page holding what a hypervisor writes there
 * (`vmcall; ret` on Intel, `vmmcall; ret` elsewhere).  Every call then
 * really executes that instruction; without a hypervisor that takes it
 * (TCG) it raises #UD, which the fault recovery catches (guest/hv/trap.c).
 * For tests of how the tool reports faulting and refused hypercalls. */
extern bool hv_pretend;

/* BSP, after smp_init(): discovers the interface and, where the CPUID bits
 * allow, sets HV_X64_MSR_GUEST_OS_ID and enables the hypercall page, then
 * reads every CPU's VP index (HV_X64_MSR_VP_INDEX, on that CPU). */
void hv_init(void);
bool hv_usable(void);             /* hypercalls can be issued */
uint32_t hv_vp_index(unsigned cpu);   /* UINT32_MAX when unknown */

/* The outcome of one hypercall. */
struct hv_result {
    uint64_t raw;                 /* RAX as returned */
    uint16_t status;              /* HV_STATUS, bits 15:0 */
    uint16_t reps_done;           /* bits 43:32 */
    bool faulted;                 /* the call raised an exception instead */
    uint8_t vector;               /* 6 (#UD), 13 (#GP), ... when faulted */
    uint8_t refused;              /* HV_REFUSED_*: the call was not issued */
    bool incomplete;              /* rep call: SUCCESS, but reps_done stayed below
                                     the rep count (no progress): an error */
    uint64_t fault_rip;           /* where the call faulted (when faulted) */
};

/* Why a call was not issued (hv_result.refused); status then reads
 * HV_RESULT_NOT_ISSUED, as it does when the call faulted. */
#define HV_RESULT_NOT_ISSUED      0xffff
#define HV_REFUSED_NONE           0
#define HV_REFUSED_UNAVAILABLE    1   /* no hypercall page (hv_usable() false) */
#define HV_REFUSED_FAST_NO_FIT    2   /* input exceeds RDX, R8 + 12 XMM qwords */
#define HV_REFUSED_PAGE_NO_FIT    3   /* input exceeds the 4 KiB input page */
#define HV_REFUSED_VP_RANGE       4   /* VP >= 64 without Ex, or >= 4096 */
#define HV_REFUSED_BAD_REQUEST    5   /* e.g. more GVA entries than a rep count holds */
/* "unavailable", "does-not-fit-fast-input", ...; "-" for HV_REFUSED_NONE. */
const char *hv_refused_name(uint8_t refused);
/* A result's status as a record value: the HV_STATUS name, or "-" when the
 * call faulted or was not issued. */
const char *hv_result_status_name(const struct hv_result *r);

/* Raw calls through the hypercall page, with fault recovery: a #UD or #GP
 * raised by the call is caught and returned, never fatal.
 * Slow: RCX = control, RDX = input GPA, R8 = output GPA.
 * XMM fast: RCX = control | fast bit, RDX, R8, XMM0-5 = xmm[0..11]. */
struct hv_result hv_hypercall(uint64_t control, uint64_t input_gpa, uint64_t output_gpa);
struct hv_result hv_hypercall_xmm(uint64_t control, uint64_t rdx, uint64_t r8,
                                  const uint64_t xmm[12]);

/* Fault-safe MSR access on the calling CPU (any MSR; used for the
 * synthetic ones): returns 0, or the vector (13 #GP, 6 #UD) the
 * instruction raised, which is caught.  *val is written only on success. */
int hv_safe_rdmsr(uint32_t msr, uint64_t *val);
int hv_safe_wrmsr(uint32_t msr, uint64_t val);

/* This CPU's hypercall input page: 4 KiB, page-aligned, identity-mapped
 * (its address is its GPA). */
void *hv_input_page(void);

/* The four flush calls.  Targets are VP indexes; List calls take encoded
 * GvaRange entries and loop on reps completed until all are done. */
struct hv_flush_request {
    uint64_t address_space;       /* CR3 value (ignored with ALL_VIRTUAL_ADDRESS_SPACES) */
    uint64_t flags;               /* HV_FLUSH_* */
    const uint32_t *vps;          /* target VP indexes */
    unsigned nvps;
    bool all_vps;                 /* non-Ex: adds HV_FLUSH_ALL_PROCESSORS;
                                     Ex: HV_GENERIC_SET_ALL format */
    const uint64_t *gva;          /* List calls: encoded GvaRange entries */
    unsigned ngva;
    bool fast;                    /* XMM fast input (caller checks hv_info.xmm_input) */
};

/* A flush call with its input block built once (outside any timed region)
 * and issued as often as needed without touching it again. */
struct hv_flush_prepared {
    uint16_t code;
    bool fast;
    unsigned varhead, reps;
    uint64_t *page;               /* memory input: the block, at the start of a
                                     4 KiB identity-mapped page */
    uint64_t fastq[HV_FAST_INPUT_QWORDS];   /* XMM fast input: RDX, R8, XMM0-5 */
};
/* Builds the input of call `code` for r into p (page: the caller's 4 KiB
 * identity-mapped page for memory input; unused for fast input).  Returns
 * HV_REFUSED_NONE, or why the call cannot be made as asked. */
uint8_t hv_flush_prepare(uint16_t code, const struct hv_flush_request *r, void *page,
                         struct hv_flush_prepared *p);
/* Issues a prepared call (a List call re-issued until its reps are done,
 * see flush.c); interrupts are off from the first issue to the last. */
struct hv_result hv_flush_issue(const struct hv_flush_prepared *p);

/* Prepare (into this CPU's input page) and issue in one step. */
struct hv_result hv_flush_space(const struct hv_flush_request *r);     /* 0x0002 */
struct hv_result hv_flush_list(const struct hv_flush_request *r);      /* 0x0003 */
struct hv_result hv_flush_space_ex(const struct hv_flush_request *r);  /* 0x0013 */
struct hv_result hv_flush_list_ex(const struct hv_flush_request *r);   /* 0x0014 */

#endif
