#!/bin/sh
# Makes sure the Debian packages hvflush needs are installed: installs the
# missing ones when run as root, otherwise prints the exact command and fails.
set -eu

# chromium and libpng-dev: the report's browser test (headless screenshot,
# decoded with libpng).  The last line is the nested lab's (scripts/lab/prepare.sh): a static
# busybox, cpio for the initramfs, xz for 6.12's compressed modules, and
# kmod's modinfo for module dependencies.  clang and libclang-rt-dev (libFuzzer,
# the sanitizer runtimes; only Recommended by clang) build the fuzz harnesses
# (tests/fuzz/README.md).  The last but one is `hvflush image`'s
# (grub-mkrescue for BIOS and UEFI, xorriso, mtools) and OVMF for the UEFI boot tests.
PACKAGES="gcc make binutils pkg-config libhwloc-dev libjansson-dev libcmocka-dev \
qemu-system-x86 gnuplot-nox libgsl-dev chromium libpng-dev \
grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools ovmf \
busybox-static cpio xz-utils kmod"
# clang and its runtimes (ASan, LeakSanitizer, UBSan, libFuzzer): make test's
# sanitized build of the host tool in build-san and the fuzzers in build-fuzz.
# On Debian 12 clang only recommends libclang-rt-14-dev (libFuzzer's home);
# libclang-rt-dev pulls it in although recommends are not installed.
PACKAGES="$PACKAGES clang libclang-rt-dev"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    echo "hvflush: missing Debian packages:$missing" >&2
    echo "hvflush: install them with: sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "hvflush: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
