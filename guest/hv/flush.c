/*
 * flush.c: the four remote TLB-flush hypercalls.
 *
 *   0x0002 HvCallFlushVirtualAddressSpace    simple  AS, Flags, ProcessorMask
 *   0x0003 HvCallFlushVirtualAddressList     rep     AS, Flags, ProcessorMask; GvaRange[]
 *   0x0013 HvCallFlushVirtualAddressSpaceEx  simple  AS, Flags, HV_VP_SET (var header)
 *   0x0014 HvCallFlushVirtualAddressListEx   rep     AS, Flags, HV_VP_SET (var header); GvaRange[]
 *
 * The input block is laid out once by hv_flush_input() (bench/hv_abi.c):
 *  - memory ("slow") input: the qwords are written at the start of this
 *    CPU's input page (page-aligned, so 8-byte aligned and never crossing
 *    the page); a request larger than the page is refused
 *    (HV_REFUSED_PAGE_NO_FIT), never split;
 *  - XMM fast input: q[0] -> RDX, q[1] -> R8, q[2..13] -> XMM0-5 (low half
 *    first), as the TLFS and KVM read them (non-Ex: XMM0 low = mask; Ex:
 *    XMM0 = {format, valid bank mask}, then banks, then GVAs).  A request
 *    larger than 14 qwords is refused (HV_REFUSED_FAST_NO_FIT) — it is not
 *    silently sent as a memory call, so a caller can report "does not fit".
 * The caller decides fast vs slow; it is expected to check hv_info.xmm_input.
 *
 * Rep calls (List, ListEx) are re-issued with rep start = reps completed
 * until every entry is done, a status other than SUCCESS comes back, the
 * call faults, or an issue makes no progress (then the result's reps_done
 * stays below the rep count).  Interrupts are off from filling the input
 * page to the last issue.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <guest/hv.h>
#include "hv_internal.h"

#define PAGE_QWORDS (PAGE_SIZE / 8)
/* Bounds the re-issue loop (one rep per issue would need 4095). */
#define MAX_ISSUES 4096

static struct hv_result refused(uint8_t why)
{
    struct hv_result r = { 0 };

    r.status = HV_RESULT_NOT_ISSUED;
    r.refused = why;
    return r;
}

static uint8_t refusal_of(int enc_err, bool fast)
{
    switch (enc_err) {
    case HV_ENC_ERR_VP: return HV_REFUSED_VP_RANGE;
    case HV_ENC_ERR_SPACE: return fast ? HV_REFUSED_FAST_NO_FIT : HV_REFUSED_PAGE_NO_FIT;
    default: return HV_REFUSED_BAD_REQUEST;
    }
}

static struct hv_result issue(uint16_t code, const struct hv_flush_request *r)
{
    uint64_t fastq[HV_FAST_INPUT_QWORDS] = { 0 };
    uint64_t *q, flags;
    unsigned varhead = 0, reps = 0, done = 0, n;
    struct hv_result res;
    int nq;

    if (!hv_usable())
        return refused(HV_REFUSED_UNAVAILABLE);
    flags = irq_save();
    q = r->fast ? fastq : (uint64_t *)hv_input_page();
    nq = hv_flush_input(code, r->address_space, r->flags, r->vps, r->nvps, r->all_vps,
                        r->gva, r->ngva, q, r->fast ? HV_FAST_INPUT_QWORDS : PAGE_QWORDS,
                        &varhead, &reps);
    if (nq < 0) {
        irq_restore(flags);
        return refused(refusal_of(nq, r->fast));
    }
    for (n = 0; n < MAX_ISSUES; n++) {
        uint64_t control = hv_control(code, r->fast, varhead, reps, done);

        if (r->fast)
            res = hv_hypercall_xmm(control, q[0], q[1], &q[2]);
        else
            res = hv_hypercall(control, (uint64_t)(uintptr_t)q, 0);
        if (res.faulted || res.status != HV_STATUS_SUCCESS || !hv_call_is_list(code) ||
            res.reps_done >= reps || res.reps_done <= done)
            break;
        done = res.reps_done;     /* partial: continue where it stopped */
    }
    irq_restore(flags);
    return res;
}

struct hv_result hv_flush_space(const struct hv_flush_request *r)
{
    return issue(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE, r);
}

struct hv_result hv_flush_list(const struct hv_flush_request *r)
{
    return issue(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST, r);
}

struct hv_result hv_flush_space_ex(const struct hv_flush_request *r)
{
    return issue(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, r);
}

struct hv_result hv_flush_list_ex(const struct hv_flush_request *r)
{
    return issue(HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX, r);
}
