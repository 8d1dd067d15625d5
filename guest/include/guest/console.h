/* Serial console (COM1, human progress), the record channel and VM exit. */
#ifndef GUEST_CONSOLE_H
#define GUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);
void console_write(const char *s, size_t n);   /* serialised across CPUs */
/* One whole record line on COM1 (portable mode), under the console lock and
 * on a line of its own. */
void console_write_record(const char *s, size_t n);
/* printf subset: %c %s %d %i %u %x %X %p %%, flags '0' '-', width,
 * length modifiers l ll z. */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintk(char *buf, size_t n, const char *fmt, va_list ap);
int snprintk(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The record channel: isa-debugcon at port 0xe9, written with rep outsb. */
#define RECORD_PORT 0xe9
void record_port_write(const char *s, size_t n);

/* isa-debug-exit at 0xf4: QEMU exits with (code << 1) | 1. */
#define GUEST_EXIT_SUCCESS 0
#define GUEST_EXIT_FAILURE 1
_Noreturn void guest_exit(int code);
/* Prints "PANIC: ..." with the CPU number and exits with GUEST_EXIT_FAILURE. */
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
