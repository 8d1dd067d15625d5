/* Placeholder until "hvflush report" lands: says so and exits 2. */
#include <stdio.h>

#include "commands.h"

int report_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hvflush: report: not built yet\n");
    return 2;
}
