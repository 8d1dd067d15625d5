/*
 * An L1 that never came up (see lab.h): L0 ran, but L1's init never wrote
 * its first step (RUN/lab/l1-times is empty) and never printed its first
 * console line -- the kernel stopped before it: a panic (panic=-1 and
 * -no-reboot end L0), a CPU the kernel refuses (it halts before it has a
 * console), too little memory for the initramfs.  An init that printed
 * its line but stopped before it mounted the run directory (where
 * l1-times goes) is said to be that instead.  The explanation names L1's console log and quotes its last
 * word: the panic line where there is one, else its last line.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "run.h"
#include "util.h"

#define PANIC_MARK "Kernel panic - not syncing: "
/* The init's first console line (scripts/lab/init.sh). */
#define INIT_MARK "L1: init started"

/* The line of text that p points into, without its end, into out. */
static void line_at(const char *text, const char *p, char *out, size_t cap)
{
    const char *start = p;

    while (start > text && start[-1] != '\n')
        start--;
    fmt(out, cap, "%.*s", (int)strcspn(start, "\r\n"), start);
}

/* L1's last word on its console: its panic line, else its last line that
 * is not empty; "" for an empty console. */
static void last_word(const char *text, size_t len, char *out, size_t cap)
{
    const char *panic = strstr(text, PANIC_MARK);
    size_t end = len;

    out[0] = '\0';
    if (panic) {
        line_at(text, panic, out, cap);
        return;
    }
    while (end && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' '))
        end--;
    if (end)
        line_at(text, text + end - 1, out, cap);
}

void lab_l1_never_up(const struct run_info *ri, char *why, size_t cap)
{
    char path[PATH_MAX + 16], word[256] = "", *text = NULL;
    size_t len = 0;
    bool started;

    fmt(path, sizeof(path), "%s/serial.log", ri->run_dir);
    if (read_file(path, &text, &len, 0))
        last_word(text, len, word, sizeof(word));
    started = text && strstr(text, INIT_MARK);
    free(text);
    if (started)
        append(why, cap, "%slab: L1's init stopped before it reached the run directory",
               why[0] ? "; " : "");
    else
        append(why, cap, "%slab: L1 never came up: its kernel stopped before the lab's init "
               "ran", why[0] ? "; " : "");
    if (word[0])
        append(why, cap, " (its last console line: '%s')", word);
    else
        append(why, cap, " (it wrote nothing on its console)");
    append(why, cap, "; L1's console log is %s", paths_display(path));
}
