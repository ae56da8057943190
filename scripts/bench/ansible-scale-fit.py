#!/usr/bin/env python3
"""Fit and project the fleet-scale benchmark (scripts/bench/ansible-scale.sh).

  ansible-scale-fit.py results.tsv [--markdown]

Input: the TSV the benchmark writes, one row per run: N, forks, waves, op,
batch play seconds, playbook seconds, and (when measured) CPU seconds of the
whole playbook process tree and of the main ansible-playbook process.

Fitted (least squares over every run measured):
  wall seconds = c0 + a * N + b * W,   W = ceil(N / forks)  (waves)
  CPU seconds  = k0 + k1 * N           (whole tree: controller + chroot modules)
  main CPU     = m0 + m1 * N           (the single ansible-playbook process:
                                        strategy, templating, results; serial)
With a single size the per-host CPU is CPU / N (an upper bound).

On the benchmark machine (2 cores shared with other jobs, load 20-28) the
wall times are mostly CPU contention, so the projection to real hosts is
built from CPU and stated latencies instead, and sums the parts (they
overlap in reality, so it is an upper bound):
  main:     m1 * N                       one process, does not scale with cores
  workers:  (k1 - m1) * N / cores        forks on the controller's own cores;
                                         includes the module runs, which on
                                         real hosts happen remotely
  latency:  W * (tasks * task_seconds + install_seconds)   (deploy, linear)
            (N / forks) * (same)                            (rollback, free)
  download: ceil(N / k) * package / min(host, mirror / k),  k = min(throttle, forks)
"""
import argparse
import math
import sys


def solve3(m, v):
    """Gaussian elimination for a 3x3 system."""
    m = [row[:] + [v[i]] for i, row in enumerate(m)]
    for c in range(3):
        p = max(range(c, 3), key=lambda r: abs(m[r][c]))
        if abs(m[p][c]) < 1e-12:
            raise ValueError("singular system: measure more sizes or forks values")
        m[c], m[p] = m[p], m[c]
        for r in range(3):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][3] / m[i][i] for i in range(3)]


def fit(points):
    """Least squares seconds = c0 + a*N + b*W over (N, W, seconds)."""
    xs = [(1.0, n, w) for n, w, _ in points]
    ys = [s for _, _, s in points]
    ata = [[sum(x[i] * x[j] for x in xs) for j in range(3)] for i in range(3)]
    aty = [sum(x[i] * y for x, y in zip(xs, ys)) for i in range(3)]
    c0, a, b = solve3(ata, aty)
    pred = [c0 + a * n + b * w for n, w, _ in points]
    worst = max(abs(p - s) / s for p, (_, _, s) in zip(pred, points))
    return c0, a, b, worst


