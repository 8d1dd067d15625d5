/*
 * Shared parts of the libFuzzer harnesses: see fuzz_files.h.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_files.h"

static char scratch[4096];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag;
    if (ftw->level > 0 || !scratch[0] || strcmp(path, scratch))
        remove(path);
    return 0;
}

/* Everything under dir, and dir itself when top is set. */
static void remove_tree(const char *dir, int top)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    if (top)
        rmdir(dir);
}

static void remove_scratch(void)
{
    if (scratch[0])
        remove_tree(scratch, 1);
}

const char *fuzz_scratch(void)
{
    const char *tmp = getenv("TMPDIR");

    if (scratch[0])
        return scratch;
    snprintf(scratch, sizeof(scratch), "%s/hvflush-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(scratch)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(remove_scratch);
    return scratch;
}

static void write_part(const char *dir, const char *name, const uint8_t *p, size_t n)
{
    char path[8192];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0700);
        *s = '/';
    }
    if (!(f = fopen(path, "wb"))) {
        perror(path);
        abort();
    }
    if (n && fwrite(p, 1, n, f) != n)
        abort();
    fclose(f);
}

unsigned fuzz_write_parts(const char *dir, const uint8_t *data, size_t size,
                          const char *const *names, unsigned nnames)
{
    const size_t seplen = strlen(FUZZ_SEPARATOR);
    const uint8_t *p = data, *end = data + size;
    unsigned i;

    remove_tree(dir, 0);
    for (i = 0; i < nnames && p <= end; i++) {
        const uint8_t *s = size ? memmem(p, (size_t)(end - p), FUZZ_SEPARATOR, seplen) : NULL;
        const uint8_t *stop = s ? s : end;

        write_part(dir, names[i], p, (size_t)(stop - p));
        if (!s)
            return i + 1;
        p = s + seplen;
    }
    return i;
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

void fuzz_planted_crash(const uint8_t *data, size_t size)
{
    static int planted = -1;
    const size_t n = strlen(FUZZ_PLANT_MARKER);

    if (planted < 0) {
        const char *e = getenv("HVFLUSH_FUZZ_PLANT");

        planted = e && !strcmp(e, "1");
    }
    if (planted && size >= n && memmem(data, size, FUZZ_PLANT_MARKER, n)) {
        volatile char *p = malloc(n);

        memcpy((char *)p, FUZZ_PLANT_MARKER, n);
        /* One byte past the block: AddressSanitizer's heap-buffer-overflow. */
        if (p[n] == 'x')
            abort();
        free((char *)p);
    }
}

void fuzz_quiet(void)
{
    int fd = open("/dev/null", O_WRONLY);

    if (fd < 0)
        return;
    fflush(stdout);
    dup2(fd, 1);
    close(fd);
}
