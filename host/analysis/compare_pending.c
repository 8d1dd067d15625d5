/* Placeholder until "hvflush compare" lands: says so and exits 2. */
#include <stdio.h>

#include "commands.h"

int compare_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hvflush: compare: not built yet\n");
    return 2;
}

#include "analysis/compare.h"

int compare_runs(const struct compare_opts *o)
{
    (void)o;
    fprintf(stderr, "hvflush: compare: not built yet\n");
    return 2;
}
