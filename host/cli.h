/*
 * Command-line parsing for the hvflush tool.  cli_parse() only checks and
 * stores what the user typed; defaults that depend on where the tool lives
 * (results directory, guest image, sweep file) are resolved later by
 * paths.c, so parsing stays a pure function that unit tests can call.
 */
#ifndef HOST_CLI_H
#define HOST_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "hv_flags.h"
#include "pin.h"

enum cli_command {
    CMD_RUN,
    CMD_PLOT,
    CMD_LAB,
    CMD_HELP,
    CMD_VERSION,
    CMD_CROSSCHECK,             /* hvflush crosscheck vmexit (crosscheck.h) */
};

enum accel_choice {
    ACCEL_AUTO,
    ACCEL_KVM,
    ACCEL_TCG,
    ACCEL_LAB,                  /* the nested lab (host/lab/lab.h) */
};

#define CLI_SMP_MAX       255
#define CLI_TIMEOUT_MAX   86400
#define CLI_MEMORY_MIN    32
#define CLI_MEMORY_MAX    65536
#define CLI_LABEL_MAX     64
#define CLI_LAB_MEMORY_MIN 512
#define CLI_LAB_MEMORY_DEFAULT 2048
#define CLI_REPEAT_MAX    1000

struct cli_options {
    enum cli_command command;
    enum accel_choice accel;
    unsigned smp;               /* 0 until resolved: one vCPU per host PU, 2 to 8 */
    const char *sweep;          /* NAME or FILE as typed */
    enum pin_policy pin;
    const char *out;            /* NULL: <root>/results */
    const char *label;          /* NULL: none */
    unsigned timeout_s;
    unsigned memory_mib;
    const char *guest;          /* NULL: next to the executable */
    const char *qemu;           /* NULL: qemu-system-x86_64 from PATH */
    bool quiet;
    const char *plot_dir;       /* CMD_PLOT's RUN_DIR */
    /* The nested lab (--accel lab, and "hvflush lab"): */
    const char *lab_kernel;     /* --lab-kernel VERSION or PATH; NULL: the distro's default */
    unsigned lab_memory_mib;    /* L1's memory */
    unsigned lab_vcpus;         /* L1's vCPUs; 0 until resolved: max(--smp, 2) */
    bool sweep_given;           /* --sweep was typed ("hvflush lab" has its own) */
    bool seed_given;            /* --seed N: shuffle the configuration order */
    unsigned seed;
    /* The guest's CPU (KVM runs; the lab passes them to L1's run): */
    struct hv_request hv;       /* --hv auto|off|FLAG[,FLAG...] */
    bool hv_given;              /* --hv was typed */
    const char *cpu;            /* --cpu MODEL; NULL: host on hardware KVM, else qemu64 */
    const char *kut_dir;        /* crosscheck's --kut DIR (a kvm-unit-tests tree) */
    /* Getting data out (bench/record-format.md, "Channel"; host/analysis/repeat.c): */
    bool channel_debugcon;      /* --channel debugcon: no results area */
    unsigned repeat;            /* --repeat R: boots of the same sweep (default 1) */
    struct pin_spec pin_spec;   /* --pin as given, with its argument (pin.h); pin is its policy */
    /* The portable image (host/run_image.c): */
    const char *image;          /* --image FILE.iso: boot it instead of the guest ELF */
    const char *firmware;       /* --firmware bios|uefi (NULL: bios) */
    unsigned lab_l2_wait_s;     /* --lab-l2-wait S: L2's first output after L1 starts its
                                   run (host/lab/l2_watch.c); 0: 120 + 3 per L1 vCPU */
    unsigned stall_timeout_s;   /* --stall-timeout SEC: stop a guest silent that long; 0 off */
};

/* Parses argv (argv[0] is the program name).  Returns true on success; on
 * failure returns false with a one-line message (without the "hvflush: "
 * prefix) in err. */
bool cli_parse(int argc, char *const argv[], struct cli_options *o,
               char *err, size_t errcap);

const char *accel_choice_name(enum accel_choice a);

/* The usage text printed by "hvflush help". */
extern const char cli_usage[];

#endif
