/*
 * acpi.c: just enough ACPI to list the CPUs: find the RSDP (the multiboot2
 * loader's copy when there is one; else in the first KiB of the EBDA, then
 * in 0xe0000-0xfffff, which only a PC BIOS fills), follow the XSDT (or
 * RSDT) to the MADT (acpi_table_find(), also used for the FADT) and
 * collect the ids of the enabled Local APIC (type 0) and Local x2APIC
 * (type 9) entries in table order.  Every table is checksummed; all
 * of them lie in the identity-mapped first 4 GiB.
 */
#include <stdbool.h>
#include <stdint.h>
#include <guest/acpi.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/platform.h>
#include <guest/string.h>

struct __attribute__((packed)) acpi_rsdp {
    char signature[8];          /* "RSD PTR " */
    uint8_t checksum;           /* over the first 20 bytes */
    char oem_id[6];
    uint8_t revision;           /* 0: ACPI 1.0, 2+: the fields below exist */
    uint32_t rsdt_address;
    uint32_t length;
    uint64_t xsdt_address;
    uint8_t extended_checksum;  /* over length bytes */
    uint8_t reserved[3];
};

struct __attribute__((packed)) acpi_madt {
    struct acpi_header header;
    uint32_t lapic_address;
    uint32_t flags;
    /* Variable-length entries follow. */
};

struct __attribute__((packed)) madt_entry {
    uint8_t type;
    uint8_t length;
};

struct __attribute__((packed)) madt_lapic {        /* type 0 */
    struct madt_entry h;
    uint8_t processor_uid;
    uint8_t apic_id;
    uint32_t flags;
};

struct __attribute__((packed)) madt_x2apic {       /* type 9 */
    struct madt_entry h;
    uint16_t reserved;
    uint32_t x2apic_id;
    uint32_t flags;
    uint32_t processor_uid;
};

#define MADT_LAPIC        0
#define MADT_X2APIC       9
#define MADT_CPU_ENABLED  1u

static bool checksum_ok(const void *p, uint32_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < len; i++)
        sum += b[i];
    return sum == 0;
}

static const struct acpi_rsdp *rsdp_scan(uintptr_t start, uintptr_t end)
{
    for (uintptr_t a = start; a + sizeof(struct acpi_rsdp) <= end; a += 16) {
        const struct acpi_rsdp *r = (const void *)a;
        if (memcmp(r->signature, "RSD PTR ", 8) == 0 && checksum_ok(r, 20))
            return r;
    }
    return NULL;
}

static const struct acpi_rsdp *rsdp_find_bios(void)
{
    /* The BIOS data area word at 0x40e holds the EBDA segment.  The asm
     * hides the constant address from gcc, which would otherwise warn that
     * it points into the null page. */
    const volatile uint16_t *ebda_segment;
    __asm__("" : "=r"(ebda_segment) : "0"((uintptr_t)0x40e));
    uintptr_t ebda = (uintptr_t)*ebda_segment << 4;
    const struct acpi_rsdp *r = NULL;
    if (ebda >= 0x80000 && ebda < 0xa0000)
        r = rsdp_scan(ebda, ebda + 1024);
    if (!r)
        r = rsdp_scan(0xe0000, 0x100000);
    return r;
}

/* Under UEFI nothing lies in the BIOS areas: the loader's copy is the only
 * way there.  Says once on the console where the RSDP came from. */
static const struct acpi_rsdp *rsdp_find(void)
{
    static bool said;
    const struct acpi_rsdp *r = bootinfo.rsdp;
    bool from_tag = r && memcmp(r->signature, "RSD PTR ", 8) == 0 && checksum_ok(r, 20);

    if (!from_tag)
        r = rsdp_find_bios();
    if (!said) {
        said = true;
        if (from_tag)
            printk("acpi: RSDP from multiboot2 tag %u (revision %u)\n", bootinfo.rsdp_tag,
                   r->revision);
        else
            printk("acpi: RSDP %s the BIOS areas\n", r ? "found in" : "not found in");
    }
    return r;
}

const struct acpi_header *acpi_table_at(uint64_t addr)
{
    if (addr == 0 || addr >= (1ull << 32))
        return NULL;
    const struct acpi_header *h = (const void *)(uintptr_t)addr;
    if (h->length < sizeof(*h) || !checksum_ok(h, h->length))
        return NULL;
    return h;
}

const struct acpi_header *acpi_table_find(const char signature[4])
{
    const struct acpi_rsdp *rsdp = rsdp_find();
    if (!rsdp)
        return NULL;

    /* Prefer the XSDT (64-bit entries) when ACPI 2.0+ provides one. */
    const struct acpi_header *root = NULL;
    unsigned entry_size = 4;
    if (rsdp->revision >= 2 && checksum_ok(rsdp, rsdp->length)) {
        root = acpi_table_at(rsdp->xsdt_address);
        entry_size = 8;
    }
    if (!root) {
        root = acpi_table_at(rsdp->rsdt_address);
        entry_size = 4;
    }
    if (!root)
        return NULL;

    const uint8_t *entries = (const uint8_t *)root + sizeof(*root);
    unsigned count = (root->length - sizeof(*root)) / entry_size;
    for (unsigned i = 0; i < count; i++) {
        uint64_t addr = 0;
        memcpy(&addr, entries + i * entry_size, entry_size);
        const struct acpi_header *h = acpi_table_at(addr);
        if (h && memcmp(h->signature, signature, 4) == 0)
            return h;
    }
    return NULL;
}

static const struct acpi_madt *madt_find(void)
{
    return (const struct acpi_madt *)acpi_table_find("APIC");
}

unsigned acpi_madt_apic_ids(uint32_t *ids, unsigned max)
{
    const struct acpi_madt *madt = madt_find();
    if (!madt)
        return 0;

    unsigned n = 0;
    const uint8_t *p = (const uint8_t *)madt + sizeof(*madt);
    const uint8_t *end = (const uint8_t *)madt + madt->header.length;
    while (p + sizeof(struct madt_entry) <= end) {
        const struct madt_entry *e = (const void *)p;
        if (e->length < sizeof(*e) || p + e->length > end)
            break;
        if (e->type == MADT_LAPIC && e->length >= sizeof(struct madt_lapic)) {
            const struct madt_lapic *l = (const void *)p;
            if ((l->flags & MADT_CPU_ENABLED) && n < max)
                ids[n++] = l->apic_id;
        } else if (e->type == MADT_X2APIC && e->length >= sizeof(struct madt_x2apic)) {
            const struct madt_x2apic *x = (const void *)p;
            if ((x->flags & MADT_CPU_ENABLED) && n < max)
                ids[n++] = x->x2apic_id;
        }
        p += e->length;
    }
    return n;
}
