/*
 * Command-line parsing for the hvflush tool (see cli.h).  Options take their
 * value either as the next argument ("--smp 4") or after '=' ("--smp=4").
 * A repeated option overrides the earlier one.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char cli_usage[] =
    "usage: hvflush run [options]     boot the guest, measure a sweep, write a run directory\n"
    "       hvflush plot RUN_DIR      draw the plots of a finished run into RUN_DIR/plots\n"
    "       hvflush lab [options]     prepare the nested lab and check that it works\n"
    "       hvflush crosscheck vmexit --kut DIR [options]\n"
    "                                 the IPI round trip and cpuid exit against\n"
    "                                 kvm-unit-tests' x86/vmexit.flat (built in DIR if\n"
    "                                 missing) on the same QEMU, -accel and -cpu; takes\n"
    "                                 the run options but --sweep and the lab's\n"
    "                                 (--smp default 2); writes RUN/crosscheck.csv\n"
    "       hvflush compare RUN_A RUN_B [RUN ...] [options]\n"
    "                                 compare runs configuration by configuration\n"
    "                                 (hvflush compare --help)\n"
    "       hvflush runs [DIR]        list the runs under DIR (default <root>/results)\n"
    "       hvflush report RUN [RUN ...] [options]\n"
    "                                 one self-contained HTML report (hvflush report --help)\n"
    "       hvflush pin --policy P --smp N [options]\n"
    "                                 print a pinning plan (hvflush pin --help)\n"
    "       hvflush image [--sweep NAME|FILE] -o FILE.iso\n"
    "                                 a BIOS/UEFI boot image of the guest and a sweep for\n"
    "                                 other hypervisors (hvflush image --help)\n"
    "       hvflush import SERIAL_LOG [options]\n"
    "                                 a serial log of the portable image into a run\n"
    "                                 directory (hvflush import --help)\n"
    "       hvflush help | --help     this text\n"
    "       hvflush version           the tool's version and git revision\n"
    "\n"
    "run options:\n"
    "  --accel auto|kvm|tcg|lab accelerator (default auto, which says why it chose:\n"
    "                           kvm with Hyper-V where the local KVM accepts hv-tlbflush;\n"
    "                           else lab when the sweep has hv-* lines; else kvm when\n"
    "                           /dev/kvm works, else tcg); lab: the guest under a Debian\n"
    "                           kernel's KVM (with Hyper-V) nested in a QEMU the host\n"
    "                           starts, where L1 runs hvflush run --accel kvm itself\n"
    "  --smp N                  vCPUs, 1-255 (default: host PUs, 2 to 8)\n"
    "  --sweep NAME|FILE        sweep to measure: NAME is <root>/bench/sweeps/NAME.sweep\n"
    "                           (default smoke); a path or *.sweep is read as a file\n"
    "  --seed N                 run the configurations in an order shuffled by N (recorded\n"
    "                           in meta.json; default: the sweep's order)\n"
    "  --pin POLICY             vCPU thread placement on host PUs (default compact): none,\n"
    "                           compact, scatter, smt-pairs, same-llc, cross-llc,\n"
    "                           cross-numa, overcommit:N, cpus:LIST (hvflush pin --help);\n"
    "                           QEMU's other threads go to the PUs left free\n"
    "  --out DIR                results directory (default <root>/results)\n"
    "  --label TEXT             free-form label, stored in meta.json and the run id\n"
    "  --timeout SEC            kill QEMU after SEC seconds (default 1800)\n"
    "  --stall-timeout SEC      stop QEMU when the guest writes nothing (no record, no\n"
    "                           console output) for SEC seconds (default off)\n"
    "  --memory MiB             guest memory (default 256)\n"
    "  --guest ELF              guest kernel (default: hvflush-guest.elf next to hvflush)\n"
    "  --qemu PATH              QEMU binary (default qemu-system-x86_64 from PATH)\n"
    "  --quiet                  do not echo the guest console nor show progress\n"
    "  --hv auto|off|FLAG,...   Hyper-V enlightenments for KVM (default auto: hv-vpindex,\n"
    "                           hv-relaxed, hv-tlbflush, hv-tlbflush-ext, hv-xmm-input,\n"
    "                           hv-ipi, hv-frequencies); each is probed and kept only\n"
    "                           where QEMU + KVM accept it (meta.json: hyperv_flags)\n"
    "  --cpu MODEL              guest CPU model (default: host on hardware KVM, else\n"
    "                           qemu64; the lab's L2 uses qemu64)\n"
    "  --repeat R               boot the guest R times with the same sweep and report\n"
    "                           the between-boot variation (repeat.csv; default 1)\n"
    "  --channel area|debugcon  records through the results area in guest RAM, with\n"
    "                           progress on isa-debugcon (default area where it can be\n"
    "                           set up), or all through isa-debugcon\n"
    "  --image FILE.iso         boot the portable image (hvflush image) instead, with\n"
    "                           none of the devices above, COM1 into RUN/serial.log,\n"
    "                           then import that log (hvflush import); the sweep is the\n"
    "                           image's (no --sweep)\n"
    "  --firmware bios|uefi     with --image: SeaBIOS (default) or OVMF\n"
    "\n"
    "nested lab options (with --accel lab, and for hvflush lab):\n"
    "  --lab-kernel VERSION     L1 kernel: 6.1, 6.12, a release such as 6.1.0-56 or a\n"
    "                           full linux-image-... package (default: what Debian's\n"
    "                           linux-image-amd64 names); fetched with apt into\n"
    "                           $HVFLUSH_LAB_CACHE or ~/.cache/hvflush/lab\n"
    "  --lab-kernel PATH        or a kernel you built: a folder with bzImage and\n"
    "                           lib/modules/<release> (make modules_install\n"
    "                           INSTALL_MOD_PATH=PATH), or a kernel build tree\n"
    "  --lab-memory MiB         L1 memory (default 2048)\n"
    "  --lab-vcpus N            L1 vCPUs, at least --smp (default: --smp, at least 2)\n"
    "  --lab-l2-wait S          L2 must write its first console byte within S seconds of\n"
    "                           L1 starting its run (and no quiet time that long before\n"
    "                           the guest's first line), else the attempt is stalled and\n"
    "                           tried once more (default 120 + 3 per L1 vCPU)\n"
    "hvflush lab boots the guest's bring-up in the lab and reports what it found; it\n"
    "takes the run options but --sweep, and keeps its run only with --out.\n"
    "\n"
    "<root> is the directory above the one holding the hvflush binary, or $HVFLUSH_ROOT.\n"
    "Exit status: 0 run ok, 1 run failed, 2 usage or input error,\n"
    "3 run complete but a configuration read fail or error.\n";

const char *accel_choice_name(enum accel_choice a)
{
    switch (a) {
    case ACCEL_AUTO: return "auto";
    case ACCEL_KVM: return "kvm";
    case ACCEL_TCG: return "tcg";
    case ACCEL_LAB: return "lab";
    }
    return "?";
}

static void defaults(struct cli_options *o)
{
    memset(o, 0, sizeof(*o));
    o->command = CMD_HELP;
    o->accel = ACCEL_AUTO;
    o->smp = 0;                 /* resolved against the host: pin_default_vcpus() */
    o->sweep = "smoke";
    o->pin = PIN_COMPACT;
    pin_spec_default(&o->pin_spec);
    o->timeout_s = 1800;
    o->memory_mib = 256;
    o->lab_memory_mib = CLI_LAB_MEMORY_DEFAULT;
    o->repeat = 1;
}

