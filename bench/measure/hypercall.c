/*
 * The flush hypercall of one configuration (see hypercall.h).
 *
 * Targets are named by their VP indexes (read from HV_X64_MSR_VP_INDEX at
 * boot; they need not equal the CPU numbers): the placed target CPUs with
 * the configuration's initiator for the latency and the effect probe
 * (hv_config_set_targets), CPUs 1..targets with the calling CPU (CPU 0)
 * for the precision checks (hv_config_prepare).
 * AddressSpace is the root space_named_root() gives (the initiator's for
 * scope=cr3, the targets' for other, one loaded nowhere for unloaded) and
 * 0 with ALL_VIRTUAL_ADDRESS_SPACES for scope=all; List calls name the
 * configuration's pages of the test window as GVA ranges (the whole 2 MiB
 * for large=on).
 * Two calls are prepared per configuration, each into its own input page
 * (memory input) or register image (fast input): the flush, and the
 * control call that names only the initiator's VP.  With `inject hv-wrong-mask`
 * the flush names only the initiator too (a deliberately broken flush the
 * effect probe must never pass).
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <bench/hv_vps.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include <guest/string.h>
#include "hypercall.h"
#include "measure.h"
#include "space.h"

#define GVA_MAX 8        /* 512 pages need one range; room to spare */
/* 4 KiB pages a List call names: the whole 2 MiB page for large=on. */
#define WINDOW_LIST_PAGES(c) ((c)->large ? TEST_WINDOW_PAGES : (c)->pages)

static const uint16_t call_codes[] = {
    [STRATEGY_HV_SPACE] = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
    [STRATEGY_HV_LIST] = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
    [STRATEGY_HV_SPACE_EX] = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
    [STRATEGY_HV_LIST_EX] = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
};

static struct hv_flush_prepared flush_call, control_call;
static uint8_t flush_refused, control_refused;
static void *flush_page, *control_page;
static uint32_t target_vps[MAX_CPUS], self_vp;
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
    const char *why;
    uint32_t t;
    int ngva;

    if (!hv_usable())
        return hv_info.why_unavailable ? hv_info.why_unavailable : "no-hyperv";
    if (!hv_info.use_remote_flush)
        return "remote-flush-not-advertised";
    if (strategy_is_ex(c->strategy) && !hv_info.use_ex_masks)
        return "ex-processor-masks-not-advertised";
    if (c->input == HV_INPUT_FAST && !hv_info.xmm_input)
        return "xmm-input-not-advertised";
    for (t = 1; t <= c->targets && t < nr_cpus; t++)   /* targets=all: up to CPUs - 1 */
        target_vps[t - 1] = hv_vp_index(t);
    self_vp = hv_vp_index(c->initiator);
    /* procs=all names the same VPs: a non-Ex call cannot reach one >= 64. */
    why = hv_vps_unsupported(strategy_is_ex(c->strategy), target_vps, t - 1);
    if (!why)
        why = hv_vps_unsupported(strategy_is_ex(c->strategy), &self_vp, 1);
    if (why)
        return why;
    ngva = strategy_is_list(c->strategy) ?
           hv_gva_ranges(TEST_WINDOW_VA, WINDOW_LIST_PAGES(c), gva, GVA_MAX) : 0;
    if (ngva < 0)
        return "gva-ranges-do-not-fit";
    if (c->input == HV_INPUT_FAST && fast_qwords_needed(c, (unsigned)ngva) > FAST_QWORDS)
        return "does-not-fit-fast-input";
    return NULL;
}

/* Builds the flush call (naming vps[0..n)) and the control call (naming
 * the VP of CPU initiator, the CPU that will issue both). */
