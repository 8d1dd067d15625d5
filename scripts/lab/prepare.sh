#!/bin/sh
# The nested lab's ingredients, fetched from Debian's archive into a cache
# outside the checkout.  hvflush calls this script in three steps; every
# step prints what it produced on stdout (the last two as key=value lines),
# progress on stderr, and on failure exactly one "hvflush: lab: ..." line
# on stderr and exits with status 1.
#
#   prepare.sh packages CACHE
#       "default PACKAGE" (what linux-image-amd64 depends on), then one
#       "candidate PACKAGE" line per linux-image-* package apt knows.
#   prepare.sh kernel CACHE PACKAGE
#       Downloads PACKAGE with apt-get download and unpacks it with
#       dpkg-deb -x into CACHE/PACKAGE_VERSION (reused when present).
#       Prints package, version, dir, kver, kernel, modules, cached.
#   prepare.sh initramfs CACHE KDIR INIT NAME GROUP:FILE...
#       Packs busybox (package busybox-static), INIT as /init and the given
#       modules of KDIR (FILE relative to KDIR/root; .ko.xz and .ko.zst are
#       decompressed) into KDIR/initramfs-NAME.cpio (cpio newc).  GROUP is
#       "transport" or "kvm"; /modules/GROUP.list keeps the order given.
#       Prints initramfs, busybox, cached.  KDIR may also be an entry for a
#       kernel a developer built, whose "root" links to the developer's
#       folder (host/lab/local.c); it is only read.
#
# HVFLUSH_QUIET=1 silences progress.  Which kernel and which modules is
# decided by hvflush (host/lab/kernel.c, host/lab/modules.c), not here.
set -eu

# --- cleanup ------------------------------------------------------------------

