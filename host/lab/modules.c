/*
 * The load order of the kernel modules L1 needs (see lab.h): the
 * dependency closure of a few root modules, every module placed after the
 * modules its depends= field names.  The lookup is a callback, so the
 * order can be tested without a kernel package.
 */
#include <string.h>

#include "lab.h"
#include "util.h"

/* Deeper than any real module chain; guards against runaway recursion. */
#define DEPTH_MAX 32

void lab_module_name(const char *in, char *out, size_t cap)
{
    const char *base = strrchr(in, '/');
    size_t n;

    base = base ? base + 1 : in;
    n = strlen(base);
    if (n > 3 && !strcmp(base + n - 3, ".ko"))
        n -= 3;
    else if (n > 6 && !strcmp(base + n - 6, ".ko.xz"))
        n -= 6;
    else if (n > 7 && !strcmp(base + n - 7, ".ko.zst"))
        n -= 7;
    fmt(out, cap, "%.*s", (int)n, base);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

static bool listed(const struct lab_module_list *list, const char *name)
{
    for (unsigned i = 0; i < list->n; i++)
        if (!strcmp(list->m[i].name, name))
            return true;
    return false;
}

struct walk {
    lab_lookup_fn lookup;
    void *ctx;
    const char *group;
    struct lab_module_list *list;
    /* Names already found built in, and the chain being resolved (for
     * cycles). */
    char builtin[LAB_MODULES_MAX][LAB_MODULE_NAME];
    unsigned nbuiltin;
    const char *chain[DEPTH_MAX];
    unsigned depth;
    char *err;
    size_t errcap;
};

static bool is_builtin(const struct walk *w, const char *name)
{
    for (unsigned i = 0; i < w->nbuiltin; i++)
        if (!strcmp(w->builtin[i], name))
            return true;
    return false;
}

/* Adds name after its dependencies (depth-first, post-order). */
static bool visit(struct walk *w, const char *raw)
{
    char name[LAB_MODULE_NAME], file[LAB_MODULE_FILE], depends[1024];
    enum lab_lookup found;

    lab_module_name(raw, name, sizeof(name));
    if (!name[0] || listed(w->list, name) || is_builtin(w, name))
        return true;
    for (unsigned i = 0; i < w->depth; i++)
        if (!strcmp(w->chain[i], name))
            return fmt(w->err, w->errcap, "module dependency cycle through %s", name), false;
    if (w->depth == DEPTH_MAX)
        return fmt(w->err, w->errcap, "module dependencies of %s nest too deep", name), false;

    depends[0] = '\0';
    found = w->lookup(w->ctx, name, file, sizeof(file), depends, sizeof(depends),
                      w->err, w->errcap);
    switch (found) {
    case LAB_MODULE_BUILTIN:
        if (w->nbuiltin < LAB_MODULES_MAX)
            fmt(w->builtin[w->nbuiltin++], LAB_MODULE_NAME, "%s", name);
        return true;
    case LAB_MODULE_MISSING:
        fmt(w->err, w->errcap, "module %s is neither built into the kernel nor shipped "
            "as a file", name);
        return false;
    case LAB_MODULE_ERROR:
        return false;
    case LAB_MODULE_FOUND:
        break;
    }

    w->chain[w->depth++] = name;
    for (char *save = NULL, *dep = strtok_r(depends, ", \t\n", &save); dep;
         dep = strtok_r(NULL, ", \t\n", &save))
        if (!visit(w, dep))
            return false;
    w->depth--;

    if (w->list->n == LAB_MODULES_MAX)
        return fmt(w->err, w->errcap, "more than %d modules to load", LAB_MODULES_MAX), false;
    struct lab_module *m = &w->list->m[w->list->n++];
    fmt(m->name, sizeof(m->name), "%s", name);
    fmt(m->file, sizeof(m->file), "%s", file);
    m->group = w->group;
    return true;
}

bool lab_modules_resolve(const char *const roots[], const char *group,
                         lab_lookup_fn lookup, void *ctx,
                         struct lab_module_list *list, char *err, size_t errcap)
{
    struct walk w = {
        .lookup = lookup, .ctx = ctx, .group = group, .list = list,
        .err = err, .errcap = errcap,
    };

    for (size_t i = 0; roots[i]; i++)
        if (!visit(&w, roots[i]))
            return false;
    return true;
}
