/*
 * The QEMU process: its command line, starting it with the console piped
 * to us, and watching it until it exits or the run's time is up.
 */
#ifndef HOST_QEMU_H
#define HOST_QEMU_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct qemu_params {
    const char *binary;
    const char *accel;          /* "kvm" or "tcg" */
    const char *cpu;            /* NULL: the accelerator's default model */
    unsigned smp;
    unsigned memory_mib;
    const char *guest;          /* kernel image */
    const char *run_dir;        /* records.txt and sweep.txt live here */
    const char *qmp_socket;     /* NULL: no QMP, and the guest starts at once */
    /* The results area (host/channels.h): guest RAM backed by ram_path
     * (shared), and the area's place told to the guest through fw_cfg;
     * NULL: none. */
    const char *ram_path;
    unsigned long long area_gpa, area_size;
};

/* Builds the NULL-terminated argv (argv[0] is the binary).  Free with
 * qemu_argv_free.  Returns NULL on allocation failure. */
char **qemu_build_argv(const struct qemu_params *p);
void qemu_argv_free(char **argv);

/* A NULL-terminated argv built one formatted argument at a time; any
 * allocation failure makes argv_finish() return NULL. */
struct argv_builder {
    char **argv;
    unsigned n, cap;
    bool failed;
};
void argv_add(struct argv_builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char **argv_finish(struct argv_builder *b);

/* The part every hvflush QEMU command line shares: binary, -name NAME with
 * debug thread names, a pc machine, the -accel value, CPU model, vCPUs,
 * memory, no display or default devices, no reboot, and the kernel. */
void qemu_argv_machine(struct argv_builder *b, const char *binary, const char *name,
                       const char *accel, const char *cpu, unsigned vcpus,
                       unsigned memory_mib, const char *kernel);

struct qemu_proc {
    pid_t pid;
    int console_fd;             /* read end of QEMU's stdout (the serial console) */
};

/* Starts QEMU with stdin /dev/null, stdout a pipe and stderr appended to
 * stderr_path.  Returns false with a message in err. */
bool qemu_spawn(char *const argv[], const char *stderr_path, struct qemu_proc *p,
                char *err, size_t errcap);

struct qemu_outcome {
    bool exited;                /* reaped; status is valid */
    int status;                 /* waitpid status */
    bool timed_out;
    bool interrupted;           /* the user interrupted the tool */
};

/* Copies the console to serial_fd (and to stderr unless quiet) until QEMU
 * exits.  At deadline_ms, or when *stop becomes non-zero, sends SIGTERM,
 * then SIGKILL a few seconds later. */
void qemu_supervise(struct qemu_proc *p, int serial_fd, bool quiet, long long deadline_ms,
                    volatile sig_atomic_t *stop, struct qemu_outcome *out);

/* Called while qemu_supervise_watch() waits: tick about every 100 ms
 * (and after console output), before_echo before a console line is echoed
 * to stderr (e.g. to clear a progress line); either may be NULL. */
struct qemu_watch {
    void (*tick)(void *ctx);
    void (*before_echo)(void *ctx);
    void *ctx;
};

/* qemu_supervise() with a watch (NULL: none). */
void qemu_supervise_watch(struct qemu_proc *p, int serial_fd, bool quiet, long long deadline_ms,
                          volatile sig_atomic_t *stop, const struct qemu_watch *w,
                          struct qemu_outcome *out);

/* Stops QEMU at once (SIGKILL) and reaps it, e.g. when QMP setup failed. */
void qemu_kill(struct qemu_proc *p, struct qemu_outcome *out);

/* Explains a QEMU outcome.  Returns true when the guest reported success
 * through isa-debug-exit (exit status 1); otherwise writes why not. */
bool qemu_outcome_ok(const struct qemu_outcome *o, unsigned timeout_s,
                     char *why, size_t cap);

#endif
