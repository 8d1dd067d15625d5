/*
 * trap.c: fault recovery for hypercalls and synthetic-MSR accesses.
 *
 * A hypercall can raise an exception instead of returning a status: #UD for
 * XMM fast input the hypervisor does not offer (when it enforces CPUID), for
 * a hypercall page that is not really there, or from an illegal mode; #GP
 * from the synthetic MSRs on a hypervisor without them (TCG, plain KVM).
 * Every such access goes through one of the assembly stubs below, with this
 * CPU's hv_cpus[].in_flight set.  The #UD (6) and #GP (13) handlers then
 * resume instead of reporting:
 *  - RIP inside the hypercall page or the hypercall stubs: RSP goes back to
 *    the value the stub saved at entry (whatever the page pushed is
 *    dropped), RIP to hv_call_resume (a `ret` to the stub's C caller) and
 *    RAX to HV_FAULT_RAX.
 *  - RIP on the rdmsr/wrmsr of the MSR stubs: RIP to hv_msr_resume (a
 *    `ret`) with RAX = the vector.
 * The vector is kept in hv_cpus[cpu].vector, the faulting RIP in
 * hv_cpus[cpu].fault_rip.  Any other #UD/#GP, or one
 * while no access is in flight, goes to the platform's fatal report
 * (idt_fatal_exception()), as if no handler were installed.
 *
 * The stubs are top-level assembly because the guest is compiled with
 * -mgeneral-regs-only and the XMM stub must name xmm0-5.  Nothing else in
 * the guest uses SSE state, so the XMM registers need no saving.
 */
#include <stdint.h>
#include <arch/cpu.h>
#include <arch/idt.h>
#include <guest/percpu.h>
#include "hv_internal.h"

#define VECTOR_UD 6
#define VECTOR_GP 13

extern const uint8_t hv_stubs_start[], hv_stubs_end[];
extern const uint8_t hv_call_resume[], hv_msr_resume[];
extern const uint8_t hv_rdmsr_insn[], hv_wrmsr_insn[];

__asm__(
    "   .text\n"
    "   .balign 16\n"
    "   .globl hv_stubs_start\n"
    "hv_stubs_start:\n"
    /* uint64_t hv_call_slow_stub(control=rdi, in=rsi, out=rdx, page=rcx, slot=r8) */
    "   .globl hv_call_slow_stub\n"
    "   .type hv_call_slow_stub, @function\n"
    "hv_call_slow_stub:\n"
    "   movq %rsp, (%r8)\n"
    "   movq %rcx, %rax\n"
    "   movq %rdi, %rcx\n"          /* RCX = control */
    "   movq %rdx, %r8\n"           /* R8  = output GPA */
    "   movq %rsi, %rdx\n"          /* RDX = input GPA */
    "   call *%rax\n"
    "   .globl hv_call_resume\n"
    "hv_call_resume:\n"
    "   ret\n"
    "   .size hv_call_slow_stub, . - hv_call_slow_stub\n"
    /* uint64_t hv_call_xmm_stub(control=rdi, rdx=rsi, r8=rdx, xmm=rcx, page=r8, slot=r9) */
    "   .globl hv_call_xmm_stub\n"
    "   .type hv_call_xmm_stub, @function\n"
    "hv_call_xmm_stub:\n"
    "   movq %rsp, (%r9)\n"
    "   movdqu 0(%rcx), %xmm0\n"
    "   movdqu 16(%rcx), %xmm1\n"
    "   movdqu 32(%rcx), %xmm2\n"
    "   movdqu 48(%rcx), %xmm3\n"
    "   movdqu 64(%rcx), %xmm4\n"
    "   movdqu 80(%rcx), %xmm5\n"
    "   movq %r8, %rax\n"
    "   movq %rdx, %r8\n"           /* R8  = second input qword */
    "   movq %rsi, %rdx\n"          /* RDX = first input qword */
    "   movq %rdi, %rcx\n"          /* RCX = control (fast bit set by the caller) */
    "   call *%rax\n"
    "   ret\n"
    "   .size hv_call_xmm_stub, . - hv_call_xmm_stub\n"
    /* int hv_rdmsr_stub(msr=edi, val=rsi) */
    "   .globl hv_rdmsr_stub\n"
    "   .type hv_rdmsr_stub, @function\n"
    "hv_rdmsr_stub:\n"
    "   movl %edi, %ecx\n"
    "   .globl hv_rdmsr_insn\n"
    "hv_rdmsr_insn:\n"
    "   rdmsr\n"
    "   shlq $32, %rdx\n"
    "   movl %eax, %eax\n"
    "   orq %rdx, %rax\n"
    "   movq %rax, (%rsi)\n"
    "   xorl %eax, %eax\n"
    "   .globl hv_msr_resume\n"
    "hv_msr_resume:\n"
    "   ret\n"
    "   .size hv_rdmsr_stub, . - hv_rdmsr_stub\n"
    /* int hv_wrmsr_stub(msr=edi, val=rsi) */
    "   .globl hv_wrmsr_stub\n"
    "   .type hv_wrmsr_stub, @function\n"
    "hv_wrmsr_stub:\n"
    "   movl %edi, %ecx\n"
    "   movl %esi, %eax\n"
    "   movq %rsi, %rdx\n"
    "   shrq $32, %rdx\n"
    "   .globl hv_wrmsr_insn\n"
    "hv_wrmsr_insn:\n"
    "   wrmsr\n"
    "   xorl %eax, %eax\n"
    "   jmp hv_msr_resume\n"
    "   .size hv_wrmsr_stub, . - hv_wrmsr_stub\n"
    "   .globl hv_stubs_end\n"
    "hv_stubs_end:\n"
    "   .previous\n");

