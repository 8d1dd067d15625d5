#!/bin/sh
# /init of the nested lab's L1: a stock Debian kernel with this busybox
# initramfs (built by scripts/lab/prepare.sh).  It loads the virtio-9p
# modules, mounts the run directory (9p tag "hvrun", read-write), reads
# RUN/lab/lab.env written by hvflush, loads KVM, mounts the host's root
# (9p tag "hostroot", read-only) at /host with the run directory over its
# own absolute path, finds out which hv-* CPU flags the L1 KVM accepts, and
# runs RUN/lab/l2.sh (the L2 QEMU) chrooted into /host.
#
# What it leaves in RUN/lab for the host:
#   l1-times   "EVENT SECONDS" lines, SECONDS = L1 uptime at that point
#   l2-cpu     the -cpu value L2 ran with;  l2-notes  flags refused, and why
#   l2-status  L2 QEMU's exit status (isa-debug-exit: (code << 1) | 1)
#   l1-error   one line "lab: ..." when something inside L1 went wrong
#   l2-qemu.log  the L2 QEMU's stderr
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

# The host's root, read-only, with the devices, proc and sys of L1 and the
# run directory (read-write) over its own path, so that the L2 command line
# names the same files as a run without the lab.  cache=loose keeps what
# was read in L1's page cache: every QEMU start reads its binary and about
# a hundred libraries, and each start takes seconds less.  It is safe here
# because the mount is read-only and nothing L2 reads from it changes
# during a run; the run directory (written by L2, read by the host) is a
# separate mount without a cache.
if ! out=$(mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /host 2>&1); then
    fail "cannot mount the host's root over virtio-9p: $out"
fi
mount -t devtmpfs devtmpfs /host/dev
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -o bind "$share" "/host$HVFLUSH_RUN_DIR" ||
    fail "cannot mount the run directory at $HVFLUSH_RUN_DIR inside the host's root"
stamp mounted

# Starts the L2 QEMU with CPU model $1 just far enough to create its vCPUs
# (where KVM checks the hv-* flags), then quits it over QMP.  QEMU's
# complaint, if any, is left in /tmp/probe.err.
probe() {
    printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
        chroot /host "$HVFLUSH_L2_QEMU" -accel kvm -machine pc -cpu "$1" -m 16 \
            -display none -nodefaults -S -qmp stdio >/dev/null 2>/tmp/probe.err
}

# Why the last probe failed: QEMU's last line, without its program prefix.
probe_error() {
    tail -n 1 /tmp/probe.err | sed 's/^[^:]*qemu-system-[^:]*: //'
}

# The base flags must work; each optional flag is kept only if accepted.
# All flags are tried at once, and a refused flag that QEMU names in its
# error ("... (hv-tlbflush-ext) is not supported by kernel") is dropped
# before the next try: one QEMU start where everything is accepted, one
# more per refused flag.  Only an error naming no flag is narrowed down
# by trying the base alone and then each optional flag on its own.
base=$HVFLUSH_L2_CPU_BASE
optional=$HVFLUSH_L2_CPU_OPTIONAL
: >"$lab/l2-notes"
while :; do
    cpu=$base
    for flag in $optional; do
        cpu="$cpu,$flag"
    done
    probe "$cpu" && break
    why=$(probe_error)
    culprit=""
    for flag in $optional; do
        case $why in *"($flag)"* | *"'$flag'"* | *" $flag "*) culprit=$flag ;; esac
    done
    if [ -z "$culprit" ]; then
        probe "$base" || fail "qemu refused the hv flags of $base: $(probe_error)"
        cpu=$base
        for flag in $optional; do
            if probe "$cpu,$flag"; then
                cpu="$cpu,$flag"
            else
                echo "$flag refused by the L1 KVM/QEMU: $(probe_error)" >>"$lab/l2-notes"
            fi
        done
        break
    fi
    echo "$culprit refused by the L1 KVM/QEMU: $why" >>"$lab/l2-notes"
    rest=""
    for flag in $optional; do
        [ "$flag" = "$culprit" ] || rest="$rest $flag"
    done
    optional=$rest
done
echo "$cpu" >"$lab/l2-cpu"
stamp probed

# L2: the benchmark guest.  Its console is ours (and so L0's and the
# host's serial.log); its records go to RUN/records.txt directly.
stamp l2-start
status=0
chroot /host /bin/sh "$HVFLUSH_RUN_DIR/lab/l2.sh" "$cpu" 2>>"$lab/l2-qemu.log" || status=$?
stamp l2-end
echo "$status" >"$lab/l2-status"
trap - EXIT
sync
poweroff -f
