"""Every scenario file composes into a valid world and runs."""

import numpy as np
import pytest

from sim.montecarlo import run_monte_carlo
from tests.conftest import SCENARIOS, world_of


@pytest.mark.parametrize("name", SCENARIOS)
def test_scenario_composes_and_runs(name):
    world = world_of(name)
    result = run_monte_carlo(world, 200, seed=1, chunk_size=100, progress=False)
    assert result.outcomes.split.shape == (200,)
    assert np.isfinite(result.cohesion_histogram).all()
