/*
 * The nested lab: real KVM Hyper-V hypercalls on a host whose own KVM has
 * none.  L0 is the QEMU that hvflush starts (TCG emulating AMD SVM, or KVM
 * with nested virtualization where the host has it); L1 is a stock Debian
 * kernel with a busybox initramfs that loads KVM and then runs the host's
 * own "hvflush run --accel kvm" chrooted into L1's view of the host (a
 * read-only tree of only what that run needs, each file at its host path,
 * exported over virtio-9p; never the host's root): the same hv-flag
 * probing, launch and record checks as on a user's KVM host.  L2 is the benchmark guest that
 * run starts.  The run directory is a second, writable 9p share mounted at
 * its own path; L1's run writes its own run directory into RUN/lab/l2-run,
 * and the outer run adopts its records (README.md, "The nested lab").
 *
 *   kernel.c   which Debian kernel package a --lab-kernel spec means
 *   local.c    a kernel a developer built: --lab-kernel PATH
 *   bzimage.c  the release an x86 kernel image says it is
 *   modules.c  the load order of the modules L1 needs (pure)
 *   modinfo.c  the same, answered from an unpacked kernel package
 *   prepare.c  fetching the kernel and building the initramfs
 *                  (scripts/lab/prepare.sh does the archive work)
 *   files.c    L0's command line, L1's run's argv and RUN/lab/lab.env
 *   run.c      the lab's part of "hvflush run": plan, files, outcome
 *   meta.c     meta.json's "lab" section
 *   view_plan.c, view_tree.c, view.c
 *              L1's view of the host: what it holds, the tree in the cache
 *   l1_down.c  the explanation for an L1 that never came up
 *   cmd.c      "hvflush lab", the self-check
 */
#ifndef HOST_LAB_H
#define HOST_LAB_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
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

/* ---- a kernel a developer built (local.c, bzimage.c) ------------------ */

/* Where L1's kernel came from. */
enum lab_source {
    LAB_SOURCE_PACKAGE,             /* a Debian package from apt */
    LAB_SOURCE_INSTALL,             /* a bzImage beside lib/modules/<release> */
    LAB_SOURCE_TREE,                /* a kernel build tree */
};
/* "debian-package", "install-dir", "build-tree" (meta.json). */
const char *lab_source_name(enum lab_source s);

/* True when a --lab-kernel spec names a path: it has a '/' or exists. */
bool lab_kernel_is_path(const char *spec);

/* The release ("6.1.0-56-amd64") an x86 bzImage says it is: the first word
 * of the setup header's kernel_version string (header offset 0x20e holds
 * its place, relative to 0x200).  False with why in err: no "HdrS" setup
 * header (not an x86 kernel), a 32-bit kernel, no or a bad string. */
bool lab_bzimage_release_buf(const unsigned char *buf, size_t len, char *release,
                             size_t cap, char *err, size_t errcap);
/* The same for a file; err starts with the path. */
bool lab_bzimage_release(const char *path, char *release, size_t cap, char *err,
                         size_t errcap);

struct lab_local {
    enum lab_source kind;           /* LAB_SOURCE_INSTALL or LAB_SOURCE_TREE */
    char path[PATH_MAX];            /* the folder (real path) */
    char kernel[PATH_MAX];          /* its kernel image */
    char release[64];               /* read from the image */
    char modules_dir[PATH_MAX];     /* PATH/lib/modules/<release>, or the tree */
};

/* Classifies a --lab-kernel path: a folder with one bzImage or vmlinuz-*
 * (or boot/vmlinuz-*) and lib/modules/<release>; a build tree (it has
 * include/config/kernel.release) with arch/x86/boot/bzImage of the same
 * release; or a kernel image file, taken with the folder around it.
 * False with one line in err naming what is missing or which releases
 * differ. */
bool lab_local_classify(const char *spec, struct lab_local *l, char *err, size_t errcap);

/* The cache entry a local kernel's initramfs is built in:
 * CACHE/local-<release>-<hash of the path>, with "root" a symlink to the
 * folder.  False with why in err. */
