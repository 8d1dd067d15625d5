/*
 * What L1 may see of the host (see lab.h, "L1's view of the host"): the
 * list of directories, symlinks and files a view holds, each named by its
 * host path.  A path is walked component by component as the kernel
 * resolves it, so that every symlink on the way (/lib -> usr/lib,
 * /lib64/ld-linux-x86-64.so.2 -> /lib/x86_64-linux-gnu/...) is kept as a
 * symlink and its target is added too: inside the view a path resolves to
 * the same file as on the host.  A binary's libraries are the dynamic
 * loader's own answer (its --list), read through the loader its PT_INTERP
 * names; nothing is listed by hand.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lab.h"
#include "util.h"

#define SYMLINK_DEPTH_MAX 40
#define ELF_HEAD_MAX (64 * 1024)

void lab_view_plan_free(struct lab_view_plan *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free(p->e[i].path);
        free(p->e[i].target);
    }
    free(p->e);
    memset(p, 0, sizeof(*p));
}

static struct lab_view_entry *find(const struct lab_view_plan *p, const char *path)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->e[i].path, path))
            return &p->e[i];
    return NULL;
}

/* Adds an entry once; *is_new says whether it was not there yet. */
static bool add_entry(struct lab_view_plan *p, enum lab_view_kind kind, const char *path,
                      const char *target, const struct stat *st, bool *is_new,
                      char *err, size_t errcap)
{
    struct lab_view_entry *e;

    *is_new = false;
    if (find(p, path))
        return true;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 256;
        struct lab_view_entry *bigger = realloc(p->e, cap * sizeof(*bigger));

        if (!bigger)
            return fmt(err, errcap, "out of memory"), false;
        p->e = bigger;
        p->cap = cap;
    }
    e = &p->e[p->n];
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->st = *st;
    e->path = strdup(path);
    e->target = target ? strdup(target) : NULL;
    if (!e->path || (target && !e->target)) {
        free(e->path);
        free(e->target);
        return fmt(err, errcap, "out of memory"), false;
    }
    p->n++;
    *is_new = true;
    return true;
}

/* Walks path from the root; see lab_view_add().  depth counts symlinks. */
static bool walk(struct lab_view_plan *p, const char *path, bool required, int depth,
                 struct lab_view_found *found, char *err, size_t errcap)
{
    char cur[PATH_MAX] = "", next[PATH_MAX], target[PATH_MAX], rest[PATH_MAX];
    const char *s = path;

    if (path[0] != '/')
        return fmt(err, errcap, "%s: not an absolute path", path), false;
    if (depth > SYMLINK_DEPTH_MAX)
        return fmt(err, errcap, "%s: too many levels of symbolic links", path), false;
    found->kind = LAB_VIEW_DIR;       /* "/" itself */
    found->is_new = false;
    fmt(found->real, sizeof(found->real), "/");
    while (*s) {
        size_t len;
        struct stat st;
        bool is_new;

        while (*s == '/')
            s++;
        len = strcspn(s, "/");
        if (!len)
            break;
        if (len == 1 && s[0] == '.') {
            s += len;
            continue;
        }
        if (len == 2 && s[0] == '.' && s[1] == '.') {
            char *slash = strrchr(cur, '/');

            if (slash)
                *slash = '\0';
            s += len;
            continue;
        }
        if (!fmt(next, sizeof(next), "%s/%.*s", cur, (int)len, s))
            return fmt(err, errcap, "%s: path too long", path), false;
        s += len;
        if (lstat(next, &st) < 0) {
            if (errno == ENOENT && !required) {
                found->kind = LAB_VIEW_ABSENT;
                return true;
            }
            return fmt(err, errcap, "%s: %s", next, strerror(errno)), false;
        }
        if (S_ISLNK(st.st_mode)) {
            ssize_t n = readlink(next, target, sizeof(target) - 1);

            if (n <= 0)
                return fmt(err, errcap, "%s: %s", next, strerror(errno)), false;
            target[n] = '\0';
            if (!add_entry(p, LAB_VIEW_LINK, next, target, &st, &is_new, err, errcap))
                return false;
            /* The rest of the path, after the link's target. */
            if (!(target[0] == '/' ? fmt(rest, sizeof(rest), "%s/%s", target, s)
                                   : fmt(rest, sizeof(rest), "%s/%s/%s", cur, target, s)))
                return fmt(err, errcap, "%s: path too long", path), false;
            return walk(p, rest, required, depth + 1, found, err, errcap);
        }
        if (S_ISDIR(st.st_mode)) {
            if (!add_entry(p, LAB_VIEW_DIR, next, NULL, &st, &is_new, err, errcap))
                return false;
            fmt(cur, sizeof(cur), "%s", next);
            found->is_new = is_new;
            continue;
        }
        if (s[strspn(s, "/")] != '\0')
            return fmt(err, errcap, "%s: %s", next, strerror(ENOTDIR)), false;
        if (!S_ISREG(st.st_mode))
            return fmt(err, errcap, "%s: not a regular file", next), false;
        if (!add_entry(p, LAB_VIEW_FILE, next, NULL, &st, &is_new, err, errcap))
            return false;
        found->kind = LAB_VIEW_FILE;
        found->is_new = is_new;
        fmt(found->real, sizeof(found->real), "%s", next);
        return true;
    }
    fmt(found->real, sizeof(found->real), "%s", cur[0] ? cur : "/");
    return true;
}

