"""Conditions on a world's history: what a juncture, an option or a challenge may require.

Not a process of its own: junctures and challenges ask, world by world, whether earlier choices
were taken, who holds an office and where cohesion stands (docs/MODEL.md, 'Junctures').
"""

from __future__ import annotations

import numpy as np


def _met(model, conditions) -> np.ndarray:
    """(W,) whether every condition given holds in each world."""
    from sim.engine.processes.junctures import Junctures

    met = np.ones(model.n_worlds, dtype=bool)
    choices = model.get(Junctures).choices
    for jid, wanted in conditions.choices.items():
        options = list(model.world.junctures[jid].options)
        codes = [options.index(o) for o in ([wanted] if isinstance(wanted, str) else wanted)]
        met &= np.isin(choices[jid], codes)
    for nid, persons in conditions.holders.items():
        rows = [model.cast.row(p) for p in ([persons] if isinstance(persons, str) else persons)]
        met &= np.isin(model.ally(nid).holder, rows)
    if conditions.cohesion_above is not None:
        met &= model.cohesion >= conditions.cohesion_above
    if conditions.cohesion_below is not None:
        met &= model.cohesion < conditions.cohesion_below
    return met


def holds(model, requires, excludes) -> np.ndarray:
    """(W,) worlds where all of `requires` hold and not all of `excludes` do (either may be
    None: no condition)."""
    ok = np.ones(model.n_worlds, dtype=bool)
    if requires is not None:
        ok &= _met(model, requires)
    if excludes is not None:
        ok &= ~_met(model, excludes)
    return ok
