/* Placeholder until "hvflush pin" lands: says so and exits 2. */
#include <stdio.h>

#include "commands.h"

int pin_command(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "hvflush: pin: not built yet\n");
    return 2;
}
