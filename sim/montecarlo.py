"""The Monte Carlo runner: worlds in fixed-size seed blocks, blocks through an executor.

Block b holds worlds `b * chunk_size` onwards and draws every random number from streams
spawned from `(seed, b)`. A block is the unit of both randomness and execution, so the results
depend on the seed and the chunk size only, never on the executor or how many workers it has.
Blocks go through the executor with at most two per worker in flight (`in_order`), and each
block's rows are handed to a sink as soon as the blocks before it are in, so the rows never
accumulate: what the run keeps per world is its outcome dates (the summary is computed from
them: 25 bytes a world). The runner attaches the observers (sim/engine/observers.py) whose
aggregates the outputs need.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
from tqdm import tqdm

from sim import interrupts
from sim.calibration.evidence import columns_needed, items_of
from sim.engine.model import AllianceModel
from sim.engine.observers import (
    COHESION_BINS,
    CohesionHistogram,
    DriverLedger,
    MilestoneHolders,
    StepDrivers,
    Tenures,
)
from sim.engine.processes.realignment import REALIGNMENT_OUTCOME
from sim.engine.schedule import DRIVERS, HEADLINE, OUTCOME, OUTCOMES
from sim.engine.specs import IDEOLOGY_TRAIT, NOT_YET, PREDICTORS, Labels
from sim.engine.streams import Streams
from sim.executors import in_order, make_executor
from sim.scenario.schema import World
from sim.settings import RunSettings

tqdm.set_lock(threading.RLock())
"""Progress bars are drawn by the main process alone, so a thread lock serves: tqdm's default
also creates a multiprocessing lock, for nothing, in every run."""


@dataclass
class BlockResult:
    """What one block of worlds returns: its rows and its aggregates.

    Attributes:
        driver_sums: (2, D) each driver's contribution summed over the block's worlds that
            split (row 0) and over all its worlds (row 1), each world to its split or the
            horizon; `split_worlds` counts the first group.
        holder_tally: (M, 2, P, 3) worlds by who held each office at each milestone
            (`MilestoneHolders.tally`).
    """

    block: int
    rows: pa.Table
    drivers_by_step: np.ndarray
    cohesion_histogram: np.ndarray
    driver_sums: np.ndarray
    split_worlds: int
    holder_tally: np.ndarray


class StepYears(Mapping):
    """Outcome id -> (R,) decimal year of the outcome in each world, NaN where it did not
    happen: kept as the step of each world's outcome (2 bytes a world, not 8) and turned into
    years each time one is read. An outcome's year is always its step's date on the run's
    calendar (`tabulate`), so what is read is exactly what runs.parquet holds; a run of ten
    million worlds keeps its five outcomes in 100 MB instead of 400."""

    def __init__(self, world: World, runs: int):
        self.dates = world.year_of(np.arange(world.n_steps))
        dtype = np.int16 if world.n_steps < np.iinfo(np.int16).max else np.int32
        self.steps = {o.id: np.full(runs, NOT_YET, dtype=dtype) for o in OUTCOMES}

    def put(self, outcome: str, first: int, years: np.ndarray) -> None:
        """Store a block's years (NaN: did not happen) from world `first` on."""
        happened = ~np.isnan(years)
        steps = np.searchsorted(self.dates, years[happened])
        if not np.array_equal(self.dates[np.minimum(steps, self.dates.size - 1)],
                              years[happened]):
            raise ValueError(f"{outcome}: a year that is not a step's date")
        block = self.steps[outcome][first:first + years.size]
        block[happened] = steps

    def __getitem__(self, outcome: str) -> np.ndarray:
        steps = self.steps[outcome]
        years = self.dates[np.maximum(steps, 0)]
        years[steps == NOT_YET] = np.nan
        return years

    def __iter__(self):
        return iter(self.steps)

    def __len__(self) -> int:
        return len(self.steps)


@dataclass
class MonteCarloResult:
    """The whole run: outcome dates per world, aggregates per step, and the settings.

    Attributes:
        years: outcome id -> (R,) decimal year of the outcome in each world, NaN where it did
            not happen.
        breakdowns: (outcome id, summary key) -> (R,) index of the ally (by_nation) or the
            outside power (by_power) the outcome concerns, NOT_YET where none.
        each_nation: (outcome id, ally) -> (R,) index of the outside power that ally's own
            turn concerns, NOT_YET where it did not turn (outcomes with `each_nation`).
        drivers_by_step: (T, D) each driver's contribution summed over worlds at each step.
        cohesion_histogram: (T, COHESION_BINS + 1) worlds by cohesion at the end of each step.
        driver_sums: (2, D) each driver's contribution summed over the worlds that split and
            over all worlds (each world to its split, or to the horizon).
        split_worlds: the number of worlds that split.
        holder_tally: (M, 2, P, 3) for each milestone, ally and person: the worlds still
            allied as the milestone began with that person in office, and how many of them
            split, and realigned, by the horizon.
    """

    world: World
    settings: RunSettings
    years: Mapping[str, np.ndarray]
    breakdowns: dict[tuple[str, str], np.ndarray]
    each_nation: dict[tuple[str, str], np.ndarray]
    drivers_by_step: np.ndarray
    cohesion_histogram: np.ndarray
    driver_sums: np.ndarray
    split_worlds: int
    holder_tally: np.ndarray

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


