#!/usr/bin/env bash
# What users feel (issue #16 point 4), end to end, with hull, crun and runc
# as the runtime, interleaved sample by sample (the order rotates), medians:
#   podman    `podman run --rm IMAGE true` (tests/e2e/podman.sh's setup: own
#             storage, containers.conf and busybox image per runtime, vfs, no network)
#   ctr       `ctr run --rm IMAGE ID true` through one private containerd and
#             its runc v2 shim (tests/e2e/containerd.sh's setup; the shim's
#             BinaryName is the runtime, as ctr's --runc-binary sets it)
#   pod up    a pod of 10 without CRI (Debian 12 has no crictl): a "pause"
#             container (busybox sleep, its own net, ipc and uts namespaces)
#             then 9 containers joining those namespaces (ctr run -d
#             --with-ns), one after the other as a kubelet starts them; until
#             the 10th runs
#   pod down  the 10 tasks killed and deleted (ctr task rm -f) and the
#             containers removed
# Everything runs in the benchmark's wrapper (crun refuses hybrid cgroups),
# the containerd daemon too, so its shims and the runtimes share it.
# Container cgroups nest under the benchmark's own cgroup (removed with it).
# usage: sudo bench/users.sh [ITERATIONS] [KINDS]   (uses build/hull; KINDS:
#        comma list of podman,ctr,pod; default all; USERS_RAW=FILE also writes
#        every sample to FILE as CSV)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
n=${1:-10}
kinds=${2:-podman,ctr,pod}
source "$here/lib.sh"
bench_setup
declare -A bin=([hull]=$repo/build/hull [crun]=$(command -v crun) [runc]=$(command -v runc))
names=(hull crun runc)
ctrd=$work/ctrd
# podman runs each runtime with its default state root (/run/<name>) and
# keeps a lock file in /dev/shm, ctr and the shim make directories under
# /run/containerd: what this run makes (hull's root with its seccomp program
# cache too) goes at the end.
bash "$repo/tests/e2e/default-roots.sh" "$work/default-roots" setup "${names[@]}" clients
cleanup_users() {
  for r in "${names[@]}"; do
    bash "$repo/tests/e2e/podman.sh" "${bin[$r]}" "$work/pm-$r" cleanup >/dev/null 2>&1 || true
  done
  bash "$repo/tests/e2e/containerd.sh" "${bin[hull]}" "$ctrd" cleanup >/dev/null 2>&1 || true
  bash "$repo/tests/e2e/default-roots.sh" "$work/default-roots" cleanup >/dev/null 2>&1 || true
  bench_cleanup
}
trap cleanup_users EXIT
if [[ ,$kinds, == *,podman,* ]]; then
  for r in "${names[@]}"; do
    bash "$repo/tests/e2e/podman.sh" "${bin[$r]}" "$work/pm-$r" setup >/dev/null
  done
fi
if [[ ,$kinds, == *,ctr,* || ,$kinds, == *,pod,* ]]; then
  # One daemon for all three (the runtime is chosen per container), started
  # in the wrapper's mount namespace; it goes on running there after setup.
  in_bench_ns bash "$repo/tests/e2e/containerd.sh" "${bin[hull]}" "$ctrd" setup >/dev/null
