/*
 * bootinfo.c: reads the Multiboot v1 information structure or the
 * Multiboot2 tag list once, at the start of kernel_start(), and copies what
 * the guest needs (usable RAM ranges, module bounds and strings, the RSDP
 * copy) into .bss.  The loader's structures may lie anywhere in low memory,
 * including where the page allocator will hand out pages, so nothing points
 * into them afterwards; module contents stay where the loader put them and
 * are cut out of the allocator's range instead (one in the AP trampoline's
 * page, which no loader seen so far uses, is refused with a panic).
 *
 * The allocator gets one range: the largest usable RAM range below 4 GiB
 * (the identity map's end) above the kernel image, less any module inside
 * it (the larger side is kept).  Without a memory map it is today's
 * [_end, 1 MiB + mem_upper) or a 64 MiB default.
 */
#include <stdbool.h>
#include <stdint.h>
#include <arch/setup.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/string.h>

#define MB1_INFO_MEMORY   (1u << 0)
#define MB1_INFO_MODULES  (1u << 3)
#define MB1_INFO_MMAP     (1u << 6)

#define MB2_TAG_END       0
#define MB2_TAG_MODULE    3
#define MB2_TAG_MEMINFO   4
#define MB2_TAG_MMAP      6
#define MB2_TAG_ACPI_OLD  14
#define MB2_TAG_ACPI_NEW  15

#define MMAP_AVAILABLE    1
#define IDENTITY_MAP_TOP  (4ull << 30)
/* Used when the loader gives no memory size: the host starts QEMU with
 * -m 256, so 64 MiB is safe. */
#define DEFAULT_MEM_TOP   (64ull << 20)

struct bootinfo bootinfo;
static bool portable_mode;

struct __attribute__((packed)) mb1_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
};

struct __attribute__((packed)) mb1_module {
    uint32_t mod_start, mod_end, string, reserved;
};

struct __attribute__((packed)) mb1_mmap_entry {
    uint32_t size;              /* of the rest of the entry */
    uint64_t base, length;
    uint32_t type;
};

struct __attribute__((packed)) mb2_tag {
    uint32_t type, size;
};

struct __attribute__((packed)) mb2_mmap_entry {
    uint64_t base, length;
    uint32_t type, reserved;
};

static const void *phys(uint64_t addr)
{
    const void *p;
    /* Hides the address from gcc, which warns about low constant pointers. */
    __asm__("" : "=r"(p) : "0"((uintptr_t)addr));
    return p;
}

static void copy_string(char *dst, const char *src)
{
    size_t i = 0;
    if (src)
        for (; i + 1 < BOOTINFO_STRING_MAX && src[i]; i++)
            dst[i] = src[i];
    dst[i] = '\0';
}

static void add_range(uint64_t base, uint64_t length, uint32_t type)
{
    if (type != MMAP_AVAILABLE || length == 0 || bootinfo.nranges == BOOTINFO_RANGES_MAX)
        return;
    bootinfo.ranges[bootinfo.nranges++] = (struct boot_range){ base, base + length };
}

static void add_module(uint64_t start, uint64_t end, const char *string)
{
    if (bootinfo.nmodules == BOOTINFO_MODULES_MAX)
        return;
    struct boot_module *m = &bootinfo.modules[bootinfo.nmodules++];
    m->start = start;
    m->end = end;
    copy_string(m->string, string);
}

static uint64_t mb1_read(const struct mb1_info *mbi)
{
    if (mbi->flags & MB1_INFO_MMAP) {
        const uint8_t *p = phys(mbi->mmap_addr), *end = p + mbi->mmap_length;
        while (p + sizeof(struct mb1_mmap_entry) <= end) {
            const struct mb1_mmap_entry *e = (const void *)p;
            add_range(e->base, e->length, e->type);
            p += e->size + sizeof(e->size);
        }
    }
    if (mbi->flags & MB1_INFO_MODULES) {
        const struct mb1_module *mods = phys(mbi->mods_addr);
        for (uint32_t i = 0; i < mbi->mods_count; i++)
            add_module(mods[i].mod_start, mods[i].mod_end,
                       mods[i].string ? phys(mods[i].string) : NULL);
    }
    if (mbi->flags & MB1_INFO_MEMORY)
        return (1ull << 20) + (uint64_t)mbi->mem_upper * 1024;
    return 0;
}

static void keep_rsdp(unsigned tag, const void *data, uint32_t len)
{
    /* Tag 15 (ACPI 2.0+ RSDP) wins over tag 14 whatever their order. */
    if (bootinfo.rsdp_tag == MB2_TAG_ACPI_NEW)
        return;
    if (len > BOOTINFO_RSDP_MAX)
        len = BOOTINFO_RSDP_MAX;
    memset(bootinfo.rsdp_copy, 0, sizeof(bootinfo.rsdp_copy));
    memcpy(bootinfo.rsdp_copy, data, len);
    bootinfo.rsdp = bootinfo.rsdp_copy;
    bootinfo.rsdp_tag = tag;
}