/* Parses a decimal number in [lo, hi] with nothing else around it. */
static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
    unsigned long v;
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool number_option(const char *name, const char *val, unsigned lo,
                          unsigned hi, unsigned *out, char *err, size_t cap)
{
    if (parse_uint(val, lo, hi, out))
        return true;
    fmt(err, cap, "%s: '%s' is not a number between %u and %u", name, val, lo, hi);
    return false;
}

static bool run_option(struct cli_options *o, const char *name, const char *val,
                       char *err, size_t cap)
{
    if (!strcmp(name, "--accel")) {
        if (!strcmp(val, "auto"))
            o->accel = ACCEL_AUTO;
        else if (!strcmp(val, "kvm"))
            o->accel = ACCEL_KVM;
        else if (!strcmp(val, "tcg"))
            o->accel = ACCEL_TCG;
        else if (!strcmp(val, "lab"))
            o->accel = ACCEL_LAB;
        else
            return fmt(err, cap, "--accel: '%s' is not one of auto, kvm, tcg, lab", val), false;
        return true;
    }
    if (!strcmp(name, "--smp"))
        return number_option(name, val, 1, CLI_SMP_MAX, &o->smp, err, cap);
    if (!strcmp(name, "--seed")) {
        o->seed_given = true;
        return number_option(name, val, 0, UINT_MAX, &o->seed, err, cap);
    }
    if (!strcmp(name, "--timeout"))
        return number_option(name, val, 1, CLI_TIMEOUT_MAX, &o->timeout_s, err, cap);
    if (!strcmp(name, "--stall-timeout"))
        return number_option(name, val, 1, CLI_TIMEOUT_MAX, &o->stall_timeout_s, err, cap);
    if (!strcmp(name, "--memory"))
        return number_option(name, val, CLI_MEMORY_MIN, CLI_MEMORY_MAX, &o->memory_mib,
                             err, cap);
    if (!strcmp(name, "--lab-memory"))
        return number_option(name, val, CLI_LAB_MEMORY_MIN, CLI_MEMORY_MAX,
                             &o->lab_memory_mib, err, cap);
    if (!strcmp(name, "--lab-vcpus"))
        return number_option(name, val, 1, CLI_SMP_MAX, &o->lab_vcpus, err, cap);
    if (!strcmp(name, "--lab-l2-wait"))
        return number_option(name, val, 1, CLI_TIMEOUT_MAX, &o->lab_l2_wait_s, err, cap);
    if (!strcmp(name, "--repeat"))
        return number_option(name, val, 1, CLI_REPEAT_MAX, &o->repeat, err, cap);
    if (!strcmp(name, "--channel")) {
        if (strcmp(val, "area") && strcmp(val, "debugcon"))
            return fmt(err, cap, "--channel: '%s' is not one of area, debugcon", val), false;
        o->channel_debugcon = !strcmp(val, "debugcon");
        return true;
    }
    if (!strcmp(name, "--pin")) {
        char why[256];

        if (!pin_spec_parse(val, &o->pin_spec, why, sizeof(why)))
            return fmt(err, cap, "--pin: %s", why), false;
        o->pin = o->pin_spec.policy;
        return true;
    }
    if (!strcmp(name, "--label")) {
        size_t n = strlen(val);

        if (n == 0 || n > CLI_LABEL_MAX)
            return fmt(err, cap, "--label: must be 1 to %d characters", CLI_LABEL_MAX), false;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)val[i] < ' ' || val[i] == 0x7f)
                return fmt(err, cap, "--label: control characters are not allowed"), false;
        /* The label becomes part of the run directory's name. */
        if (strchr(val, '/'))
            return fmt(err, cap, "--label: '/' is not allowed (the label names the run "
                       "directory, which stays directly under the results directory)"), false;
        o->label = val;
        return true;
    }
    if (!*val)
        return fmt(err, cap, "%s: empty value", name), false;
    if (!strcmp(name, "--sweep")) {
        o->sweep = val;
        o->sweep_given = true;
    } else if (!strcmp(name, "--lab-kernel"))
        o->lab_kernel = val;
    else if (!strcmp(name, "--out"))
        o->out = val;
    else if (!strcmp(name, "--guest"))
        o->guest = val;
    else if (!strcmp(name, "--qemu"))
        o->qemu = val;
    else if (!strcmp(name, "--cpu"))
        o->cpu = val;
    else if (!strcmp(name, "--kut"))
        o->kut_dir = val;
    else if (!strcmp(name, "--image"))
        o->image = val;
    else if (!strcmp(name, "--firmware")) {
        if (strcmp(val, "bios") && strcmp(val, "uefi"))
            return fmt(err, cap, "--firmware: '%s' is not one of bios, uefi", val), false;
        o->firmware = val;
    }
    else if (!strcmp(name, "--hv")) {
        o->hv_given = true;
        return hv_request_parse(val, &o->hv, err, cap);
    }
    else
        return fmt(err, cap, "unknown option '%s' (see hvflush help)", name), false;
    return true;
}