fi
# rlimits the runtime can set without CAP_SYS_RESOURCE (as tests/e2e/podman.sh's run_flags)
nofile=$(ulimit -Hn) nproc=$(ulimit -Hu)
[[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
in_bench_ns python3 - "$work" "$n" "$nofile:$nofile" "$nproc:$nproc" "$cgname" "$kinds" \
  "hull=${bin[hull]}" "crun=${bin[crun]}" "runc=${bin[runc]}" <<'PY'
import os, statistics, subprocess, sys, time
work, n, nofile, nproc, cgname, kinds = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6].split(",")
rts = dict(a.split("=", 1) for a in sys.argv[7:])
names = list(rts)
ctrd = f"{work}/ctrd"
image = "docker.io/library/hull-e2e:busybox"

def sh(cmd, env=None):
    subprocess.run(cmd, env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)

def podman(r, i):
    w = f"{work}/pm-{r}"
    sh(["podman", "--root", f"{w}/storage", "--runroot", f"{w}/run", "--tmpdir", f"{w}/tmp",
        "--storage-driver", "vfs", "run", "--rm", "--cgroup-parent", f"/{cgname}/pm-{r}",
        "--ulimit", f"nofile={nofile}", "--ulimit", f"nproc={nproc}",
        "localhost/hull-e2e:busybox", "true"], env=dict(os.environ, CONTAINERS_CONF=f"{w}/containers.conf"))

def ctr(*a):
    return ["ctr", "--address", f"{ctrd}/containerd.sock", *a]

def run_flags(r, cid):
    return ["--snapshotter", "native", "--runc-binary", rts[r], "--runc-root", f"{ctrd}/state-{r}",
            "--cgroup", f"/{cgname}/ctr-{r}/{cid}"]

def ctr_rm(r, i):
    cid = f"u-{r}-{i}"
    sh(ctr("run", "--rm", "--null-io", *run_flags(r, cid), image, cid, "true"))

def task_pid(cid):
    out = subprocess.run(ctr("task", "ls"), check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f and f[0] == cid:
            return f[1]
    raise RuntimeError(f"no task {cid}")

pods = {}
def pod_up(r, i):
    ids = [f"p-{r}-{i}-{k}" for k in range(10)]
    sh(ctr("run", "-d", "--null-io", *run_flags(r, ids[0]), image, ids[0], "sleep", "100000"))
    pid = task_pid(ids[0])
    ns = [a for t in ("network", "ipc", "uts") for a in ("--with-ns", f"{t}:/proc/{pid}/ns/{'net' if t == 'network' else t}")]
    for cid in ids[1:]:
        sh(ctr("run", "-d", "--null-io", *ns, *run_flags(r, cid), image, cid, "sleep", "100000"))
    pods[r] = ids

def pod_down(r, i):
    for cid in reversed(pods.pop(r)):
        sh(ctr("task", "rm", "-f", cid))
        sh(ctr("containers", "rm", cid))

rows = []
if "podman" in kinds: rows.append(("podman run --rm busybox true", podman))
if "ctr" in kinds: rows.append(("ctr run --rm busybox true", ctr_rm))
if "pod" in kinds: rows += [("pod of 10 (ctr, --with-ns): up", pod_up), ("pod of 10: down", pod_down)]
t = {(k, r): [] for k, _ in rows for r in names}
for i in range(-1, n):  # -1: warm-up, not recorded
    for r in names[(i + 1) % len(names):] + names[:(i + 1) % len(names)]:
        for k, f in rows:
            t0 = time.monotonic_ns()
            f(r, i + 1)
            if i >= 0:
                t[(k, r)].append((time.monotonic_ns() - t0) / 1e6)
print(f"{n} interleaved samples each (after one warm-up), load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end\n")
print("| end to end | " + " | ".join(names) + " | hull/crun | hull/runc |")
print("|---|" + "---|" * (len(names) + 2))
for k, _ in rows:
    med = {r: statistics.median(t[(k, r)]) for r in names}
    cells = [f"{med[r]:.0f} ms ({min(t[(k, r)]):.0f}–{max(t[(k, r)]):.0f})" for r in names]
    print(f"| {k} | " + " | ".join(cells) + f" | {med['hull'] / med['crun']:.2f}× | {med['hull'] / med['runc']:.2f}× |")
print("\nCells: median (min–max).")
# A client's own time spreads each row by more than the runtimes differ (a
# podman run: about 300 ms, 200-400, of which the runtime takes 10-20), so
# the medians above can land either way. Sample j of every runtime comes from
# the same round, minutes apart at most: the difference within each round
# takes out what moved between rounds.
print("\nPaired by round (sample j of each runtime is from the same round):\n")
print("| end to end | hull − crun, median | rounds hull faster | hull − runc, median | rounds hull faster |")
print("|---|---|---|---|---|")
for k, _ in rows:
    cells = []
    for o in ("crun", "runc"):
        d = [h - x for h, x in zip(t[(k, "hull")], t[(k, o)])]
        cells += [f"{statistics.median(d):+.1f} ms", f"{sum(x < 0 for x in d)} of {len(d)}"]
    print(f"| {k} | " + " | ".join(cells) + " |")
raw = os.environ.get("USERS_RAW")
if raw:  # every sample, for a row whose spread hides the runtimes' difference
    import csv  # quoted: a row's name may hold a comma
    with open(raw, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["row", "runtime", "sample", "ms"])
        for (k, r), v in t.items():
            w.writerows([k, r, j, f"{x:.2f}"] for j, x in enumerate(v))
PY