static void build_calls(const struct sweep_config *c, uint32_t initiator, uint32_t *vps,
                        uint32_t n)
{
    struct hv_flush_request r;

    if (!flush_page) {
        flush_page = page_alloc();
        control_page = page_alloc();
    }
    self_vp = hv_vp_index(initiator);
    r.address_space = space_named_root(c);
    r.flags = (c->scope == SCOPE_ALL ? HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES : 0) |
              (c->nonglobal ? HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY : 0);
    r.gva = gva;
    r.ngva = strategy_is_list(c->strategy) ?
             (unsigned)hv_gva_ranges(TEST_WINDOW_VA, WINDOW_LIST_PAGES(c), gva, GVA_MAX) : 0;
    r.fast = c->input == HV_INPUT_FAST;

    /* The control: the same call naming the initiator only. */
    r.vps = &self_vp;
    r.nvps = 1;
    r.all_vps = false;
    control_refused = hv_flush_prepare(call_codes[c->strategy], &r, control_page,
                                       &control_call);
    if (bench_inject != INJECT_HV_WRONG_MASK) {
        r.vps = vps;
        r.nvps = n;
        r.all_vps = c->procs == PROCS_ALL;
    }
    flush_refused = hv_flush_prepare(call_codes[c->strategy], &r, flush_page, &flush_call);
}

void hv_config_prepare(const struct sweep_config *c)
{
    uint32_t t;

    for (t = 1; t <= c->targets; t++)
        target_vps[t - 1] = hv_vp_index(t);
    build_calls(c, smp_processor_id(), target_vps, c->targets);
}

static struct hv_result not_prepared(uint8_t why)
{
    struct hv_result r = { 0 };

    r.status = HV_RESULT_NOT_ISSUED;
    r.refused = why;
    return r;
}

const char *hv_config_set_targets(const struct sweep_config *c, uint32_t initiator,
                                  const uint32_t *cpus, uint32_t n)
{
    const char *why;
    uint32_t t;

    for (t = 0; t < n; t++) {
        target_vps[t] = hv_vp_index(cpus[t]);
        if (target_vps[t] == UINT32_MAX)
            return "vp-index-unknown";
    }
    why = hv_vps_unsupported(strategy_is_ex(c->strategy), target_vps, n);
    if (!why && hv_vp_index(initiator) == UINT32_MAX)
        why = "vp-index-unknown";
    if (why)
        return why;
    build_calls(c, initiator, target_vps, n);
    return NULL;
}

struct hv_result hv_config_flush(void)
{
    return flush_refused ? not_prepared(flush_refused) : hv_flush_issue(&flush_call);
}

struct hv_result hv_config_control_flush(void)
{
    return control_refused ? not_prepared(control_refused) : hv_flush_issue(&control_call);
}

/* A status by which a hypervisor says it does not offer a call at all. */
static bool status_refuses_call(uint16_t status)
{
    return status == HV_STATUS_INVALID_HYPERCALL_CODE || status == HV_STATUS_ACCESS_DENIED;
}

static const char *vector_word(uint8_t vector)
{
    switch (vector) {
    case 6: return "ud";
    case 13: return "gp";
    default: return NULL;
    }
}

const char *hv_result_problem(const struct hv_result *r, char *buf, unsigned n)
{
    if (r->refused) {
        snprintk(buf, n, "hv-refused-%s", hv_refused_name(r->refused));
        return buf;
    }
    if (r->faulted) {
        if (vector_word(r->vector))
            snprintk(buf, n, "hypercall-raised-%s-at-rip-0x%llx", vector_word(r->vector),
                     (unsigned long long)r->fault_rip);
        else
            snprintk(buf, n, "hypercall-raised-vector-%u-at-rip-0x%llx", r->vector,
                     (unsigned long long)r->fault_rip);
        return buf;
    }
    if (r->status != HV_STATUS_SUCCESS) {
        if (!strcmp(hv_status_name(r->status), "UNKNOWN"))
            snprintk(buf, n, "unknown-hypervisor-status-0x%x", r->status);
        else if (status_refuses_call(r->status) && hv_info.remote_flush)
            snprintk(buf, n, "advertised-but-refused-%s", hv_status_name(r->status));
        else
            snprintk(buf, n, "hv-status-%s", hv_status_name(r->status));
        return buf;
    }
    if (r->incomplete)
        return "incomplete-reps";
    return NULL;
}

struct hv_result hv_result_with_status(struct hv_result r, uint16_t status)
{
    r.faulted = false;
    r.vector = 0;
    r.fault_rip = 0;
    r.incomplete = false;
    r.refused = HV_REFUSED_NONE;
    r.status = status;
    r.raw = status;
    return r;
}
