/*
 * The flush hypercall of each concurrent initiator (throughput.c): the
 * configuration's call (code, input convention, address space, flags and
 * GVA list, as hypercall.c builds it for the latency), naming the VP
 * indexes of that initiator's own targets (share=own) or of the shared
 * set.  Each initiator has its own prepared call and input page, so the
 * initiators never write an input block another one is issuing; built
 * once per configuration, before any initiator starts.  `inject
 * hv-wrong-mask` is not applied here: the effect probe (verify.c) is what
 * must catch a wrong mask.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <bench/hv_vps.h>
#include "throughput.h"

#define TP_GVA_MAX 8     /* 512 pages need one range */

static const uint16_t call_codes[] = {
    [STRATEGY_HV_SPACE] = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
    [STRATEGY_HV_LIST] = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
    [STRATEGY_HV_SPACE_EX] = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
    [STRATEGY_HV_LIST_EX] = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
};

const char *tp_hv_prepare(uint32_t i)
{
    static uint32_t vps[MAX_CPUS];
    static uint64_t gva[TP_GVA_MAX];
    struct tp_initiator *ini = &tp.init[i];
    const struct sweep_config *c = tp.c;
    struct hv_flush_request r;
    const char *why;
    uint8_t refused;
    int ngva = 0;
    uint32_t t;

    for (t = 0; t < ini->ntargets; t++)
        vps[t] = hv_vp_index(tp.targets[ini->first + t]);
    why = hv_vps_unsupported(strategy_is_ex(c->strategy), vps, ini->ntargets);
    if (why)
        return why;
    if (strategy_is_list(c->strategy))
        ngva = hv_gva_ranges(TEST_WINDOW_VA, c->pages, gva, TP_GVA_MAX);
    if (ngva < 0)
        return "gva-ranges-do-not-fit";
    if (!ini->page)
        ini->page = page_alloc();
    r.address_space = c->scope == SCOPE_CR3 ? read_cr3() : 0;
    r.flags = (c->scope == SCOPE_ALL ? HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES : 0) |
              (c->nonglobal ? HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY : 0);
    r.vps = vps;
    r.nvps = ini->ntargets;
    r.all_vps = c->procs == PROCS_ALL;
    r.gva = gva;
    r.ngva = (unsigned)ngva;
    r.fast = c->input == HV_INPUT_FAST;
    refused = hv_flush_prepare(call_codes[c->strategy], &r, ini->page, &ini->call);
    return refused ? hv_refused_name(refused) : NULL;
}
