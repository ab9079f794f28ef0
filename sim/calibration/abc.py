"""Approximate Bayesian computation by rejection: simulate worlds with parameters drawn from their
priors, keep those whose history matches the evidence within its tolerances.

Beaumont, Zhang & Balding, "Approximate Bayesian computation in population genetics", Genetics
162, 2002 (rejection with an indicator kernel: a world is kept or not, so every kept world has
the same weight and the effective sample size is the number kept). The kept worlds' parameter
values are draws from the posterior given the evidence, and the kept worlds themselves (their
seed block and position, hence their chance events) are draws from the posterior predictive,
which `sim/calibration/given.py` re-runs under a change.

Every world's match on every piece of evidence and its outcome dates go to `worlds.parquet`
(so that other subsets of the evidence can be conditioned on later: `given=before`); the worlds
that fail at most one piece used are kept in memory with their parameters, which is what the
posterior and each leave-one-out prediction are read from.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from sim import interrupts
from sim.analysis.stats import proportion_ci
from sim.calibration.evidence import Item, match_all, value
from sim.engine.schedule import OUTCOMES
from sim.executors import in_order, make_executor
from sim.montecarlo import blocks_of, simulate_block
from sim.settings import RunSettings

EVIDENCE = "evidence."
"""Prefix of the per-piece match columns."""
VALUE = "value."
"""Prefix of the per-piece date columns (a dated piece's date in each world)."""


def calibrate_block(world, seed: int, block: int, first: int, n: int, items: list[Item],
                    used: list[str]) -> tuple[int, pa.Table, pd.DataFrame]:
    """(block, every world's matches and outcome dates, the worlds failing at most one piece
    used, with their parameters, matches and dated pieces' dates)."""
    rows = simulate_block(world, seed, block, first, n).rows
    hits = match_all(items, world, rows)
    columns = {"world": rows.column("world")}
    columns.update({EVIDENCE + name: pa.array(hit) for name, hit in hits.items()})
    columns.update({o.column: rows.column(o.column) for o in OUTCOMES})
    misses = sum((~hits[name]).astype(int) for name in used) if used else np.zeros(n, int)
    near = np.flatnonzero(misses <= 1)
    detail = {"world": rows.column("world").to_numpy()[near], "block": np.full(near.size, block),
              "index": near}
    detail.update({c: rows.column(c).to_numpy(zero_copy_only=False)[near]
                   for c in rows.column_names if c.startswith("param.")})
    detail.update({EVIDENCE + name: hit[near] for name, hit in hits.items()})
    for item in items:
        dates = value(item, world, rows)
        if dates is not None:
            detail[VALUE + item.name] = dates[near]
    for o in OUTCOMES:
        detail[o.column] = rows.column(o.column).to_numpy(zero_copy_only=False)[near]
    return block, pa.table(columns), pd.DataFrame(detail)


@dataclass
class Pass:
    """One pass over `runs` worlds: how many matched each piece, and the near-kept worlds."""

    runs: int
    items: list[Item]
    used: list[str]
    seconds: float = 0.0
    matched: dict[str, int] = field(default_factory=dict)
    near: pd.DataFrame | None = None

    def kept(self, names: list[str] | None = None) -> pd.DataFrame:
        """The worlds matching every piece named (default: every piece used)."""
        names = self.used if names is None else names
        ok = np.ones(len(self.near), dtype=bool)
        for name in names:
            ok &= self.near[EVIDENCE + name].to_numpy(dtype=bool)
        return self.near[ok].reset_index(drop=True)

    def without(self, name: str) -> pd.DataFrame:
        """The worlds matching every piece used but `name` (whatever they did on it)."""
        return self.kept([n for n in self.used if n != name])


def run_pass(world, items: list[Item], used: list[str], settings: RunSettings,
             sink: Callable[[pa.Table], None] | None = None) -> Pass:
    """Simulate `settings.runs` worlds of `world` (its distributions are the priors) in blocks
    through the settings' executor; hand each block's per-world table to `sink` in order."""
    started = time.perf_counter()
    plan = blocks_of(settings.runs, settings.chunk_size)
    result = Pass(settings.runs, items, used, matched={item.name: 0 for item in items})
    frames = []
    bar = tqdm(total=settings.runs, unit="world", disable=not settings.progress,
               desc=f"calibrating {world.name}")
    calls = [(world, settings.seed, b, first, n, items, used) for b, first, n in plan]
    with make_executor(settings.executor, settings.workers, settings.dask_address) as pool:
        # in block order, with a bounded number in flight: memory stays flat (sim/executors.py)
        for _, table, near in in_order(pool, calibrate_block, calls):
            for item in items:
                result.matched[item.name] += int(np.sum(table.column(EVIDENCE + item.name)))
            frames.append(near)
            bar.update(table.num_rows)
            if sink is not None:
                sink(table)
            interrupts.checkpoint()
    bar.close()
    result.near = pd.concat(frames, ignore_index=True).sort_values("world", ignore_index=True)
    result.seconds = time.perf_counter() - started
    return result


# --------------------------------------------------------------------------- the posterior


def interval(values: np.ndarray, level: float = 0.9) -> list[float] | None:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return [float(low), float(high)]


def parameters_block(priors: dict, kept: pd.DataFrame) -> dict:
    """Each parameter's prior and posterior: median and 90% interval (and how much narrower
    the posterior's interval is)."""
    block = {}
    for path, dist in priors.items():
        values = kept[f"param.{path}"].to_numpy(dtype=float) if len(kept) else np.array([])
        prior = {"distribution": dist.as_data(), "median": dist.median,
                 "interval90": list(dist.interval(0.9))}
        posterior = None
        if values.size:
            posterior = {"median": float(np.median(values)), "interval90": interval(values),
                         "mean": float(values.mean()), "sd": float(values.std(ddof=1))
                         if values.size > 1 else None}
        width = prior["interval90"][1] - prior["interval90"][0]
        narrowing = None
        if posterior and width > 0:
            narrowing = (posterior["interval90"][1] - posterior["interval90"][0]) / width
        block[path] = {"prior": prior, "posterior": posterior, "width_ratio": narrowing}
    return block


def correlations(kept: pd.DataFrame, paths: list[str], top: int = 10) -> dict:
    """Spearman rank correlations between parameters among the kept worlds, strongest first:
    the ridges along which the evidence cannot tell parameters apart. Independent priors
    start every pair at 0."""
    if len(kept) < 3 or len(paths) < 2:
        return {"method": "Spearman rank correlation among the kept worlds", "pairs": []}
    ranks = kept[[f"param.{p}" for p in paths]].rank().to_numpy()
    matrix = np.corrcoef(ranks, rowvar=False)
    pairs = [{"a": paths[i], "b": paths[j], "r": float(matrix[i, j])}
             for i in range(len(paths)) for j in range(i + 1, len(paths))
             if np.isfinite(matrix[i, j])]
    pairs.sort(key=lambda p: -abs(p["r"]))
    return {"method": "Spearman rank correlation among the kept worlds", "pairs": pairs[:top]}


def acceptance_block(result: Pass) -> dict:
    """How many worlds were kept, and what each piece costs: the share of worlds matching it
    on its own, and how many would be kept without it."""
    kept = len(result.kept())
    low, high = proportion_ci(kept, result.runs)
    pieces = {}
    for item in result.items:
        share = result.matched[item.name] / result.runs
        entry = {"share_matching": share, "record": item.record(), "text": item.text(),
                 "used": item.name in result.used}
        if item.name in result.used:
            entry["kept_without_it"] = len(result.without(item.name))
        pieces[item.name] = entry
    used = [n for n in result.used]
    strictest = max(used, key=lambda n: pieces[n]["kept_without_it"]) if used else None
    return {
        "worlds": result.runs, "kept": kept, "rate": kept / result.runs, "ci95": [low, high],
        "ess": kept,
        "ess_note": "rejection ABC keeps each world with weight 1 or 0, so the effective "
                    "sample size is the number of worlds kept",
        "pieces": pieces,
        "strictest": None if strictest is None else {
            "piece": strictest, "share_matching": pieces[strictest]["share_matching"],
            "kept_without_it": pieces[strictest]["kept_without_it"]},
    }


def prediction(result: Pass, item: Item) -> dict:
    """How well the worlds kept on every other piece used predict `item`: the share of them
    matching it against the share among all worlds; for a dated piece, their median date and
    90% interval against the record."""
    given = result.without(item.name)
    hit = given[EVIDENCE + item.name].to_numpy(dtype=bool)
    low, high = proportion_ci(int(hit.sum()), len(given)) if len(given) else (None, None)
    block = {"piece": item.name, "record": item.record(), "kept_on_the_rest": len(given),
             "share_matching": float(hit.mean()) if len(given) else None, "ci95": [low, high],
             "share_among_all_worlds": result.matched[item.name] / result.runs}
    if item.dated:
        dates = given[VALUE + item.name].to_numpy(dtype=float)
        block.update({"record_date": item.record_date(),
                      "share_with_a_date": float(np.mean(~np.isnan(dates))) if len(given)
                      else None,
                      "median_date": float(np.nanmedian(dates)) if np.any(~np.isnan(dates))
                      else None,
                      "interval90": interval(dates)})
    return block