bool lab_view_add(struct lab_view_plan *p, const char *path, bool required,
                  struct lab_view_found *found, char *err, size_t errcap)
{
    struct lab_view_found ignored;

    return walk(p, path, required, 0, found ? found : &ignored, err, errcap);
}

bool lab_view_add_dir(struct lab_view_plan *p, const char *dir, char *err, size_t errcap)
{
    struct lab_view_found f;
    struct dirent *d;
    DIR *h;
    bool ok = true;

    if (!lab_view_add(p, dir, false, &f, err, errcap))
        return false;
    if (f.kind != LAB_VIEW_DIR)
        return true;
    h = opendir(f.real);
    if (!h)
        return fmt(err, errcap, "%s: %s", f.real, strerror(errno)), false;
    while (ok && (d = readdir(h))) {
        char path[PATH_MAX];
        struct lab_view_found e;

        if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
            continue;
        if (!fmt(path, sizeof(path), "%s/%s", f.real, d->d_name)) {
            fmt(err, errcap, "%s/%s: path too long", f.real, d->d_name);
            ok = false;
            break;
        }
        /* A socket or a device in a data directory is skipped, and so is a
         * dangling link (absent); a directory is entered once (a link back
         * to a parent adds nothing new, which ends the recursion). */
        {
            struct stat st;

            if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
                !S_ISLNK(st.st_mode))
                continue;
        }
        if (!(ok = lab_view_add(p, path, false, &e, err, errcap)))
            break;
        if (e.kind == LAB_VIEW_DIR && e.is_new)
            ok = lab_view_add_dir(p, e.real, err, errcap);
    }
    closedir(h);
    return ok;
}

bool lab_elf_interp(const unsigned char *buf, size_t len, char *out, size_t cap, char *err,
                    size_t errcap)
{
    Elf64_Ehdr eh;

    out[0] = '\0';
    if (len < sizeof(eh) || memcmp(buf, ELFMAG, SELFMAG) != 0)
        return fmt(err, errcap, "not an ELF file"), false;
    memcpy(&eh, buf, sizeof(eh));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
        return fmt(err, errcap, "not a 64-bit little-endian ELF file"), false;
    if (eh.e_phentsize != sizeof(Elf64_Phdr))
        return fmt(err, errcap, "unexpected program header size %u", eh.e_phentsize), false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        uint64_t at = eh.e_phoff + (uint64_t)i * sizeof(ph);

        if (at > len || len - at < sizeof(ph))
            return fmt(err, errcap, "program headers beyond the first %zu bytes", len), false;
        memcpy(&ph, buf + at, sizeof(ph));
        if (ph.p_type != PT_INTERP)
            continue;
        if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset || ph.p_filesz < 2 ||
            buf[ph.p_offset + ph.p_filesz - 1] != '\0')
            return fmt(err, errcap, "a bad or far PT_INTERP"), false;
        if (!fmt(out, cap, "%s", (const char *)buf + ph.p_offset) || out[0] != '/')
            return fmt(err, errcap, "PT_INTERP is not an absolute path"), false;
        return true;
    }
    return true;                      /* statically linked */
}

