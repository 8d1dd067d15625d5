/*
 * Hypercalls of the decomposition baselines (see baseline.h).
 *
 * hv-null: HvCallFlushVirtualAddressSpaceEx (0x0013) whose ProcessorSet is
 *   a sparse 4K set with no bank (ValidBankMask 0): the hypervisor enters,
 *   decodes the input and returns SUCCESS with no flush work (KVM returns
 *   early for an empty set).  The non-Ex call cannot serve: KVM treats a
 *   ProcessorMask of 0 as "all processors" (a Windows workaround), so
 *   hv-null needs ExProcessorMasks and is `unsupported` without it.  Slow
 *   (input page) or XMM fast input, as the configuration's `input` says.
 * hv-invalid: the call code 0x0fff, which no TLFS version defines (the
 *   conformance suite's `unknown-code-0fff` case): the hypervisor rejects
 *   it with INVALID_HYPERCALL_CODE before reading any input.
 * Any other answer, a fault included, is an error record naming it.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <guest/console.h>
#include "baseline.h"
#include "hypercall.h"
#include "measure.h"

#define HVCALL_UNKNOWN_CODE 0x0fff   /* as the conformance case unknown-code-0fff */

static struct hv_flush_prepared null_call;
static uint8_t null_refused;
static void *input_page;
static enum strategy prepared_strategy;

const char *hv_baseline_unsupported(const struct sweep_config *c)
{
    if (!hv_usable())
        return hv_info.why_unavailable ? hv_info.why_unavailable : "no-hyperv";
    if (c->strategy != STRATEGY_HV_NULL)
        return NULL;
    if (!hv_info.use_remote_flush)
        return "remote-flush-not-advertised";
    if (!hv_info.use_ex_masks)
        return "ex-processor-masks-not-advertised";
    if (c->input == HV_INPUT_FAST && !hv_info.xmm_input)
        return "xmm-input-not-advertised";
    return NULL;
}

void hv_baseline_prepare(const struct sweep_config *c)
{
    struct hv_flush_request r = { 0 };

    if (!input_page)
        input_page = page_alloc();
    prepared_strategy = c->strategy;
    if (c->strategy != STRATEGY_HV_NULL)
        return;
    r.address_space = read_cr3();
    r.vps = NULL;
    r.nvps = 0;               /* an empty sparse set, not ALL */
    r.all_vps = false;
    r.fast = c->input == HV_INPUT_FAST;
    null_refused = hv_flush_prepare(HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX, &r, input_page,
                                    &null_call);
}

struct hv_result hv_baseline_issue(void)
{
    if (prepared_strategy == STRATEGY_HV_INVALID)
        return hv_hypercall(HVCALL_UNKNOWN_CODE, (uint64_t)(uintptr_t)input_page, 0);
    if (null_refused) {
        struct hv_result r = { 0 };

        r.status = HV_RESULT_NOT_ISSUED;
        r.refused = null_refused;
        return r;
    }
    return hv_flush_issue(&null_call);
}

const char *hv_baseline_problem(const struct sweep_config *c, const struct hv_result *r,
                                char *buf, unsigned n)
{
    if (c->strategy == STRATEGY_HV_INVALID && !r->refused && !r->faulted) {
        if (r->status == HV_STATUS_INVALID_HYPERCALL_CODE)
            return NULL;
        snprintk(buf, n, "hv-status-%s", hv_status_name(r->status));
        return buf;
    }
    return hv_result_problem(r, buf, n);
}
