/*
 * Faults injected on the record stream's way out, for tests of the host's
 * stream checks and watchdog (the sweep's `inject`, bench/sweeps/README.md).
 * emit.c passes every record line through emit_inject_line() before it
 * writes it to a channel, and calls emit_inject_after() once the line is
 * out and its lock released.
 *
 *  - record-truncate / record-corrupt / record-duplicate act on the first
 *    `samples` line of the run: it goes out cut short half-way (a newline
 *    ends it, so the stream goes on with the next record), with one hex
 *    digit of its values changed (the line still splits into fields, but
 *    its CRC-32 no longer matches), or twice, byte for byte.  Every channel
 *    the line goes to carries the same damaged bytes.
 *  - hang-mid-config / page-fault-mid-config act after the first `samples`
 *    line of the last configuration (the `config` lines are counted as they
 *    go out; run.c says how many there are with emit_inject_plan()): the
 *    CPU that wrote it hangs with interrupts off, or touches an unmapped
 *    address, so the host sees a configuration begun and never finished.
 *
 * Races: lines are passed in under emit.c's lock, so the counters here are
 * only touched by one CPU at a time; emit_inject_after() reads `fire`,
 * which the same CPU set under that lock just before.
 */
#include <arch/cpu.h>
#include <guest/console.h>
#include <guest/string.h>
#include <bench/text.h>
#include "measure.h"

static unsigned configs_planned;     /* set before the first config line */
static unsigned config_lines;        /* config lines that went out so far */
static bool done;                    /* the injection has acted */
static bool fire;                    /* act in emit_inject_after() */

void emit_inject_plan(unsigned nconfigs)
{
    configs_planned = nconfigs;
}

/* The record type: the word after "HVF1 <seq> ". */
static bool line_is(const char *line, size_t len, const char *type)
{
    size_t i = 5, n = text_len(type);

    while (i < len && line[i] != ' ')
        i++;
    return len > i + n + 1 && text_eq_n(line + i + 1, n, type) && line[i + 1 + n] == ' ';
}

static bool is_hex_digit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

unsigned emit_inject_line(const char *line, size_t len, char *buf, const char **out,
                          size_t *out_len)
{
    enum sweep_inject what = bench_inject;
    size_t i;

    *out = line;
    *out_len = len;
    if (what < INJECT_RECORD_TRUNCATE || done || len >= RECORD_LINE_MAX)
        return 1;
    if (line_is(line, len, "config"))
        config_lines++;
    if (!line_is(line, len, "samples"))
        return 1;
    if ((what == INJECT_HANG_MID || what == INJECT_FAULT_MID) &&
        config_lines < configs_planned)
        return 1;
    done = true;
    memcpy(buf, line, len);
    *out = buf;
    switch (what) {
    case INJECT_RECORD_TRUNCATE:
        *out_len = len / 2 + 1;
        buf[len / 2] = '\n';
        return 1;
    case INJECT_RECORD_CORRUPT:
        /* The last hex digit before the checksum: inside `v=`. */
        for (i = len; i-- > 0 && buf[i] != '#';)
            ;
        while (i-- > 0 && !is_hex_digit(buf[i]))
            ;
        buf[i] = buf[i] == '0' ? '1' : '0';
        return 1;
    case INJECT_RECORD_DUPLICATE:
        return 2;
    default:
        fire = true;
        return 1;
    }
}

void emit_inject_after(void)
{
    if (!fire)
        return;
    fire = false;
    printk("hvflush guest: injecting fault '%s' in configuration %u of %u\n",
           sweep_inject_name(bench_inject), config_lines - 1, configs_planned);
    if (bench_inject == INJECT_FAULT_MID) {
        (void)*(volatile uint64_t *)0x0000123400000000ull;   /* unmapped */
        return;
    }
    irq_disable();
    for (;;)
        cpu_relax();
}
