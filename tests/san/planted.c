/*
 * Known bugs, one per argument, built with the sanitized host's flags
 * (build-san/tests/san_planted): tests/san/test_sanitizers.c runs each and
 * asserts that the sanitizer report makes it fail, so the sanitized suite
 * cannot pass with the sanitizers silently off.  "none" runs the same code
 * paths without a bug (the control, which must exit 0 with no report).
 *
 * volatile indexes and an opaque allocator keep the compiler from proving
 * (and warning about, or folding away) what each bug does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile int opaque = 8;     /* 8 at run time, unknown at compile time */
void *volatile planted_keep;        /* a pointer the leak case then drops */

static void *allocate(size_t n)
{
    void *(*volatile alloc)(size_t) = malloc;

    return alloc(n);
}

static int heap_overflow(int bug)
{
    char *p = allocate(8);
    int v;

    memset(p, 1, 8);
    v = p[opaque - 1 + bug];          /* p[8]: one byte past the block */
    free(p);
    return v;
}

static int use_after_free(int bug)
{
    void (*volatile release)(void *) = free;
    char *p = allocate(8);
    int v;

    memset(p, 1, 8);
    if (bug)
        release(p);
    v = p[opaque - 8];
    if (!bug)
        release(p);
    return v;
}

static int stack_overflow(int bug)
{
    volatile char buf[8] = { 0 };
    volatile char *volatile p = buf;  /* opaque to UBSan's bounds and object-size checks */

    return p[opaque - 1 + bug];       /* buf[8] */
}

static int leak(int bug)
{
    planted_keep = allocate(64);
    if (!bug)
        free(planted_keep);
    planted_keep = NULL;              /* the last reference, when bug */
    return 0;
}

static int shift(int bug)
{
    unsigned one = 1;

    return (int)((one << (opaque * 4 - 1 + bug)) >> 31);   /* 1u << 32 */
}

static int signed_overflow(int bug)
{
    int big = INT32_MAX - 1;

    return big + (opaque - 7 + bug) > 0;      /* INT_MAX - 1 + 2 */
}

static int misaligned(int bug)
{
    _Alignas(8) char buf[16] = { 0 };
    uint32_t *p = (uint32_t *)(void *)(buf + (opaque - 8 + bug));

    return (int)*p;                   /* a uint32_t at an odd address */
}

static const struct {
    const char *name;
    int (*plant)(int bug);
} planted[] = {
    { "heap-overflow", heap_overflow },
    { "use-after-free", use_after_free },
    { "stack-overflow", stack_overflow },
    { "leak", leak },
    { "shift", shift },
    { "signed-overflow", signed_overflow },
    { "misaligned", misaligned },
};

int main(int argc, char **argv)
{
    size_t i;
    int sum = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: san_planted none|BUG\n");
        return 2;
    }
    for (i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
        int bug = !strcmp(argv[1], planted[i].name);

        sum += planted[i].plant(bug);
    }
    printf("%d\n", sum & 1);
    return 0;
}
