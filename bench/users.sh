#!/usr/bin/env bash
# What users feel (issue #16 point 5): `podman run --rm IMAGE true` end to
# end with hull, crun and runc as podman's runtime, interleaved sample by
# sample, medians. Uses tests/e2e/podman.sh's setup (its own storage,
# containers.conf and busybox image per runtime, vfs, no network) and runs
# everything in the benchmark's wrapper (crun refuses hybrid cgroups).
# usage: sudo bench/users.sh [ITERATIONS]     (uses build/hull)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
n=${1:-10}
source "$here/lib.sh"
bench_setup
declare -A bin=([hull]=$repo/build/hull [crun]=$(command -v crun) [runc]=$(command -v runc))
names=(hull crun runc)
cleanup_users() {
  for r in "${names[@]}"; do
    bash "$repo/tests/e2e/podman.sh" "${bin[$r]}" "$work/pm-$r" cleanup >/dev/null 2>&1 || true
  done
  bench_cleanup
}
trap cleanup_users EXIT
for r in "${names[@]}"; do
  bash "$repo/tests/e2e/podman.sh" "${bin[$r]}" "$work/pm-$r" setup >/dev/null
done
# rlimits the runtime can set without CAP_SYS_RESOURCE (as tests/e2e/podman.sh's run_flags)
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
[[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
# Container cgroups nest under the benchmark's own cgroup (removed with it).
in_bench_ns python3 - "$work" "$n" "$nofile:$nofile" "$nproc:$nproc" "$cgname" "${names[@]}" <<'PY'
import os, statistics, subprocess, sys, time
work, n, nofile, nproc, cgname, names = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
def cmd(r):
    w = f"{work}/pm-{r}"
    return ["podman", "--root", f"{w}/storage", "--runroot", f"{w}/run", "--tmpdir", f"{w}/tmp",
            "--storage-driver", "vfs", "run", "--rm", "--cgroup-parent", f"/{cgname}/pm-{r}",
            "--ulimit", f"nofile={nofile}", "--ulimit", f"nproc={nproc}",
            "localhost/hull-e2e:busybox", "true"]
env = lambda r: dict(os.environ, CONTAINERS_CONF=f"{work}/pm-{r}/containers.conf")
t = {r: [] for r in names}
for r in names:  # warm-up
    subprocess.run(cmd(r), env=env(r), check=True, stdin=subprocess.DEVNULL)
for i in range(n):
    for r in names[i % len(names):] + names[:i % len(names)]:
        t0 = time.monotonic_ns()
        subprocess.run(cmd(r), env=env(r), check=True, stdin=subprocess.DEVNULL)
        t[r].append((time.monotonic_ns() - t0) / 1e6)
print(f"podman run --rm busybox true, {n} interleaved samples each, load average {os.getloadavg()[0]:.1f}\n")
print("| runtime | median ms | min | max |")
print("|---|---|---|---|")
for r in names:
    print(f"| {r} | {statistics.median(t[r]):.0f} | {min(t[r]):.0f} | {max(t[r]):.0f} |")
PY
