/*
 * int128.c: the libgcc helpers for unsigned 128-bit division, which gcc
 * calls for expressions such as tsc_to_ns()'s (u128)cycles * 1e9 / hz.  The
 * guest links without libgcc, so it carries its own.
 */
#include <stdint.h>
#include <guest/console.h>

typedef unsigned __int128 u128;

u128 __udivti3(u128 n, u128 d);
u128 __umodti3(u128 n, u128 d);

static u128 udivmod128(u128 n, u128 d, u128 *rem)
{
    if (d == 0)
        panic("128-bit division by zero");

    uint64_t d_lo = (uint64_t)d, n_hi = (uint64_t)(n >> 64);
    if ((d >> 64) == 0 && n_hi < d_lo) {
        /* The quotient fits in 64 bits: one divq does it. */
        uint64_t q, r;
        __asm__("divq %4" : "=a"(q), "=d"(r) : "a"((uint64_t)n), "d"(n_hi), "rm"(d_lo));
        *rem = r;
        return q;
    }

    /* General case: restoring shift-and-subtract. */
    u128 q = 0, r = 0;
    for (int bit = 127; bit >= 0; bit--) {
        r = (r << 1) | ((n >> bit) & 1);
        if (r >= d) {
            r -= d;
            q |= (u128)1 << bit;
        }
    }
    *rem = r;
    return q;
}

u128 __udivti3(u128 n, u128 d)
{
    u128 r;
    return udivmod128(n, d, &r);
}

u128 __umodti3(u128 n, u128 d)
{
    u128 r;
    udivmod128(n, d, &r);
    return r;
}