# Half-made cache entries and staging folders are removed however the script
# ends; a signal ends it through the same path.
partial=""
stage=""
packing=""
cleanup() {
    [ -z "$partial" ] || rm -rf "$partial"
    [ -z "$stage" ] || rm -rf "$stage"
    [ -z "$packing" ] || rm -f "$packing"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# --- messages -----------------------------------------------------------------

fail() {
    echo "hvflush: lab: $*" >&2
    exit 1
}

progress() {
    [ "${HVFLUSH_QUIET:-0}" = 1 ] || echo "hvflush: lab: $*" >&2
}

# Fails with the Debian package to install when a tool is missing.
need() {
    command -v "$1" >/dev/null 2>&1 ||
        fail "$1 not found (Debian package: $2; as root: apt-get install $2)"
}

# --- apt ----------------------------------------------------------------------

# Fetches apt's package lists, at most once per call and only as root;
# $1 says why.  Returns 1 when it did not run.
updated=0
apt_update_once() {
    [ "$updated" = 0 ] || return 1
    updated=1
    if [ "$(id -u)" -ne 0 ]; then
        return 1
    fi
    progress "$1; running apt-get update once"
    apt-get update -qq >/dev/null 2>&1 || fail "apt-get update failed (no network?)"
}

# True when apt knows no kernel package at all: its lists were never fetched.
apt_knows_nothing() {
    [ -z "$(apt_cache pkgnames linux-image- 2>/dev/null | head -n 1)" ]
}

# apt-cache with its binary package cache kept in the lab cache: this
# system's apt configuration may turn that cache off, and without it every
# query parses all package lists again (about a second each).  apt rebuilds
# the file itself whenever the lists change.
apt_cache() {
    apt-cache -o Dir::Cache::pkgcache="$cache/apt-pkgcache.bin" "$@"
}

# Prints the candidate version of a package, or nothing.  (apt-cache policy
# reads only the binary cache; apt-cache show would parse the lists.)
candidate_version() {
    apt_cache policy "$1" 2>/dev/null | sed -n 's/^  Candidate: //p' | grep -v '^(none)$' |
        head -n 1 || true
}

# Prints the kernel package that the candidate version of linux-image-amd64
# depends on, from the "Dependencies:" part of apt-cache showpkg, whose lines
# read "VERSION - PACKAGE (OP VERSION) ...".
default_kernel() {
    meta_version=$(candidate_version linux-image-amd64)
    [ -n "$meta_version" ] || return 0
    apt_cache showpkg linux-image-amd64 2>/dev/null | awk -v v="$meta_version" '
        /^Dependencies:/ { deps = 1; next }
        /^[A-Z][A-Za-z ]*:/ { deps = 0 }
        deps && $1 == v && $2 == "-" && $3 ~ /^linux-image-/ { print $3; exit }'
}

# Downloads package $1 into directory $2 (apt-get download works in the
# current directory); retries once after apt-get update when the lists are
# stale.  The .deb's path is printed.
download() {
    log="$2/apt.log"
    if ! (cd "$2" && apt-get download "$1" >"$log" 2>&1); then
        if apt_update_once "apt-get download $1 failed (stale package lists?)"; then
            (cd "$2" && apt-get download "$1" >"$log" 2>&1) ||
                fail "apt-get download $1 failed: $(tail -n 1 "$log")"
        else
            fail "apt-get download $1 failed: $(tail -n 1 "$log")"
        fi
    fi
    for deb in "$2"/*.deb; do
        [ -f "$deb" ] && echo "$deb" && return 0
    done
    fail "apt-get download $1 left no .deb file in $2"
}

# Unpacks package $1 (version $2) into directory $3 unless a complete copy
# is there; the unpacking happens beside it and is renamed at the end, so
# an interrupted run never leaves a half-filled cache entry.
fetch_package() {
    if [ -f "$3/.complete" ]; then
        return 0
    fi
    need apt-get apt
    need dpkg-deb dpkg
    progress "downloading $1 $2 (first use; cached in $(dirname "$3"))"
    partial="$3.partial"
    rm -rf "$partial"
    mkdir -p "$partial"
    deb=$(download "$1" "$partial")
    dpkg-deb -x "$deb" "$partial/root" || fail "dpkg-deb -x $deb failed"
    rm -f "$deb" "$partial/apt.log"
    echo "$1 $2" >"$partial/.complete"
    rm -rf "$3"
    mv "$partial" "$3"
    partial=""
}

# A cache directory name for package $1 at version $2 (an epoch's ':' is
# spelt %3a, as apt does in file names).
entry_name() {
    echo "${1}_$2" | sed 's/:/%3a/g'
}

# Serializes steps that write the cache: two runs preparing at once wait
# for each other instead of unpacking the same package twice.
lock_cache() {
    mkdir -p "$1" || fail "cannot create the cache directory $1"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$1/.lock"
        flock 9
    fi
}

# --- the steps ----------------------------------------------------------------

cmd_packages() {
    cache=$1
    need apt-cache apt
    mkdir -p "$cache" || fail "cannot create the cache directory $cache"
    names=$(apt_cache pkgnames linux-image- 2>/dev/null || true)
    if [ -z "$names" ] && apt_update_once "apt knows no kernel packages"; then
        names=$(apt_cache pkgnames linux-image- 2>/dev/null || true)
    fi
    [ -n "$names" ] ||
        fail "apt knows no linux-image packages; run apt-get update (as root) first"
    default=$(default_kernel)
    [ -z "$default" ] || echo "default $default"
    echo "$names" | sort | sed 's/^/candidate /'
}

cmd_kernel() {
    cache=$1 package=$2
    need apt-cache apt
    mkdir -p "$cache" || fail "cannot create the cache directory $cache"
    version=$(candidate_version "$package")
    if [ -z "$version" ] && apt_knows_nothing && apt_update_once "apt knows no kernel packages"
    then
        version=$(candidate_version "$package")
    fi
    [ -n "$version" ] || fail "apt has no package '$package' (run apt-get update?)"
    lock_cache "$cache"
    dir="$cache/$(entry_name "$package" "$version")"
    cached=yes
    [ -f "$dir/.complete" ] || cached=no
    fetch_package "$package" "$version" "$dir"

    # The kernel image and its module tree; a package holds exactly one.
    kernel=""
    for f in "$dir"/root/boot/vmlinuz-*; do
        [ -f "$f" ] && kernel=$f
    done
    [ -n "$kernel" ] || fail "$package has no /boot/vmlinuz-* (not a kernel image package?)"
    kver=${kernel##*/vmlinuz-}
    modules="$dir/root/lib/modules/$kver"
    [ -d "$modules" ] || fail "$package has no /lib/modules/$kver"
    echo "package=$package"
    echo "version=$version"
    echo "dir=$dir"
    echo "kver=$kver"
    echo "kernel=$kernel"
    echo "modules=$modules"
    echo "cached=$cached"
}

