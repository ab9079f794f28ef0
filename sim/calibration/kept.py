"""Re-simulating some worlds of a run, exactly: the numbers the whole run gave them, and only them.

A world's random numbers are positions in its block's streams, which draw for the whole block
at once. `KeptStreams` holds, for each stream, the generator of every block the kept worlds
come from; each draw asks each of them for a whole block's worth (so every generator advances
exactly as it did in the full run) and returns only the kept positions. The engine asks every
stream for exactly `n_worlds` values per draw (tests/test_calibration.py checks it), so the kept
worlds see exactly their own numbers, and their rows equal the full run's bit for bit. That
makes conditioning cheap: the worlds that match the record can be run again under a change,
with their own chance events and parameter values, without running the others.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from sim.engine.model import AllianceModel
from sim.engine.observers import DriverLedger, Tenures
from sim.engine.schedule import DRIVERS
from sim.engine.streams import Streams
from sim.executors import make_executor
from sim.montecarlo import blocks_of, tabulate
from sim.settings import RunSettings


class _KeptGenerator:
    """A generator-like object: each call draws a whole block from every block's generator
    (the size as the last positional argument, as the engine always passes it) and returns
    the kept positions, blocks in order."""

    def __init__(self, parts: list[tuple[np.random.Generator, int, np.ndarray]]):
        self.parts = parts
        self.size = sum(len(positions) for _, _, positions in parts)

    def __getattr__(self, method: str):
        def draw(*args, **kwargs):
            *params, size = args
            if kwargs or size != self.size:
                raise RuntimeError(f"a stream was asked for {size} values by {method}(); the "
                                   f"engine must ask for n_worlds ({self.size}) positionally")
            return np.concatenate([getattr(rng, method)(*params, n)[positions]
                                   for rng, n, positions in self.parts])
        return draw


class KeptStreams:
    """The streams of the worlds `worlds` (ids in the run) of a run of `runs` worlds in blocks
    of `chunk_size` from `seed`, in the order of `worlds` sorted.

    Attributes:
        worlds: (K,) the kept worlds' ids, ascending: world k of the model is worlds[k].
    """

    def __init__(self, seed: int, chunk_size: int, runs: int, worlds):
        self.seed = seed
        self.worlds = np.unique(np.asarray(worlds, dtype=np.int64))
        if self.worlds.size and (self.worlds[0] < 0 or self.worlds[-1] >= runs):
            raise ValueError(f"world ids must lie in [0, {runs})")
        sizes = {b: n for b, _, n in blocks_of(runs, chunk_size)}
        blocks = self.worlds // chunk_size
        self._plan = [(int(b), sizes[int(b)], self.worlds[blocks == b] - b * chunk_size)
                      for b in np.unique(blocks)]
        self._blocks = {b: Streams(seed, b) for b, _, _ in self._plan}
        self._cache: dict[str, _KeptGenerator] = {}

    def __call__(self, name: str) -> _KeptGenerator:
        if name not in self._cache:
            self._cache[name] = _KeptGenerator([(self._blocks[b](name), n, positions)
                                                for b, n, positions in self._plan])
        return self._cache[name]


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
        futures = [pool.submit(_task, world, seed, chunk_size, runs, s) for s in sets]
        tables = [future for future in pool.as_completed(futures)]
    return pa.concat_tables(tables).sort_by("world")
