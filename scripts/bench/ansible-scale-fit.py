#!/usr/bin/env python3
"""Fit and project the fleet-scale benchmark (scripts/bench/ansible-scale.sh).

  ansible-scale-fit.py results.tsv [--markdown]

Model, per operation (deploy = the batch play of deploy-datadog.yml, linear
strategy; rollback = the batch play of rollback-datadog.yml, free strategy):

  seconds = c0 + a * N + b * W,   W = ceil(N / forks)  (waves)

a is the cost of one more host (controller work: forking, templating,
module transfer; on chroot hosts also the "remote" module run, which shares
this machine's cores), b the cost of one more wave (the time a host spends
waiting on its own tasks), c0 the fixed cost. Least squares over every
(N, forks) point measured.

Projection to real hosts adds, per host, what a chroot with a fake package
does not pay (see --install-seconds, --package-mib, --host-mbps, --mirror-mbps):
  install: each wave waits for the real package to unpack and the agent to
    start: W * install_seconds (hosts of a wave install in parallel);
  download: the throttled download step moves N packages through the mirror
    or proxy: ceil(N / k) rounds of package / min(host, mirror / k) seconds,
    k = min(throttle, forks) concurrent downloads.
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


def project(coef, n, forks, throttle, args, with_real=True):
    c0, a, b, _ = coef
    waves = math.ceil(n / forks)
    k = min(throttle or forks, forks, n)
    mib = args.package_mib * 1.048576  # MB
    per_dl = mib / min(args.host_mbps, args.mirror_mbps / k)
    download = math.ceil(n / k) * per_dl
    install = waves * args.install_seconds
    measured = c0 + a * n + b * waves
    total = measured + ((install + download) if with_real else 0.0)
    return waves, measured, install, download, total


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--package-mib", type=float, default=186.09,
                   help="datadog-agent .deb on the wire (DataDog/datadog-agent test/static/static_quality_gates.yml, agent_deb_amd64 max_on_wire_size)")
    p.add_argument("--install-seconds", type=float, default=30.0, help="real unpack + postinst + agent start per host, beyond the fake package")
    p.add_argument("--host-mbps", type=float, default=60.0, help="download MB/s one host gets")
    p.add_argument("--mirror-mbps", type=float, default=600.0, help="aggregate MB/s of the local mirror or proxy")
    p.add_argument("--markdown", action="store_true")
    args = p.parse_args()

    data = {"deploy": [], "rollback": []}
    dup = {}
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
        data[op].append((n, waves, secs, forks))

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
    say("| op | hosts | forks | waves | batch play (s) |")
    say("| --- | ---: | ---: | ---: | ---: |")
    for op in ("deploy", "rollback"):
        for n, w, s, f in sorted(data[op], key=lambda x: (x[3], x[0])):
            say(f"| {op} | {n} | {f} | {w} | {s:.1f} |")
    say("")
    coefs = {}
    for op in ("deploy", "rollback"):
        pts = [(n, w, s) for n, w, s, _ in data[op]]
        if len(pts) < 3:
            say(f"{op}: fewer than 3 points, no fit")
            continue
        coefs[op] = fit(pts)
        c0, a, b, worst = coefs[op]
        say(f"{op}: seconds = {c0:.1f} + {a:.2f} x hosts + {b:.1f} x waves (worst point off by {100 * worst:.0f}%)")
    say("")
    if not coefs:
        print("\n".join(out))
        return 1
    say(f"Projection: package {args.package_mib} MiB, download {args.host_mbps:g} MB/s per host and "
        f"{args.mirror_mbps:g} MB/s through the mirror/proxy, {args.install_seconds:g} s real install per wave.")
    say("")
    say("| op | hosts | forks | throttle | waves | fitted (s) | + install (s) | + download (s) | total | target |")
    say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for op in ("deploy", "rollback"):
        if op not in coefs:
            continue
        for n, forks, thr in ((339, 20, 0), (339, 50, 20), (339, 100, 20), (1000, 50, 20)):
            w, meas, inst, dl, tot = project(coefs[op], n, forks, thr, args)
            target = ("<= 15 min: " + ("yes" if tot <= 900 else "NO")) if op == "rollback" and n == 339 else ""
            say(f"| {op} | {n} | {forks} | {thr or 'none'} | {w} | {meas:.0f} | {inst:.0f} | {dl:.0f} | {tot / 60:.1f} min | {target} |")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
