"""The Monte Carlo runner: worlds in fixed-size seed blocks, blocks through an executor.

Block b holds worlds `b * chunk_size` onwards and draws every random number from streams
spawned from `(seed, b)`. A block is the unit of both randomness and execution, so the results
depend on the seed and the chunk size only, never on the executor or how many workers it has.
Per-world rows are handed to a sink block by block, in order, so memory stays flat however
many worlds run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from sim.executors import make_executor
from sim.model import COHESION_BINS, DRIVERS, NOT_YET, AllianceModel
from sim.streams import Streams
from sim.world import TRAITS, World


@dataclass
class Outcomes:
    """Per-world outcome years over the whole run (NaN where the event did not happen).

    Attributes:
        split, clash, realignment: (R,) decimal years.
        realignment_nation: (R,) index of the ally that realigned, or -1.
    """

    split: np.ndarray
    clash: np.ndarray
    realignment: np.ndarray
    realignment_nation: np.ndarray


@dataclass
class BlockResult:
    """What one block of worlds returns: its rows and its per-step aggregates."""

    block: int
    rows: pa.Table
    drivers_by_step: np.ndarray
    cohesion_histogram: np.ndarray


@dataclass
class MonteCarloResult:
    """The whole run: outcome years per world, aggregates per step, and the settings."""

    world: World
    runs: int
    seed: int
    chunk_size: int
    outcomes: Outcomes
    drivers_by_step: np.ndarray
    cohesion_histogram: np.ndarray


def blocks_of(runs: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """(block index, first world, number of worlds) for each block of a run."""
    return [(b, b * chunk_size, min(chunk_size, runs - b * chunk_size))
            for b in range(math.ceil(runs / chunk_size))]


def simulate_block(world: World, seed: int, block: int, first: int, n: int) -> BlockResult:
    """Run one block of `n` worlds from the start to the horizon and tabulate it."""
    model = AllianceModel(world, n, Streams(seed, block))
    model.run()
    model.finish()
    return BlockResult(block, tabulate(model, first), model.drivers_by_step,
                       model.cohesion_histogram)


def years_or_nan(model: AllianceModel, steps: np.ndarray) -> np.ndarray:
    return np.where(steps == NOT_YET, np.nan, model.world.year_of(steps))


def _labels(codes: np.ndarray, names: list[str]) -> pa.Array:
    """A dictionary-encoded text column from integer codes, null where the code is NOT_YET."""
    indices = pa.array(np.where(codes == NOT_YET, 0, codes).astype(np.int32),
                       mask=codes == NOT_YET)
    return pa.DictionaryArray.from_arrays(indices, pa.array(names, pa.string()))


def tabulate(model: AllianceModel, first: int) -> pa.Table:
    """One row per world: outcomes, office holders at the split, choices, sampled traits,
    and the drivers of its cohesion change (columns documented in the README)."""
    world = model.world
    columns: dict[str, pa.Array] = {
        "world": pa.array(np.arange(first, first + model.n_worlds, dtype=np.int64)),
    }
    for name, steps in (("split_year", model.split_step), ("clash_year", model.clash_step),
                        ("realignment_year", model.realign_step)):
        years = years_or_nan(model, steps)
        columns[name] = pa.array(years, mask=np.isnan(years))
    columns["realignment_nation"] = _labels(model.realign_nation, list(world.members))
    for i, nation in enumerate(world.members):
        columns[f"holder_at_split.{nation}"] = _labels(model.split_holders[:, i], model.person_ids)
    for juncture in world.junctures:
        columns[f"choice.{juncture.id}"] = _labels(model.choices[juncture.id],
                                                    [o.id for o in juncture.options])
    columns["polemics"] = pa.array(model.polemics.astype(np.int32))
    for person in model.persons:
        for trait in TRAITS:
            if person.spec.traits[trait].kind != "fixed":
                columns[f"trait.{person.spec.id}.{trait}"] = pa.array(
                    person.traits[trait].astype(np.float32))
        if person.spec.ideology.kind != "fixed":
            columns[f"trait.{person.spec.id}.ideology"] = pa.array(
                person.ideology.astype(np.float32))
    for k, name in enumerate(DRIVERS):
        columns[f"driver.{name}"] = pa.array(model.drivers_to_split[:, k].astype(np.float32))
    return pa.table(columns)


def run_monte_carlo(
    world: World,
    runs: int,
    seed: int,
    chunk_size: int,
    executor: str = "serial",
    workers: int = 1,
    address: str | None = None,
    progress: bool = True,
    sink: Callable[[pa.Table], None] | None = None,
) -> MonteCarloResult:
    """Simulate `runs` worlds of `world` and return their outcomes and aggregates.

    Args:
        executor: 'serial' (in this process), 'processes' (a local pool) or 'dask'.
        workers: worker count for the pool or a local Dask cluster.
        address: a Dask scheduler address; None starts a LocalCluster.
        progress: show a tqdm bar.
        sink: called with each block's rows, in block order (for streaming to a file).
    """
    plan = blocks_of(runs, chunk_size)
    split, clash, realign = (np.full(runs, np.nan) for _ in range(3))
    realign_nation = np.full(runs, NOT_YET)
    drivers = np.zeros((world.n_steps, len(DRIVERS)))
    histogram = np.zeros((world.n_steps, COHESION_BINS + 1), dtype=np.int64)
    pending: dict[int, BlockResult] = {}
    next_block = 0
    bar = tqdm(total=runs, unit="world", disable=not progress, desc=world.name)
    with make_executor(executor, workers, address) as pool:
        futures = [pool.submit(simulate_block, world, seed, b, first, n) for b, first, n in plan]
        for result in pool.as_completed(futures):
            b, first, n = plan[result.block]
            rows = result.rows
            split[first:first + n] = rows["split_year"].to_numpy(zero_copy_only=False)
            clash[first:first + n] = rows["clash_year"].to_numpy(zero_copy_only=False)
            realign[first:first + n] = rows["realignment_year"].to_numpy(zero_copy_only=False)
            codes = rows["realignment_nation"].combine_chunks().indices.to_numpy(
                zero_copy_only=False)
            valid = rows["realignment_nation"].is_valid().to_numpy(zero_copy_only=False)
            realign_nation[first:first + n] = np.where(valid, codes, NOT_YET)
            bar.update(n)
            pending[result.block] = result
            while next_block in pending:  # in block order, so that sums do not depend on
                done = pending.pop(next_block)  # which worker finished first
                drivers += done.drivers_by_step
                histogram += done.cohesion_histogram
                if sink is not None:
                    sink(done.rows)
                next_block += 1
    bar.close()
    return MonteCarloResult(world, runs, seed, chunk_size,
                            Outcomes(split, clash, realign, realign_nation), drivers, histogram)
