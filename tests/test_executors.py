"""The same seed gives the same worlds in-process, in a process pool and on a Dask cluster."""

from __future__ import annotations

import numpy as np

from sim.montecarlo import run_monte_carlo


def test_serial_processes_and_dask_give_identical_results(baseline):
    runs = dict(world=baseline, runs=600, seed=11, chunk_size=150, progress=False)
    serial = run_monte_carlo(**runs)
    others = [run_monte_carlo(**runs, executor="processes", workers=2),
              run_monte_carlo(**runs, executor="dask", workers=2)]
    assert np.isnan(serial.outcomes.split).mean() < 0.5  # the comparison is not vacuous
    for other in others:
        for name in ("split", "clash", "realignment", "realignment_nation"):
            np.testing.assert_array_equal(getattr(serial.outcomes, name),
                                          getattr(other.outcomes, name))
        np.testing.assert_array_equal(serial.cohesion_histogram, other.cohesion_histogram)
        np.testing.assert_array_equal(serial.drivers_by_step, other.drivers_by_step)


def test_worker_count_does_not_change_results(baseline):
    runs = dict(world=baseline, runs=400, seed=5, chunk_size=100, progress=False)
    one = run_monte_carlo(**runs, executor="processes", workers=1)
    two = run_monte_carlo(**runs, executor="processes", workers=2)
    np.testing.assert_array_equal(one.outcomes.split, two.outcomes.split)
