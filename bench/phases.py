#!/usr/bin/env python3
"""Where the time of `hull run /bin/true` goes, phase by phase.

usage: phases.py HULL[,HULL2...] ROOT BUNDLE_DIR ITERATIONS
Runs `HULL --root ROOT run --bundle BUNDLE_DIR/<id> <id>` ITERATIONS times
(after one warm-up; several binaries, comma-separated, are interleaved run by
run, so a before/after comparison sees the same machine load) with HULL_TRACE_PHASES=<fd> (src/base/phase_trace.hpp):
the runtime and the container init each write "<phase> <monotonic ns> <pid>
<page faults so far> <cpu> <voluntary> <involuntary context switches so
far>" at the end of every phase. BUNDLE_DIR/config.json is
the config every run uses (copied per id). Prints a Markdown table: per
phase, the median time since the previous mark of the same process (the
init's first phase counts from the runtime's last mark before clone3), the
median page faults the process took in it (the init counts from zero at the
clone; a trace without counts, from an older hull, leaves them out), the
mean voluntary/involuntary context switches in it (a sleep on a lock, a
peer or a grace period / a wait for a CPU; from marks that carry them), and
its share of the median total (spawn of hull to its exit, measured here).
Under the table: in how many runs the init's first mark was on the CPU of
the runtime's mark before the clone.
An entry floor=PATH is bench/floor_full.c's binary instead, run as `PATH
NETNS ROOTFS CGROUP_PARENT/<id> CONTROLLERS` with those four words from
HULL_PHASES_FLOOR_ARGS (NETNS ROOTFS CGROUP_PARENT CONTROLLERS): it marks
the same phases where it does the same work, so the table shows where hull
spends more than the kernel's floor.
bench/phases.sh sets up the rootfs, cgroup and wrapper and calls this.
"""
import os
import shutil
import statistics
import subprocess
import sys
import time

# Phases in the order they end; what each one covers (the code after the
# previous mark of the same process, up to this one).
RUNTIME = [
    ("main", "exec of hull, static start-up, up to main()"),
    ("parsed", "command line, read + parse + validate config.json"),
    ("sealed", "switch to the sealed view of the runtime binary (CVE-2019-5736)"),
    ("state_dir", "plans, state dir, state.json, saved config"),
    ("cgroup", "cgroup directories and limits (v1: after the clone, while the init starts)"),
    ("clone_call", "start socket, socketpair, procfs, the bundle as cwd: up to the clone"),
    ("cloned", "clone3 and placement (runtime side); before clone_call (older hulls), the steps above too"),
    ("init_ready", "runtime waits for the init's Ready (init's work below)"),
    ("created", "state.json: created, pid file"),
    ("started", "start: connect to the init, state.json: running"),
    ("exited", "container runs /bin/true; runtime waits on the pidfd"),
    ("deleted", "delete: cgroup and state dir removed"),
    ("end", "runtime exits, reaped by the caller"),
]
INIT = [
    ("init_entry", "clone3 until the init runs (from the runtime's mark before the clone)"),
    ("init_sealed", "the init switches to the sealed view itself (v1: while the runtime makes the cgroups)"),
    ("namespaces", "network namespace, placement (wait), namespaces, keyring, hostname"),
    ("rootfs_bind", "propagation of /, rootfs bound onto itself"),
    ("mounts", "the config's mounts (proc, /dev, devpts, shm, mqueue, sysfs)"),
    ("dev_nodes", "device nodes and /dev links"),
    ("masked_readonly", "masked and read-only paths"),
    ("pivot", "pivot_root, old root detached, root read-only"),
    ("process_setup", "rlimits, cwd, capabilities, user, no_new_privs"),
    ("exec", "Ready sent, start barrier (waits for `start`)"),
]