static uint64_t mb2_read(const uint8_t *list)
{
    uint32_t total = *(const uint32_t *)list;
    const uint8_t *p = list + 8, *end = list + total;
    uint64_t mem_top = 0;

    while (p + sizeof(struct mb2_tag) <= end) {
        const struct mb2_tag *t = (const void *)p;
        const uint8_t *body = p + sizeof(*t);
        if (t->type == MB2_TAG_END || t->size < sizeof(*t))
            break;
        switch (t->type) {
        case MB2_TAG_MODULE:
            add_module(((const uint32_t *)body)[0], ((const uint32_t *)body)[1],
                       (const char *)body + 8);
            break;
        case MB2_TAG_MEMINFO:
            mem_top = (1ull << 20) + (uint64_t)((const uint32_t *)body)[1] * 1024;
            break;
        case MB2_TAG_MMAP: {
            uint32_t entry_size = ((const uint32_t *)body)[0];
            if (entry_size < sizeof(struct mb2_mmap_entry))
                break;
            for (const uint8_t *e = body + 8; e + entry_size <= p + t->size; e += entry_size) {
                const struct mb2_mmap_entry *m = (const void *)e;
                add_range(m->base, m->length, m->type);
            }
            break;
        }
        case MB2_TAG_ACPI_OLD:
        case MB2_TAG_ACPI_NEW:
            keep_rsdp(t->type, body, t->size - sizeof(*t));
            break;
        }
        p += (t->size + 7) & ~7u;
    }
    return mem_top;
}

/* The largest usable range below 4 GiB above the kernel image. */
static struct boot_range largest_usable(void)
{
    uint64_t kernel_end = (uint64_t)(uintptr_t)_end;
    struct boot_range best = { 0, 0 };
    for (unsigned i = 0; i < bootinfo.nranges; i++) {
        struct boot_range r = bootinfo.ranges[i];
        if (r.end > IDENTITY_MAP_TOP)
            r.end = IDENTITY_MAP_TOP;
        if (r.start < kernel_end)
            r.start = kernel_end;
        if (r.start < r.end && r.end - r.start > best.end - best.start)
            best = r;
    }
    return best;
}

void bootinfo_init(uint32_t magic, uint32_t info)
{
    uint64_t mem_top = 0;

    if (magic == MULTIBOOT1_LOADER_MAGIC && info) {
        bootinfo.multiboot = 1;
        mem_top = mb1_read(phys(info));
    } else if (magic == MULTIBOOT2_LOADER_MAGIC && info) {
        bootinfo.multiboot = 2;
        mem_top = mb2_read(phys(info));
    }

    struct boot_range a = largest_usable();
    if (a.end == 0)
        a = (struct boot_range){ (uint64_t)(uintptr_t)_end,
                                 mem_top ? mem_top : DEFAULT_MEM_TOP };
    /* Cut every module out of the range, keeping the larger side. */
    for (unsigned i = 0; i < bootinfo.nmodules; i++) {
        const struct boot_module *m = &bootinfo.modules[i];
        uint64_t end = (m->end + 4095) & ~4095ull;
        if (end <= a.start || m->start >= a.end)
            continue;
        if (m->start > a.start && m->start - a.start >= (a.end > end ? a.end - end : 0))
            a.end = m->start;
        else
            a.start = end;
    }
    bootinfo.alloc = a;
}

void bootinfo_print(void)
{
    printk("boot: multiboot%s, %u usable range(s), allocator 0x%llx-0x%llx\n",
           bootinfo.multiboot == 2 ? "2" : bootinfo.multiboot == 1 ? " v1" : " (none)",
           bootinfo.nranges, (unsigned long long)bootinfo.alloc.start,
           (unsigned long long)bootinfo.alloc.end);
    for (unsigned i = 0; i < bootinfo.nmodules; i++) {
        const struct boot_module *m = &bootinfo.modules[i];
        printk("boot: module '%s' at 0x%llx-0x%llx (%llu bytes)\n", m->string,
               (unsigned long long)m->start, (unsigned long long)m->end,
               (unsigned long long)(m->end - m->start));
        /* smp_init() copies the AP trampoline there before the sweep is read. */
        if (m->start < TRAMPOLINE_ADDR + 4096 && m->end > TRAMPOLINE_ADDR)
            panic("boot module '%s' overlaps the AP trampoline page 0x%x", m->string,
                  TRAMPOLINE_ADDR);
    }
}

/* GRUB may put the file name before the arguments ("/boot/x.txt sweep"):
 * the last word of the module's string is its name. */
static bool module_named(const char *string, const char *name)
{
    size_t n = strlen(string), k = strlen(name);
    return n >= k && strcmp(string + n - k, name) == 0 &&
           (n == k || string[n - k - 1] == ' ');
}

const struct boot_module *bootinfo_module(const char *name)
{
    for (unsigned i = 0; i < bootinfo.nmodules; i++)
        if (module_named(bootinfo.modules[i].string, name))
            return &bootinfo.modules[i];
    return bootinfo.nmodules == 1 ? &bootinfo.modules[0] : NULL;
}

bool guest_portable_mode(void)
{
    return portable_mode;
}

void guest_set_portable_mode(void)
{
    portable_mode = true;
}