bool lab_local_entry(const char *cache, const struct lab_local *l, char *dir, size_t cap,
                     char *err, size_t errcap);

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
/* The lookup over a kernel build tree: its built modules are the ones
 * modules.order names (".o" read as ".ko"), built-in ones those of
 * modules.builtin; files are relative to tree. */
struct lab_modinfo *lab_modinfo_open_tree(const char *tree, char *err, size_t errcap);
/* The release a module file (relative to the lookup's root) was built
 * for: the first word of its vermagic.  False with why in err. */
bool lab_modinfo_release(struct lab_modinfo *mi, const char *file, char *release,
                         size_t cap, char *err, size_t errcap);
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
    enum lab_source source;         /* where the kernel came from */
    char source_path[PATH_MAX];     /* --lab-kernel PATH's real path; "" for a package */
};

/* The cache: $HVFLUSH_LAB_CACHE, $XDG_CACHE_HOME/hvflush/lab or
 * ~/.cache/hvflush/lab. */
bool lab_cache_dir(char *out, size_t cap);

/* Fetches (or finds in the cache) the kernel that spec means, or takes
 * the one a developer built where spec is a path (lab_kernel_is_path), and
 * builds (or reuses) its initramfs for kvm_module.  False after printing
 * one "hvflush: lab: ..." line. */
bool lab_prepare(const char *root, const char *spec, const char *kvm_module, bool quiet,
                 struct lab_kernel *k);

/* ---- L0's command line, L1's run and its files (files.c) --------------------- */

/* L2's CPU model when --cpu is not given: the same as the lab always used,
 * so lab figures stay comparable (L1's cpuinfo shows svm, and L1's run
 * must not pick "host" by itself). */
#define LAB_L2_CPU_DEFAULT "qemu64"
/* Where L1's run writes its run directory, under RUN/lab. */
#define LAB_L1_RUN_DIR "l2-run"

struct lab_l0_params {
    const char *binary;
    const char *accel;              /* "tcg" or "kvm" */
    const char *cpu;
    unsigned vcpus, memory_mib;
    const char *kernel, *initramfs;
    const char *run_dir;            /* exported read-write as tag "hvrun" */
    const char *qmp_socket;
    const char *host_view;          /* L1's view of the host, exported read-only */
};

/* L0's argv (NULL-terminated; free with qemu_argv_free), NULL on ENOMEM. */
char **lab_l0_argv(const struct lab_l0_params *p);

/* What L1's own "hvflush run --accel kvm" is given: the outer run's
 * options that concern L2, with every file named by its real path (L1 sees
 * them at those paths in its view of the host, and the run directory over
 * its own path). */
struct lab_l1_run_params {
    const char *hvflush;            /* the host's hvflush binary */
    const char *run_dir;            /* the outer run's directory */
    const char *guest, *qemu;
    unsigned smp, memory_mib, timeout_s;
    const char *pin;                /* pin policy name */
    const char *hv;                 /* --hv as hv_request_name() spells it */
    const char *cpu;                /* NULL: LAB_L2_CPU_DEFAULT */
    bool quiet;
    const char *image;              /* --image: its real path, instead of the sweep */
    const char *firmware;           /* with image: "bios" (NULL) or "uefi" */
};

/* L1's run's argv: hvflush run --accel kvm ... --sweep RUN/sweep.txt
 * --out RUN/lab/l2-run (with an image: --image FILE --firmware F instead
 * of --sweep and --guest).  NULL-terminated, free with qemu_argv_free; NULL
 * on ENOMEM. */
char **lab_l1_run_argv(const struct lab_l1_run_params *p);

/* RUN/lab/lab.env, sourced by the init: the run directory, the KVM
 * module, the timing class L1's run reports (HVFLUSH_NESTED_IN) and L1's
 * run's argv as sh words (HVFLUSH_L1_RUN, for eval "set -- ...").  Heap
 * string or NULL. */
char *lab_env_text(const char *run_dir, const char *kvm_module, const char *nested_in,
                   char *const l1_run_argv[]);

/* A single-quoted sh word.  Heap string or NULL. */
char *lab_sh_quote(const char *s);

