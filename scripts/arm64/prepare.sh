#!/usr/bin/env bash
# Prepares the arm64 lane once (scripts/arm64/run): Debian's cross g++ and
# the arm64 -dev packages (multiarch), qemu for arm64, and in the cache dir
# ($1, default build-arm64/vm) Debian's arm64 kernel with the modules the
# tests load, arm64 busybox-static, bash-static (the tests' shell scripts)
# and util-linux's setpriv (busybox's has no --reuid or --bounding-set),
# beside busybox's applets, and yaml-cpp's arm64 -dev files (that
# package cannot sit beside the host's: it is not Multi-Arch: same). The
# host's own kernel and packages stay as they are; apt only adds the arm64
# architecture and installs beside them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$(realpath -m "${1:-$here/../../build-arm64/vm}")
mkdir -p "$cache"
stamp=$(sha256sum "$here/prepare.sh" | cut -c1-16)
[[ $(cat "$cache/stamp" 2>/dev/null) == "$stamp" ]] && exit 0
((EUID == 0)) || { echo "arm64 prepare: run as root (apt-get)" >&2; exit 1; }

packages=(g++-aarch64-linux-gnu qemu-system-arm qemu-user-static
          libseccomp-dev:arm64 libcap-dev:arm64 libmount-dev:arm64 libgtest-dev:arm64 libyaml-cpp0.7:arm64)
dpkg --print-foreign-architectures | grep -qx arm64 || dpkg --add-architecture arm64
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}"

# The kernel package is versioned (linux-image-6.1.0-NN-arm64); the metapackage names it.
pkg=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*$/\1/p' | head -n1)
[[ -n $pkg ]] || { echo "arm64 prepare: no kernel package behind linux-image-arm64" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "$pkg:arm64" busybox-static:arm64 bash-static:arm64 util-linux:arm64 libcap-ng0:arm64 \
  libyaml-cpp-dev:arm64)
rm -rf "$cache/kernel" "$cache/busybox" "$cache/sysroot" "$cache/modules"
dpkg -x "$work/$pkg"_*.deb "$work/kernel"
kver=${pkg#linux-image-}
mkdir -p "$cache/kernel" "$cache/modules"
cp "$work/kernel/boot/vmlinuz-$kver" "$cache/kernel/Image"
# overlayfs (overlay rootfs, overlay mounts), loop, and veth and dummy for
# linux.netDevices: modules in Debian's arm64 kernel.
for m in fs/overlayfs/overlay drivers/block/loop drivers/net/veth drivers/net/dummy; do
  cp "$work/kernel/lib/modules/$kver/kernel/$m.ko" "$cache/modules/"
done
dpkg -x "$work"/busybox-static_*_arm64.deb "$work/busybox"
mkdir -p "$cache/busybox"
cp "$work/busybox/bin/busybox" "$cache/busybox/busybox"
dpkg -x "$work"/bash-static_*_arm64.deb "$work/bash"
cp "$work/bash/bin/bash-static" "$cache/busybox/bash"
dpkg -x "$work"/util-linux_*_arm64.deb "$work/util-linux"
dpkg -x "$work"/libcap-ng0_*_arm64.deb "$work/libcap-ng"
cp "$work/util-linux/usr/bin/setpriv" "$cache/busybox/setpriv"
find "$work/libcap-ng" -name libcap-ng.so.0 -exec cp -L {} "$cache/busybox/" \;   # /lib in Debian 12's package
dpkg -x "$work"/libyaml-cpp-dev_*_arm64.deb "$cache/sysroot"
cp -a /usr/lib/aarch64-linux-gnu/libyaml-cpp.so.0.7* "$cache/sysroot/usr/lib/aarch64-linux-gnu/"
echo "$pkg" > "$cache/kernel/package"
echo "$stamp" > "$cache/stamp"
echo "arm64 prepare: $pkg, busybox and yaml-cpp in $cache"
