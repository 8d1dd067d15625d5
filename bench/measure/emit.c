/*
 * The guest's record stream: bench/record.c lines, written to the results
 * area (guest RAM the host reads after QEMU exits, bench/results_area.h) and
 * to the record port (isa-debugcon).  The rules, as bench/record-format.md
 * ("Channel") states them:
 *
 *  - every line goes to the area while it fits; the first line that does not
 *    fit sets the header's overflow flag, and from then on every line goes to
 *    the record port only;
 *  - every line but `samples` lines also goes to the record port (after the
 *    area), so a guest that dies leaves the progress of its run there, and
 *    the host can check the two copies against each other;
 *  - without an area (no fw_cfg item, or its range not free) every line goes
 *    to the record port;
 *  - in portable mode (guest_portable_mode()) there is neither: every line
 *    goes to COM1, written whole under the console lock
 *    (console_write_record()).
 *
 * Each channel's bytes, lines and the TSC cycles spent writing them are
 * counted; records_end() reports them in the `output` record before `end`.
 * The sweep's stream faults (`inject record-truncate`, ...) damage, repeat
 * or stop after a line on its way in (emit_inject.c).
 */
#include <arch/cpu.h>
#include <arch/paging.h>
#include <guest/bootinfo.h>
#include <guest/console.h>
#include <guest/platform.h>
#include <guest/spinlock.h>
#include <guest/string.h>
#include <bench/results_area.h>
#include <bench/text.h>
#include "measure.h"

struct record_writer records;

enum { CHANNEL_AREA, CHANNEL_PORT, CHANNEL_COM1, CHANNELS };
static const char *const channel_name[CHANNELS] = { "area", "debugcon", "com1" };

static struct channel_stats {
    uint64_t bytes, lines, cycles;
} stats[CHANNELS];

static struct results_area_header *area;   /* NULL: no area this run */
static char area_why[48] = "no-fw_cfg-item";
static struct spinlock emit_lock = SPINLOCK_INIT;
static bool portable;                       /* records on COM1 only */

/* "HVF1 <seq> samples ...": the bulk lines that only the area carries. */
static bool is_samples_line(const char *line, size_t len)
{
    size_t i = 5;

    while (i < len && line[i] != ' ')
        i++;
    return len > i + 8 && text_eq_n(line + i + 1, 8, "samples ");
}

/* Appends one line to the area; false (nothing written) when it does not
 * fit.  Ordering: the line's bytes are stored before `bytes` is advanced
 * (release), so `bytes` never covers a partial line even for a guest that
 * dies between the two stores; the reader is the host, after QEMU has
 * exited (process exit orders everything before it). */
static bool area_put(const char *line, size_t len)
{
    uint64_t used = area->bytes;

    if (RESULTS_AREA_HEADER + used + len > area->size)
        return false;
    memcpy((char *)area + RESULTS_AREA_HEADER + used, line, len);
    __atomic_store_n(&area->lines, area->lines + 1, __ATOMIC_RELAXED);
    __atomic_store_n(&area->bytes, used + len, __ATOMIC_RELEASE);
    return true;
}

static void count(int ch, size_t len, uint64_t t0)
{
    stats[ch].cycles += rdtsc() - t0;
    stats[ch].bytes += len;
    stats[ch].lines++;
}

static void emit_one(const char *line, size_t len)
{
    uint64_t t0;
    bool bulk = is_samples_line(line, len);

    if (portable) {
        t0 = rdtsc();
        console_write_record(line, len);
        count(CHANNEL_COM1, len, t0);
        goto out;
    }
    if (area && !area->overflow) {
        t0 = rdtsc();
        if (area_put(line, len)) {
            count(CHANNEL_AREA, len, t0);
            if (bulk)
                goto out;
        } else {
            /* Pairs with nothing in the guest: the host reads it after exit. */
            __atomic_store_n(&area->overflow, 1, __ATOMIC_RELEASE);
            printk("records: the results area is full after %llu bytes; the rest "
                   "goes to the record port\n", (unsigned long long)area->bytes);
        }
    }
    t0 = rdtsc();
    record_port_write(line, len);
    count(CHANNEL_PORT, len, t0);
out:
    return;
}