def fit2(points):
    """Least squares y = k0 + k1*x over (x, y)."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    k1 = sum((x - mx) * (y - my) for x, y in points) / sxx
    return my - k1 * mx, k1


def per_host(points):
    """Per-host slope over (N, y); with one size, y / N (an upper bound)."""
    if len({n for n, _ in points}) >= 2:
        return fit2(points)[1]
    return sum(y / n for n, y in points) / len(points)


def project(op, cpu, n, forks, throttle, args, shards=1):
    k1, m1, tasks = cpu
    waves = math.ceil(n / forks)
    rounds = waves if op == "deploy" else max(1.0, n / forks)
    k = min(throttle or forks, forks, n)
    mib = args.package_mib * 1.048576  # MB
    per_dl = mib / min(args.host_mbps, args.mirror_mbps / k)
    download = math.ceil(n / k) * per_dl
    main = m1 * n / shards  # K ansible-playbook processes, disjoint --limit slices
    workers = max(0.0, k1 - m1) * n / args.controller_cores
    latency = rounds * (tasks * args.task_seconds + args.install_seconds)
    total = main + workers + latency + download
    overlapped = max(main, workers, latency) + download
    return waves, main, workers, latency, download, total, overlapped


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--package-mib", type=float, default=186.09,
                   help="datadog-agent .deb on the wire (DataDog/datadog-agent test/static/static_quality_gates.yml, agent_deb_amd64 max_on_wire_size)")
    p.add_argument("--install-seconds", type=float, default=30.0, help="real unpack + postinst + agent start per host, beyond the fake package")
    p.add_argument("--host-mbps", type=float, default=60.0, help="download MB/s one host gets")
    p.add_argument("--mirror-mbps", type=float, default=600.0, help="aggregate MB/s of the local mirror or proxy")
    p.add_argument("--controller-cores", type=float, default=4.0, help="cores of the controller running ansible-playbook, not shared")
    p.add_argument("--task-seconds", type=float, default=0.5, help="one task on a real host over SSH (pipelining, ControlPersist)")
    p.add_argument("--tasks", default="deploy=87,rollback=38", help="tasks per host (from the PLAY RECAP of the benchmark runs)")
    args = p.parse_args()

    data = {"install": [], "deploy": [], "rollback": []}
    dup = {}
    walls = {}
    header = ""
    for line in open(args.results, encoding="utf-8"):
        if line.startswith("#"):
            header = line[1:].strip()
            continue
        f = line.rstrip("\n").split("\t")
        if len(f) < 5 or f[0] == "N":
            continue
        if f[0].startswith("dup-check-"):
            if f[4] != "NA":
                dup.setdefault((f[0][len("dup-check-"):], f[1]), []).append(float(f[4]))
            continue
        n, forks, waves, op, secs = int(f[0]), int(f[1]), int(f[2]), f[3], float(f[4])
        cpu_s = float(f[6]) if len(f) > 6 and f[6] not in ("", "NA", "-") else None
        main_s = float(f[7]) if len(f) > 7 and f[7] not in ("", "NA", "-") else None
        data[op].append((n, waves, secs, forks, cpu_s, main_s))
        walls[(op, n, forks)] = f[5]

    out = []
    say = out.append
    say(f"Run: {header}")
    say("")
    if dup:
        say("| preflight duplicate check | hosts | runs (s) | median (s) |")
        say("| --- | ---: | --- | ---: |")
        for (which, n), ts in sorted(dup.items(), key=lambda kv: (kv[0][1], kv[0][0] != "before")):
            med = sorted(ts)[len(ts) // 2]
            say(f"| {which} | {n} | {', '.join(f'{t:.2f}' for t in ts)} | {med:.2f} |")
        say("")
    say("| op | hosts | forks | waves | batch play (s) | whole playbook (s) | CPU, process tree (s) | CPU, main process (s) |")
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for op in ("install", "deploy", "rollback"):
        for n, w, s, f, c, m in sorted(data[op], key=lambda x: (x[3], x[0])):
            say(f"| {op} | {n} | {f} | {w} | {s:.1f} | {walls.get((op, n, f), '-')} | {c if c is not None else '-'} | {m if m is not None else '-'} |")
    say("")
    tasks = dict(kv.split("=") for kv in args.tasks.split(","))
    cpus = {}
    for op in ("deploy", "rollback"):
        pts = [(n, w, s) for n, w, s, _, _, _ in data[op]]
        if len(pts) >= 3:
            try:
                c0, a, b, worst = fit(pts)
                note = "" if min(c0, a, b) >= 0 else "; negative terms: contention dominates, no physical meaning"
                say(f"- {op}, wall on this machine: {c0:.1f} s + {a:.2f} s x hosts + {b:.1f} s x waves (worst point off by {100 * worst:.0f}%{note})")
            except ValueError as e:
                say(f"- {op}, wall: no fit ({e})")
        cp = [(n, c) for n, _, _, _, c, _ in data[op] if c is not None]
        mp = [(n, m) for n, _, _, _, _, m in data[op] if m is not None]
        if cp and mp:
            cpus[op] = (per_host(cp), per_host(mp), float(tasks.get(op, 50)))
            say(f"- {op}, CPU per host: {cpus[op][0]:.2f} s (process tree), {cpus[op][1]:.2f} s (main process)")
    say("")
    if not cpus:
        print("\n".join(out))
        return 1
    say(f"Projection: controller with {args.controller_cores:g} cores of its own; {args.task_seconds:g} s per task on a real host "
        f"({args.tasks} tasks per host); package {args.package_mib} MiB, download {args.host_mbps:g} MB/s per host and "
        f"{args.mirror_mbps:g} MB/s through the mirror/proxy; {args.install_seconds:g} s real install and agent start per host.")
    say("")
    say("| op | hosts | forks | throttle | waves | main process (s) | workers (s) | host latency (s) | download (s) | total: overlapped - summed | 15 min target |")
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for op in ("deploy", "rollback"):
        if op not in cpus:
            continue
        # One 339-host batch (a 1,000-host stage split 33/33/34%), then the whole
        # stage (three batch plays of 330, 330 and 340; soak and gate not counted).
        # shards: K ansible-playbook processes on disjoint --limit slices of the
        # batch (forks split between them), projected, not measured.
        for sizes, forks, thr, shards in (([339], 20, 0, 1), ([339], 50, 20, 1), ([339], 100, 20, 1), ([339], 50, 20, 4), ([330, 330, 340], 50, 20, 1)):
            rows = [project(op, cpus[op], n, forks, thr, args, shards) for n in sizes]
            w, ctl, lat, inst, dl, tot, low = (sum(r[i] for r in rows) for i in range(7))
            label = (str(sizes[0]) if len(sizes) == 1 else f"{sum(sizes)} (3 batches)") + (f", {shards} shards" if shards > 1 else "")
            target = ""
            if op == "rollback" and len(sizes) == 1:
                target = "met" if tot <= 900 else ("met only if the parts overlap" if low <= 900 else "missed")
            say(f"| {op} | {label} | {forks} | {thr or 'none'} | {w:.0f} | {ctl:.0f} | {lat:.0f} | {inst:.0f} | {dl:.0f} "
                f"| {low / 60:.1f} - {tot / 60:.1f} min | {target} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
