#!/usr/bin/env bash
# Installs the Debian 12 packages hull needs to build, test and run its demo.
# Idempotent: asks apt only for what dpkg does not already show as installed,
# so a prepared machine needs neither root nor the network.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libseccomp-dev libcap-dev libmount-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libgtest-dev
  busybox-static   # the demo and test root filesystems
  qemu-system-x86 xz-utils   # the pure cgroup-v2 test VM (scripts/vm, ctest -L v2vm)
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi
if ((EUID != 0)); then
  echo "setup: missing packages: ${missing[*]}; run as root to install them" >&2
  exit 1
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"
