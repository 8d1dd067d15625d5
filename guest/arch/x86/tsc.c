/*
 * tsc.c: the TSC frequency and udelay().  tsc_init() takes the frequency
 * from CPUID leaf 0x15 (crystal clock and ratio) when it is complete, else
 * from leaf 0x16 (base MHz), else measures it against PIT channel 2 when
 * that behaves like a PIT (pit_usable()), else against the ACPI PM timer
 * (FADT, 3.579545 MHz, "pm-timer"; Hyper-V generation 2 has no PIT).  Under
 * QEMU the leaves are usually absent, so the PIT is the real path: channel 2
 * counts a known interval in mode 0 while the TSC runs; the median of
 * several runs discards the ones a host preemption stretched.  Under
 * Hyper-V with AccessFrequencyRegs the sweep driver later replaces the rate
 * with HV_X64_MSR_TSC_FREQUENCY (bench/measure/run.c, source "hv-msr"):
 * reading a synthetic MSR needs the guarded accessors of guest/hv, which
 * are not set up this early.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <guest/acpi.h>
#include <guest/console.h>
#include <guest/platform.h>

#define PIT_HZ            1193182u
#define PIT_CH2_DATA      0x42
#define PIT_COMMAND       0x43
#define PIT_CH2_GATE_PORT 0x61
#define PIT_GATE_ON       0x01     /* port 0x61 bit 0: channel 2 gate */
#define PIT_SPEAKER_ON    0x02     /* port 0x61 bit 1: speaker data */
#define PIT_CH2_OUT       0x20     /* port 0x61 bit 5: channel 2 output */
/* Channel 2, lobyte/hibyte access, mode 0 (interrupt on terminal count). */
#define PIT_CH2_MODE0     0xb0
#define PIT_CH2_LATCH     0x80     /* counter latch command, channel 2 */

#define CALIBRATE_MS      10
#define CALIBRATE_RUNS    5

struct tsc_info tsc_info;

/* Channel 2's current count (latched: command 0x80, then low, high byte). */
static uint16_t pit_ch2_count(void)
{
    uint8_t lo, hi;

    outb(PIT_COMMAND, PIT_CH2_LATCH);
    lo = inb(PIT_CH2_DATA);
    hi = inb(PIT_CH2_DATA);
    return (uint16_t)(hi << 8 | lo);
}

/* One measurement: TSC cycles while channel 2 counts CALIBRATE_MS. */
static uint64_t pit_measure_once(void)
{
    const uint32_t latch = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t gate = inb(PIT_CH2_GATE_PORT);

    /* Gate low stops the count; the speaker stays off throughout. */
    outb(PIT_CH2_GATE_PORT, gate & ~(PIT_GATE_ON | PIT_SPEAKER_ON));
    outb(PIT_COMMAND, PIT_CH2_MODE0);
    outb(PIT_CH2_DATA, latch & 0xff);
    outb(PIT_CH2_DATA, latch >> 8);
    /* Raising the gate starts the count; OUT rises when it reaches zero. */
    outb(PIT_CH2_GATE_PORT, (gate & ~PIT_SPEAKER_ON) | PIT_GATE_ON);
    uint64_t start = rdtsc();
    while (!(inb(PIT_CH2_GATE_PORT) & PIT_CH2_OUT))
        ;
    uint64_t end = rdtsc();
    outb(PIT_CH2_GATE_PORT, gate & ~(PIT_GATE_ON | PIT_SPEAKER_ON));
    return end - start;
}

/* Whether channel 2 behaves like a PIT: right after loading a 10 ms count
 * with the gate up, OUT must be low and the latched count must move and
 * differ from the 0xffff an absent device reads (Hyper-V generation 2 and
 * other PIT-less VMs; QEMU -machine pit=off).  Leaves the gate low. */
static bool pit_usable(void)
{
    const uint32_t latch = PIT_HZ * CALIBRATE_MS / 1000;
    uint8_t gate = inb(PIT_CH2_GATE_PORT);
    uint16_t c0, c1 = 0;
    bool out_low;
    unsigned i;

    outb(PIT_CH2_GATE_PORT, gate & ~(PIT_GATE_ON | PIT_SPEAKER_ON));
    outb(PIT_COMMAND, PIT_CH2_MODE0);
    outb(PIT_CH2_DATA, latch & 0xff);
    outb(PIT_CH2_DATA, latch >> 8);
    outb(PIT_CH2_GATE_PORT, (gate & ~PIT_SPEAKER_ON) | PIT_GATE_ON);
    out_low = !(inb(PIT_CH2_GATE_PORT) & PIT_CH2_OUT);
    c0 = pit_ch2_count();
    /* Each try is three port accesses (a VM exit each, >= ~1 us): the count
     * (1.19 MHz) moves within a few tries; 1000 bounds the wait. */
    for (i = 0; i < 1000 && (c1 = pit_ch2_count()) == c0; i++)
        ;
    outb(PIT_CH2_GATE_PORT, gate & ~(PIT_GATE_ON | PIT_SPEAKER_ON));
    return out_low && c0 != 0xffff && c1 != c0;
}

