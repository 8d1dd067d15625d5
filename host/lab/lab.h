/*
 * The nested lab: real KVM Hyper-V hypercalls on a host whose own KVM has
 * none.  L0 is the QEMU that hvflush starts (TCG emulating AMD SVM, or KVM
 * with nested virtualization where the host has it); L1 is a stock Debian
 * kernel with a busybox initramfs that loads KVM; L2 is the benchmark guest,
 * run by the host's own QEMU binary chrooted into the host's root, which L1
 * sees read-only over virtio-9p.  The run directory is a second, writable
 * 9p share mounted at its own path, so L2's command line names the same
 * files as a run without the lab (README.md, "The nested lab").
 *
 *   kernel.c   which Debian kernel package a --lab-kernel spec means
 *   modules.c  the load order of the modules L1 needs (pure)
 *   modinfo.c  the same, answered from an unpacked kernel package
 *   prepare.c  fetching the kernel and building the initramfs
 *                  (scripts/lab/prepare.sh does the archive work)
 *   files.c    L0's command line, RUN/lab/lab.env and RUN/lab/l2.sh
 *   run.c      the lab's part of "hvflush run": plan, files, outcome
 *   meta.c     meta.json's "lab" section
 *   cmd.c      "hvflush lab", the self-check
 */
#ifndef HOST_LAB_H
#define HOST_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "cli.h"

#define LAB_MODULES_MAX   48
#define LAB_MODULE_NAME   64
#define LAB_MODULE_FILE   256

/* ---- kernel packages (kernel.c) ---------------------------------------- */

/* Compares two version strings the way dpkg orders the digits and the
 * rest: runs of digits numerically, everything else character by
 * character.  Returns <0, 0 or >0. */
int lab_version_compare(const char *a, const char *b);

/* Splits "linux-image-<release>-amd64[-unsigned]" into its release (e.g.
 * "6.12.117+deb12" or "6.1.0-56").  False for any other name: meta
 * packages, -dbg, cloud and rt flavours. */
bool lab_kernel_release(const char *package, char *release, size_t cap, bool *is_unsigned);

/* Chooses the package that --lab-kernel SPEC means among apt's names:
 * an empty SPEC is default_package (what linux-image-amd64 depends on); a
 * full "linux-image-..." name is itself; otherwise the newest release that
 * starts with SPEC up to a '.', '-' or '+' ("6.12" takes 6.12.117+deb12
 * but not 6.120), the signed package before the unsigned one.  False with
 * "no Debian kernel package matches 'SPEC'" in err. */
bool lab_kernel_select(const char *spec, const char *default_package,
                       const char *const names[], size_t n,
                       char *out, size_t cap, char *err, size_t errcap);

/* ---- module load order (modules.c, modinfo.c) ----------------------- */

struct lab_module {
    char name[LAB_MODULE_NAME];     /* kernel spelling: kvm_amd, 9pnet_virtio */
    char file[LAB_MODULE_FILE];     /* relative to the unpacked package's root */
    const char *group;              /* "transport" or "kvm" */
};

struct lab_module_list {
    struct lab_module m[LAB_MODULES_MAX];
    unsigned n;
};

enum lab_lookup {
    LAB_MODULE_FOUND,               /* a file; its depends= list is filled in */
    LAB_MODULE_BUILTIN,             /* built into the kernel: nothing to load */
    LAB_MODULE_MISSING,             /* neither */
    LAB_MODULE_ERROR,               /* could not tell; err says why */
};

/* Answers what a module NAME is: its file and comma-separated depends=. */
typedef enum lab_lookup (*lab_lookup_fn)(void *ctx, const char *name,
                                         char *file, size_t filecap,
                                         char *depends, size_t depcap,
                                         char *err, size_t errcap);

/* The kernel's spelling of a module name: '-' becomes '_'; a path or a
 * ".ko", ".ko.xz" or ".ko.zst" suffix is dropped. */
void lab_module_name(const char *in, char *out, size_t cap);

/* Appends to list, in load order (every module after its dependencies),
 * the dependency closure of the NULL-terminated roots, tagged with group.
 * Modules already in list are not added twice; built-in ones are skipped.
 * False with a message on a missing module, a cycle or a full list. */
bool lab_modules_resolve(const char *const roots[], const char *group,
                         lab_lookup_fn lookup, void *ctx,
                         struct lab_module_list *list, char *err, size_t errcap);

