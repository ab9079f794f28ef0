"""Why it split: the drivers add up to the change in cohesion they account for."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from sim.analysis.drivers import drivers_block
from sim.engine.model import AllianceModel
from sim.engine.observers import DriverLedger, EventTrace, StepDrivers
from sim.engine.schedule import DRIVERS
from sim.engine.streams import Streams
from sim.montecarlo import run_monte_carlo
from sim.outputs.folder import RowWriter
from tests.conftest import settings


def test_each_worlds_drivers_sum_to_its_change_in_cohesion(baseline):
    n = 300
    trace = EventTrace(np.ones(n, dtype=bool), baseline.n_steps)
    ledger, steps = DriverLedger(len(DRIVERS), n), StepDrivers(baseline.n_steps, len(DRIVERS))
    model = AllianceModel(baseline, n, Streams(7, 0), observers=[trace, ledger, steps])
    model.run()
    end = model.cohesion.copy()
    for e in trace.events:  # split worlds are accounted for through the quarter it is dated to
        if e.kind == "split":
            end[e.world] = e.details["cohesion"]
    assert ledger.to_split.sum(axis=0) == pytest.approx(end - baseline.initial_cohesion,
                                                        abs=1e-9)
    total = steps.by_step.sum() / n
    assert total == pytest.approx(model.cohesion.mean() - baseline.initial_cohesion, abs=1e-9)


def test_drivers_block_adds_up_and_names_the_forces(baseline, tmp_path):
    rows = RowWriter(tmp_path)
    result = run_monte_carlo(baseline, settings(400, 3, 150), sink=rows)
    rows.close()
    block = drivers_block(result)
    table = pq.read_table(tmp_path / "runs.parquet").to_pandas()
    split = table["split_year"].notna()
    assert block["split_worlds"]["worlds"] == split.sum() > 0
    assert block["all_worlds"]["worlds"] == 400
    for group, worlds in (("split_worlds", split), ("all_worlds", slice(None))):
        mean = block[group]["mean"]
        assert sum(mean.values()) == pytest.approx(block[group]["total"], abs=1e-9)
        for name in (d.id for d in DRIVERS):
            assert mean[name] == pytest.approx(table.loc[worlds, f"driver.{name}"].mean(),
                                               abs=1e-6)
    for period in block["by_period"]:
        assert sum(period["mean"].values()) == pytest.approx(period["total"], abs=1e-9)
    # the periods tile the whole run: together they are the mean change from start to horizon
    assert sum(p["total"] for p in block["by_period"]) == pytest.approx(
        result.drivers_by_step.sum() / 400, abs=1e-9)
    # where the alliance broke, the shared threat held it together and grievances pulled it
    # apart (a mechanism booked with the wrong sign or to the wrong column fails here)
    mean = block["split_worlds"]["mean"]
    assert mean["threat"] > 0.1 and mean["aid"] > 0.05
    assert mean["grievance"] < -0.1 and mean["ideology"] < 0 and mean["status"] < 0
    assert block["split_worlds"]["total"] < -(baseline.initial_cohesion
                                              - baseline.split_threshold)
