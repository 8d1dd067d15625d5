/*
 * Which VP indexes a flush hypercall can name: pure logic shared by the
 * guest (configuration checks) and the host's unit tests.
 */
#ifndef BENCH_HV_VPS_H
#define BENCH_HV_VPS_H

#include <stdbool.h>
#include <stdint.h>

/* NULL when a call of this kind (ex: an HV_VP_SET call, else a 64-bit
 * ProcessorMask call) can address every VP index in vps[0..n), else why
 * not, as a record word:
 *   "vp-index-unknown"           an index is UINT32_MAX (never read);
 *   "vp-index-over-63-needs-ex"  non-Ex and an index >= 64 -- with
 *        procs=mask and with procs=all alike: a ProcessorMask call cannot
 *        address that VP, which makes the configuration unsupported on
 *        this platform, not an error;
 *   "vp-index-over-4095"         Ex and an index >= 4096. */
const char *hv_vps_unsupported(bool ex, const uint32_t *vps, unsigned n);

#endif