/* The PM timer's rate (ACPI: 3.579545 MHz) and one measurement: TSC cycles
 * while it advances CALIBRATE_MS worth of ticks, modulo its width (24 or 32
 * bits: the difference of two reads is taken mod 2^bits, so one wraparound
 * in between is harmless; 10 ms is far below the 4.7 s of a 24-bit wrap). */
#define PM_TIMER_HZ 3579545u

static uint64_t pm_measure_once(uint16_t port, uint32_t mask)
{
    const uint32_t ticks = PM_TIMER_HZ / 1000 * CALIBRATE_MS;
    uint32_t t0 = inl(port) & mask, t1;
    uint64_t start = rdtsc(), end;

    do {
        t1 = inl(port) & mask;
        end = rdtsc();
    } while (((t1 - t0) & mask) < ticks);
    /* Scale to exactly CALIBRATE_MS (the last read may overshoot a tick). */
    return (end - start) * ticks / ((t1 - t0) & mask);
}

static uint64_t median_hz(uint64_t *runs)
{
    /* Insertion sort, then the median. */
    for (unsigned i = 1; i < CALIBRATE_RUNS; i++) {
        uint64_t v = runs[i];
        unsigned j = i;
        for (; j > 0 && runs[j - 1] > v; j--)
            runs[j] = runs[j - 1];
        runs[j] = v;
    }
    return runs[CALIBRATE_RUNS / 2] * 1000 / CALIBRATE_MS;
}

static uint64_t pit_calibrate(void)
{
    uint64_t runs[CALIBRATE_RUNS];

    for (unsigned i = 0; i < CALIBRATE_RUNS; i++)
        runs[i] = pit_measure_once();
    return median_hz(runs);
}

static uint64_t pm_timer_calibrate(uint16_t port, bool is32)
{
    uint64_t runs[CALIBRATE_RUNS];

    for (unsigned i = 0; i < CALIBRATE_RUNS; i++)
        runs[i] = pm_measure_once(port, is32 ? 0xffffffffu : 0xffffffu);
    return median_hz(runs);
}

void tsc_init(void)
{
    uint32_t max_leaf = cpuid(0, 0).eax;
    uint16_t pm_port;
    bool pm_is32;

    tsc_info.hz = 0;

    if (max_leaf >= 0x15) {
        struct cpuid_regs r = cpuid(0x15, 0);
        /* EAX: ratio denominator, EBX: numerator, ECX: crystal Hz. */
        if (r.eax && r.ebx && r.ecx) {
            tsc_info.hz = (uint64_t)r.ecx * r.ebx / r.eax;
            tsc_info.source = "cpuid15";
        }
    }
    if (!tsc_info.hz && max_leaf >= 0x16) {
        uint32_t mhz = cpuid(0x16, 0).eax & 0xffff;
        if (mhz) {
            tsc_info.hz = (uint64_t)mhz * 1000000;
            tsc_info.source = "cpuid16";
        }
    }
    if (!tsc_info.hz && pit_usable()) {
        tsc_info.hz = pit_calibrate();
        tsc_info.source = "pit";
    } else if (!tsc_info.hz && acpi_pm_timer(&pm_port, &pm_is32)) {
        printk("tsc: no usable PIT; calibrating against the ACPI PM timer at port 0x%x "
               "(%u bits)\n", pm_port, pm_is32 ? 32 : 24);
        tsc_info.hz = pm_timer_calibrate(pm_port, pm_is32);
        tsc_info.source = "pm-timer";
    }
    if (!tsc_info.hz)
        panic("TSC calibration failed");

    tsc_info.invariant = cpuid(0x80000000, 0).eax >= 0x80000007 &&
                         (cpuid(0x80000007, 0).edx & (1u << 8));
}

void udelay(uint64_t us)
{
    uint64_t start = rdtsc();
    uint64_t cycles = (uint64_t)(((unsigned __int128)us * tsc_info.hz) / 1000000u);
    while (rdtsc() - start < cycles)
        cpu_relax();
}
