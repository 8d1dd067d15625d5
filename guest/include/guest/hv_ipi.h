/*
 * HvCallSendSyntheticClusterIpi (0x000b) and ...Ex (0x0015): a fixed
 * interrupt sent to a set of VPs by the hypervisor (guest/hv/ipi.c).  The
 * input encodings are bench/hv_abi.c's (hv_send_ipi_input()).
 */
#ifndef GUEST_HV_IPI_H
#define GUEST_HV_IPI_H

#include <stdbool.h>
#include <stdint.h>
#include <guest/hv.h>

/* An IPI call with its input built once, issued as often as needed. */
struct hv_ipi_prepared {
    uint16_t code;                /* HVCALL_SEND_IPI or HVCALL_SEND_IPI_EX */
    bool fast;
    unsigned varhead;             /* Ex: bank qwords */
    uint64_t *page;               /* memory input: the block, at the start of a
                                     4 KiB identity-mapped page */
    uint64_t fastq[HV_FAST_INPUT_QWORDS];   /* fast input: RDX, R8, XMM0-5 */
};

/* Whether the hypervisor recommends the calls (0x40000004 EAX bit 10; Ex
 * also needs ExProcessorMasks, bit 11). */
bool hv_cluster_ipi_advertised(bool ex);
/* Builds the call `code` sending `vector` to vps[0..n) into p (page: a
 * 4 KiB identity-mapped page for memory input).  Returns HV_REFUSED_NONE or
 * why the call cannot be made as asked. */
uint8_t hv_send_ipi_prepare(uint16_t code, bool fast, uint32_t vector, const uint32_t *vps,
                            unsigned n, void *page, struct hv_ipi_prepared *p);
/* Issues a prepared call once (a simple call: no reps). */
struct hv_result hv_send_ipi_issue(const struct hv_ipi_prepared *p);

#endif