/* One record line to its channels, under the emit lock; the sweep's stream
 * faults (emit_inject.c) may damage or repeat it on the way. */
static void emit(const char *line, size_t len, void *ctx)
{
    static char damaged[RECORD_LINE_MAX];
    uint64_t flags = spin_lock_irqsave(&emit_lock);
    const char *send;
    size_t n;
    unsigned copies = emit_inject_line(line, len, damaged, &send, &n);

    (void)ctx;
    for (unsigned k = 0; k < copies; k++)
        emit_one(send, n);
    spin_unlock_irqrestore(&emit_lock, flags);
    emit_inject_after();
}

/* Finds the area the host set aside ("GPA SIZE" in fw_cfg), takes it from
 * the page allocator and writes its header (magic last is not needed: the
 * host trusts nothing in the area before `complete` or beyond `bytes`). */
static void area_init(void)
{
    char text[64];
    long n = fwcfg_read_file(RESULTS_AREA_FW_CFG, text, sizeof(text) - 1);
    uint64_t gpa, size;
    size_t sp;

    if (n <= 0)
        return;
    for (sp = 0; sp < (size_t)n && text[sp] != ' '; sp++)
        ;
    if (sp == (size_t)n || !text_parse_u64(text, sp, 10, &gpa) ||
        !text_parse_u64(text + sp + 1, (size_t)n - sp - 1, 10, &size) ||
        size < RESULTS_AREA_HEADER + RECORD_LINE_MAX || (gpa & 4095)) {
        text_copy(area_why, sizeof(area_why), "bad-fw_cfg-item", 15);
        return;
    }
    if (!pages_reserve_above(gpa, size)) {
        text_copy(area_why, sizeof(area_why), "range-not-free", 14);
        return;
    }
    area = (struct results_area_header *)(uintptr_t)gpa;
    memset(area, 0, RESULTS_AREA_HEADER);
    memcpy(area->magic, RESULTS_AREA_MAGIC, 8);
    area->version = RESULTS_AREA_VERSION;
    area->header_size = RESULTS_AREA_HEADER;
    area->size = size;
    area_why[0] = '\0';
}

void records_init(void)
{
    portable = guest_portable_mode();
    if (portable)
        text_copy(area_why, sizeof(area_why), "portable", 8);
    else
        area_init();
    if (portable)
        printk("records: portable mode; every record on COM1\n");
    else if (area)
        printk("records: results area at 0x%llx, %llu bytes; progress on the record port\n",
               (unsigned long long)(uintptr_t)area, (unsigned long long)area->size);
    else
        printk("records: no results area (%s); every record on the record port\n", area_why);
    record_writer_init(&records, emit, NULL);
}

/* The `output` record (what each channel carried before it, and the cycles
 * spent writing it), then the end record, then the area's completion flag. */
void records_end(bool ok)
{
    struct channel_stats snap[CHANNELS];
    char key[32];
    int ch;

    memcpy(snap, stats, sizeof(snap));
    record_begin(&records, "output");
    record_str(&records, "area", area ? "yes" : area_why);
    for (ch = 0; ch < CHANNELS; ch++) {
        static const char *const field[] = { "_bytes", "_lines", "_cycles" };
        const uint64_t val[] = { snap[ch].bytes, snap[ch].lines, snap[ch].cycles };

        if (ch == CHANNEL_COM1)     /* com1_* go last, after area_overflow */
            break;
        for (int f = 0; f < 3; f++) {
            text_copy(key, sizeof(key), channel_name[ch], text_len(channel_name[ch]));
            text_append(key, sizeof(key), field[f]);
            record_u64(&records, key, val[f]);
        }
    }
    record_u64(&records, "area_overflow", area ? area->overflow : 0);
    record_u64(&records, "com1_bytes", snap[CHANNEL_COM1].bytes);
    record_u64(&records, "com1_lines", snap[CHANNEL_COM1].lines);
    record_u64(&records, "com1_cycles", snap[CHANNEL_COM1].cycles);
    record_finish(&records);
    record_end_stream(&records, ok);
    /* Stored last, after the end record's bytes and `bytes` (release):
     * the host takes the area as the whole stream only when it reads 1. */
    if (area)
        __atomic_store_n(&area->complete, 1, __ATOMIC_RELEASE);
}
