/*
 * Hyper-V TLFS hypercall ABI for the remote TLB-flush family: constants and
 * pure encoding functions.  Compiled into the guest (which issues the
 * calls) and the host (unit tests, decoding of records), so each encoding
 * is written once.
 */
#ifndef BENCH_HV_ABI_H
#define BENCH_HV_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Synthetic MSRs. */
#define HV_X64_MSR_GUEST_OS_ID   0x40000000u
#define HV_X64_MSR_HYPERCALL     0x40000001u
#define HV_X64_MSR_VP_INDEX      0x40000002u
#define HV_X64_MSR_HYPERCALL_ENABLE 0x1ull

/* Call codes. */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE     0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST      0x0003
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX  0x0013
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX   0x0014

/* Flags of the flush calls. */
#define HV_FLUSH_ALL_PROCESSORS              (1ull << 0)
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES  (1ull << 1)
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY    (1ull << 2)
#define HV_FLUSH_USE_EXTENDED_RANGE_FORMAT   (1ull << 3)

/* HV_VP_SET formats. */
#define HV_GENERIC_SET_SPARSE_4K 0
#define HV_GENERIC_SET_ALL       1
#define HV_MAX_SPARSE_VP_BANKS   64      /* 64 banks of 64 VPs: indexes 0..4095 */

/* Control word (hypercall input value) fields. */
#define HV_HYPERCALL_FAST_BIT        (1ull << 16)
#define HV_HYPERCALL_VARHEAD_SHIFT   17
#define HV_HYPERCALL_REP_COUNT_SHIFT 32
#define HV_HYPERCALL_REP_START_SHIFT 48
#define HV_HYPERCALL_RSVD_MASK       0xf000f000f8000000ull   /* 31:27, 47:44, 63:60 */

/* HV_STATUS values. */
#define HV_STATUS_SUCCESS                 0x0
#define HV_STATUS_INVALID_HYPERCALL_CODE  0x2
#define HV_STATUS_INVALID_HYPERCALL_INPUT 0x3
#define HV_STATUS_INVALID_ALIGNMENT       0x4
#define HV_STATUS_INVALID_PARAMETER       0x5
#define HV_STATUS_ACCESS_DENIED           0x6
#define HV_STATUS_INVALID_PARTITION_STATE 0x7
#define HV_STATUS_OPERATION_DENIED        0x8
#define HV_STATUS_INSUFFICIENT_MEMORY     0xb
#define HV_STATUS_INVALID_VP_INDEX        0xe
#define HV_STATUS_INVALID_PORT_ID         0x11

/* CPUID bits (leaf, register, bit) the guest reports. */
#define HV_CPUID_VENDOR          0x40000000u
#define HV_CPUID_INTERFACE       0x40000001u
#define HV_CPUID_FEATURES        0x40000003u
#define HV_CPUID_ENLIGHTENMENTS  0x40000004u
#define HV_CPUID_LIMITS          0x40000005u
#define HV_INTERFACE_HV1         0x31237648u  /* "Hv#1" */
#define HV_PRIV_ACCESS_VP_INDEX       (1ull << 6)
#define HV_PRIV_ACCESS_HYPERCALL_MSRS (1ull << 5)
#define HV_FEAT_XMM_INPUT             (1u << 4)
#define HV_FEAT_EXT_GVA_RANGES        (1u << 14)
#define HV_ENLIGHT_REMOTE_TLB_FLUSH   (1u << 2)
#define HV_ENLIGHT_EX_PROCESSOR_MASKS (1u << 11)

/* Builds a control word.  Fields wider than the ABI allows are truncated to
 * their width (callers that want illegal words set bits themselves). */
uint64_t hv_control(uint16_t code, bool fast, unsigned varhead_qwords,
                    unsigned rep_count, unsigned rep_start);

/* Result value (RAX) fields. */
static inline uint16_t hv_result_status(uint64_t rax) { return (uint16_t)rax; }
static inline uint16_t hv_result_reps(uint64_t rax) { return (uint16_t)((rax >> 32) & 0xfff); }

