#!/usr/bin/env bash
# Prepares the pure cgroup-v2 test VM once: Debian's kernel (uncompressed
# vmlinux, booted through PVH) and an initramfs of busybox-static plus the
# modules that mount the host's / over virtio-9p. Everything lands in the cache
# dir ($1, default build/vm). The host's kernel is never touched: the package
# is downloaded and unpacked, not installed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$(realpath -m "${1:-$here/../../build/vm}")
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9   # two VM tests may prepare at once

# Reused while init and this script are unchanged (a fresh clone, as in CI,
# prepares anew and so picks the current kernel package).
stamp=$(cat "$here/init" "$here/prepare.sh" | sha256sum | cut -c1-16)
if [[ -f $cache/vmlinux && -f $cache/initramfs.cpio && $(cat "$cache/stamp" 2>/dev/null) == "$stamp" ]]; then
  exit 0
fi

# The package name is versioned (linux-image-6.1.0-NN-amd64); the metapackage names it.
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n "s/^ *Depends: \(linux-image-[0-9].*\)$/\1/p" | head -n1; }
pkg=$(kernel_pkg)
if [[ -z $pkg ]]; then apt-get update -qq; pkg=$(kernel_pkg); fi
[[ -n $pkg ]] || { echo "prepare: no kernel package behind linux-image-amd64" >&2; exit 1; }

echo "prepare: building the test VM from $pkg in $cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Lists older than the archive name a package it no longer has: the name is
# asked again once they are updated.
download() { (cd "$work" && apt-get download -q "$pkg"); }
if ! download 2>/dev/null; then
  apt-get update -qq
  pkg=$(kernel_pkg)
  download
fi
dpkg -x "$work"/"$pkg"_*.deb "$work/pkg"
kver=${pkg#linux-image-}

# vmlinuz is a bzImage with an xz payload: find the xz magic (as the kernel's
# scripts/extract-vmlinux does) and unpack it once, instead of paying ~2.7 s of
# emulated decompression per boot.
vmlinuz="$work/pkg/boot/vmlinuz-$kver"
for off in $(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | cut -d: -f1); do
  tail -c +$((off + 1)) "$vmlinuz" | xz -dcq > "$work/vmlinux" 2>/dev/null || true
  [[ $(head -c4 "$work/vmlinux" | od -An -c | tr -d ' ') == 177ELF ]] && break
done
[[ $(head -c4 "$work/vmlinux" | od -An -c | tr -d ' ') == 177ELF ]] || { echo "prepare: no ELF vmlinux in $vmlinuz" >&2; exit 1; }

# The initramfs: busybox, the 9p/overlay/loop modules (load order in modules.order) and init;
# also what CRIU needs to checkpoint a container (hull checkpoint/restore): the
# socket diag modules it reads sockets through, nf_tables for its network lock
# and conntrack's netlink, which it dumps a network namespace's connections
# through (without it every container with its own network namespace fails
# in dump_nf_ct: "-22 reported by netlink", even with --empty-ns network).
root="$work/initramfs"
mkdir -p "$root/bin" "$root/lib/modules" "$root/newroot"
cp /bin/busybox "$root/bin/busybox"
mods="$work/pkg/lib/modules/$kver/kernel"
: > "$root/lib/modules/modules.order"
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_legacy_dev \
         drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci net/9p/9pnet net/9p/9pnet_virtio \
         fs/netfs/netfs fs/fscache/fscache fs/9p/9p fs/overlayfs/overlay drivers/block/loop \
         net/ipv4/inet_diag net/ipv4/tcp_diag net/ipv4/udp_diag net/ipv4/raw_diag net/unix/unix_diag \
         net/netlink/netlink_diag net/packet/af_packet_diag crypto/crc32c_generic lib/libcrc32c \
         net/netfilter/nfnetlink net/ipv4/netfilter/nf_defrag_ipv4 net/ipv6/netfilter/nf_defrag_ipv6 \
         net/netfilter/nf_conntrack net/netfilter/nf_conntrack_netlink net/netfilter/nf_tables net/netfilter/x_tables net/netfilter/nft_compat \
         net/netfilter/xt_mark; do
  name=${m##*/}
  if [[ -f $mods/$m.ko.xz ]]; then xz -dc "$mods/$m.ko.xz" > "$root/lib/modules/$name.ko"; else cp "$mods/$m.ko" "$root/lib/modules/"; fi
  echo "$name" >> "$root/lib/modules/modules.order"
done
cp "$here/init" "$root/init"
chmod 755 "$root/init"
(cd "$root" && find . | busybox cpio -o -H newc --quiet > "$work/initramfs.cpio")

mv "$work/vmlinux" "$cache/vmlinux"
mv "$work/initramfs.cpio" "$cache/initramfs.cpio"
echo "$pkg" > "$cache/kernel"
echo "$stamp" > "$cache/stamp"
