/*
 * console.c: the serial console on COM1 (a 16550 at 0x3f8, 115200 8N1,
 * polled), printk, the record channel (isa-debugcon at RECORD_PORT) and the
 * ways out of the VM: guest_exit() through isa-debug-exit and panic().
 *
 * Each console_write() holds the console lock for its whole buffer, so a
 * printk line from one CPU is never split by another CPU's output.  The lock
 * remembers its owner: a CPU that faults (or takes an interrupt that
 * prints) while holding it writes through instead of deadlocking.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <arch/cpu.h>
#include <guest/console.h>
#include <guest/percpu.h>
#include <guest/spinlock.h>

#define COM1            0x3f8
#define UART_THR        0       /* transmit holding register (DLAB = 0) */
#define UART_IER        1
#define UART_DLL        0       /* divisor latch, DLAB = 1 */
#define UART_DLM        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_LSR_THRE   0x20
#define UART_LCR_DLAB   0x80
#define UART_LCR_8N1    0x03

#define ISA_DEBUG_EXIT_PORT 0xf4
#define PRINTK_BUF_SIZE 512

static struct spinlock console_lock = SPINLOCK_INIT;
static struct percpu *volatile console_owner;
static struct spinlock record_lock = SPINLOCK_INIT;

void console_init(void)
{
    outb(COM1 + UART_IER, 0x00);                /* polled: no interrupts */
    outb(COM1 + UART_LCR, UART_LCR_DLAB);
    outb(COM1 + UART_DLL, 1);                   /* 115200 / 1 */
    outb(COM1 + UART_DLM, 0);
    outb(COM1 + UART_LCR, UART_LCR_8N1);
    outb(COM1 + UART_FCR, 0xc7);                /* FIFO on, cleared, 14-byte trigger */
    outb(COM1 + UART_MCR, 0x03);                /* DTR, RTS */
}

static void uart_putc(char c)
{
    while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
        cpu_relax();
    outb(COM1 + UART_THR, (uint8_t)c);
}

void console_write(const char *s, size_t n)
{
    uint64_t flags = irq_save();
    struct percpu *me = this_cpu();
    bool nested = console_owner == me;
    if (!nested) {
        spin_lock(&console_lock);
        console_owner = me;
    }
    for (size_t i = 0; i < n; i++)
        uart_putc(s[i]);
    if (!nested) {
        console_owner = NULL;
        spin_unlock(&console_lock);
    }
    irq_restore(flags);
}

static int vprintk(const char *fmt, va_list ap)
{
    char buf[PRINTK_BUF_SIZE];
    int n = vsnprintk(buf, sizeof(buf), fmt, ap);
    size_t len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
    console_write(buf, len);
    return (int)len;
}

int printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintk(fmt, ap);
    va_end(ap);
    return n;
}

void record_port_write(const char *s, size_t n)
{
    uint64_t flags = spin_lock_irqsave(&record_lock);
    outsb(RECORD_PORT, s, n);
    spin_unlock_irqrestore(&record_lock, flags);
}

_Noreturn void guest_exit(int code)
{
    irq_disable();
    outl(ISA_DEBUG_EXIT_PORT, (uint32_t)code);
    /* Only reached without isa-debug-exit: stop here. */
    for (;;)
        halt();
}

_Noreturn void panic(const char *fmt, ...)
{
    char buf[PRINTK_BUF_SIZE];
    va_list ap;

    irq_disable();
    va_start(ap, fmt);
    vsnprintk(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("PANIC: cpu=%u: %s\n", smp_processor_id(), buf);
    guest_exit(GUEST_EXIT_FAILURE);
}
