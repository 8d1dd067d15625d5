/*
 * tsc.c: the TSC frequency and udelay().  tsc_init() takes the frequency
 * from CPUID leaf 0x15 (crystal clock and ratio) when it is complete, else
 * from leaf 0x16 (base MHz), else measures it against PIT channel 2.  Under
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

#define CALIBRATE_MS      10
#define CALIBRATE_RUNS    5

struct tsc_info tsc_info;

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

static uint64_t pit_calibrate(void)
{
    uint64_t runs[CALIBRATE_RUNS];
    for (unsigned i = 0; i < CALIBRATE_RUNS; i++)
        runs[i] = pit_measure_once();
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

void tsc_init(void)
{
    uint32_t max_leaf = cpuid(0, 0).eax;
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
    if (!tsc_info.hz) {
        tsc_info.hz = pit_calibrate();
        tsc_info.source = "pit";
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