/* ---- one lab run (run.c) ------------------------------------------------------ */

struct lab_plan {
    const char *l0_accel;           /* "tcg" or "kvm" (nested) */
    char l0_cpu[128];
    const char *kvm_module;         /* "kvm_amd" or "kvm_intel" */
    unsigned l1_vcpus, l1_memory_mib;
    struct lab_kernel k;
    char **l1_run_argv;
    /* What L1 left in RUN/lab after the run: */
    char l1_error[1024];
    int l1_run_status;              /* L1's run's exit status; -1: none written */
    char l1_run_dir[PATH_MAX];      /* RUN/lab/l2-run/<id>; "" if none */
    json_t *l1_times;               /* {"init": 2.61, ...} L1 uptime, seconds */
    json_t *inner_meta;             /* L1's run's meta.json, NULL if none */
    json_t *inner_hv;               /* its "hyperv_flags" (borrowed from inner_meta) */
    long long l0_ms;                /* L0 start to exit, host clock */
    char image[PATH_MAX];           /* --image's real path; "" without one */
    unsigned stalled_attempts;      /* attempts ended by the L2 start watchdog (l2_watch.h) */
    bool l2_stalled;                /* the last attempt ended by it */
    char view[PATH_MAX];            /* L1's view of the host (view.c) */
    char view_mount[PATH_MAX];      /* the run directory's mount point in it */
};

/* After L0's exit (adopt.c): finds L1's run directory in RUN/lab/l2-run,
 * reads its meta.json, copies its records.txt to RUN/records.txt (the
 * outer run's record checks, summary and plots then work unchanged) and
 * prints its hv-flag line.  Best effort: what is missing stays empty. */
struct run_info;
void lab_adopt_l1_run(struct run_info *ri);

/* An image run in the lab (--image) has no sweep of its own: it takes the
 * one L1's import found in the image's serial log (L1's RUN/sweep.txt),
 * expands it as run does, writes it to RUN/sweep.txt and collects the
 * adopted records against it.  False with why in ri->reason. */
bool lab_adopt_image_sweep(struct run_info *ri);

/* Where L0 runs: KVM with nested virtualization where the host has VMX or
 * SVM, a usable KVM and the module's nested=1 (timing class
 * nested-hardware); otherwise TCG emulating AMD SVM with nested paging
 * (nested-emulated).  Fills l0_accel, l0_cpu and kvm_module. */
void lab_choose_l0(bool kvm_usable, bool host_vmx, bool host_svm, bool nested_on,
                   struct lab_plan *lab);

/* ---- L1's view of the host (view_plan.c, view_tree.c, view.c) --------------- */

struct run_info;

/* L1 sees of the host only a read-only tree that hvflush assembles in the
 * cache: the QEMU binary, its data directories (QEMU's own -L help), the
 * hvflush binary, each with the libraries the dynamic loader lists for it,
 * the guest (or the --image ISO, and OVMF for UEFI), /etc/ld.so.cache and
 * /etc/localtime, every file at its host path (a hard link where the cache
 * is on the same file system, else a copy), every symlink on the way kept.
 * The run directory is mounted over its own path in it. */
enum lab_view_kind { LAB_VIEW_DIR, LAB_VIEW_FILE, LAB_VIEW_LINK, LAB_VIEW_ABSENT };

struct lab_view_entry {
    enum lab_view_kind kind;        /* DIR, FILE or LINK */
    char *path;                     /* the host path */
    char *target;                   /* a link's target, as readlink gives it */
    struct stat st;                 /* lstat of path: the entry's identity */
};

struct lab_view_plan {
    struct lab_view_entry *e;       /* parents before what they hold */
    size_t n, cap;
};

/* What a path added to a plan turned out to be. */
struct lab_view_found {
    enum lab_view_kind kind;        /* DIR, FILE, or ABSENT (not required) */
    bool is_new;                    /* the final entry was not in the plan yet */
    char real[PATH_MAX];            /* its path with every symlink resolved */
};

