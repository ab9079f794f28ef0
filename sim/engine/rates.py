"""Continuous-time rates turned into what happens in one step of `dt` years."""

from __future__ import annotations

import numpy as np


def halving_factor(half_life, dt: float):
    """Fraction left after `dt` years of exponential decay with the given half-life."""
    return 2.0 ** (-dt / half_life)


def happens(u: np.ndarray, rate, dt: float) -> np.ndarray:
    """(W,) whether an event with a yearly hazard `rate` happens within a step, given one
    uniform draw `u` per world: P = 1 - exp(-rate dt)."""
    return u < -np.expm1(-rate * dt)
