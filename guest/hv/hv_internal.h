/*
 * hv_internal.h: what the files of guest/hv/ share and nobody else needs —
 * the per-CPU hypercall state, the assembly stubs of trap.c, and the
 * fault-safe MSR accessors.
 */
#ifndef GUEST_HV_INTERNAL_H
#define GUEST_HV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <guest/hv.h>
#include <guest/percpu.h>

/* Per-CPU state of the Hyper-V layer. */
struct hv_cpu {
    /* Set (by this CPU) around every stub call: only then may the #UD/#GP
     * handler resume at a recovery point instead of reporting the fault. */
    volatile bool in_flight;
    volatile uint8_t vector;      /* the vector caught during the last call, 0 if none */
    uint64_t saved_rsp;           /* RSP at entry of the hypercall stub */
    void *input_page;             /* 4 KiB, identity-mapped */
    uint32_t vp_index;            /* HV_X64_MSR_VP_INDEX as read on this CPU */
    bool vp_valid;                /* that read was made and succeeded */
    uint8_t vp_fault;             /* vector if that read faulted */
    uint64_t fault_rip;           /* RIP of the fault caught during the last call */
};
extern struct hv_cpu hv_cpus[MAX_CPUS];

/* Brackets one guarded stub call on CPU c: interrupts off, no vector caught
 * yet, in_flight set (the compiler barriers keep the call inside); the #UD
 * and #GP handlers in trap.c read in_flight.  hv_guard_end() takes the
 * flags hv_guard_begin() returned. */
static inline uint64_t hv_guard_begin(struct hv_cpu *c)
{
    uint64_t flags = irq_save();

    c->vector = 0;
    c->in_flight = true;
    barrier();
    return flags;
}

static inline void hv_guard_end(struct hv_cpu *c, uint64_t flags)
{
    barrier();
    c->in_flight = false;
    irq_restore(flags);
}

/* The hypercall page (NULL until allocated).  Before the hypervisor
 * overlays or patches it, it is filled with ud2. */
extern uint8_t *hv_hypercall_page;

/* trap.c: RAX value the handler leaves when a hypercall stub faulted. */
#define HV_FAULT_RAX 0xffffffffffffffffull

/* trap.c: installs the #UD and #GP handlers (idempotent). */
void hv_trap_init(void);
/* The raw stubs behind hv_hypercall() / hv_hypercall_xmm(); callers set
 * in_flight and read vector around them. */
uint64_t hv_call_slow_stub(uint64_t control, uint64_t input_gpa, uint64_t output_gpa,
                           const void *page, uint64_t *rsp_slot);
uint64_t hv_call_xmm_stub(uint64_t control, uint64_t rdx, uint64_t r8,
                          const uint64_t *xmm12, const void *page, uint64_t *rsp_slot);

/* detect.c: CPUID leaves into hv_info (the discovery part only). */
void hv_detect(void);
/* detect.c: re-reads leaves 0x40000003-5 (some hypervisors fill them only
 * once a guest OS id is set). */
void hv_detect_features(void);

/* hypercall.c: this CPU's state. */
struct hv_cpu *hv_this_cpu(void);
/* hypercall.c: every online CPU's VP index was read (hv_usable() needs it). */
extern bool hv_vp_all_read;

/* pretend.c: with hv_pretend set and no usable interface, makes one up
 * (see guest/hv.h); called at the end of hv_init(). */
void hv_pretend_interface(void);

#endif
