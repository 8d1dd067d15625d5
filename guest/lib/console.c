/*
 * console.c: the serial console on COM1 (a 16550 at 0x3f8, 115200 8N1,
 * polled), printk, the record channel (isa-debugcon at RECORD_PORT) and the
 * ways out of the VM: guest_exit() through isa-debug-exit and panic().
 *
 * Each console_write() holds the console lock for its whole buffer, so a
 * printk line from one CPU is never split by another CPU's output.  The lock
 * remembers its owner: a CPU that faults (or takes an interrupt that
 * prints) while holding it writes through instead of deadlocking.
 *
 * In portable mode records share COM1 with progress: console_write_record()
 * writes a record line whole under the same lock, starting on a fresh line,
 * and no other console line may start with the record magic "HVF1 ".
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
#define UART_IIR        2       /* read: bits 7:6 = 11 when the FIFOs are on */
#define UART_IIR_FIFO   0xc0
#define UART_FIFO_DEPTH 16      /* 16550A transmit FIFO */
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_LSR_THRE   0x20
#define UART_LCR_DLAB   0x80
#define UART_LCR_8N1    0x03

#define ISA_DEBUG_EXIT_PORT 0xf4
#define PRINTK_BUF_SIZE 512

static struct spinlock console_lock = SPINLOCK_INIT;
/* Bytes written per THRE wait: THRE set means the transmit FIFO is empty,
 * so a 16550A takes 16 at once (one status read per 16 bytes: fewer VM
 * exits per byte under a hypervisor). */
static unsigned uart_burst = 1;
static unsigned uart_room;      /* bytes the FIFO takes before the next wait */
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
    /* A 16550A reports its FIFOs on; an 8250/16450 does not, and takes one
     * byte per THRE. */
    if ((inb(COM1 + UART_IIR) & UART_IIR_FIFO) == UART_IIR_FIFO)
        uart_burst = UART_FIFO_DEPTH;
}

/* Under console_lock (or before the APs run). */
static void uart_putc(char c)
{
    if (uart_room == 0) {
        while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE))
            cpu_relax();
        uart_room = uart_burst;
    }
    outb(COM1 + UART_THR, (uint8_t)c);
    uart_room--;
}

/* Whether COM1's last byte ended a line (guarded by console_lock). */
static bool console_at_line_start = true;

/* Writes s, keeping every line that does not come from console_write_record()
 * from starting with the record magic "HVF1 " (a space goes first), so that
 * readers of COM1 can take each line starting with it as a record. */
static void console_put(const char *s, size_t n, bool record)
{
    for (size_t i = 0; i < n; i++) {
        if (console_at_line_start && !record && n - i >= 5 &&
            s[i] == 'H' && s[i + 1] == 'V' && s[i + 2] == 'F' && s[i + 3] == '1' &&
            s[i + 4] == ' ')
            uart_putc(' ');
        uart_putc(s[i]);
        console_at_line_start = s[i] == '\n';
    }
}

static void console_emit(const char *s, size_t n, bool record)
{
    uint64_t flags = irq_save();
    struct percpu *me = this_cpu();
    bool nested = console_owner == me;
    if (!nested) {
        spin_lock(&console_lock);
        console_owner = me;
    }
    /* A record starts a line of its own, even after a partial progress line. */
    if (record && !console_at_line_start)
        uart_putc('\n');
    console_put(s, n, record);
    if (!nested) {
        console_owner = NULL;
        spin_unlock(&console_lock);
    }
    irq_restore(flags);
}

void console_write(const char *s, size_t n)
{
    console_emit(s, n, false);
}

void console_write_record(const char *s, size_t n)
{
    console_emit(s, n, true);
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