static const char *const value_options[] = {
    "--accel", "--smp", "--sweep", "--pin", "--out", "--label", "--timeout",
    "--memory", "--guest", "--qemu", "--lab-kernel", "--lab-memory", "--lab-vcpus", "--seed",
    "--hv", "--cpu", "--kut", "--repeat", "--channel",
    "--image", "--firmware", "--lab-l2-wait", "--stall-timeout", NULL,
};

static bool takes_value(const char *name)
{
    for (int i = 0; value_options[i]; i++)
        if (!strcmp(name, value_options[i]))
            return true;
    return false;
}

/* The lab's options make sense only in the lab; "hvflush lab" runs the
 * lab and brings its own sweep. */
static bool check_lab_options(struct cli_options *o, char *err, size_t cap)
{
    bool lab_options = o->lab_kernel || o->lab_vcpus || o->lab_l2_wait_s ||
                       o->lab_memory_mib != CLI_LAB_MEMORY_DEFAULT;

    if (o->kut_dir && o->command != CMD_CROSSCHECK)
        return fmt(err, cap, "--kut is an option of hvflush crosscheck vmexit"), false;
    if (o->command == CMD_CROSSCHECK) {
        if (!o->kut_dir)
            return fmt(err, cap, "crosscheck vmexit needs --kut DIR (a kvm-unit-tests "
                       "source tree)"), false;
        if (o->accel == ACCEL_LAB || lab_options)
            return fmt(err, cap, "crosscheck: the nested lab is not supported "
                       "(--accel kvm or tcg)"), false;
        if (o->sweep_given)
            return fmt(err, cap, "crosscheck: --sweep: the cross-check measures its own "
                       "sweep"), false;
        if (o->smp == 1)
            return fmt(err, cap, "crosscheck: --smp 1: the IPI round trip needs at least "
                       "2 vCPUs"), false;
        return true;
    }

    if (o->command == CMD_LAB) {
        if (o->accel != ACCEL_AUTO && o->accel != ACCEL_LAB)
            return fmt(err, cap, "lab: --accel %s: the self-check always uses the lab",
                       accel_choice_name(o->accel)), false;
        if (o->sweep_given)
            return fmt(err, cap, "lab: --sweep: the self-check runs its own bring-up sweep; "
                       "use hvflush run --accel lab --sweep ..."), false;
        o->accel = ACCEL_LAB;
        return true;
    }
    /* With --accel auto the lab may be chosen later; run_prepare checks. */
    if (lab_options && o->accel != ACCEL_LAB && o->accel != ACCEL_AUTO)
        return fmt(err, cap, "--lab-kernel, --lab-memory, --lab-vcpus and --lab-l2-wait "
                   "need --accel lab (or auto)"), false;
    return true;
}