/* Adds absolute path to the plan as the kernel resolves it: each directory
 * on the way, each symlink (kept as a symlink; its target is walked in
 * turn) and the final regular file or directory.  A missing path is an
 * error when required, else found->kind is LAB_VIEW_ABSENT.  found may be
 * NULL.  False with why in err. */
bool lab_view_add(struct lab_view_plan *p, const char *path, bool required,
                  struct lab_view_found *found, char *err, size_t errcap);
/* Adds a directory and everything under it (absent: nothing). */
bool lab_view_add_dir(struct lab_view_plan *p, const char *dir, char *err, size_t errcap);
/* Adds an executable, its PT_INTERP loader and every library that loader's
 * --list names for it; a library the loader cannot find is an error. */
bool lab_view_add_binary(struct lab_view_plan *p, const char *binary, char *err,
                         size_t errcap);
void lab_view_plan_free(struct lab_view_plan *p);

/* The PT_INTERP of a 64-bit little-endian ELF file held in buf (its start):
 * out is "" for a static binary.  False with why in err. */
bool lab_elf_interp(const unsigned char *buf, size_t len, char *out, size_t cap, char *err,
                    size_t errcap);

/* Calls add for each file the output of "ld.so --list BINARY" names:
 * "NAME => PATH (0x...)" and the loader's "PATH (0x...)"; the vDSO (no
 * path) is skipped.  "NAME => not found" is an error.  False with why in
 * err (add's own, or the missing library). */
typedef bool (*lab_view_path_fn)(void *ctx, const char *path, char *err, size_t errcap);
bool lab_ldso_parse(const char *text, lab_view_path_fn add, void *ctx, char *err,
                    size_t errcap);

/* A hash of the plan: every entry's path, kind, link target and identity
 * (device, inode, size, mtime, mode), so that a changed binary, library
 * or firmware file makes a new tree. */
unsigned long long lab_view_key(const struct lab_view_plan *p);

/* The tree for the plan: CACHE/view-<key>, built (into a temporary
 * CACHE/.view-tmp-* renamed into place, so that runs at once share it) or
 * found, with the mount points /dev, /proc and /sys.  Trees not used for a
 * day are removed.  *built says whether it was made now.  False with why
 * in err. */
bool lab_view_build(const struct lab_view_plan *p, const char *cache, char *tree,
                    size_t cap, bool *built, char *err, size_t errcap);
/* Makes TREE/path (and its parents) a directory to mount on: the run
 * directory's mount point.  False with why in err. */
bool lab_view_mount_point(const char *tree, const char *path, char *err, size_t errcap);
/* Removes TREE/path and its parents while they are empty, the top level
 * (/dev, /proc, ...) kept. */
void lab_view_unmount_point(const char *tree, const char *path);

/* A run's view (view.c): plans and builds it for the run's QEMU, guest or
 * image and hvflush into lab->view; false after one "hvflush: lab: ..."
 * line. */
bool lab_view_prepare(struct run_info *ri);
/* Before L0 starts: the run directory's mount point in the view, and
 * RUN/lab/l1-probe, the host paths L1's init probes (the private ones,
 * $HVFLUSH_LAB_PROBE's, and three L1 must see).  False with why in err. */
bool lab_view_start(struct run_info *ri, const char *hvflush, char *err, size_t errcap);
/* After the run: removes the mount point again. */
void lab_view_finish(struct run_info *ri);

/* ---- an L1 that never came up (l1_down.c) ----------------------------------- */

/* Appends to why (after "; " where it is not empty) "lab: L1 never came
 * up: ..." with the last word of L1's console (a panic line, else its last
 * line) and where that console log is (RUN/serial.log).  For a run whose
 * L1 wrote no step into RUN/lab/l1-times; where L1's init printed its
 * first console line, "lab: L1's init stopped before it reached the run
 * directory" instead. */
void lab_l1_never_up(const struct run_info *ri, char *why, size_t cap);

/* ---- the self-check (cmd.c) ------------------------------------------------- */

/* "hvflush lab": prepares the lab, boots the guest's bring-up in it and
 * reports what each level found.  Returns the exit status. */
int lab_command(const struct cli_options *o);

#endif
