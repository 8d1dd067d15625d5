/*
 * sweeptext.c: the sweep travels in the record stream (portable mode,
 * where the host has no other copy of what the guest ran).  Algorithm: split
 * the text at '\n' -- a text ending in '\n' has an empty last line, so that
 * joining the lines with '\n' gives the text back byte for byte -- count
 * the lines, then write `sweeptext n=<i> of=<total> text=<line>` for each,
 * the line percent-encoded by bench/pct.c (the host decodes with the same
 * code).  Runs on the BSP before any other CPU writes records.
 */
#include <bench/pct.h>
#include <bench/record.h>
#include <guest/console.h>
#include "measure.h"
#include "portable.h"

/* The longest encoding that still fits one record line. */
#define SWEEPTEXT_ENCODED_MAX (RECORD_LINE_MAX - 96)

static size_t line_end(const char *text, size_t len, size_t start)
{
    while (start < len && text[start] != '\n')
        start++;
    return start;
}

bool emit_sweeptext(const char *text, size_t len)
{
    static char enc[SWEEPTEXT_ENCODED_MAX];
    size_t start, end, total = 0, i = 0;

    for (start = 0;; start = end + 1) {
        end = line_end(text, len, start);
        total++;
        if (end == len)
            break;
    }
    for (start = 0;; start = end + 1, i++) {
        end = line_end(text, len, start);
        if (pct_encode(text + start, end - start, enc, sizeof(enc)) >= sizeof(enc)) {
            printk("sweeptext: line %zu encodes to more than %u bytes\n", i + 1,
                   (unsigned)sizeof(enc) - 1);
            return false;
        }
        record_begin(&records, "sweeptext");
        record_u64(&records, "n", i);
        record_u64(&records, "of", total);
        record_raw(&records, "text", enc);
        if (!record_finish(&records))
            return false;
        if (end == len)
            return true;
    }
}
