#!/usr/bin/env bash
# Makes a minimal root filesystem from Debian's static busybox:
#   bundles/make-rootfs.sh <dir>
# <dir>/bin/busybox plus one symlink per applet, the mount points the default
# config.json uses, and a minimal /etc/passwd and /etc/group. A static binary
# needs no libraries inside the container. Safe to run again on the same dir.
set -euo pipefail

if (($# != 1)); then
  echo "usage: $0 <rootfs-dir>" >&2
  exit 2
fi
dir=$1
busybox=${BUSYBOX:-/bin/busybox}

if [[ ! -x $busybox ]]; then
  echo "make-rootfs: $busybox not found; install busybox-static (scripts/setup.sh)" >&2
  exit 1
fi
# A dynamically linked busybox would fail inside the container with a
# confusing "no such file" from the missing loader; refuse it here instead.
if ldd "$busybox" >/dev/null 2>&1; then
  echo "make-rootfs: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi

mkdir -p "$dir"/{bin,dev,etc,proc,root,sys,tmp}
chmod 1777 "$dir/tmp"
chmod 0700 "$dir/root"
install -m 0755 "$busybox" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
  [[ $applet == busybox ]] && continue
  ln -sfn busybox "$dir/bin/$applet"
done

cat >"$dir/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$dir/etc/group" <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
