"""Variants of one world that differ only by forced choices, run side by side in one batch.

A study that tries thousands of sets of departures from history (sim/search.py) would pay each
run's fixed cost thousands of times. Here every variant is a copy of the same worlds in one batch:
the copies draw the same random numbers (TiledStreams, common random numbers), and each copy's
junctures are forced to its variant's options (the model's `forced` interventions). A variant of
`runs` worlds gets exactly the numbers a run of `runs` worlds from block 0 of the seed would give
it alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sim.engine.model import AllianceModel
from sim.engine.processes.split import Split
from sim.engine.specs import NOT_YET
from sim.engine.streams import TiledStreams
from sim.executors import in_order, make_executor
from sim.scenario.schema import World
from sim.settings import RunSettings

Interventions = dict[str, int]
"""Juncture id -> the index of the option forced there."""


def simulate_stack(world: World, variants: Sequence[Interventions], runs: int,
                   seed: int) -> list[np.ndarray]:
    """(runs,) split years (NaN: no split) of each variant, all in one batch."""
    copies, n = len(variants), len(variants) * runs
    forced: dict[str, np.ndarray] = {}
    for k, interventions in enumerate(variants):
        for juncture, option in interventions.items():
            forced.setdefault(juncture, np.full(n, NOT_YET))[k * runs:(k + 1) * runs] = option
    model = AllianceModel(world, n, TiledStreams(seed, 0, copies), forced=forced)
    model.run()
    steps = model.get(Split).step
    years = world.years_or_nan(steps)
    model.release()
    return [years[k * runs:(k + 1) * runs] for k in range(copies)]


def run_stacked(world: World, variants: Sequence[Interventions], settings: RunSettings,
                progress: Callable[[int], None] | None = None) -> list[np.ndarray]:
    """(settings.runs,) split years of each variant on the settings' seed, batches of as many
    variants as fill a chunk spread over the settings' executor.

    Args:
        progress: called with the number of variants done so far.
    """
    per_batch = max(1, settings.chunk_size // settings.runs)
    batches = [list(range(i, min(i + per_batch, len(variants))))
               for i in range(0, len(variants), per_batch)]
    years: list[np.ndarray | None] = [None] * len(variants)
    done = 0
    calls = [(world, [variants[i] for i in batch], batch, settings.runs, settings.seed)
             for batch in batches]
    with make_executor(settings.executor, settings.workers, settings.dask_address) as pool:
        for batch, results in in_order(pool, _batch, calls):
            for i, split in zip(batch, results, strict=True):
                years[i] = split
            done += len(batch)
            if progress is not None:
                progress(done)
    return years


def _batch(world, variants, indices, runs, seed):
    return indices, simulate_stack(world, variants, runs, seed)