def one(hull, root, bundles, cfg, i):
    cid = f"phases-{os.getpid()}-{i}"
    b = os.path.join(bundles, cid)
    if hull.startswith("floor="):
        netns, rootfs, parent, controllers = os.environ["HULL_PHASES_FLOOR_ARGS"].split()
        argv = [hull[len("floor="):], netns, rootfs, f"{parent}/{cid}", controllers]
    else:
        os.makedirs(b, exist_ok=True)
        shutil.copy(cfg, os.path.join(b, "config.json"))
        argv = [hull, "--root", root, "run", "--bundle", b, cid]
    r, w = os.pipe()
    env = dict(os.environ, HULL_TRACE_PHASES=str(w))
    t0 = time.monotonic_ns()
    p = subprocess.Popen(argv, env=env, pass_fds=(w,), stdin=subprocess.DEVNULL)
    os.close(w)
    data = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        data += chunk
    rc = p.wait()
    t_end = time.monotonic_ns()
    os.close(r)
    shutil.rmtree(b, ignore_errors=True)
    if rc != 0:
        sys.exit(f"{argv[0]} failed with status {rc}")
    marks = {}
    for line in data.decode().splitlines():
        name, ns, pid, *rest = line.split()
        # rest: page faults, then (newer marks) cpu, voluntary and involuntary switches
        faults = int(rest[0]) if rest else None
        cpu, vol, invol = (int(rest[1]), int(rest[2]), int(rest[3])) if len(rest) >= 4 else (None, None, None)
        marks[name] = (int(ns), int(pid), faults, cpu, vol, invol)
    marks["end"] = (t_end, p.pid, None, None, None, None)
    return t0, marks


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    hulls, root, bundles, n = sys.argv[1].split(","), sys.argv[2], sys.argv[3], int(sys.argv[4])
    cfg = os.path.join(bundles, "config.json")
    seg = [{name: [] for name, _ in RUNTIME + INIT} for _ in hulls]
    flt = [{name: [] for name, _ in RUNTIME + INIT} for _ in hulls]
    sw = [{name: [] for name, _ in RUNTIME + INIT} for _ in hulls]  # (voluntary, involuntary) per run
    same_cpu = [[] for _ in hulls]  # init's first mark on the runtime's CPU before the clone
    totals = [[] for _ in hulls]
    for h in hulls:
        one(h, root, bundles, cfg, -1)  # warm-up
    for i in range(n):
        for k in (range(len(hulls)) if i % 2 == 0 else reversed(range(len(hulls)))):
            t0, m = one(hulls[k], root, bundles, cfg, i)
            totals[k].append((m["end"][0] - t0) / 1e6)
            # A runtime phase is what ran since the runtime's previous mark in
            # time: where the init moves itself into v1 cgroups, "cgroup" ends
            # after "cloned" (the cgroup is made while the init starts).
            runtime_marks = sorted((m[name][0], name) for name, _ in RUNTIME if name in m)
            prev = t0
            before_clone = t0
            cpu_before_clone = None
            prev_faults = 0  # the runtime's count starts at its exec
            prev_sw = (0, 0)

            def count_faults(name, prev_faults):
                # The process's faults since its previous mark; the count to go on from.
                faults = m[name][2]
                if faults is None:
                    return prev_faults
                flt[k][name].append(faults - prev_faults)
                return faults

            def count_switches(name, prev_sw):
                # Likewise its voluntary and involuntary context switches.
                vol, invol = m[name][4], m[name][5]
                if vol is None:
                    return prev_sw
                sw[k][name].append((vol - prev_sw[0], invol - prev_sw[1]))
                return (vol, invol)

            prev_cpu = None
            for ns, name in runtime_marks:
                seg[k][name].append((ns - prev) / 1e6)
                prev_faults = count_faults(name, prev_faults)
                prev_sw = count_switches(name, prev_sw)
                if name == "cloned":
                    before_clone = prev
                    cpu_before_clone = prev_cpu
                prev = ns
                prev_cpu = m[name][3]
            prev = before_clone
            prev_faults = 0  # the init's counts start at the clone
            prev_sw = (0, 0)
            first = True
            for name, _ in INIT:
                if name in m:
                    seg[k][name].append((m[name][0] - prev) / 1e6)
                    prev = m[name][0]
                    prev_faults = count_faults(name, prev_faults)
                    prev_sw = count_switches(name, prev_sw)
                    if first and cpu_before_clone is not None and m[name][3] is not None:
                        same_cpu[k].append(m[name][3] == cpu_before_clone)
                    first = False
    med_total = [statistics.median(t) for t in totals]
    print(f"`hull run /bin/true`, {n} runs each, load average {os.getloadavg()[0]:.1f} at the end.\n")
    for k, h in enumerate(hulls):
        print(f"- [{k}] {h}: median total {med_total[k]:.2f} ms (spawn to exit)")
    print()
    print("| process | phase (ends at mark) | what |" +
          "".join(f" [{k}] median ms | faults | switches v/i | share |" for k in range(len(hulls))))
    print("|---|---|---|" + "---|---|---|---|" * len(hulls))
    for who, phases in (("runtime", RUNTIME), ("init", INIT)):
        for name, what in phases:
            if not any(s[name] for s in seg):
                continue
            row = f"| {who} | {name} | {what} |"
            for k in range(len(hulls)):
                v = seg[k][name]
                if not v:  # a phase this column does not have (the floor's sync, state, seal)
                    row += " — | — | — | — |"
                    continue
                med = statistics.median(v)
                f = flt[k][name]
                faults = f"{statistics.median(f):.0f}" if f else "—"
                s = sw[k][name]
                switches = (f"{statistics.mean(a for a, _ in s):.1f}/{statistics.mean(b for _, b in s):.1f}"
                            if s else "—")
                row += f" {med:.2f} | {faults} | {switches} | {100 * med / med_total[k]:.0f} % |"
            print(row)
    print()
    for k, h in enumerate(hulls):
        c = same_cpu[k]
        if c:
            print(f"- [{k}] the init's first mark on the CPU of the runtime's mark before the clone: "
                  f"{sum(c)} of {len(c)} runs")


main()