/* HV_VP_SET, sparse 4K format, from a list of VP indexes (any order,
 * duplicates allowed): out[0] = format, out[1] = valid bank mask, then one
 * bank qword per set mask bit in ascending bank order.  Returns the number
 * of bank qwords (the variable-header size of an Ex call), or -1 if an
 * index is >= 4096 or out (max qwords) is too small. */
int hv_vpset_sparse(const uint32_t *vps, unsigned n, uint64_t *out, unsigned max);
/* Decodes such a set back into VP indexes (ascending); -1 on malformed input. */
int hv_vpset_decode(const uint64_t *set, unsigned nqwords, uint32_t *vps, unsigned max);

/* Non-Ex ProcessorMask from VP indexes; false if any index >= 64. */
bool hv_processor_mask(const uint32_t *vps, unsigned n, uint64_t *mask);

/* GvaRange list covering [va, va + pages * 4 KiB): each entry is the page
 * address with the count of additional pages (0-4095) in bits 11:0.
 * Returns the number of entries, or -1 if out (max) is too small or va is
 * not page-aligned. */
int hv_gva_ranges(uint64_t va, uint64_t pages, uint64_t *out, unsigned max);

/* ---- Additions (hvflush) ---------------------------------------------- */

/* HV_X64_MSR_HYPERCALL layout: bit 0 enable, bit 1 locked, 11:2 RsvdP
 * (preserved on writes), 63:12 GPFN. */
#define HV_X64_MSR_HYPERCALL_LOCKED   0x2ull
#define HV_X64_MSR_HYPERCALL_RSVDP    0xffcull
#define HV_X64_MSR_HYPERCALL_GPFN_SHIFT 12

/* Control-word bit 31 ("Is Nested"); KVM counts it as reserved. */
#define HV_HYPERCALL_NESTED_BIT      (1ull << 31)
#define HV_HYPERCALL_CODE_MASK       0xffffull
#define HV_HYPERCALL_VARHEAD_MAX     0x3ffu      /* 10 bits */
#define HV_HYPERCALL_REP_MAX         0xfffu      /* 12 bits */

/* Flags the public TLFS defines for the flush calls (bits 0-3); any other
 * bit is reserved. */
#define HV_FLUSH_DEFINED_FLAGS       0xfull

/* XMM fast input: RDX, R8 and XMM0-5 = 2 + 12 qwords (112 bytes). */
#define HV_XMM_INPUT_QWORDS          12
#define HV_FAST_INPUT_QWORDS         (2 + HV_XMM_INPUT_QWORDS)

/* GvaRange: bits 11:0 hold the number of additional pages. */
#define HV_GVA_RANGE_MAX_PAGES       4096u

/* Leaf 0x40000003 EDX bit 15 (XMM output), reported, never used. */
#define HV_FEAT_XMM_OUTPUT            (1u << 15)
/* Leaf 0x40000004 EAX bit 1: local flush via hypercall recommended. */
#define HV_ENLIGHT_LOCAL_TLB_FLUSH    (1u << 1)

/* The number of set bits of v. */
unsigned hv_popcount64(uint64_t v);

/* The input block of one flush call, as qwords: AddressSpace, Flags, then
 * the ProcessorMask (0x0002/0x0003) or the HV_VP_SET (0x0013/0x0014), then
 * (List calls) the GvaRange entries.  The same qwords serve both
 * conventions: memory input copies them to the input page; XMM fast input
 * puts q[0] in RDX, q[1] in R8 and q[2..] in XMM0-5 (low half first).
 *   all_vps: non-Ex sets HV_FLUSH_ALL_PROCESSORS in the flags (the mask is
 *            still built from vps, normally none); Ex uses HV_GENERIC_SET_ALL
 *            with an empty bank mask and ignores vps.
 * Returns the number of qwords written, with *varhead = the variable header
 * size (bank qwords, Ex only, else 0) and *reps = ngva (List, else 0); or a
 * negative HV_ENC_* error. */
