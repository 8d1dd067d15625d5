/*
 * ipi.c: HvCallSendSyntheticClusterIpi (0x000b) and ...Ex (0x0015), the
 * IPI a Linux guest on Hyper-V sends through the hypervisor instead of
 * writing the ICR (hv_send_ipi_mask()), for hv-ipi-invlpg.
 *
 *   0x000b  simple  Vector, TargetVtl, reserved; ProcessorMask
 *   0x0015  simple, variable header  Vector, TargetVtl, reserved; HV_VP_SET
 *
 * The input block is laid out once by hv_send_ipi_input() (bench/hv_abi.c).
 * Memory ("slow") input: the qwords at the start of the caller's page.
 * Fast input: the non-Ex call needs only RDX (vector) and R8 (mask), so it
 * goes through the plain register convention with the fast bit (no XMM
 * input needed, as Linux's hv_do_fast_hypercall16()); the Ex call puts the
 * format in R8 and the bank mask and banks in XMM0-5, which needs XMM
 * input (the caller checks hv_info.xmm_input).  A call that faults is
 * caught (trap.c) and returned as a result, never fatal.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/paging.h>
#include <bench/hv_abi.h>
#include <guest/hv.h>
#include <guest/hv_ipi.h>

#define PAGE_QWORDS (PAGE_SIZE / 8)

static struct hv_result refused(uint8_t why)
{
    struct hv_result r = { 0 };

    r.status = HV_RESULT_NOT_ISSUED;
    r.refused = why;
    return r;
}

bool hv_cluster_ipi_advertised(bool ex)
{
    /* hv_info.pretended: `inject hv-pretend` takes it as advertised (pretend.c). */
    return (hv_info.recommendations & HV_ENLIGHT_CLUSTER_IPI || hv_info.pretended) &&
           (!ex || hv_info.ex_processor_masks);
}

uint8_t hv_send_ipi_prepare(uint16_t code, bool fast, uint32_t vector, const uint32_t *vps,
                            unsigned n, void *page, struct hv_ipi_prepared *p)
{
    int nq;

    p->code = code;
    p->fast = fast;
    p->page = page;
    p->varhead = 0;
    nq = hv_send_ipi_input(code, vector, vps, n, fast ? p->fastq : (uint64_t *)page,
                           fast ? HV_FAST_INPUT_QWORDS : PAGE_QWORDS, &p->varhead);
    switch (nq) {
    case HV_ENC_ERR_VP:
        return HV_REFUSED_VP_RANGE;
    case HV_ENC_ERR_SPACE:
        return fast ? HV_REFUSED_FAST_NO_FIT : HV_REFUSED_PAGE_NO_FIT;
    default:
        if (nq < 0)
            return HV_REFUSED_BAD_REQUEST;
    }
    if (fast)                         /* unused XMM halves go in as zero */
        for (unsigned i = (unsigned)nq; i < HV_FAST_INPUT_QWORDS; i++)
            p->fastq[i] = 0;
    return HV_REFUSED_NONE;
}

struct hv_result hv_send_ipi_issue(const struct hv_ipi_prepared *p)
{
    uint64_t control = hv_control(p->code, p->fast, p->varhead, 0, 0);

    if (!hv_usable())
        return refused(HV_REFUSED_UNAVAILABLE);
    if (!p->fast)
        return hv_hypercall(control, (uint64_t)(uintptr_t)p->page, 0);
    if (p->code == HVCALL_SEND_IPI)
        return hv_hypercall(control, p->fastq[0], p->fastq[1]);
    return hv_hypercall_xmm(control, p->fastq[0], p->fastq[1], &p->fastq[2]);
}
