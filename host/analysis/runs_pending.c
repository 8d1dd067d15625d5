/* Placeholder until "hvflush runs" lands: says so and exits 2. */
#include <stdio.h>

#include "commands.h"

int runs_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hvflush: runs: not built yet\n");
    return 2;
}
