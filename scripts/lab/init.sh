#!/bin/sh
# /init of the nested lab's L1: a stock Debian kernel with this busybox
# initramfs (built by scripts/lab/prepare.sh).  It loads the virtio-9p
# modules, mounts the run directory (9p tag "hvrun", read-write), reads
# RUN/lab/lab.env written by hvflush, loads KVM, mounts L1's view of the
# host (9p tag "hostroot", read-only: a tree hvflush assembled with only
# QEMU, hvflush, their libraries, QEMU's firmware and the guest or image,
# each at its host path) at /host with the run directory over its own
# absolute path, probes what of the host it can see (RUN/lab/l1-probe into
# RUN/lab/l1-host-view), and runs the host's own "hvflush run --accel kvm"
# chrooted into /host ($HVFLUSH_L1_RUN): that run probes the hv-* flags
# L1's KVM accepts, starts L2 (the benchmark guest) and checks its records
# exactly as on a user's KVM host, writing its run into RUN/lab/l2-run.
#
# What it leaves in RUN/lab for the host:
#   l1-times       "EVENT SECONDS" lines, SECONDS = L1 uptime at that point
#   l1-run-status  the exit status of L1's hvflush run
#   l1-error       one line "lab: ..." when something inside L1 went wrong
#   l1-host-view   for each path of l1-probe, what L1 saw of it: "absent PATH",
#                  "unreadable PATH", "listable PATH" (a directory) or
#                  "readable PATH SHA256" (of its first 4 KiB)
#   l1-run.out     the closing table L1's run printed
#   l2-run/        L1's run directory (meta.json, records.txt, serial.log, ...)
# An error found before the run directory is mounted is printed on the
# console as "HVFLUSH-L1-ERROR: lab: ..." (the host finds it in serial.log).
# The init always ends with poweroff -f, so L0's QEMU exits normally.
set -eu

PATH=/bin
export PATH
/bin/busybox --install -s /bin

# The kernel gave us no console (the initramfs has no /dev/console node, so
# that it can be packed without root); take it from devtmpfs.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
stty -onlcr 2>/dev/null || true
# The host tells an L1 whose kernel never reached this init from one whose
# init stopped early by this line in serial.log.
echo "L1: init started"
mount -t proc proc /proc
mount -t sysfs sysfs /sys

share=/run-share
lab=""

# Reports one error where the host looks for it, then powers off.
fail() {
    trap - EXIT
    echo "HVFLUSH-L1-ERROR: lab: $*"
    if [ -n "$lab" ]; then
        echo "lab: $*" >"$lab/l1-error" || true
    fi
    sync
    poweroff -f
}
trap 'fail "L1 init stopped unexpectedly (see serial.log)"' EXIT

# Appends "EVENT SECONDS" (L1 uptime) to the timing log, kept in the run
# directory once it is there.
stamp() {
    read -r up _ </proc/uptime
    echo "$1 $up" >>/tmp/l1-times
    if [ -n "$lab" ]; then
        cp /tmp/l1-times "$lab/l1-times"
    fi
}

# The last kernel message, which says why a module refused to load.
last_kernel_message() {
    dmesg 2>/dev/null | tail -n 1 | sed 's/^\[[^]]*\] *//'
}

# Loads the modules of one group in the order /modules/GROUP.list gives
# (dependencies first; hvflush resolved the order from each module's
# depends= field).  Modules built into the kernel are not in the list.
load_modules() {
    while read -r ko; do
        name=$(echo "${ko%.ko}" | tr - _)
        if ! out=$(insmod "/modules/$ko" 2>&1); then
            fail "$name failed to load: ${out#insmod: } (kernel: $(last_kernel_message))"
        fi
    done <"/modules/$1.list"
}

stamp init
load_modules transport
if ! out=$(mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 hvrun "$share" 2>&1); then
    fail "cannot mount the run directory over virtio-9p: $out"
fi
[ -f "$share/lab/lab.env" ] || fail "the run directory has no lab/lab.env"
# shellcheck source=/dev/null
. "$share/lab/lab.env"
lab="$share/lab"
stamp transport

load_modules kvm
[ -c /dev/kvm ] || fail "/dev/kvm missing in L1 after loading $HVFLUSH_KVM_MODULE"
stamp kvm

# L1's view of the host, read-only, with the devices, proc and sys of L1, a tmpfs
# on /dev/shm (L1's run keeps its QMP socket there: TMPDIR; not /tmp, which
# may hold the run directory) and the run directory
# (read-write) over its own path, so that L1's run names the same files as
# the host.  cache=loose keeps what
# was read in L1's page cache: every QEMU start reads its binary and about
# a hundred libraries, and each start takes seconds less.  It is safe here
# because the mount is read-only and nothing L1's run reads from it changes
# during a run; the run directory (written by L2, read by the host) is a
# separate mount without a cache.
if ! out=$(mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host 2>&1); then
    fail "cannot mount L1's view of the host over virtio-9p: $out"
fi
mount -t devtmpfs devtmpfs /host/dev
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mkdir -p /host/dev/shm
mount -t tmpfs tmpfs /host/dev/shm
mount -o bind "$share" "/host$HVFLUSH_RUN_DIR" ||
    fail "cannot mount the run directory at $HVFLUSH_RUN_DIR inside L1's view of the host"
stamp mounted

# What of the host L1 can see, probed where L1's run sees it (chrooted into
# /host, with the initramfs's static busybox on the tmpfs there): one line
# per path of RUN/lab/l1-probe into RUN/lab/l1-host-view.  An absolute
# symlink resolves as it would for L1's run.
if [ -f "$lab/l1-probe" ]; then
    mkdir -p /host/dev/shm/.probe
    cp /bin/busybox /host/dev/shm/.probe/busybox
    # shellcheck disable=SC2016,SC2046
    chroot /host /dev/shm/.probe/busybox sh -c '
        bb=/dev/shm/.probe/busybox
        while IFS= read -r p; do
            [ -n "$p" ] || continue
            if [ ! -e "$p" ] && [ ! -L "$p" ]; then
                echo "absent $p"
            elif [ -d "$p" ]; then
                if $bb ls -a "$p" >/dev/null 2>&1; then
                    echo "listable $p"
                else
                    echo "unreadable $p"
                fi
            elif $bb head -c 4096 "$p" >/dev/shm/.probe/head 2>/dev/null; then
                set -- $($bb sha256sum </dev/shm/.probe/head)
                echo "readable $p $1"
            else
                echo "unreadable $p"
            fi
        done' <"$lab/l1-probe" >"$lab/l1-host-view" || true
    rm -rf /host/dev/shm/.probe
fi
stamp viewed

# L1's own hvflush run, as a user would start it on a KVM host; its
# console lines (the guest's) and its messages are ours, and so L0's and the
# host's.  Its closing table goes to RUN/lab/l1-run.out: the outer run
# prints the same table from the adopted records.  Its figures carry the
# outer run's timing class ($HVFLUSH_NESTED_IN).
eval "set -- $HVFLUSH_L1_RUN"
export HVFLUSH_NESTED_IN
TMPDIR=/dev/shm
export TMPDIR
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
stamp l2-start
status=0
chroot /host "$@" >"$lab/l1-run.out" || status=$?
PATH=/bin
stamp l2-end
echo "$status" >"$lab/l1-run-status"
trap - EXIT
sync
poweroff -f
