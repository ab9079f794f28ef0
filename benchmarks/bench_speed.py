"""Speed and memory of the baseline: worlds per second and peak memory by run size.

    python benchmarks/bench_speed.py            # 1, 1,000, 10,000, 100,000 and 1,000,000 worlds
    python benchmarks/bench_speed.py --quick    # without the million
    python benchmarks/bench_speed.py --peak 10000000 --executor processes --rows outcomes
    python benchmarks/bench_speed.py --parallel 1000000     # serial against 2 processes

Each size runs in a fresh process on one core (serial executor), streaming its rows to a
Parquet file as `python run.py` does, so the peak memory printed is that of a real run of that
size. Simulation time excludes interpreter start-up and imports; the last line times
`python run.py` end to end, start-up included.

Then, for 10,000 worlds and more, the engine against the standard one-model-per-world Mesa model
(benchmarks/mesa_yardstick.py), both in one fresh process: the yardstick's models per second
(500 models, before and after the engine, averaged), the engine's worlds per second, simulation
only (blocks run and tabulated, no file written), and their ratio.

`--peak N` instead runs `python run.py runs=N` end to end with the given executor (2 workers)
and `rows` setting, and prints its peak resident memory, all its processes together (the
program, its pool's workers or its Dask cluster), sampled every 0.1 s, and the size of the
runs.parquet it wrote.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (1, 1_000, 10_000, 100_000, 1_000_000)


def measure(runs: int, chunk_size: int) -> dict:
    """Simulate `runs` baseline worlds in this process; return seconds and peak memory."""
    sys.path.insert(0, str(ROOT))
    from omegaconf import OmegaConf

    from sim.montecarlo import run_monte_carlo
    from sim.outputs.folder import RowWriter
    from sim.scenario.validate import parse_world
    from sim.settings import RunSettings

    world = parse_world(OmegaConf.to_container(OmegaConf.load(ROOT / "scenarios" /
                                                              "baseline.yaml")), "baseline")
    settings = RunSettings.defaults(runs=runs, chunk_size=chunk_size, executor="serial",
                                    progress=False)
    with tempfile.TemporaryDirectory() as folder:
        rows = RowWriter(Path(folder))
        start = time.perf_counter()
        run_monte_carlo(world, settings, sink=rows)
        rows.close()
        seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"runs": runs, "seconds": seconds, "peak_mb": peak_mb}


def versus_mesa(runs: int, chunk_size: int, models: int = 500) -> dict:
    """Engine worlds/s (simulation only) and yardstick models/s, measured in this process."""
    sys.path.insert(0, str(ROOT))
    from mesa_yardstick import measure_mesa
    from omegaconf import OmegaConf

    from sim.montecarlo import run_monte_carlo
    from sim.scenario.validate import parse_world
    from sim.settings import RunSettings

    world = parse_world(OmegaConf.to_container(OmegaConf.load(ROOT / "scenarios" /
                                                              "baseline.yaml")), "baseline")
    run_monte_carlo(world, RunSettings.defaults(runs=100, executor="serial", progress=False))
    before = measure_mesa(models, seed=1950)["worlds_per_s"]
    settings = RunSettings.defaults(runs=runs, chunk_size=chunk_size, executor="serial",
                                    progress=False)
    start = time.perf_counter()
    run_monte_carlo(world, settings)
    engine = runs / (time.perf_counter() - start)
    mesa = (before + measure_mesa(models, seed=1950)["worlds_per_s"]) / 2
    return {"runs": runs, "engine": engine, "mesa": mesa}


def parallel(runs: int, chunk_size: int) -> None:
    """Simulation of `runs` worlds serially and with a pool of 2 processes, in this process:
    wall time and speedup (rows kept as outcomes only, as for a run this large)."""
    sys.path.insert(0, str(ROOT))
    from omegaconf import OmegaConf

    from sim.montecarlo import run_monte_carlo
    from sim.scenario.validate import parse_world
    from sim.settings import RunSettings

    world = parse_world(OmegaConf.to_container(OmegaConf.load(ROOT / "scenarios" /
                                                              "baseline.yaml")), "baseline")
    print(f"{runs:,} worlds, chunk_size={chunk_size}, simulation only")
    serial = None
    for executor in ("serial", "processes"):
        settings = RunSettings.defaults(runs=runs, chunk_size=chunk_size, executor=executor,
                                        workers=2, progress=False, rows="outcomes")
        start = time.perf_counter()
        run_monte_carlo(world, settings)
        wall = time.perf_counter() - start
        serial = serial or wall
        print(f"  {executor:<10} {wall:7.1f} s   {serial / wall:.2f}x", flush=True)


def end_to_end() -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        subprocess.run([sys.executable, "run.py", "progress=false", f"hydra.run.dir={folder}"],
                       cwd=ROOT, check=True, capture_output=True)
        return time.perf_counter() - start


def peak(runs: int, executor: str, rows: str) -> None:
    """`python run.py runs=N` end to end: wall time, peak memory of all its processes, and
    the size of runs.parquet."""
    from bench_sweep import watched

    with tempfile.TemporaryDirectory(prefix="bench-peak-") as folder:
        out = Path(folder) / "run"
        command = [sys.executable, "run.py", f"runs={runs}", f"executor={executor}",
                   "workers=2", f"rows={rows}", "progress=false", "compare_with=null",
                   f"hydra.run.dir={out}"]
        seconds, most, child = watched(command)
        if child.returncode != 0:
            sys.exit(child.stderr.read())
        size = (out / "runs.parquet").stat().st_size
    print(f"{runs:,} worlds, executor={executor}, rows={rows}: {seconds:.0f} s, peak "
          f"{most / 2**20:,.0f} MiB (all processes), runs.parquet {size / 2**20:,.0f} MiB "
          f"({size / 2**20 / (runs / 1e6):,.1f} MiB per million worlds)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the million-world run")
    parser.add_argument("--chunk-size", type=int, help="worlds per block (default: the config's)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--versus", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--peak", type=int, metavar="N",
                        help="peak memory of `python run.py runs=N` end to end")
    parser.add_argument("--executor", default="serial", help="with --peak")
    parser.add_argument("--rows", default="full", help="with --peak: full or outcomes")
    parser.add_argument("--parallel", type=int, metavar="N",
                        help="N worlds serially and with 2 processes: the speedup")
    args = parser.parse_args()
    if args.peak is not None:
        peak(args.peak, args.executor, args.rows)
        return
    if args.chunk_size is None:
        sys.path.insert(0, str(ROOT))
        from sim.settings import RunSettings

        args.chunk_size = RunSettings.defaults().chunk_size
    if args.parallel is not None:
        parallel(args.parallel, args.chunk_size)
        return
    if args.one is not None:
        print(json.dumps(measure(args.one, args.chunk_size)))
        return
    if args.versus is not None:
        print(json.dumps(versus_mesa(args.versus, args.chunk_size)))
        return
    sizes = SIZES[:-1] if args.quick else SIZES
    print(f"baseline, 1949-1991 quarterly (169 steps), serial, chunk_size={args.chunk_size}")
    print(f"{'worlds':>10} {'seconds':>9} {'worlds/s':>10} {'peak MB':>9}")
    for runs in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(runs), "--chunk-size",
                              str(args.chunk_size)], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        print(f"{r['runs']:>10,} {r['seconds']:>9.3f} {r['runs'] / r['seconds']:>10,.0f} "
              f"{r['peak_mb']:>9.0f}")
    from mesa_yardstick import measure_mesa

    run_py = end_to_end()
    mesa = measure_mesa(1_000, seed=1950)["seconds"]
    print(f"python run.py (10,000 worlds, end to end, with start-up): {run_py:.1f} s; the "
          f"standard Mesa model, 1,000 worlds in this process: {mesa:.1f} s")
    print("engine vs the standard Mesa model (simulation only, serial, both in one process):")
    print(f"{'worlds':>10} {'engine w/s':>11} {'mesa w/s':>9} {'ratio':>6}")
    for runs in (r for r in sizes if r >= 10_000):
        out = subprocess.run([sys.executable, __file__, "--versus", str(runs), "--chunk-size",
                              str(args.chunk_size)], check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        print(f"{r['runs']:>10,} {r['engine']:>11,.0f} {r['mesa']:>9,.1f} "
              f"{r['engine'] / r['mesa']:>5.0f}x")


if __name__ == "__main__":
    main()
