"""Same seed, same numbers: whatever the executor and however blocks meet workers."""

import numpy as np
import pyarrow as pa
import pytest

from sim.engine.model import AllianceModel
from sim.engine.processes.junctures import Junctures
from sim.engine.streams import KeptStreams, Streams
from sim.montecarlo import run_monte_carlo
from sim.scenario.validate import parse_world
from tests.conftest import settings, world_of
from tests.tiny_world import tiny_scenario


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


def test_a_world_re_simulated_alone_draws_what_it_drew_in_its_block():
    """A chronicle or a calibration re-simulates a world alone (KeptStreams): it must draw the
    numbers it drew in its block, whatever the other worlds did. Planted: a coup succeeds in
    the worlds that plotted, but its leader is dead, so a successor is drawn there; the ruler's
    death in 1960 then draws a successor in every other world."""
    data = tiny_scenario()
    data["persons"]["pa"].update(security=0.0, died="1960-01-01")
    data["persons"].update({
        "usurper": {**data["persons"]["pa"], "name": "U", "died": "1951-01-01"},
        **{heir: {**data["persons"]["pa"], "name": heir, "died": "2000-01-01",
                  "contender": {"weight": 1}} for heir in ("h1", "h2", "h3")}})
    data["junctures"]["plot"] = {"title": "plot", "date": "1955-06-01", "actor": "a", "options": {
        "go": {"text": "go", "weight": 1}, "stay": {"text": "stay", "weight": 1}}}
    data["challenges"] = {"coup": {"title": "coup", "date": "1956-01-01", "nation": "a",
                                   "challengers": ["usurper"], "strength": 1.0,
                                   "requires": {"choices": {"plot": "go"}}}}
    world = parse_world(data, "tiny")
    runs = 60
    batch = AllianceModel(world, runs, Streams(5, 0))
    batch.run()
    stayed = np.flatnonzero(batch.get(Junctures).choices["plot"] == 1)
    assert 10 < stayed.size < 50 and batch.cast.ousted.any()    # the coup struck elsewhere
    for world_id in stayed:
        alone = AllianceModel(world, 1, KeptStreams(5, runs, runs, [world_id]))
        alone.run()
        assert alone.ally("a").holder[0] == batch.ally("a").holder[world_id], world_id
