/*
 * fwcfg.c: QEMU's fw_cfg device through its I/O-port interface: a 16-bit
 * selector at 0x510 picks an item, whose bytes are then read one after the
 * other from 0x511 (here with rep insb, one exit per batch under KVM).
 * Named items ("files", e.g. opt/hvflush/sweep) are found through the file
 * directory at selector 0x19, whose integers are big-endian.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <guest/platform.h>
#include <guest/spinlock.h>
#include <guest/string.h>

#define FW_CFG_PORT_SEL   0x510
#define FW_CFG_PORT_DATA  0x511
#define FW_CFG_SIGNATURE  0x00
#define FW_CFG_NB_CPUS    0x05
#define FW_CFG_FILE_DIR   0x19
#define FW_CFG_NAME_MAX   56

struct fwcfg_file {
    uint32_t size_be;
    uint16_t select_be;
    uint16_t reserved;
    char name[FW_CFG_NAME_MAX];
};

/* A selection and the reads after it belong together: one user at a time. */
static struct spinlock fwcfg_lock = SPINLOCK_INIT;

static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }
static uint16_t be16(uint16_t v) { return __builtin_bswap16(v); }

static void fwcfg_select(uint16_t key)
{
    outw(FW_CFG_PORT_SEL, key);
}

static void fwcfg_read(void *buf, uint64_t len)
{
    insb(FW_CFG_PORT_DATA, buf, len);
}

bool fwcfg_present(void)
{
    char sig[4];
    uint64_t flags = spin_lock_irqsave(&fwcfg_lock);
    fwcfg_select(FW_CFG_SIGNATURE);
    fwcfg_read(sig, sizeof(sig));
    spin_unlock_irqrestore(&fwcfg_lock, flags);
    return memcmp(sig, "QEMU", 4) == 0;
}

unsigned fwcfg_nb_cpus(void)
{
    if (!fwcfg_present())
        return 0;
    uint16_t n;     /* little-endian, like every numeric item */
    uint64_t flags = spin_lock_irqsave(&fwcfg_lock);
    fwcfg_select(FW_CFG_NB_CPUS);
    fwcfg_read(&n, sizeof(n));
    spin_unlock_irqrestore(&fwcfg_lock, flags);
    return n;
}

/* Looks name up in the directory; the caller holds fwcfg_lock. */
static bool fwcfg_find(const char *name, uint16_t *select, uint32_t *size)
{
    uint32_t count_be;
    fwcfg_select(FW_CFG_FILE_DIR);
    fwcfg_read(&count_be, sizeof(count_be));
    uint32_t count = be32(count_be);
    for (uint32_t i = 0; i < count; i++) {
        struct fwcfg_file f;
        fwcfg_read(&f, sizeof(f));
        f.name[FW_CFG_NAME_MAX - 1] = '\0';
        if (strcmp(f.name, name) == 0) {
            *select = be16(f.select_be);
            *size = be32(f.size_be);
            return true;
        }
    }
    return false;
}

long fwcfg_read_file(const char *name, void *buf, unsigned long len)
{
    if (!fwcfg_present())
        return -1;
    uint16_t select;
    uint32_t size;
    uint64_t flags = spin_lock_irqsave(&fwcfg_lock);
    bool found = fwcfg_find(name, &select, &size);
    unsigned long n = 0;
    if (found) {
        n = size < len ? size : len;
        fwcfg_select(select);
        fwcfg_read(buf, n);
    }
    spin_unlock_irqrestore(&fwcfg_lock, flags);
    return found ? (long)n : -1;
}
