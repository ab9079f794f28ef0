"""Continuous-time rates turned into what happens in one step of `dt` years."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MARGIN = 1.0 + 2.0 ** -40
"""Widens the bound `rate * dt` on P = 1 - exp(-rate dt) past the rounding of both sides."""


def halving_factor(half_life, dt: float):
    """Fraction left after `dt` years of exponential decay with the given half-life."""
    return 2.0 ** (-dt / half_life)


def at(value, worlds: np.ndarray):
    """A number as it is, or a per-world (W,) array's values in the `worlds` (an index array)."""
    return value if np.ndim(value) == 0 else value[worlds]


def chance(rate, dt: float):
    """P = 1 - exp(-rate dt): the chance that an event with a yearly hazard `rate` happens
    within a step."""
    return -np.expm1(-rate * dt)


def where_happens(u: np.ndarray, rate, dt: float) -> np.ndarray:
    """The worlds (an index array) where an event with a yearly hazard `rate` happens within a
    step, given one uniform draw `u` per world: u < P."""
    return where_happens_below(u, rate, dt, lambda worlds: at(rate, worlds))


def where_happens_below(u: np.ndarray, ceiling, dt: float,
                        rate_at: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """`where_happens(u, rate, dt)` for a rate given by `rate_at(worlds)` (worlds an index
    array) and bounded above by `ceiling` ((W,) or a number).

    Since P < rate dt, only the worlds whose `u` falls below `ceiling * dt` can see the event,
    a few in a hundred for the model's hazards. P's exponential (and whatever the rate's own
    costs, a power for the ouster) is evaluated in those worlds only, element by element as it
    would be in all of them, so the answer is the same to the bit.
    """
    maybe = (u < ceiling * (dt * MARGIN)).nonzero()[0]
    if maybe.size == 0:
        return maybe
    return maybe[u[maybe] < chance(rate_at(maybe), dt)]
