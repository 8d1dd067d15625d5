/*
 * The flush hypercall of one configuration (see hypercall.h).
 *
 * Targets are CPUs 1..targets, named by their VP indexes (read from
 * HV_X64_MSR_VP_INDEX at boot; they need not equal the CPU numbers).
 * AddressSpace is the current CR3 for scope=cr3 and 0 with
 * ALL_VIRTUAL_ADDRESS_SPACES for scope=all; List calls name the
 * configuration's pages of the test window as GVA ranges.
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include "hypercall.h"

#define GVA_MAX 8        /* 512 pages need one range; room to spare */

static struct hv_flush_request request;
static struct hv_result (*issue)(const struct hv_flush_request *r);
static uint32_t target_vps[MAX_CPUS];
static uint64_t gva[GVA_MAX];

/* 64-bit words an XMM fast call can carry after RDX and R8. */
#define FAST_QWORDS 12

static unsigned fast_qwords_needed(const struct sweep_config *c, unsigned ngva)
{
    uint64_t set[2 + HV_MAX_SPARSE_VP_BANKS];
    int banks = 0;

    if (!strategy_is_ex(c->strategy))
        return 1 + ngva;                          /* ProcessorMask, GVAs */
    if (c->procs == PROCS_MASK)
        banks = hv_vpset_sparse(target_vps, c->targets, set, 2 + HV_MAX_SPARSE_VP_BANKS);
    return 2 + (unsigned)(banks > 0 ? banks : 0) + ngva;   /* format, mask, banks, GVAs */
}

const char *hv_config_unsupported(const struct sweep_config *c)
{
    uint32_t t;
    int ngva;

    if (!hv_usable())
        return hv_info.why_unavailable ? hv_info.why_unavailable : "no-hyperv";
    if (!hv_info.remote_flush)
        return "remote-flush-not-advertised";
    if (strategy_is_ex(c->strategy) && !hv_info.ex_processor_masks)
        return "ex-processor-masks-not-advertised";
    if (c->input == HV_INPUT_FAST && !hv_info.xmm_input)
        return "xmm-input-not-advertised";
    for (t = 1; t <= c->targets; t++) {
        target_vps[t - 1] = hv_vp_index(t);
        if (target_vps[t - 1] == UINT32_MAX)
            return "vp-index-unknown";
        if (!strategy_is_ex(c->strategy) && c->procs == PROCS_MASK && target_vps[t - 1] >= 64)
            return "vp-index-over-63-needs-ex";
    }
    ngva = strategy_is_list(c->strategy) ?
           hv_gva_ranges(TEST_WINDOW_VA, c->pages, gva, GVA_MAX) : 0;
    if (ngva < 0)
        return "gva-ranges-do-not-fit";
    if (c->input == HV_INPUT_FAST && fast_qwords_needed(c, (unsigned)ngva) > FAST_QWORDS)
        return "does-not-fit-fast-input";
    return NULL;
}

void hv_config_prepare(const struct sweep_config *c)
{
    static struct hv_result (*const calls[])(const struct hv_flush_request *) = {
        [STRATEGY_HV_SPACE] = hv_flush_space,
        [STRATEGY_HV_LIST] = hv_flush_list,
        [STRATEGY_HV_SPACE_EX] = hv_flush_space_ex,
        [STRATEGY_HV_LIST_EX] = hv_flush_list_ex,
    };
    uint32_t t;

    for (t = 1; t <= c->targets; t++)
        target_vps[t - 1] = hv_vp_index(t);
    request.address_space = c->scope == SCOPE_CR3 ? read_cr3() : 0;
    request.flags = (c->scope == SCOPE_ALL ? HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES : 0) |
                    (c->nonglobal ? HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY : 0);
    request.vps = target_vps;
    request.nvps = c->targets;
    request.all_vps = c->procs == PROCS_ALL;
    request.gva = gva;
    request.ngva = strategy_is_list(c->strategy) ?
                   (unsigned)hv_gva_ranges(TEST_WINDOW_VA, c->pages, gva, GVA_MAX) : 0;
    request.fast = c->input == HV_INPUT_FAST;
    issue = calls[c->strategy];
}

const char *hv_config_set_targets(const struct sweep_config *c, const uint32_t *cpus,
                                  uint32_t n)
{
    uint32_t t;

    for (t = 0; t < n; t++) {
        target_vps[t] = hv_vp_index(cpus[t]);
        if (target_vps[t] == UINT32_MAX)
            return "vp-index-unknown";
        if (!strategy_is_ex(c->strategy) && c->procs == PROCS_MASK && target_vps[t] >= 64)
            return "vp-index-over-63-needs-ex";
    }
    request.nvps = n;
    return NULL;
}

struct hv_result hv_config_flush(void)
{
    return issue(&request);
}

const char *hv_result_problem(const struct hv_result *r, char *buf, unsigned n)
{
    if (r->faulted) {
        snprintk(buf, n, "hv-fault-%u", r->vector);
        return buf;
    }
    if (r->status != HV_STATUS_SUCCESS) {
        snprintk(buf, n, "hv-status-%s", hv_status_name(r->status));
        return buf;
    }
    return NULL;
}
