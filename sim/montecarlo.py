"""The Monte Carlo runner: worlds in fixed-size seed blocks, blocks through an executor.

Block b holds worlds `b * chunk_size` onwards and draws every random number from streams
spawned from `(seed, b)`. A block is the unit of both randomness and execution, so the results
depend on the seed and the chunk size only, never on the executor or how many workers it has.
Per-world rows are handed to a sink block by block, in order, so memory stays flat however
many worlds run. The runner attaches the observers (sim/engine/observers.py) whose aggregates
the outputs need.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from sim.engine.model import AllianceModel
from sim.engine.observers import (
    COHESION_BINS,
    CohesionHistogram,
    DriverLedger,
    StepDrivers,
    Tenures,
)
from sim.engine.schedule import DRIVERS, OUTCOMES
from sim.engine.specs import IDEOLOGY_TRAIT, NOT_YET, PREDICTORS, Labels
from sim.engine.streams import Streams
from sim.executors import make_executor
from sim.scenario.schema import World
from sim.settings import RunSettings


@dataclass
class BlockResult:
    """What one block of worlds returns: its rows and its per-step aggregates."""

    block: int
    rows: pa.Table
    drivers_by_step: np.ndarray
    cohesion_histogram: np.ndarray


@dataclass
class MonteCarloResult:
    """The whole run: outcome dates per world, aggregates per step, and the settings.

    Attributes:
        years: outcome id -> (R,) decimal year of the outcome in each world, NaN where it did
            not happen.
        breakdowns: (outcome id, summary key) -> (R,) index of the ally (by_nation) or the
            outside power (by_power) the outcome concerns, NOT_YET where none.
        drivers_by_step: (T, D) each driver's contribution summed over worlds at each step.
        cohesion_histogram: (T, COHESION_BINS + 1) worlds by cohesion at the end of each step.
    """

    world: World
    settings: RunSettings
    years: dict[str, np.ndarray]
    breakdowns: dict[tuple[str, str], np.ndarray]
    drivers_by_step: np.ndarray
    cohesion_histogram: np.ndarray

    @property
    def runs(self) -> int:
        return self.settings.runs

    @property
    def seed(self) -> int:
        return self.settings.seed

    @property
    def chunk_size(self) -> int:
        return self.settings.chunk_size


def blocks_of(runs: int, chunk_size: int) -> list[tuple[int, int, int]]:
    """(block index, first world, number of worlds) for each block of a run."""
    return [(b, b * chunk_size, min(chunk_size, runs - b * chunk_size))
            for b in range(math.ceil(runs / chunk_size))]


def simulate_block(world: World, seed: int, block: int, first: int, n: int) -> BlockResult:
    """Run one block of `n` worlds from the start to the horizon and tabulate it."""
    steps = StepDrivers(world.n_steps, len(DRIVERS))
    histogram = CohesionHistogram(world.n_steps)
    ledger = DriverLedger(len(DRIVERS), n)
    tenures = Tenures.for_world(world, n)   # who held office when, for the evidence
    model = AllianceModel(world, n, Streams(seed, block),
                          observers=[steps, histogram, ledger, *([tenures] if tenures else [])])
    model.run()
    rows = tabulate(model, first, ledger)
    model.release()
    return BlockResult(block, rows, steps.by_step, histogram.counts)


def _column(values) -> pa.Array:
    """A numpy column as Arrow, or a Labels column as dictionary-encoded text (null where the
    code is NOT_YET)."""
    if isinstance(values, Labels):
        codes = values.codes
        indices = pa.array(np.where(codes == NOT_YET, 0, codes).astype(np.int32),
                           mask=codes == NOT_YET)
        return pa.DictionaryArray.from_arrays(indices, pa.array(values.names, pa.string()))
    return pa.array(values)


def tabulate(model: AllianceModel, first: int, ledger: DriverLedger) -> pa.Table:
    """One row per world (columns documented in the README, "runs.parquet"): the date of each
    outcome, what each process records per world, the sampled traits and parameters, and the
    drivers."""
    world = model.world
    columns: dict[str, pa.Array] = {
        "world": pa.array(np.arange(first, first + model.n_worlds, dtype=np.int64)),
    }
    steps = {k: v for process in model.processes for k, v in process.outcome_steps().items()}
    for outcome in OUTCOMES:
        years = np.where(steps[outcome.id] == NOT_YET, np.nan, world.year_of(steps[outcome.id]))
        columns[outcome.column] = pa.array(years, mask=np.isnan(years))
    for process in model.processes:
        columns.update({name: _column(values) for name, values in process.columns().items()})
    for row, person in enumerate(world.persons.values()):
        for trait in PREDICTORS:
            spec = person.ideology if trait == IDEOLOGY_TRAIT else person.traits[trait]
            if spec.kind != "fixed":
                columns[f"trait.{person.id}.{trait}"] = pa.array(
                    model.cast.trait[trait][row].astype(np.float32))
    for path, values in model.draws.items():   # every field drawn in each world
        columns[f"param.{path}"] = pa.array(np.asarray(values, dtype=np.float64))
    columns.update({name: pa.array(v) for name, v in ledger.columns(DRIVERS).items()})
    for observer in model.observers:   # per-world columns of other observers (tenures)
        if hasattr(observer, "world_columns"):
            values = observer.world_columns(world)
            columns.update({name: pa.array(v, mask=np.isnan(v)) for name, v in values.items()})
    return pa.table(columns)


def _codes(column: pa.ChunkedArray) -> np.ndarray:
    """The integer codes of a dictionary column, NOT_YET where null."""
    combined = column.combine_chunks()
    codes = combined.indices.to_numpy(zero_copy_only=False)
    return np.where(combined.is_valid().to_numpy(zero_copy_only=False), codes, NOT_YET)


def run_monte_carlo(world: World, settings: RunSettings,
                    sink: Callable[[pa.Table], None] | None = None) -> MonteCarloResult:
    """Simulate `settings.runs` worlds of `world` and return their outcomes and aggregates.

    Args:
        sink: called with each block's rows, in block order (for streaming to a file).
    """
    runs = settings.runs
    plan = blocks_of(runs, settings.chunk_size)
    years = {o.id: np.full(runs, np.nan) for o in OUTCOMES}
    breakdowns = {(o.id, key): np.full(runs, NOT_YET)
                  for o in OUTCOMES for key in o.breakdowns()}
    drivers = np.zeros((world.n_steps, len(DRIVERS)))
    histogram = np.zeros((world.n_steps, COHESION_BINS + 1), dtype=np.int64)
    pending: dict[int, BlockResult] = {}
    next_block = 0
    bar = tqdm(total=runs, unit="world", disable=not settings.progress, desc=world.name)
    with make_executor(settings.executor, settings.workers, settings.dask_address) as pool:
        futures = [pool.submit(simulate_block, world, settings.seed, b, first, n)
                   for b, first, n in plan]
        for result in pool.as_completed(futures):
            _, first, n = plan[result.block]
            rows = result.rows
            for outcome in OUTCOMES:
                years[outcome.id][first:first + n] = rows[outcome.column].to_numpy(
                    zero_copy_only=False)
                for key, column in outcome.breakdowns().items():
                    breakdowns[(outcome.id, key)][first:first + n] = _codes(rows[column])
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
    return MonteCarloResult(world, settings, years, breakdowns, drivers, histogram)
