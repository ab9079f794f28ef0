"""The same seed gives the same worlds in-process, in a process pool and on a Dask cluster."""

from __future__ import annotations

import numpy as np

from sim.montecarlo import run_monte_carlo
from tests.conftest import settings


def test_serial_processes_and_dask_give_identical_results(baseline):
    serial = run_monte_carlo(baseline, settings(600, 11, 150))
    others = [run_monte_carlo(baseline, settings(600, 11, 150, executor="processes", workers=2)),
              run_monte_carlo(baseline, settings(600, 11, 150, executor="dask", workers=2))]
    assert np.isnan(serial.years["split"]).mean() < 0.5  # the comparison is not vacuous
    for other in others:
        for name in serial.years:
            np.testing.assert_array_equal(serial.years[name], other.years[name])
        for key in serial.breakdowns:
            np.testing.assert_array_equal(serial.breakdowns[key], other.breakdowns[key])
        for key in serial.each_nation:
            np.testing.assert_array_equal(serial.each_nation[key], other.each_nation[key])
        np.testing.assert_array_equal(serial.cohesion_histogram, other.cohesion_histogram)
        np.testing.assert_array_equal(serial.drivers_by_step, other.drivers_by_step)
        np.testing.assert_array_equal(serial.holder_tally, other.holder_tally)


def test_worker_count_does_not_change_results(baseline):
    one = run_monte_carlo(baseline, settings(400, 5, 100, executor="processes", workers=1))
    two = run_monte_carlo(baseline, settings(400, 5, 100, executor="processes", workers=2))
    np.testing.assert_array_equal(one.years["split"], two.years["split"])
