#!/usr/bin/env bash
# Installs the Debian 12 packages hull needs to build, test and run its demo.
#   scripts/setup.sh          build and test dependencies
#   scripts/setup.sh --e2e    also the clients of the end-to-end tests
#                             (podman with conmon, containerd with ctr, docker.io)
# Idempotent: asks apt only for what dpkg does not already show as installed,
# so a prepared machine needs neither root nor the network.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libseccomp-dev libcap-dev libmount-dev
  nlohmann-json3-dev libcli11-dev libyaml-cpp-dev libgtest-dev
  busybox-static   # the demo and test root filesystems
  qemu-system-x86 xz-utils   # the pure cgroup-v2 test VM (scripts/vm, ctest -L v2vm)
  criu         # hull checkpoint/restore: CriuTest (the VM runs the host's criu on Debian's 6.1 kernel)
  lintian      # the Debian package lane lints the .deb (ctest -L package)
  zsh          # the unit test that parses the generated zsh completion
  clang libclang-rt-14-dev   # the libFuzzer targets (tests/fuzz, scripts/fuzz.sh): g++ has no libFuzzer
  clang-tidy-14   # scripts/lint.sh, CI's lint step (run-clang-tidy-14)
  uidmap       # newuidmap/newgidmap: rootless containers with /etc/subuid ranges (docs/rootless.md)
  iproute2     # ip: the linux.netDevices tests make veth pairs in a network namespace of their own
  patchelf     # bench/pack.sh: the carried runtimes find their libraries by $ORIGIN on a bare host
)
# Test-only: tests/e2e drives these clients against hull. Installed without
# their recommendations (no rootless helpers, no systemd units needed: the
# rootless podman lane, tests/e2e/podman-rootless.sh, runs without a network
# and needs only uidmap, above).
e2e_packages=(podman conmon containerd docker.io)

missing_of() {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || echo "$p"
  done
}

missing=($(missing_of "${packages[@]}"))
missing_e2e=()
[[ ${1:-} == --e2e ]] && missing_e2e=($(missing_of "${e2e_packages[@]}"))

if ((${#missing[@]} + ${#missing_e2e[@]} == 0)); then
  echo "setup: all packages are installed"
  exit 0
fi
if ((EUID != 0)); then
  echo "setup: missing packages: ${missing[*]} ${missing_e2e[*]}; run as root to install them" >&2
  exit 1
fi
echo "setup: installing ${missing[*]} ${missing_e2e[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
((${#missing[@]} == 0)) || apt-get install -y "${missing[@]}"
((${#missing_e2e[@]} == 0)) || apt-get install -y --no-install-recommends "${missing_e2e[@]}"
