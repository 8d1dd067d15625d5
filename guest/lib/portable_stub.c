/*
 * portable_stub.c: placeholder until the boot-module slice lands.
 *
 * guest_portable_mode(): true when fw_cfg holds `opt/hvflush/portable` with
 * the text "1" (QEMU: -fw_cfg name=opt/hvflush/portable,string=1).  This
 * switch exists only so that tests can exercise COM1 record output under
 * QEMU with fw_cfg present; the real portable mode is "the sweep came from
 * a boot module".
 *
 * acpi_pm_timer(): finds the FADT (RSDP in the EBDA's first KiB or
 * 0xe0000-0xfffff, then the XSDT or RSDT, every table checksummed) and
 * reads X_PM_TMR_BLK (when in system I/O space) or PM_TMR_BLK, and the
 * TMR_VAL_EXT flag.
 */
#include <stdbool.h>
#include <stdint.h>
#include <guest/acpi.h>
#include <guest/bootinfo.h>
#include <guest/platform.h>
#include <guest/string.h>

#define PORTABLE_FW_CFG "opt/hvflush/portable"

bool guest_portable_mode(void)
{
    static int portable = -1;    /* -1: not read yet (BSP, before the APs run) */
    char v[2];

    if (portable < 0)
        portable = fwcfg_read_file(PORTABLE_FW_CFG, v, 1) == 1 && v[0] == '1';
    return portable == 1;
}

/* FADT offsets (ACPI 6.x, table 5.9). */
#define FADT_PM_TMR_BLK     76
#define FADT_FLAGS          112
#define FADT_X_PM_TMR_BLK   208   /* a 12-byte Generic Address Structure */
#define FADT_TMR_VAL_EXT    (1u << 8)
#define GAS_SYSTEM_IO       1

static bool sum_ok(const uint8_t *p, uint32_t len)
{
    uint8_t sum = 0;

    for (uint32_t i = 0; i < len; i++)
        sum += p[i];
    return sum == 0;
}

static const uint8_t *rsdp_in(uintptr_t start, uintptr_t end)
{
    for (uintptr_t a = start; a + 36 <= end; a += 16)
        if (!memcmp((const void *)a, "RSD PTR ", 8) && sum_ok((const uint8_t *)a, 20))
            return (const uint8_t *)a;
    return NULL;
}

static const uint8_t *table(uint64_t addr)
{
    const uint8_t *t = (const uint8_t *)(uintptr_t)addr;
    uint32_t len;

    if (addr == 0 || addr >= (1ull << 32))
        return NULL;
    memcpy(&len, t + 4, 4);
    return len >= 36 && sum_ok(t, len) ? t : NULL;
}

static const uint8_t *fadt_find(void)
{
    const volatile uint16_t *ebda_seg;
    const uint8_t *rsdp = NULL, *root = NULL, *t;
    uint32_t rsdt, len, esz = 4;
    uint64_t xsdt = 0, entry;
    uintptr_t ebda;

    __asm__("" : "=r"(ebda_seg) : "0"((uintptr_t)0x40e));
    ebda = (uintptr_t)*ebda_seg << 4;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        rsdp = rsdp_in(ebda, ebda + 1024);
    if (!rsdp)
        rsdp = rsdp_in(0xe0000, 0x100000);
    if (!rsdp)
        return NULL;
    memcpy(&rsdt, rsdp + 16, 4);
    if (rsdp[15] >= 2) {
        memcpy(&xsdt, rsdp + 24, 8);
        root = table(xsdt);
        esz = 8;
    }
    if (!root) {
        root = table(rsdt);
        esz = 4;
    }
    if (!root)
        return NULL;
    memcpy(&len, root + 4, 4);
    for (uint32_t off = 36; off + esz <= len; off += esz) {
        entry = 0;
        memcpy(&entry, root + off, esz);
        t = table(entry);
        if (t && !memcmp(t, "FACP", 4))
            return t;
    }
    return NULL;
}

bool acpi_pm_timer(uint16_t *port, bool *is32)
{
    const uint8_t *fadt = fadt_find();
    uint32_t len, blk, flags = 0;
    uint64_t xaddr;

    if (!fadt)
        return false;
    memcpy(&len, fadt + 4, 4);
    if (len < FADT_PM_TMR_BLK + 4)
        return false;
    memcpy(&blk, fadt + FADT_PM_TMR_BLK, 4);
    if (len >= FADT_FLAGS + 4)
        memcpy(&flags, fadt + FADT_FLAGS, 4);
    if (len >= FADT_X_PM_TMR_BLK + 12 && fadt[FADT_X_PM_TMR_BLK] == GAS_SYSTEM_IO) {
        memcpy(&xaddr, fadt + FADT_X_PM_TMR_BLK + 4, 8);
        if (xaddr && xaddr <= 0xffff)
            blk = (uint32_t)xaddr;
    }
    if (blk == 0 || blk > 0xffff)
        return false;
    *port = (uint16_t)blk;
    *is32 = flags & FADT_TMR_VAL_EXT;
    return true;
}
