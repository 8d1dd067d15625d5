/*
 * hv_abi.c: the pure encodings of the Hyper-V TLFS remote TLB-flush ABI
 * (bench/include/bench/hv_abi.h): the hypercall control word, the sparse
 * HV_VP_SET and its decoder, the non-Ex ProcessorMask, GvaRange lists, the
 * input block of the four flush calls, and the names of statuses and calls.
 *
 * Written from the TLFS (hypercall-interface.md, datatypes/hv_vp_set.md,
 * hypercalls/HvCallFlushVirtualAddress*.md).  No libc: this file is
 * compiled into the freestanding guest and into the host tool.
 */
#include <bench/hv_abi.h>

uint64_t hv_control(uint16_t code, bool fast, unsigned varhead_qwords,
                    unsigned rep_count, unsigned rep_start)
{
    uint64_t c = code;

    if (fast)
        c |= HV_HYPERCALL_FAST_BIT;
    c |= (uint64_t)(varhead_qwords & HV_HYPERCALL_VARHEAD_MAX) << HV_HYPERCALL_VARHEAD_SHIFT;
    c |= (uint64_t)(rep_count & HV_HYPERCALL_REP_MAX) << HV_HYPERCALL_REP_COUNT_SHIFT;
    c |= (uint64_t)(rep_start & HV_HYPERCALL_REP_MAX) << HV_HYPERCALL_REP_START_SHIFT;
    return c;
}

unsigned hv_popcount64(uint64_t v)
{
    unsigned n = 0;

    while (v) {
        v &= v - 1;
        n++;
    }
    return n;
}

int hv_vpset_sparse(const uint32_t *vps, unsigned n, uint64_t *out, unsigned max)
{
    uint64_t banks[HV_MAX_SPARSE_VP_BANKS] = { 0 };
    uint64_t valid = 0;
    unsigned i, b, nbanks;

    for (i = 0; i < n; i++) {
        if (vps[i] >= HV_MAX_SPARSE_VP_BANKS * 64u)
            return -1;
        banks[vps[i] / 64] |= 1ull << (vps[i] % 64);
        valid |= 1ull << (vps[i] / 64);
    }
    nbanks = hv_popcount64(valid);
    if (max < 2 || max - 2 < nbanks)
        return -1;
    out[0] = HV_GENERIC_SET_SPARSE_4K;
    out[1] = valid;
    i = 2;
    for (b = 0; b < HV_MAX_SPARSE_VP_BANKS; b++)
        if (valid & (1ull << b))
            out[i++] = banks[b];
    return (int)nbanks;
}

int hv_vpset_decode(const uint64_t *set, unsigned nqwords, uint32_t *vps, unsigned max)
{
    unsigned b, bit, q = 2, n = 0;

    if (nqwords < 2 || set[0] != HV_GENERIC_SET_SPARSE_4K ||
        nqwords - 2 != hv_popcount64(set[1]))
        return -1;
    for (b = 0; b < HV_MAX_SPARSE_VP_BANKS; b++) {
        if (!(set[1] & (1ull << b)))
            continue;
        for (bit = 0; bit < 64; bit++) {
            if (!(set[q] & (1ull << bit)))
                continue;
            if (n >= max)
                return -1;
            vps[n++] = b * 64 + bit;
        }
        q++;
    }
    return (int)n;
}

bool hv_processor_mask(const uint32_t *vps, unsigned n, uint64_t *mask)
{
    uint64_t m = 0;
    unsigned i;

    for (i = 0; i < n; i++) {
        if (vps[i] >= 64)
            return false;
        m |= 1ull << vps[i];
    }
    *mask = m;
    return true;
}

int hv_gva_ranges(uint64_t va, uint64_t pages, uint64_t *out, unsigned max)
{
    unsigned n = 0;

    /* Pages the address space holds from va up (2^52 from 0). */
    uint64_t room = va ? (0 - va) >> 12 : 1ull << 52;

    if ((va & 0xfff) || pages > room)
        return -1;
    while (pages) {
        uint64_t chunk = pages > HV_GVA_RANGE_MAX_PAGES ? HV_GVA_RANGE_MAX_PAGES : pages;

        if (n >= max)
            return -1;
        out[n++] = va | (chunk - 1);
        va += chunk << 12;
        pages -= chunk;
    }
    return (int)n;
}