/* The lookup over an unpacked package: modules_dir is its
 * lib/modules/<release>; depends= is read with modinfo -F depends. */
struct lab_modinfo;
struct lab_modinfo *lab_modinfo_open(const char *package_root, const char *modules_dir,
                                     char *err, size_t errcap);
enum lab_lookup lab_modinfo_lookup(void *ctx, const char *name, char *file, size_t filecap,
                                   char *depends, size_t depcap, char *err, size_t errcap);
void lab_modinfo_close(struct lab_modinfo *mi);

/* ---- preparation (prepare.c) ---------------------------------------------- */

struct lab_kernel {
    char package[128];              /* linux-image-6.1.0-56-amd64 */
    char version[64];               /* the package's version, 6.1.192-2 */
    char release[64];               /* uname -r of L1: 6.1.0-56-amd64 */
    char dir[PATH_MAX];             /* the cache entry */
    char kernel[PATH_MAX];          /* .../boot/vmlinuz-<release> */
    char initramfs[PATH_MAX];
    char busybox[PATH_MAX];
    char cache[PATH_MAX];
    bool kernel_cached, initramfs_cached;
    long long prepare_ms;
    struct lab_module_list modules;
};

/* The cache: $HVFLUSH_LAB_CACHE, $XDG_CACHE_HOME/hvflush/lab or
 * ~/.cache/hvflush/lab. */
bool lab_cache_dir(char *out, size_t cap);

/* Fetches (or finds in the cache) the kernel that spec means and builds
 * (or reuses) its initramfs for kvm_module.  False after printing one
 * "hvflush: lab: ..." line. */
bool lab_prepare(const char *root, const char *spec, const char *kvm_module, bool quiet,
                 struct lab_kernel *k);

/* ---- L0, L1 and L2 command lines and files (files.c) ----------------------- */

/* The hv-* flags L2 asks for; the optional ones are kept only where the
 * L1 kernel and QEMU accept them (the init probes them). */
#define LAB_L2_CPU_BASE     "qemu64,hv-vpindex,hv-relaxed,hv-tlbflush"
#define LAB_L2_CPU_OPTIONAL "hv-tlbflush-ext hv-xmm-input"

struct lab_l0_params {
    const char *binary;
    const char *accel;              /* "tcg" or "kvm" */
    const char *cpu;
    unsigned vcpus, memory_mib;
    const char *kernel, *initramfs;
    const char *run_dir;            /* exported read-write as tag "hvrun" */
    const char *qmp_socket;
};

/* L0's argv (NULL-terminated; free with qemu_argv_free), NULL on ENOMEM. */
char **lab_l0_argv(const struct lab_l0_params *p);

/* RUN/lab/l2.sh: the L2 argv as a POSIX sh script whose -cpu value is its
 * first argument, defaulting to requested_cpu.  Heap string or NULL. */
char *lab_l2_script(char *const argv[], const char *run_id, const char *requested_cpu);

/* RUN/lab/lab.env, sourced by the init.  Heap string or NULL. */
char *lab_env_text(const char *run_dir, const char *qemu, const char *kvm_module);

/* A single-quoted sh word.  Heap string or NULL. */
char *lab_sh_quote(const char *s);

/* ---- one lab run (run.c) ------------------------------------------------------ */

struct lab_plan {
    const char *l0_accel;           /* "tcg" or "kvm" (nested) */
    char l0_cpu[128];
    const char *kvm_module;         /* "kvm_amd" or "kvm_intel" */
    unsigned l1_vcpus, l1_memory_mib;
    struct lab_kernel k;
    char **l2_argv;
    /* What L1 left in RUN/lab after the run: */
    char l2_cpu[256];
    char l2_notes[1024];
    char l1_error[1024];
    int l2_status;                  /* -1: none written */
    json_t *l1_times;               /* {"init": 2.61, ...} L1 uptime, seconds */
    json_t *inner_hv;               /* L1 run's meta.json "hyperv_flags" */
    long long l0_ms;                /* L0 start to exit, host clock */
};

/* ---- the self-check (cmd.c) ------------------------------------------------- */

/* "hvflush lab": prepares the lab, boots the guest's bring-up in it and
 * reports what each level found.  Returns the exit status. */
int lab_command(const struct cli_options *o);

#endif