#define HV_ENC_ERR_CODE   (-1)   /* not one of the four flush call codes */
#define HV_ENC_ERR_VP     (-2)   /* VP >= 64 (non-Ex) or >= 4096 (Ex) */
#define HV_ENC_ERR_SPACE  (-3)   /* does not fit in max qwords */
#define HV_ENC_ERR_REPS   (-4)   /* more GVA entries than a rep count holds */
int hv_flush_input(uint16_t code, uint64_t address_space, uint64_t flags,
                   const uint32_t *vps, unsigned nvps, bool all_vps,
                   const uint64_t *gva, unsigned ngva,
                   uint64_t *out, unsigned max, unsigned *varhead, unsigned *reps);
/* "bad-call-code", "vp-out-of-range", "no-space", "too-many-reps"; "ok" for >= 0. */
const char *hv_enc_error_name(int err);

/* True for the Ex (HV_VP_SET) and rep (List) call codes. */
static inline bool hv_call_is_ex(uint16_t code)
{
    return code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX ||
           code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
}
static inline bool hv_call_is_list(uint16_t code)
{
    return code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST ||
           code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
}

/* ---- HvCallSendSyntheticClusterIpi[Ex] (hv-ipi-invlpg) ---------------- */

#define HVCALL_SEND_IPI               0x000b
#define HVCALL_SEND_IPI_EX            0x0015
/* Leaf 0x40000004 EAX bit 10: send IPIs with the hypercalls above
 * ("UseSyntheticClusterIpi"; KVM sets it with an in-kernel LAPIC).  The Ex
 * call also needs ExProcessorMasks (bit 11). */
#define HV_ENLIGHT_CLUSTER_IPI        (1u << 10)
/* The vectors the calls may send (KVM: HV_IPI_LOW_VECTOR..HIGH_VECTOR). */
#define HV_IPI_LOW_VECTOR             0x10
#define HV_IPI_HIGH_VECTOR            0xff
#define HV_ENC_ERR_VECTOR (-5)   /* IPI vector below HV_IPI_LOW_VECTOR */

/* The input block of one IPI call, as qwords:
 *   q[0]  Vector (bits 31:0) | TargetVtl (39:32, 0: the caller's VTL) |
 *         reserved (63:40, 0)
 *   0x000b: q[1] ProcessorMask (VP indexes 0-63)
 *   0x0015: q[1..] HV_VP_SET: format (sparse 4K), valid bank mask, one bank
 *           qword per mask bit (the variable header, *varhead qwords)
 * Memory input copies the qwords to the input page.  Fast input: RDX =
 * q[0], R8 = q[1] (non-Ex: nothing else, no XMM needed); Ex: R8 = format,
 * XMM0 low = valid bank mask, then the banks (q[2..] in XMM0-5, low half
 * first).  No VP (n = 0) is legal: an empty mask / empty set, sent to
 * nobody.  Returns the number of qwords, or HV_ENC_ERR_CODE (not one of the
 * two codes), _VECTOR, _VP (>= 64 for 0x000b, >= 4096 for 0x0015) or
 * _SPACE. */
int hv_send_ipi_input(uint16_t code, uint32_t vector, const uint32_t *vps, unsigned nvps,
                      uint64_t *out, unsigned max, unsigned *varhead);
/* The call Linux picks (hv_send_ipi_mask): 0x000b unless some VP index is
 * >= 64 (then 0x0015). */
uint16_t hv_send_ipi_code_for(const uint32_t *vps, unsigned nvps);

/* "SUCCESS", "INVALID_HYPERCALL_INPUT", ...; "UNKNOWN" for others. */
const char *hv_status_name(uint16_t status);
/* "hv-space", ... for the four flush call codes; NULL for others. */
const char *hv_call_name(uint16_t code);

#endif