bool lab_ldso_parse(const char *text, lab_view_path_fn add, void *ctx, char *err,
                    size_t errcap)
{
    for (const char *line = text; line && *line; ) {
        size_t len = strcspn(line, "\n");
        char copy[PATH_MAX + 128], *s = copy, *arrow, *paren;

        if (!fmt(copy, sizeof(copy), "%.*s", (int)len, line))
            return fmt(err, errcap, "a line of ld.so --list is too long"), false;
        line += len + (line[len] == '\n');
        s += strspn(s, " \t");
        if (!*s)
            continue;
        arrow = strstr(s, " => ");
        if (arrow) {
            *arrow = '\0';
            if (!strncmp(arrow + 4, "not found", 9))
                return fmt(err, errcap, "%s: not found by the dynamic loader", s), false;
            s = arrow + 4;
            s += strspn(s, " \t");
        }
        paren = strstr(s, " (0x");
        if (paren)
            *paren = '\0';
        /* "linux-vdso.so.1 (0x...)": the kernel's, no file. */
        if (s[0] != '/')
            continue;
        if (!add(ctx, s, err, errcap))
            return false;
    }
    return true;
}

static bool add_library(void *ctx, const char *path, char *err, size_t errcap)
{
    return lab_view_add(ctx, path, true, NULL, err, errcap);
}

bool lab_view_add_binary(struct lab_view_plan *p, const char *binary, char *err,
                         size_t errcap)
{
    unsigned char *head = malloc(ELF_HEAD_MAX);
    char interp[PATH_MAX], why[256], *out = NULL;
    ssize_t n = -1;
    int fd, status;
    bool ok;

    if (!lab_view_add(p, binary, true, NULL, err, errcap))
        return free(head), false;
    fd = head ? open(binary, O_RDONLY | O_CLOEXEC) : -1;
    if (fd >= 0) {
        n = read(fd, head, ELF_HEAD_MAX);
        close(fd);
    }
    if (n < 0) {
        free(head);
        return fmt(err, errcap, "%s: %s", binary, strerror(errno)), false;
    }
    ok = lab_elf_interp(head, (size_t)n, interp, sizeof(interp), why, sizeof(why));
    free(head);
    if (!ok)
        return fmt(err, errcap, "%s: %s", binary, why), false;
    if (!interp[0])
        return true;
    if (!lab_view_add(p, interp, true, NULL, err, errcap))
        return false;
    {
        char *argv[] = { interp, "--list", (char *)binary, NULL };

        if (!capture_output(argv, true, &out, &status))
            return fmt(err, errcap, "cannot run %s --list %s", interp, binary), false;
    }
    ok = lab_ldso_parse(out, add_library, p, why, sizeof(why));
    if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fmt(why, sizeof(why), "%s --list failed", interp);
        ok = false;
    }
    free(out);
    if (!ok)
        return fmt(err, errcap, "the libraries of %s: %s", binary, why), false;
    return true;
}

unsigned long long lab_view_key(const struct lab_view_plan *p)
{
    unsigned long long h = 1469598103934665603ULL;     /* FNV-1a, 64 bits */
    char line[2 * PATH_MAX + 160];

    for (size_t i = 0; i <= p->n; i++) {
        const struct lab_view_entry *e = i < p->n ? &p->e[i] : NULL;

        if (!e)
            fmt(line, sizeof(line), "hvflush lab view 1\n");
        else
            fmt(line, sizeof(line), "%d %s %s %llu %llu %lld %lld.%09ld %o\n", (int)e->kind,
                e->path, e->target ? e->target : "-", (unsigned long long)e->st.st_dev,
                (unsigned long long)e->st.st_ino, (long long)e->st.st_size,
                (long long)e->st.st_mtim.tv_sec, e->st.st_mtim.tv_nsec,
                (unsigned)e->st.st_mode);
        for (const char *c = line; *c; c++) {
            h ^= (unsigned char)*c;
            h *= 1099511628211ULL;
        }
    }
    return h;
}
