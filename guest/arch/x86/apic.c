/*
 * apic.c: the local APIC of each CPU, in x2APIC mode (MSRs 0x800+) when
 * CPUID.1:ECX[21] says the CPU has it, in xAPIC mode (MMIO at the
 * IA32_APIC_BASE address, normally 0xfee00000) otherwise; and the legacy
 * 8259 PICs, which are remapped away from the exception vectors and masked.
 *
 * Every CPU of a VM sees the same CPUID, so the mode is decided once, by
 * the first apic_init() (the BSP's), and every CPU then uses it.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/apic.h>
#include <arch/cpu.h>
#include <arch/setup.h>

#define APIC_BASE_BSP      (1ull << 8)
#define APIC_BASE_EXTD     (1ull << 10)   /* x2APIC mode */
#define APIC_BASE_ENABLE   (1ull << 11)
#define APIC_BASE_ADDR     0xfffff000ull

#define CPUID1_ECX_X2APIC  (1u << 21)

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + offset / 16. */
#define APIC_ID            0x020
#define APIC_TPR           0x080
#define APIC_EOI           0x0b0
#define APIC_SVR           0x0f0
#define APIC_ESR           0x280
#define APIC_ICR_LOW       0x300
#define APIC_ICR_HIGH      0x310
#define APIC_LVT_TIMER     0x320
#define APIC_LVT_LINT0     0x350
#define APIC_LVT_LINT1     0x360
#define APIC_LVT_ERROR     0x370

#define APIC_SVR_ENABLE    (1u << 8)
#define APIC_LVT_MASKED    (1u << 16)
#define APIC_LVT_NMI       (4u << 8)

#define ICR_FIXED          (0u << 8)
#define ICR_INIT           (5u << 8)
#define ICR_STARTUP        (6u << 8)
#define ICR_DELIVERY_BUSY  (1u << 12)
#define ICR_LEVEL_ASSERT   (1u << 14)

#define X2APIC_MSR(reg)    (0x800u + ((reg) >> 4))

static bool x2apic_mode;
static bool mode_decided;
static volatile uint32_t *xapic_mmio;

static uint32_t apic_read(uint32_t reg)
{
    if (x2apic_mode)
        return (uint32_t)rdmsr(X2APIC_MSR(reg));
    return xapic_mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
    if (x2apic_mode)
        wrmsr(X2APIC_MSR(reg), v);
    else
        xapic_mmio[reg / 4] = v;
}

bool apic_is_x2apic(void) { return x2apic_mode; }
const char *apic_mode_name(void) { return x2apic_mode ? "x2apic" : "xapic"; }

void pic_disable(void)
{
    /* ICW1-ICW4: cascade, vectors 0x20-0x27 and 0x28-0x2f, 8086 mode. */
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    /* Mask every line. */
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void apic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    if (!mode_decided) {
        /* The BSP runs first, alone; APs read these after the SIPI. */
        x2apic_mode = cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;
        xapic_mmio = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR);
        mode_decided = true;
    }

    /* x2APIC can only be entered from enabled xAPIC mode: two steps. */
    if (!(base & APIC_BASE_ENABLE)) {
        base |= APIC_BASE_ENABLE;
        wrmsr(MSR_APIC_BASE, base);
    }
    if (x2apic_mode && !(base & APIC_BASE_EXTD)) {
        base |= APIC_BASE_EXTD;
        wrmsr(MSR_APIC_BASE, base);
    }

    if (base & APIC_BASE_BSP)
        pic_disable();

    /* Nothing but IPIs: timer, LINT0 (ExtINT from the PIC) and errors
     * masked; LINT1 stays the NMI input. */
    apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
    apic_write(APIC_LVT_LINT1, APIC_LVT_NMI);
    apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
    apic_write(APIC_TPR, 0);
    apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_SPURIOUS_VECTOR);
    /* The ESR is cleared by writing it (back-to-back writes on xAPIC). */
    apic_write(APIC_ESR, 0);
    apic_write(APIC_ESR, 0);
}

uint32_t apic_id(void)
{
    uint32_t id = apic_read(APIC_ID);
    return x2apic_mode ? id : id >> 24;
}

void apic_eoi(void)
{
    apic_write(APIC_EOI, 0);
}

static void xapic_wait_idle(void)
{
    while (xapic_mmio[APIC_ICR_LOW / 4] & ICR_DELIVERY_BUSY)
        cpu_relax();
}

static void apic_send_icr(uint32_t dest, uint32_t low)
{
    if (x2apic_mode) {
        /*
         * A WRMSR to an x2APIC register is not serializing, and MFENCE
         * does not order WRMSR: "mfence; lfence" makes every earlier store
         * (e.g. a request the IPI's handler will read) globally visible
         * before the ICR write sends the IPI.
         */
        __asm__ volatile("mfence; lfence" ::: "memory");
        wrmsr(X2APIC_MSR(APIC_ICR_LOW), ((uint64_t)dest << 32) | low);
        return;
    }
    /* The two halves of the ICR must not be split by an IPI sent from an
     * interrupt handler on this CPU.  The uncached MMIO write orders the
     * earlier stores. */
    uint64_t flags = irq_save();
    xapic_wait_idle();
    xapic_mmio[APIC_ICR_HIGH / 4] = dest << 24;
    xapic_mmio[APIC_ICR_LOW / 4] = low;
    xapic_wait_idle();
    irq_restore(flags);
}

void apic_send_ipi(uint32_t dest_apic_id, uint8_t vector)
{
    apic_send_icr(dest_apic_id, ICR_FIXED | ICR_LEVEL_ASSERT | vector);
}

void apic_send_init(uint32_t dest_apic_id)
{
    apic_send_icr(dest_apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_sipi(uint32_t dest_apic_id, uint8_t page)
{
    apic_send_icr(dest_apic_id, ICR_STARTUP | ICR_LEVEL_ASSERT | page);
}
