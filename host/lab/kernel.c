/*
 * Which Debian kernel package a --lab-kernel spec means (see lab.h).  Pure
 * string work on the package names apt knows; scripts/lab/prepare.sh lists
 * them and fetches the chosen one.
 */
#include <ctype.h>
#include <string.h>

#include "lab.h"
#include "util.h"

#define IMAGE_PREFIX "linux-image-"

int lab_version_compare(const char *a, const char *b)
{
    while (*a || *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            size_t na, nb;
            int c;

            /* Equal numbers may be spelt with different leading zeros. */
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            na = strspn(a, "0123456789");
            nb = strspn(b, "0123456789");
            if (na != nb)
                return na < nb ? -1 : 1;
            c = strncmp(a, b, na);
            if (c)
                return c;
            a += na;
            b += nb;
            continue;
        }
        /* Anything else compares by character code; the end of a string
         * sorts first, so "6.1" < "6.1.1" and "6.1.0-56" < "6.1.0-56+x". */
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return 0;
}

/* A release is digits, dots and dashes, with an optional "+debNN" part. */
static bool plain_release(const char *r, size_t n)
{
    if (n == 0 || !isdigit((unsigned char)r[0]))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (isdigit((unsigned char)r[i]) || r[i] == '.' || r[i] == '-')
            continue;
        if (r[i] == '+' && i + 3 < n && !strncmp(r + i + 1, "deb", 3)) {
            i += 3;
            continue;
        }
        return false;
    }
    return true;
}

bool lab_kernel_release(const char *package, char *release, size_t cap, bool *is_unsigned)
{
    static const char *const suffixes[] = { "-amd64-unsigned", "-amd64" };
    size_t n = strlen(package), prefix = strlen(IMAGE_PREFIX);

    if (n <= prefix || strncmp(package, IMAGE_PREFIX, prefix) != 0)
        return false;
    for (size_t s = 0; s < 2; s++) {
        size_t sn = strlen(suffixes[s]);

        if (n < prefix + sn || strcmp(package + n - sn, suffixes[s]) != 0)
            continue;
        if (!plain_release(package + prefix, n - prefix - sn))
            return false;
        if (is_unsigned)
            *is_unsigned = s == 0;
        return fmt(release, cap, "%.*s", (int)(n - prefix - sn), package + prefix);
    }
    return false;
}

/* True when release starts with spec and continues with a separator. */
static bool release_matches(const char *release, const char *spec)
{
    size_t n = strlen(spec);

    if (strncmp(release, spec, n) != 0)
        return false;
    return release[n] == '\0' || release[n] == '.' || release[n] == '-' || release[n] == '+';
}

bool lab_kernel_select(const char *spec, const char *default_package,
                       const char *const names[], size_t n,
                       char *out, size_t cap, char *err, size_t errcap)
{
    const char *best = NULL;
    char best_release[128] = "";
    bool best_unsigned = false;

    if (!spec || !*spec) {
        if (default_package && *default_package)
            return fmt(out, cap, "%s", default_package);
        fmt(err, errcap, "apt names no default kernel (linux-image-amd64 has no "
            "linux-image-* dependency); pass --lab-kernel");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char release[128];
        bool is_unsigned;

        if (!strncmp(spec, IMAGE_PREFIX, strlen(IMAGE_PREFIX))) {
            /* A full package name: it must be one apt knows. */
            if (!strcmp(names[i], spec))
                return fmt(out, cap, "%s", spec);
            continue;
        }
        if (!lab_kernel_release(names[i], release, sizeof(release), &is_unsigned) ||
            !release_matches(release, spec))
            continue;
        if (best) {
            int c = lab_version_compare(release, best_release);

            /* The newer release wins; at the same release, the signed one. */
            if (c < 0 || (c == 0 && (is_unsigned || !best_unsigned)))
                continue;
        }
        best = names[i];
        best_unsigned = is_unsigned;
        fmt(best_release, sizeof(best_release), "%s", release);
    }
    if (best)
        return fmt(out, cap, "%s", best);
    fmt(err, errcap, "no Debian kernel package matches '%s' (try 6.1, 6.12 or a full "
        "linux-image-...-amd64 name; apt-cache search linux-image lists them)", spec);
    return false;
}
