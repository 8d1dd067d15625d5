/*
 * A configuration's flush hypercall: what it names (targets' VP indexes,
 * address space, flags, GVA ranges) and issuing it.  Shared by the latency
 * measurement, the effect probe and the precision checks so all issue
 * exactly the same call.  The input is built once per configuration by
 * hv_config_prepare(), outside any timed region; the issue functions only
 * issue it.
 */
#ifndef BENCH_MEASURE_HYPERCALL_H
#define BENCH_MEASURE_HYPERCALL_H

#include <stdbool.h>
#include <stdint.h>
#include <bench/sweep.h>
#include <guest/hv.h>

/* NULL when this platform can run configuration c, else why not (a word
 * for the records, e.g. "no-hyperv", "xmm-input-not-advertised"). */
const char *hv_config_unsupported(const struct sweep_config *c);
/* Builds the inputs of c's flush, naming CPUs 1..targets, and of its
 * control call, naming the calling CPU (the precision checks' layout). */
void hv_config_prepare(const struct sweep_config *c);
/* Builds them for the placed CPUs instead (the latency measurement and the
 * effect probe): the flush names cpus[0..n), the control call the VP of
 * CPU initiator, which must be the CPU that issues them.  NULL, or why
 * these CPUs cannot be named (a word as hv_config_unsupported() gives). */
const char *hv_config_set_targets(const struct sweep_config *c, uint32_t initiator,
                                  const uint32_t *cpus, uint32_t n);
/* Issues the prepared flush once. */
struct hv_result hv_config_flush(void);
/* Issues the control call: the same call code, input convention, flags,
 * address space and GVA list, naming only the initiator's own VP, so it
 * flushes nothing on the targets while the initiator exits as for the
 * flush.  (An empty set would not do: KVM takes a non-Ex ProcessorMask of
 * 0 as "all processors", a workaround for Windows Server 2012.) */
struct hv_result hv_config_control_flush(void);
/* Why a call did not succeed, as one record word; NULL when it did:
 *   hypercall-raised-ud-at-rip-0x1a2000   it faulted (#UD; `gp` for #GP,
 *                                         `vector-N` for another)
 *   unknown-hypervisor-status-0x7777      a status the TLFS does not name
 *   advertised-but-refused-ACCESS_DENIED  INVALID_HYPERCALL_CODE or
 *                                         ACCESS_DENIED although CPUID
 *                                         recommends the remote flush calls
 *   hv-status-INVALID_PARAMETER           any other status
 *   hv-refused-..., incomplete-reps       not issued / rep call stalled */
const char *hv_result_problem(const struct hv_result *r, char *buf, unsigned n);
/* The status `inject hv-unknown-status` puts in place of what a timed
 * flush call returned (latency.c). */
#define HV_INJECTED_STATUS 0x7777
/* r as it would read had the hypervisor answered status (no fault). */
struct hv_result hv_result_with_status(struct hv_result r, uint16_t status);

#endif
