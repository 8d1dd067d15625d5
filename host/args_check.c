/*
 * The command line's words before any command sees them (see args_check.h).
 */
#include "args_check.h"

#include <string.h>

#include "util.h"

bool args_check(int argc, char **argv, char *err, size_t cap)
{
    for (int i = 1; i < argc; i++) {
        size_t n = strlen(argv[i]);

        if (n > ARGS_CHECK_MAX)
            return fmt(err, cap, "argument %d is %zu bytes long (at most %d)", i, n,
                       ARGS_CHECK_MAX), false;
        for (size_t k = 0; k < n; k++) {
            unsigned char c = (unsigned char)argv[i][k];

            if (c < ' ' || c == 0x7f)
                return fmt(err, cap, "argument %d ('%.*s...') has a control character "
                           "(0x%02x): refused", i, (int)(k < 40 ? k : 40), argv[i], c), false;
        }
    }
    return true;
}