int hv_flush_input(uint16_t code, uint64_t address_space, uint64_t flags,
                   const uint32_t *vps, unsigned nvps, bool all_vps,
                   const uint64_t *gva, unsigned ngva,
                   uint64_t *out, unsigned max, unsigned *varhead, unsigned *reps)
{
    bool ex = hv_call_is_ex(code), list = hv_call_is_list(code);
    unsigned n, i, vh = 0;

    if (!ex && !list && code != HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE)
        return HV_ENC_ERR_CODE;
    if (list && ngva > HV_HYPERCALL_REP_MAX)
        return HV_ENC_ERR_REPS;
    if (!list)
        ngva = 0;
    if (max < 3)
        return HV_ENC_ERR_SPACE;
    out[0] = address_space;
    out[1] = flags;
    if (!ex) {
        if (all_vps)
            out[1] |= HV_FLUSH_ALL_PROCESSORS;
        if (!hv_processor_mask(vps, nvps, &out[2]))
            return HV_ENC_ERR_VP;
        n = 3;
    } else if (all_vps) {
        if (max < 4)
            return HV_ENC_ERR_SPACE;
        out[2] = HV_GENERIC_SET_ALL;
        out[3] = 0;
        n = 4;
    } else {
        int b;

        for (i = 0; i < nvps; i++)
            if (vps[i] >= HV_MAX_SPARSE_VP_BANKS * 64u)
                return HV_ENC_ERR_VP;
        b = hv_vpset_sparse(vps, nvps, out + 2, max - 2);
        if (b < 0)
            return HV_ENC_ERR_SPACE;
        vh = (unsigned)b;
        n = 4 + vh;
    }
    if (max - n < ngva)
        return HV_ENC_ERR_SPACE;
    for (i = 0; i < ngva; i++)
        out[n++] = gva[i];
    *varhead = vh;
    *reps = list ? ngva : 0;
    return (int)n;
}

const char *hv_enc_error_name(int err)
{
    switch (err) {
    case HV_ENC_ERR_CODE: return "bad-call-code";
    case HV_ENC_ERR_VP: return "vp-out-of-range";
    case HV_ENC_ERR_SPACE: return "no-space";
    case HV_ENC_ERR_REPS: return "too-many-reps";
    case HV_ENC_ERR_VECTOR: return "bad-vector";
    default: return err >= 0 ? "ok" : "unknown-error";
    }
}

const char *hv_status_name(uint16_t status)
{
    switch (status) {
    case HV_STATUS_SUCCESS: return "SUCCESS";
    case HV_STATUS_INVALID_HYPERCALL_CODE: return "INVALID_HYPERCALL_CODE";
    case HV_STATUS_INVALID_HYPERCALL_INPUT: return "INVALID_HYPERCALL_INPUT";
    case HV_STATUS_INVALID_ALIGNMENT: return "INVALID_ALIGNMENT";
    case HV_STATUS_INVALID_PARAMETER: return "INVALID_PARAMETER";
    case HV_STATUS_ACCESS_DENIED: return "ACCESS_DENIED";
    case HV_STATUS_INVALID_PARTITION_STATE: return "INVALID_PARTITION_STATE";
    case HV_STATUS_OPERATION_DENIED: return "OPERATION_DENIED";
    case HV_STATUS_INSUFFICIENT_MEMORY: return "INSUFFICIENT_MEMORY";
    case HV_STATUS_INVALID_VP_INDEX: return "INVALID_VP_INDEX";
    case HV_STATUS_INVALID_PORT_ID: return "INVALID_PORT_ID";
    default: return "UNKNOWN";
    }
}

const char *hv_call_name(uint16_t code)
{
    switch (code) {
    case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE: return "hv-space";
    case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST: return "hv-list";
    case HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX: return "hv-space-ex";
    case HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX: return "hv-list-ex";
    default: return (const char *)0;
    }
}

int hv_send_ipi_input(uint16_t code, uint32_t vector, const uint32_t *vps, unsigned nvps,
                      uint64_t *out, unsigned max, unsigned *varhead)
{
    unsigned i;
    int b;

    if (code != HVCALL_SEND_IPI && code != HVCALL_SEND_IPI_EX)
        return HV_ENC_ERR_CODE;
    if (vector < HV_IPI_LOW_VECTOR || vector > HV_IPI_HIGH_VECTOR)
        return HV_ENC_ERR_VECTOR;
    if (max < 2)
        return HV_ENC_ERR_SPACE;
    out[0] = vector;                    /* TargetVtl 0, reserved 0 */
    *varhead = 0;
    if (code == HVCALL_SEND_IPI)
        return hv_processor_mask(vps, nvps, &out[1]) ? 2 : HV_ENC_ERR_VP;
    for (i = 0; i < nvps; i++)
        if (vps[i] >= HV_MAX_SPARSE_VP_BANKS * 64u)
            return HV_ENC_ERR_VP;
    b = hv_vpset_sparse(vps, nvps, out + 1, max - 1);
    if (b < 0)
        return HV_ENC_ERR_SPACE;
    *varhead = (unsigned)b;
    return 3 + b;
}

uint16_t hv_send_ipi_code_for(const uint32_t *vps, unsigned nvps)
{
    unsigned i;

    for (i = 0; i < nvps; i++)
        if (vps[i] >= 64)
            return HVCALL_SEND_IPI_EX;
    return HVCALL_SEND_IPI;
}
