"""Estimators against hand-computed values and by simulation."""

import numpy as np
import pytest

from sim.stats import paired_difference, proportion_ci, unpaired_difference_ci


def test_wilson_interval_matches_hand_computation():
    # 8 of 10, z = 1.959964: centre (0.8 + z^2/20) / (1 + z^2/10) = 0.7167, half-width 0.2266
    low, high = proportion_ci(8, 10)
    assert low == pytest.approx(0.4902, abs=1e-4)
    assert high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_interval_stays_inside_unit_interval_at_the_edges():
    assert proportion_ci(0, 50)[0] == 0.0 and proportion_ci(0, 50)[1] > 0.0
    assert proportion_ci(50, 50)[1] == 1.0 and proportion_ci(50, 50)[0] < 1.0


def test_wilson_coverage_by_simulation():
    rng = np.random.default_rng(3)
    p, n, trials = 0.85, 200, 4000
    hits = rng.binomial(n, p, trials)
    covered = np.mean([low <= p <= high for low, high in (proportion_ci(k, n) for k in hits)])
    assert 0.93 <= covered <= 0.97


def test_paired_interval_is_narrower_when_worlds_agree():
    rng = np.random.default_rng(5)
    reference = rng.random(5000) < 0.8
    scenario = reference.copy()
    flip = rng.random(5000) < 0.05
    scenario[flip] = ~scenario[flip]
    paired = paired_difference(scenario, reference)
    low, high = paired["ci95"]
    u_low, u_high = unpaired_difference_ci(scenario, reference)
    assert low <= paired["difference"] <= high
    assert (high - low) < 0.5 * (u_high - u_low)
