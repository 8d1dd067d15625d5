/*
 * poweroff.c: the end of a run.  After the end record the guest writes the
 * console line `hvflush: done`.  Under `hvflush run` (sweep from fw_cfg)
 * QEMU's isa-debug-exit carries the exit code, as always.  In portable mode
 * (sweep from a boot module; no debug-exit device there) the guest powers
 * the VM off through ACPI S5:
 *
 *   1. the FADT gives PM1a_CNT (and PM1b_CNT where present) and the DSDT;
 *   2. the DSDT's `\_S5_` package gives SLP_TYPa/SLP_TYPb
 *      (bench/acpi_s5.c: a byte scan, no AML interpreter);
 *   3. if SCI_EN (PM1_CNT bit 0) is clear and the FADT has an SMI command
 *      port, ACPI mode is switched on first (ACPI_ENABLE to SMI_CMD, then a
 *      bounded wait for SCI_EN): firmware may ignore the sleep registers
 *      in legacy mode;
 *   4. PM1b_CNT then PM1a_CNT get (SLP_TYPx << 10) | SLP_EN (bit 13), the
 *      other bits as read (SCI_EN stays set).
 *
 * Without a sweep module and without isa-debug-exit (a loader booted the
 * guest with no sweep) it says `hvflush: halted (no isa-debug-exit)`.
 * When S5 returns (no FADT, no `\_S5_`, or the write did not power off
 * within a second) the guest says `hvflush: halted (no ACPI S5)` and halts
 * with interrupts off, so a log reader sees that the run ended.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <bench/acpi_s5.h>
#include <guest/acpi.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/platform.h>
#include <guest/poweroff.h>

#define PM1_CNT_SCI_EN        (1u << 0)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP_MASK  (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN        (1u << 13)
#define ACPI_ENABLE_WAIT_US   300000
#define POWEROFF_WAIT_US      1000000
#define ISA_DEBUG_EXIT_PORT   0xf4     /* as in console.c */

static void acpi_mode_enable(const struct acpi_pm1 *pm1)
{
    if (inw(pm1->pm1a_cnt) & PM1_CNT_SCI_EN)
        return;
    if (pm1->smi_cmd == 0 || pm1->smi_cmd > 0xffff || pm1->acpi_enable == 0)
        return;
    outb((uint16_t)pm1->smi_cmd, pm1->acpi_enable);
    for (unsigned i = 0; i < ACPI_ENABLE_WAIT_US / 1000; i++) {
        if (inw(pm1->pm1a_cnt) & PM1_CNT_SCI_EN)
            return;
        udelay(1000);
    }
}

static void pm1_sleep(uint16_t port, uint8_t slp_typ)
{
    uint16_t v = inw(port) & ~PM1_CNT_SLP_TYP_MASK;
    outw(port, v | (uint16_t)((slp_typ & 7u) << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN);
}

void acpi_poweroff(void)
{
    struct acpi_pm1 pm1;
    uint8_t typa, typb;

    if (!acpi_fadt_pm1(&pm1)) {
        printk("acpi: no FADT with a PM1a control block\n");
        return;
    }
    if (!pm1.dsdt || !acpi_s5_from_aml((const uint8_t *)pm1.dsdt + sizeof(*pm1.dsdt),
                                       pm1.dsdt->length - sizeof(*pm1.dsdt), &typa, &typb)) {
        printk("acpi: no \\_S5_ package in the DSDT\n");
        return;
    }
    printk("acpi: S5 (SLP_TYPa=%u SLP_TYPb=%u, PM1a_CNT=0x%x PM1b_CNT=0x%x)\n", typa, typb,
           pm1.pm1a_cnt, pm1.pm1b_cnt);
    irq_disable();
    acpi_mode_enable(&pm1);
    if (pm1.pm1b_cnt)
        pm1_sleep(pm1.pm1b_cnt, typb);
    pm1_sleep(pm1.pm1a_cnt, typa);
    udelay(POWEROFF_WAIT_US);
}

_Noreturn void guest_end(int code)
{
    printk("hvflush: done\n");
    if (!guest_portable_mode()) {
        /* isa-debug-exit, as guest_exit(); returns only where `hvflush run`
         * did not add the device (a loader booted the guest without a sweep
         * module). */
        outl(ISA_DEBUG_EXIT_PORT, (uint32_t)code);
        printk("hvflush: halted (no isa-debug-exit)\n");
    } else {
        acpi_poweroff();
        printk("hvflush: halted (no ACPI S5)\n");
    }
    irq_disable();
    for (;;)
        halt();
}
