"""The baseline reproduces the historical record at 10,000 worlds, without scripting it."""

import pytest

from sim.analysis.history import history_check
from sim.montecarlo import run_monte_carlo
from tests.conftest import settings, world_of


@pytest.mark.slow
def test_baseline_history_check_passes_at_10000_worlds():
    world = world_of("baseline")
    result = run_monte_carlo(world, settings(10000, 1950, 2500))
    checks = history_check(world.history_checks, result)
    assert len(checks) == len(world.history_checks) >= 8
    failed = [(c.check.name, c.value, c.target) for c in checks if not c.passed]
    assert not failed


def test_no_juncture_is_decided_in_advance():
    """Every baseline juncture offers at least two options with a chance of being taken."""
    world = world_of("baseline")
    for juncture in world.juncture_list:
        assert sum(o.weight > 0 for o in juncture.option_list) >= 2, juncture.id