int hv_rdmsr_stub(uint32_t msr, uint64_t *val);
int hv_wrmsr_stub(uint32_t msr, uint64_t val);

static bool in_range(uint64_t rip, const void *start, uint64_t len)
{
    return rip - (uint64_t)(uintptr_t)start < len;
}

static void hv_trap(struct irq_frame *f)
{
    struct hv_cpu *c;
    uint64_t rip = f->rip;

    /* Only CPUs with a per-CPU area can have an access in flight. */
    if (!rdmsr(MSR_GS_BASE) || smp_processor_id() >= MAX_CPUS)
        idt_fatal_exception(f);
    c = hv_this_cpu();
    if (!c->in_flight)
        idt_fatal_exception(f);

    if (rip == (uint64_t)(uintptr_t)hv_rdmsr_insn ||
        rip == (uint64_t)(uintptr_t)hv_wrmsr_insn) {
        f->rip = (uint64_t)(uintptr_t)hv_msr_resume;
        f->rax = f->vector;
    } else if ((hv_hypercall_page && in_range(rip, hv_hypercall_page, 4096)) ||
               in_range(rip, hv_stubs_start, (uint64_t)(hv_stubs_end - hv_stubs_start))) {
        f->rsp = c->saved_rsp;
        f->rip = (uint64_t)(uintptr_t)hv_call_resume;
        f->rax = HV_FAULT_RAX;
    } else {
        idt_fatal_exception(f);
    }
    c->vector = (uint8_t)f->vector;
    c->fault_rip = rip;
}

void hv_trap_init(void)
{
    idt_set_handler(VECTOR_UD, hv_trap);
    idt_set_handler(VECTOR_GP, hv_trap);
}

int hv_safe_rdmsr(uint32_t msr, uint64_t *val)
{
    struct hv_cpu *c = hv_this_cpu();
    uint64_t flags = hv_guard_begin(c);
    int r = hv_rdmsr_stub(msr, val);

    hv_guard_end(c, flags);
    return r;
}

int hv_safe_wrmsr(uint32_t msr, uint64_t val)
{
    struct hv_cpu *c = hv_this_cpu();
    uint64_t flags = hv_guard_begin(c);
    int r = hv_wrmsr_stub(msr, val);

    hv_guard_end(c, flags);
    return r;
}
