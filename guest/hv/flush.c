/*
 * flush.c: the four remote TLB-flush hypercalls.
 *
 *   0x0002 HvCallFlushVirtualAddressSpace    simple  AS, Flags, ProcessorMask
 *   0x0003 HvCallFlushVirtualAddressList     rep     AS, Flags, ProcessorMask; GvaRange[]
 *   0x0013 HvCallFlushVirtualAddressSpaceEx  simple  AS, Flags, HV_VP_SET (var header)
 *   0x0014 HvCallFlushVirtualAddressListEx   rep     AS, Flags, HV_VP_SET (var header); GvaRange[]
 *
 * The input block is laid out once by hv_flush_input() (bench/hv_abi.c):
 *  - memory ("slow") input: the qwords are written at the start of a page
 *    the caller gives (this CPU's input page for hv_flush_space() and the
 *    other one-step calls; page-aligned, so 8-byte aligned and never crossing
 *    the page); a request larger than the page is refused
 *    (HV_REFUSED_PAGE_NO_FIT), never split;
 *  - XMM fast input: q[0] -> RDX, q[1] -> R8, q[2..13] -> XMM0-5 (low half
 *    first), as the TLFS and KVM read them (non-Ex: XMM0 low = mask; Ex:
 *    XMM0 = {format, valid bank mask}, then banks, then GVAs).  A request
 *    larger than 14 qwords is refused (HV_REFUSED_FAST_NO_FIT) — it is not
 *    silently sent as a memory call, so a caller can report "does not fit".
 * The caller decides fast vs slow; it is expected to check hv_info.xmm_input.
 *
 * hv_flush_prepare() builds the block once; hv_flush_issue() only issues
 * it (nothing is re-encoded or re-zeroed per call), so a timed region
 * around hv_flush_issue() holds the call and nothing else.
 *
 * Rep calls (List, ListEx) run through hv_reps_run() (bench/hv_reps.c):
 * re-issued with rep start = reps completed until every entry is done, a
 * status other than SUCCESS comes back, or the call faults; SUCCESS with
 * reps left and no progress is marked `incomplete` (an error for callers).
 * Interrupts are off from the first issue to the last.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <bench/hv_reps.h>
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

uint8_t hv_flush_prepare(uint16_t code, const struct hv_flush_request *r, void *page,
                         struct hv_flush_prepared *p)
{
    int nq;

    p->code = code;
    p->fast = r->fast;
    p->page = page;
    p->varhead = p->reps = 0;
    nq = hv_flush_input(code, r->address_space, r->flags, r->vps, r->nvps, r->all_vps,
                        r->gva, r->ngva, r->fast ? p->fastq : (uint64_t *)page,
                        r->fast ? HV_FAST_INPUT_QWORDS : PAGE_QWORDS, &p->varhead, &p->reps);
    if (nq < 0)
        return refusal_of(nq, r->fast);
    if (r->fast)                      /* unused XMM halves go in as zero */
        for (unsigned i = (unsigned)nq; i < HV_FAST_INPUT_QWORDS; i++)
            p->fastq[i] = 0;
    return HV_REFUSED_NONE;
}

struct issue_ctx { const struct hv_flush_prepared *p; struct hv_result last; };

static struct hv_rep_ret issue_once(void *ctx, uint64_t control)
{
    struct issue_ctx *c = ctx;
    const struct hv_flush_prepared *p = c->p;
    struct hv_rep_ret ret;

    if (p->fast)
        c->last = hv_hypercall_xmm(control, p->fastq[0], p->fastq[1], &p->fastq[2]);
    else
        c->last = hv_hypercall(control, (uint64_t)(uintptr_t)p->page, 0);
    ret.rax = c->last.raw;
    ret.vector = c->last.faulted ? (c->last.vector ? c->last.vector : 0xff) : 0;
    return ret;
}

struct hv_result hv_flush_issue(const struct hv_flush_prepared *p)
{
    struct issue_ctx ctx = { p, { 0 } };
    struct hv_reps_outcome out;
    uint64_t flags;

    if (!hv_usable())
        return refused(HV_REFUSED_UNAVAILABLE);
    flags = irq_save();
    hv_reps_run(p->code, p->fast, p->varhead, p->reps, issue_once, &ctx, MAX_ISSUES, &out);
    irq_restore(flags);
    ctx.last.incomplete = out.end == HV_REPS_INCOMPLETE;
    return ctx.last;
}

/* Prepares into this CPU's input page and issues. */
static struct hv_result issue(uint16_t code, const struct hv_flush_request *r)
{
    struct hv_flush_prepared p;
    uint8_t why;
    uint64_t flags;
    struct hv_result res;

    if (!hv_usable())
        return refused(HV_REFUSED_UNAVAILABLE);
    flags = irq_save();               /* the input page is this CPU's: stay on it */
    why = hv_flush_prepare(code, r, hv_input_page(), &p);
    res = why ? refused(why) : hv_flush_issue(&p);
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
