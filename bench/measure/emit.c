/* The guest's record stream: bench/record.c lines written to the record port. */
#include <guest/console.h>
#include "measure.h"

struct record_writer records;

static void emit_to_port(const char *line, size_t len, void *ctx)
{
    (void)ctx;
    record_port_write(line, len);
}

void records_init(void)
{
    record_writer_init(&records, emit_to_port, NULL);
}
