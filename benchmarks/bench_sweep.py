"""Benchmark: a 100-point sweep at 10,000 worlds a point, with 1 and 2 workers.

    python benchmarks/bench_sweep.py                    # the figures in README.md
    python benchmarks/bench_sweep.py --points 20 --runs 2000
    python benchmarks/bench_sweep.py --lean             # 10 points: full and lean, and Mesa

Runs `python run.py -m` exactly as a user would: one worker is Hydra's basic launcher (points
one after another), N workers is the joblib launcher with n_jobs=N (points in parallel). Each
point is a full run (10,000 worlds, runs.parquet, summary.json, plot), with compare_with=null
so that a point is one scenario. Prints wall time, speedup and the peak resident memory of the
whole sweep (all its processes together, sampled every 0.1 s), for a small and the full number
of points, to show that memory does not grow with the number of points.

`--lean` times a 10-point sweep with the paired comparison on (each point against the baseline
on the same seeds), first with every output and then with `products=lean`, and between the
two the standard Mesa model (benchmarks/mesa_yardstick.py) for 2,500 worlds in this process.
`--before FOLDER` also times the same sweep in another checkout of the project, to compare a
point's cost with an earlier version's on the same machine and day:

    git worktree add /tmp/before e0e0033      # main when the speed issue was filed
    python benchmarks/bench_sweep.py --lean --before /tmp/before
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def values(points: int) -> str:
    """A list of `points` threat weights from 0.2 to 0.7, written out (not a float range())."""
    return ",".join(f"{0.2 + 0.5 * i / max(points - 1, 1):.4f}" for i in range(points))


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def watched(command: list[str], root: Path = ROOT) -> tuple[float, int, subprocess.Popen]:
    """Run `command` in the project folder `root`: its wall time (s), the peak memory (bytes)
    of all its processes together, sampled every 0.1 s, and the finished process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    watcher, peak = psutil.Process(child.pid), 0
    while child.poll() is None:
        try:
            peak = max(peak, tree_rss(watcher))
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.1)
    return time.perf_counter() - start, peak, child


def sweep(points: int, runs: int, workers: int,
          settings: tuple[str, ...] = ("compare_with=null",),
          root: Path = ROOT) -> tuple[float, int]:
    """Wall time (s) and peak memory (bytes) of one sweep, run by the project in `root`."""
    launcher = (["hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}"]
                if workers > 1 else [])
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as folder:
        command = [sys.executable, "run.py", "-m", *launcher, f"hydra.sweep.dir={folder}",
                   f"runs={runs}", "progress=false", *settings,
                   f"scenario.forces.threat_weight={values(points)}"]
        wall, peak, child = watched(command, root)
        if child.returncode != 0:
            sys.exit(f"sweep failed:\n{child.stderr.read()[-3000:]}")
        rows = sum(1 for _ in open(Path(folder) / "sweep.csv")) - 1
        if rows != points:
            sys.exit(f"sweep table has {rows} rows, expected {points}")
    return wall, peak


def lean_versus_mesa(points: int, runs: int, models: int, before: Path | None) -> None:
    """A sweep with the paired comparison on, every output against the lean products, and the
    standard Mesa model (benchmarks/mesa_yardstick.py) for `models` worlds, timed in this
    process between the two; and the same sweep by the checkout in `before`, if given."""
    from mesa_yardstick import measure_mesa

    print(f"{points}-point sweep of scenario.forces.threat_weight, {runs:,} worlds a point, "
          "one worker, each point compared with the baseline on the same seeds")
    if before is not None:
        old, _ = sweep(points, runs, 1, (), root=before)
        print(f"  every output, by {before}: {old:6.1f} s  ({old / points:.2f} s a point)",
              flush=True)
    full, _ = sweep(points, runs, 1, ())
    print(f"  every output (products=full):  {full:6.1f} s  ({full / points:.2f} s a point)",
          flush=True)
    mesa = measure_mesa(models, seed=1950)["seconds"]
    print(f"  the standard Mesa model, {models:,} worlds: {mesa:6.1f} s", flush=True)
    lean, _ = sweep(points, runs, 1, ("products=lean",))
    print(f"  summary and rows (products=lean): {lean:6.1f} s  ({lean / points:.2f} s a point)")
    print(f"  lean against Mesa: {lean / mesa:.2f}x its time; a lean point costs "
          f"{lean / full:.2f} of a full one" + (f", {lean / old:.2f} of one by {before}"
                                                if before is not None else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--small", type=int, default=20, help="points of the memory check")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--lean", action="store_true",
                        help="10 points, full against lean products, beside the Mesa model")
    parser.add_argument("--before", type=Path, default=None,
                        help="with --lean: time the same sweep by this checkout too")
    args = parser.parse_args()
    if args.lean:
        lean_versus_mesa(10, args.runs, 2_500, args.before)
        return

    print(f"sweep of scenario.forces.threat_weight, {args.runs:,} worlds a point, "
          f"{psutil.cpu_count()} cores")
    print(f"{'points':>6} {'workers':>7} {'wall s':>8} {'s/point':>8} {'speedup':>8} "
          f"{'peak MiB':>9}")
    base = None
    for workers in args.workers:
        for points in sorted({args.small, args.points}):
            wall, peak = sweep(points, args.runs, workers)
            if points == args.points and base is None:
                base = wall
            speedup = f"{base / wall:.2f}x" if points == args.points else "-"
            print(f"{points:>6} {workers:>7} {wall:>8.1f} {wall / points:>8.2f} {speedup:>8} "
                  f"{peak / 2**20:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
