"""Every scenario file composes into a valid world and runs."""

import numpy as np
import pytest

from sim.montecarlo import run_monte_carlo
from tests.conftest import SCENARIOS, settings, world_of


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_composes_and_runs(name):
    world = world_of(name)
    result = run_monte_carlo(world, settings(200, 1, 100))
    assert result.years["split"].shape == (200,)
    assert np.isfinite(result.cohesion_histogram).all()