# Prints the path of a static busybox: the installed busybox-static's, or
# one unpacked into the cache (busybox-static need not be installed).
find_busybox() {
    if dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' &&
        [ -x /bin/busybox ]; then
        echo /bin/busybox
        return 0
    fi
    version=$(candidate_version busybox-static)
    [ -n "$version" ] ||
        fail "busybox-static not found (Debian package: busybox-static; as root: apt-get install busybox-static)"
    dir="$1/$(entry_name busybox-static "$version")"
    fetch_package busybox-static "$version" "$dir"
    [ -x "$dir/root/bin/busybox" ] || fail "busybox-static $version has no /bin/busybox"
    echo "$dir/root/bin/busybox"
}

# Copies module $1 to $2 as a plain .ko (busybox insmod reads no xz/zstd).
copy_module() {
    case $1 in
    *.ko) cp "$1" "$2" ;;
    *.ko.xz)
        need xz xz-utils
        xz -dc "$1" >"$2" || fail "cannot decompress $1"
        ;;
    *.ko.zst)
        need zstd zstd
        zstd -qdc "$1" >"$2" || fail "cannot decompress $1"
        ;;
    *) fail "$1 is not a kernel module file" ;;
    esac
}

cmd_initramfs() {
    cache=$1 kdir=$2 init=$3 name=$4
    shift 4
    need cpio cpio
    need sha256sum coreutils
    [ -f "$init" ] || fail "init script $init not found"
    lock_cache "$cache"
    busybox=$(find_busybox "$cache")
    out="$kdir/initramfs-$name.cpio"
    stamp="$kdir/initramfs-$name.stamp"

    # The image is rebuilt whenever init, busybox, the module list or a
    # module's contents change (a kernel built from a tree changes in place).
    mods=$(for arg in "$@"; do sha256sum <"$kdir/root/${arg#*:}"; done | sha256sum | cut -d' ' -f1)
    want="$(sha256sum <"$init" | cut -d' ' -f1) $(sha256sum <"$busybox" | cut -d' ' -f1) $mods $*"
    if [ -f "$out" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        echo "initramfs=$out"
        echo "busybox=$busybox"
        echo "cached=yes"
        return 0
    fi
    progress "building $(basename "$out")"
    stage=$(mktemp -d "$kdir/.stage.XXXXXX")
    mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp" \
        "$stage/host" "$stage/run-share" "$stage/modules"
    cp "$busybox" "$stage/bin/busybox"
    ln -s busybox "$stage/bin/sh"
    cp "$init" "$stage/init"
    chmod 755 "$stage/init" "$stage/bin/busybox"
    : >"$stage/modules/transport.list"
    : >"$stage/modules/kvm.list"
    for arg in "$@"; do
        group=${arg%%:*} file=${arg#*:}
        case $group in
        transport | kvm) ;;
        *) fail "module argument '$arg' is not GROUP:FILE (GROUP transport or kvm)" ;;
        esac
        base=$(basename "$file")
        base=${base%%.ko*}.ko
        copy_module "$kdir/root/$file" "$stage/modules/$base"
        echo "$base" >>"$stage/modules/$group.list"
    done
    packing="$out.tmp"
    (cd "$stage" && find . | sort | cpio -o -H newc -R 0:0 --quiet) >"$packing" ||
        fail "cpio could not pack $out"
    mv "$packing" "$out"
    packing=""
    rm -rf "$stage"
    stage=""
    echo "$want" >"$stamp"
    echo "initramfs=$out"
    echo "busybox=$busybox"
    echo "cached=no"
}

case ${1:-} in
packages) [ $# -eq 2 ] || fail "usage: prepare.sh packages CACHE"; cmd_packages "$2" ;;
kernel) [ $# -eq 3 ] || fail "usage: prepare.sh kernel CACHE PACKAGE"; cmd_kernel "$2" "$3" ;;
initramfs)
    [ $# -ge 5 ] || fail "usage: prepare.sh initramfs CACHE KDIR INIT NAME GROUP:FILE..."
    shift
    cmd_initramfs "$@"
    ;;
*) fail "usage: prepare.sh packages CACHE | kernel CACHE PACKAGE | initramfs CACHE KDIR INIT NAME GROUP:FILE..." ;;
esac
