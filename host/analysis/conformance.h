/*
 * The host's half of the conformance suite: judges each of the guest's
 * `conformance` records against its row of the shared case table
 * (bench/conformance_cases.c), writes conformance.csv and prints the
 * summary on the terminal.
 */
#ifndef HOST_CONFORMANCE_H
#define HOST_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>
#include "analysis/collect.h"

/* Which hypervisor answered the hypercalls.  In the lab and on a KVM host
 * it is KVM, of the Linux version that runs it (L1's kernel in the lab,
 * the host's own kernel otherwise). */
struct conformance_env {
    bool kvm;
    unsigned major, minor;          /* 0.0: version unknown */
    char release[64];               /* "6.1.0-56-amd64"; "" unknown */
};

/* From a run's meta.json (accelerator.name, lab.l1.kernel_release,
 * host.kernel); NULL or anything unreadable leaves it unknown. */
void conformance_env_from_meta(const json_t *meta, struct conformance_env *env);
/* The same from RUN/meta.json. */
void conformance_env_of_run(const char *run_dir, struct conformance_env *env);

/* One case judged. */
struct conformance_verdict {
    char outcome[40];               /* SUCCESS, ..., fault-ud, fault-gp, fault-N; "refused" */
    bool refused;                   /* the guest did not issue it: no verdicts */
    const char *tlfs;               /* the TLFS's outcome, "-" where it names none */
    const char *tlfs_verdict;       /* match, deviation, -, refused-by-guest */
    const char *kvm;                /* KVM's expected outcome, "-" if unknown */
    const char *kvm_verdict;        /* match, deviation, unknown, refused-by-guest */
    const char *reason;             /* why KVM answers so, or why refused/unknown; "" */
};

void conformance_judge(const json_t *rec, const struct conformance_env *env,
                       struct conformance_verdict *v);

struct conformance_counts {
    unsigned cases, refused;
    unsigned tlfs_match, tlfs_deviation, tlfs_none;
    unsigned kvm_match, kvm_deviation, kvm_unknown;
};

/* Writes RUN/conformance.csv when the guest ran the suite; true otherwise
 * too.  False with a message in err if the file cannot be written. */
bool conformance_write(const char *run_dir, const struct run_data *d, char *err, size_t errcap);

/* Prints "conformance: N cases ..." and one line per case whose outcome is
 * not the one expected of KVM; nothing when the suite did not run.  Fills
 * counts when not NULL. */
void conformance_print(FILE *out, const char *run_dir, const struct run_data *d,
                       struct conformance_counts *counts);

#endif
