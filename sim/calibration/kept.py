"""Re-simulating some worlds of a run, exactly: the numbers the whole run gave them, and only them.

The kept worlds draw from `KeptStreams` (sim/engine/streams.py): exactly their own numbers, so
their rows equal the full run's bit for bit (tests/test_calibration.py checks it). That makes
conditioning cheap: the worlds that match the record can be run again under a change, with
their own chance events and parameter values, without running the others.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sim.engine.model import AllianceModel
from sim.engine.observers import DriverLedger, Tenures
from sim.engine.schedule import DRIVERS
from sim.engine.streams import KeptStreams
from sim.executors import in_order, make_executor
from sim.montecarlo import tabulate
from sim.settings import RunSettings


def simulate_kept(world, seed: int, chunk_size: int, runs: int, worlds) -> pa.Table:
    """The rows (as runs.parquet has them) of the worlds `worlds` of a run of `world`, equal to
    the rows the whole run gave them, sorted by world id."""
    streams = KeptStreams(seed, chunk_size, runs, worlds)
    n = streams.worlds.size
    ledger = DriverLedger(len(DRIVERS), n)
    tenures = Tenures.for_world(world, n)
    model = AllianceModel(world, n, streams, observers=[ledger, *([tenures] if tenures else [])])
    model.run()
    rows = tabulate(model, 0, ledger)
    model.release()
    return rows.set_column(0, "world", pa.array(streams.worlds))


def _task(world, seed, chunk_size, runs, worlds):
    return simulate_kept(world, seed, chunk_size, runs, worlds)


def rerun(world, worlds, seed: int, chunk_size: int, runs: int,
          settings: RunSettings | None = None, groups: int = 1) -> pa.Table:
    """`simulate_kept` with the worlds split into `groups` sets of whole blocks, run through the
    settings' executor (the rows do not depend on how they are split)."""
    worlds = np.unique(np.asarray(worlds, dtype=np.int64))
    blocks = worlds // chunk_size
    edges = np.unique(blocks)
    sets = [worlds[np.isin(blocks, part)] for part in np.array_split(edges, max(1, groups))
            if part.size]
    if not sets:
        return simulate_kept(world, seed, chunk_size, runs, worlds)
    kind = "serial" if settings is None or len(sets) == 1 else settings.executor
    workers = 1 if settings is None else settings.workers
    address = None if settings is None else settings.dask_address
    with make_executor(kind, workers, address) as pool:
        tables = list(in_order(pool, _task, [(world, seed, chunk_size, runs, s) for s in sets]))
    return pa.concat_tables(tables).sort_by("world")
