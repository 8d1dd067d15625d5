/* Which VP indexes a flush hypercall can name (see bench/include/bench/hv_vps.h). */
#include <bench/hv_abi.h>
#include <bench/hv_vps.h>

const char *hv_vps_unsupported(bool ex, const uint32_t *vps, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (vps[i] == UINT32_MAX)
            return "vp-index-unknown";
        if (!ex && vps[i] >= 64)
            return "vp-index-over-63-needs-ex";
        if (vps[i] >= 64u * HV_MAX_SPARSE_VP_BANKS)
            return "vp-index-over-4095";
    }
    return NULL;
}
