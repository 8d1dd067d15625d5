/*
 * The value parsers of the sweep parser's comma lists (bench/sweep.c):
 * each reads one list element into element idx of its output array and
 * says whether the element was valid.
 */
#include <bench/sweep.h>
#include <bench/text.h>
#include "sweep_items.h"

bool sweep_item_flush(const char *s, size_t n, void *out, unsigned idx)
{
    return flush_op_from_name(s, n, &((enum flush_op *)out)[idx]);
}

bool sweep_item_state(const char *s, size_t n, void *out, unsigned idx)
{
    return target_state_from_name(s, n, &((enum target_state *)out)[idx]);
}

bool sweep_item_input(const char *s, size_t n, void *out, unsigned idx)
{
    return hv_input_from_name(s, n, &((enum hv_input *)out)[idx]);
}

bool sweep_item_scope(const char *s, size_t n, void *out, unsigned idx)
{
    return flush_scope_from_name(s, n, &((enum flush_scope *)out)[idx]);
}

bool sweep_item_procs(const char *s, size_t n, void *out, unsigned idx)
{
    return proc_set_from_name(s, n, &((enum proc_set *)out)[idx]);
}

bool sweep_item_onoff(const char *s, size_t n, void *out, unsigned idx)
{
    bool on = text_eq_n(s, n, "on");

    ((bool *)out)[idx] = on;
    return on || text_eq_n(s, n, "off");
}

/* out is the line's placement[] array: its parameters (strided:S,
 * cpus:LIST) go to the same line (bench/placement.c). */
bool sweep_item_placement(const char *s, size_t n, void *out, unsigned idx)
{
    struct sweep_line *l = (struct sweep_line *)((char *)out -
                                                 offsetof(struct sweep_line, placement));

    return sweep_placement_parse(s, n, l, idx);
}

bool sweep_item_ipi_call(const char *s, size_t n, void *out, unsigned idx)
{
    return ipi_call_from_name(s, n, &((enum ipi_call *)out)[idx]);
}

bool sweep_item_cpu(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;

    if (!text_parse_u64(s, n, 10, &v) || v >= SWEEP_MAX_CPUS)
        return false;
    ((uint32_t *)out)[idx] = (uint32_t)v;
    return true;
}

bool sweep_item_pages(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;

    if (!text_parse_u64(s, n, 10, &v) || v < 1 || v > SWEEP_PAGES_MAX)
        return false;
    ((uint32_t *)out)[idx] = (uint32_t)v;
    return true;
}

bool sweep_item_targets(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;
    int32_t *t = out;

    if (text_eq_n(s, n, "pow2"))
        t[idx] = SWEEP_TARGETS_POW2;
    else if (text_eq_n(s, n, "all-but-self"))
        t[idx] = SWEEP_TARGETS_ALL;
    else if (text_eq_n(s, n, "all"))
        t[idx] = SWEEP_TARGETS_EVERY;
    else if (text_eq_n(s, n, "null"))
        t[idx] = SWEEP_TARGETS_NULL;
    else if (text_eq_n(s, n, "self"))
        t[idx] = SWEEP_TARGETS_SELF;
    else if (text_parse_u64(s, n, 10, &v) && v >= 1 && v < 4096)
        t[idx] = (int32_t)v;
    else
        return false;
    return true;
}

bool sweep_item_initiators(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;

    if (text_eq_n(s, n, "pow2"))
        v = SWEEP_INITIATORS_POW2;
    else if (!text_parse_u64(s, n, 10, &v) || v < 1 || v > SWEEP_INITIATORS_MAX)
        return false;
    ((uint32_t *)out)[idx] = (uint32_t)v;
    return true;
}

bool sweep_item_share(const char *s, size_t n, void *out, unsigned idx)
{
    return share_mode_from_name(s, n, &((enum share_mode *)out)[idx]);
}

bool sweep_item_spaces(const char *s, size_t n, void *out, unsigned idx)
{
    uint64_t v;

    if (!text_parse_u64(s, n, 10, &v) || v < 1 || v > SWEEP_SPACES_MAX)
        return false;
    ((uint32_t *)out)[idx] = (uint32_t)v;
    return true;
}
