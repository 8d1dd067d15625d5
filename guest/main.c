/* The guest program: once the platform is up, run the sweep (bench/measure/run.c). */
#include <guest/main.h>
#include "../bench/measure/measure.h"

int bench_main(void)
{
    return bench_run();
}
