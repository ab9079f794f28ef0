"""Same seed, same numbers: whatever the executor and however blocks meet workers."""

import pyarrow as pa
import pytest

from sim.montecarlo import run_monte_carlo
from tests.conftest import settings, world_of


def rows_of(world, runs, seed, chunk_size, **changes) -> pa.Table:
    tables = []
    run_monte_carlo(world, settings(runs, seed, chunk_size, **changes), sink=tables.append)
    return pa.concat_tables(tables)


@pytest.fixture(scope="module")
def world():
    return world_of("baseline")


def test_same_seed_same_rows(world):
    first = rows_of(world, runs=1200, seed=42, chunk_size=500)
    again = rows_of(world, runs=1200, seed=42, chunk_size=500)
    assert first.equals(again)
    other = rows_of(world, runs=1200, seed=43, chunk_size=500)
    assert not first.column("split_year").equals(other.column("split_year"))


def test_worker_count_does_not_change_results(world):
    serial = rows_of(world, runs=1200, seed=42, chunk_size=300)
    pooled = rows_of(world, runs=1200, seed=42, chunk_size=300, executor="processes", workers=2)
    assert serial.equals(pooled)


def test_blocks_are_independent_of_the_run_length(world):
    """Block b's worlds do not depend on how many blocks follow it."""
    short = rows_of(world, runs=600, seed=42, chunk_size=300)
    long = rows_of(world, runs=1200, seed=42, chunk_size=300)
    assert short.equals(long.slice(0, 600))