static bool parse_run(int argc, char *const argv[], int i, struct cli_options *o,
                      char *err, size_t cap)
{
    for (; i < argc; i++) {
        const char *arg = argv[i], *eq, *val;
        char name[32];

        if (!strcmp(arg, "--quiet")) {
            o->quiet = true;
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            o->command = CMD_HELP;
            return true;
        }
        if (strncmp(arg, "--", 2) != 0)
            return fmt(err, cap, "run: unexpected argument '%s' (see hvflush help)", arg),
                   false;
        eq = strchr(arg, '=');
        if (!fmt(name, sizeof(name), "%.*s", (int)(eq ? eq - arg : (long)strlen(arg)), arg) ||
            !takes_value(name))
            return fmt(err, cap, "unknown option '%.*s' (see hvflush help)",
                       (int)(eq ? eq - arg : (long)strlen(arg)), arg), false;
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc)
                return fmt(err, cap, "%s needs a value", name), false;
            val = argv[++i];
        }
        if (!run_option(o, name, val, err, cap))
            return false;
    }
    if (o->firmware && !o->image)
        return fmt(err, cap, "--firmware needs --image FILE.iso"), false;
    if (o->image && o->command != CMD_RUN)
        return fmt(err, cap, "--image is an option of hvflush run"), false;
    return check_lab_options(o, err, cap);
}

bool cli_parse(int argc, char *const argv[], struct cli_options *o,
               char *err, size_t cap)
{
    const char *cmd;

    defaults(o);
    err[0] = '\0';
    if (argc < 2)
        return fmt(err, cap, "no command given (see hvflush help)"), false;
    cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        o->command = CMD_HELP;
        return true;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        o->command = CMD_VERSION;
        return true;
    }
    if (!strcmp(cmd, "run")) {
        o->command = CMD_RUN;
        return parse_run(argc, argv, 2, o, err, cap);
    }
    if (!strcmp(cmd, "lab")) {
        o->command = CMD_LAB;
        return parse_run(argc, argv, 2, o, err, cap);
    }
    if (!strcmp(cmd, "crosscheck")) {
        o->command = CMD_CROSSCHECK;
        if (argc < 3 || strcmp(argv[2], "vmexit") != 0)
            return fmt(err, cap, "crosscheck: the only check is 'vmexit' (hvflush "
                       "crosscheck vmexit --kut DIR)"), false;
        return parse_run(argc, argv, 3, o, err, cap);
    }
    if (!strcmp(cmd, "plot")) {
        o->command = CMD_PLOT;
        if (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
            o->command = CMD_HELP;
            return true;
        }
        if (argc != 3)
            return fmt(err, cap, "plot takes exactly one argument, the run directory "
                       "(e.g. hvflush plot results/latest)"), false;
        if (argv[2][0] == '-' && argv[2][1] == '-')
            return fmt(err, cap, "unknown option '%s' (see hvflush help)", argv[2]), false;
        o->plot_dir = argv[2];
        return true;
    }
    if (cmd[0] == '-')
        return fmt(err, cap, "unknown option '%s' (see hvflush help)", cmd), false;
    return fmt(err, cap, "unknown command '%s' (see hvflush help)", cmd), false;
}
