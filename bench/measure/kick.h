/*
 * The kick strategies (hv-ipi-invlpg, kvm-pv): ipi shootdowns whose
 * targets are interrupted another way, plugged into the shootdown engine
 * (shootdown_set_kick()); and what every configuration needs checked
 * before it runs on the placed CPUs (flush=invpcid, the target sets).
 */
#ifndef BENCH_MEASURE_KICK_H
#define BENCH_MEASURE_KICK_H

#include <stdint.h>
#include <bench/sweep.h>
#include <bench/verdict.h>

/* For any configuration, on its placed targets cpus[0..n): NULL when it
 * can run here, else why not (a word for the `unsupported` record:
 * "no-invpcid", "cluster-ipi-not-advertised", "kvm-pv-tlb-flush-not-
 * advertised", ...).  Installs c's kick in the shootdown engine (none,
 * the APIC IPI, for all but the kick strategies) and, for those, builds
 * the IPI call / enables steal time and zeroes the counts. */
const char *kick_config_prepare(const struct sweep_config *c, const uint32_t *cpus,
                                uint32_t n);
/* After c's latency and effect probe: its `kick` record (kick strategies
 * only): how the targets were kicked, per phase. */
void kick_emit(const struct sweep_config *c);
/* The effect probe of c on its placed targets cpus[0..c->targets) other
 * than the initiator (targets=all includes it: the probe's re-pointing
 * invalidates the initiator's own entry, so only the others can show a
 * stale read). */
enum verdict kick_verify_placed(const struct sweep_config *c, const uint32_t *cpus);

#endif