def simulate_block(world: World, seed: int, block: int, first: int, n: int,
                   rows: str = "full") -> BlockResult:
    """Run one block of `n` worlds from the start to the horizon and tabulate it (`rows`:
    'full', every column, or 'outcomes', the outcome dates and nations only)."""
    steps = StepDrivers(world.n_steps, len(DRIVERS))
    histogram = CohesionHistogram(world.n_steps)
    ledger = DriverLedger(len(DRIVERS), n)
    tenures = Tenures.for_world(world, n)   # who held office when, for the evidence
    holders = MilestoneHolders(world, n)
    model = AllianceModel(world, n, Streams(seed, block),
                          observers=[steps, histogram, ledger, holders,
                                     *([tenures] if tenures else [])])
    model.run()
    table = tabulate(model, first, ledger, full=rows == "full")
    drivers = np.stack(list(ledger.columns(DRIVERS).values()), axis=1).astype(float)
    split_years = _years(table, HEADLINE.column)
    split = ~np.isnan(split_years)
    sums = np.stack([drivers[split].sum(axis=0), drivers.sum(axis=0)])
    tally = holders.tally(split_years, _years(table, REALIGNMENT_OUTCOME.column),
                          len(world.persons))
    model.release()
    return BlockResult(block, table, steps.by_step, histogram.counts, sums, int(split.sum()),
                       tally)


def _years(table: pa.Table, column: str) -> np.ndarray:
    """(W,) a column of outcome years as floats, NaN where null."""
    return table[column].to_numpy(zero_copy_only=False).astype(float)


def _column(values) -> pa.Array:
    """A numpy column as Arrow (null where a float is NaN), or a Labels column as
    dictionary-encoded text (null where the code is NOT_YET)."""
    if isinstance(values, Labels):
        codes = values.codes
        indices = pa.array(np.where(codes == NOT_YET, 0, codes).astype(np.int32),
                           mask=codes == NOT_YET)
        return pa.DictionaryArray.from_arrays(indices, pa.array(values.names, pa.string()))
    if np.issubdtype(values.dtype, np.floating):
        return pa.array(values, mask=np.isnan(values))
    return pa.array(values)


def tabulate(model: AllianceModel, first: int, ledger: DriverLedger,
             full: bool = True) -> pa.Table:
    """One row per world (columns documented in the README, "runs.parquet"): the date of each
    outcome, the ally or power it concerns and what the world's evidence is checked against;
    with `full`, also what each process records per world, the sampled traits and parameters,
    and the drivers."""
    world = model.world
    columns: dict[str, pa.Array] = {
        "world": pa.array(np.arange(first, first + model.n_worlds, dtype=np.int64)),
    }
    steps = {k: v for process in model.processes for k, v in process.outcome_steps().items()}
    for outcome in OUTCOMES:
        years = world.years_or_nan(steps[outcome.id])
        columns[outcome.column] = _column(years)
    if not full:
        kept = {c for o in OUTCOMES for c in o.breakdowns().values()}
        kept.update(c for o in OUTCOMES for c in o.all_nation_columns(world.members))
        kept.update(columns_needed(items_of(world)))
        for process in model.processes:
            columns.update({name: _column(values) for name, values in process.columns().items()
                            if name in kept})
        _add_observer_columns(columns, model, kept)
        return pa.table(columns)
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
    _add_observer_columns(columns, model)
    return pa.table(columns)


def _add_observer_columns(columns: dict, model: AllianceModel, kept: set | None = None) -> None:
    """The per-world columns of observers other than the ledger (tenures, holders at the
    milestones), all or `kept`; numbers are null where NaN."""
    for observer in model.observers:
        if hasattr(observer, "world_columns"):
            values = observer.world_columns(model)
            columns.update({name: _column(v) for name, v in values.items()
                            if kept is None or name in kept})


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
    years = StepYears(world, runs)
    breakdowns = {(o.id, key): np.full(runs, NOT_YET, dtype=np.int8)   # a few allies, powers
                  for o in OUTCOMES for key in o.breakdowns()}
    each_nation = {(o.id, m): np.full(runs, NOT_YET, dtype=np.int8)
                   for o in OUTCOMES if o.each_nation for m in world.members}
    drivers = np.zeros((world.n_steps, len(DRIVERS)))
    histogram = np.zeros((world.n_steps, COHESION_BINS + 1), dtype=np.int64)
    driver_sums, split_worlds = np.zeros((2, len(DRIVERS))), 0
    holder_tally = np.zeros((len(world.milestones), 2, len(world.persons), 3), dtype=np.int64)
    bar = tqdm(total=runs, unit="world", disable=not settings.progress, desc=world.name)
    calls = [(world, settings.seed, b, first, n, settings.rows) for b, first, n in plan]
    with make_executor(settings.executor, settings.workers, settings.dask_address) as pool:
        # in block order, so that sums do not depend on which worker finished first
        for result in in_order(pool, simulate_block, calls):
            _, first, n = plan[result.block]
            rows = result.rows
            for outcome in OUTCOMES:
                years.put(outcome.id, first, _years(rows, outcome.column))
                for key, column in outcome.breakdowns().items():
                    breakdowns[(outcome.id, key)][first:first + n] = _codes(rows[column])
            for (outcome_id, nation), codes in each_nation.items():
                column = OUTCOME[outcome_id].nation_columns(nation)[1]
                codes[first:first + n] = _codes(rows[column])
            drivers += result.drivers_by_step
            histogram += result.cohesion_histogram
            driver_sums += result.driver_sums
            split_worlds += result.split_worlds
            holder_tally += result.holder_tally
            if sink is not None:
                sink(rows)
            bar.update(n)
            interrupts.checkpoint()
    bar.close()
    return MonteCarloResult(world, settings, years, breakdowns, each_nation, drivers, histogram,
                            driver_sums, split_worlds, holder_tally)
