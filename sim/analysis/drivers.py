"""Why it split: a run's loss of cohesion accounted for by mechanism.

Every change in a world's cohesion is booked to one of the engine's DRIVERS (the mechanisms,
the pull toward the resting level, noise and clipping), so the contributions add up exactly to
the change. This module averages them over worlds (from the sums over worlds the run keeps, so
they are there whatever runs.parquet holds, and memory stays flat) and over periods (from the
per-step sums the run keeps).
"""

from __future__ import annotations

import numpy as np

from sim.analysis.stats import period_edges
from sim.engine.schedule import DRIVERS
from sim.montecarlo import MonteCarloResult

PERIOD_YEARS = 5
"""Width of the periods of `drivers.by_period` and `survival.hazard`, in years."""


def _means(total: np.ndarray, worlds: int) -> dict | None:
    if worlds == 0:
        return None
    return {d.id: float(v / worlds) for d, v in zip(DRIVERS, total, strict=True)}


def _group(total: np.ndarray, worlds: int, span: str) -> dict:
    mean = _means(total, worlds)
    return {"worlds": worlds, "span": span, "mean": mean,
            "total": None if mean is None else float(total.sum() / worlds)}


def drivers_block(result: MonteCarloResult) -> dict:
    """The `drivers` block of summary.json.

    `split_worlds` and `all_worlds` hold the mean contribution of each driver to a world's
    change in cohesion from the start through the quarter its split is dated to (to the
    horizon where it held), over the worlds that split and over all worlds; `total` is their
    sum, the mean change itself.
    `by_period` holds, for each period, each driver's contribution to the mean world's change
    over the period's steps (after a split too). Units: cohesion, on its 0-1 scale.
    """
    split_sum, all_sum = result.driver_sums
    n_split, n_all = result.split_worlds, result.runs
    world = result.world
    edges = period_edges(world.start, world.horizon, PERIOD_YEARS)
    step_years = world.year_of(np.arange(world.n_steps))
    by_period = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        steps = (step_years >= low) & (step_years < high)
        total = result.drivers_by_step[steps].sum(axis=0)
        by_period.append({"years": [float(low), float(high)], "mean": _means(total, result.runs),
                          "total": float(total.sum() / result.runs)})
    return {
        "unit": "cohesion (0-1 scale), mean per world",
        "drivers": [d.id for d in DRIVERS],
        "split_worlds": _group(split_sum, n_split, "from the start to the split"),
        "all_worlds": _group(all_sum, n_all, "to the split, or to the horizon"),
        "by_period": by_period,
    }
