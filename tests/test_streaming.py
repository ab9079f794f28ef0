"""Memory bounded at any size: a bounded number of blocks in flight with every executor, rows
streamed to Parquet in row groups, and the lean per-world table (`rows=outcomes`)."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pyarrow.parquet as pq
import pytest

import sim.montecarlo
from sim.engine.schedule import OUTCOMES
from sim.executors import in_order, make_executor
from sim.montecarlo import run_monte_carlo
from sim.outputs.folder import RowWriter
from sim.pipeline import run_pipeline
from tests.conftest import compose_config, settings


class Counting:
    """A pool that counts the calls submitted and not yet taken (the blocks in flight)."""

    def __init__(self, pool):
        self.pool, self.workers = pool, pool.workers
        self.in_flight = self.most = self.submitted = 0

    def submit(self, fn, *args):
        self.in_flight += 1
        self.submitted += 1
        self.most = max(self.most, self.in_flight)
        return Taken(self, self.pool.submit(fn, *args))

    def wait_first(self, futures):
        inner = self.pool.wait_first([f.future for f in futures])
        return next(f for f in futures if f.future is inner)


class Taken:
    def __init__(self, counter, future):
        self.counter, self.future = counter, future

    def result(self):
        self.counter.in_flight -= 1
        return self.future.result()


@pytest.mark.parametrize("executor", ["serial", "processes"])
def test_blocks_in_flight_are_bounded(baseline, monkeypatch, executor):
    pools = []

    @contextmanager
    def counting(kind, workers=1, address=None):
        with make_executor(kind, workers, address) as pool:
            pools.append(Counting(pool))
            yield pools[-1]

    monkeypatch.setattr(sim.montecarlo, "make_executor", counting)
    result = run_monte_carlo(baseline, settings(200, 4, 10, executor=executor, workers=2))
    pool = pools[0]
    assert pool.submitted == 20  # every block ran...
    assert pool.most == 2 * pool.workers  # ...with two per worker in flight, never more
    assert (~np.isnan(result.years["split"])).sum() > 50


def test_in_order_yields_in_order_with_a_bounded_window():
    import concurrent.futures as cf
    import random
    import time

    from sim.executors import FuturesPool, _first_of

    def slow_square(i):  # later calls may finish first
        time.sleep(random.uniform(0, 0.01))
        return i * i

    with cf.ThreadPoolExecutor(3) as threads:
        counter = Counting(FuturesPool(threads, _first_of, 3))
        results = list(in_order(counter, slow_square, [(i,) for i in range(40)], window=3))
    assert results == [i * i for i in range(40)]
    assert counter.most == 3


def test_rows_are_written_in_row_groups(baseline, tmp_path):
    writer = RowWriter(tmp_path, row_group_rows=100)
    run_monte_carlo(baseline, settings(250, 1, 30), sink=writer)
    writer.close()
    meta = pq.ParquetFile(tmp_path / "runs.parquet").metadata
    assert meta.num_rows == 250
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [120, 120, 10]


def test_rows_outcomes_keeps_the_outcomes_only_and_the_same_numbers(tmp_path, monkeypatch):
    import sim.outputs.products as products
    from sim.calibration.evidence import columns_needed, items_of
    from sim.scenario.library import composed_data, world_from_data

    for name in ("plot_survival", "plot_split_years", "plot_cohesion", "plot_outcomes",
                 "plot_drivers"):  # the figures drawn do not depend on the table
        monkeypatch.setattr(products, name, lambda *args, **kwargs: None)
    full = run_pipeline(compose_config(["runs=200", "chunk_size=100", "progress=false"]),
                        tmp_path / "full", "baseline")
    lean = run_pipeline(compose_config(["runs=200", "chunk_size=100", "progress=false",
                                        "rows=outcomes"]), tmp_path / "lean", "baseline")
    columns = pq.read_schema(tmp_path / "lean" / "runs.parquet").names
    world = world_from_data(composed_data("baseline"), "baseline")
    kept = {"world", *(o.column for o in OUTCOMES),
            *(c for o in OUTCOMES for c in o.breakdowns().values()),
            *(c for o in OUTCOMES for c in o.all_nation_columns(world.members)),
            *columns_needed(items_of(world))}   # what the evidence is checked against
    assert set(columns) == kept
    assert len(columns) < len(pq.read_schema(tmp_path / "full" / "runs.parquet").names) / 2
    wide = pq.read_table(tmp_path / "full" / "runs.parquet")
    narrow = pq.read_table(tmp_path / "lean" / "runs.parquet")
    for name in columns:
        assert narrow.column(name).equals(wide.column(name))
    for key in ("outcomes", "survival", "drivers", "holders", "chronicle", "history_check"):
        assert lean[key] == full[key]
    assert (tmp_path / "lean" / "chronicle.md").read_text() == \
        (tmp_path / "full" / "chronicle.md").read_text()
