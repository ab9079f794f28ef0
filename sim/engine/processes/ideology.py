"""Ideology: each party's line drifts toward its leader's, and the distance between the lines,
weighted by the leaders' rigidity, pushes the allies apart. A leader's own views may move on a
dated path the scenario gives (`ideology_path`).

docs/MODEL.md, sections 3.3.7 and 3.3.10. Ideology and Mao's domestic radicalisation as a prime
cause of the split (Lüthi, The Sino-Soviet Split, 2008).
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.series import series_at
from sim.engine.specs import IDEOLOGY_TRAIT, Driver, Effect, Parameter, Process


def pull_line(ally, pull: float) -> None:
    """The party line moves toward the office holder's ideology: leaders remake their line."""
    ally.line += pull * (ally.holder_trait(IDEOLOGY_TRAIT) - ally.line)


class Ideology(Process):
    """The allies' ideological lines and the friction of their distance."""

    name = "ideology"
    parameters = {
        "ideology_weight": Parameter(0.0, 5.0, "weight of ideological distance times rigidity "
                                     "in the cohesion target"),
        "line_pull_half_life": Parameter(0.01, 1000.0, "years for a party line to go half way "
                                         "to its leader's ideology"),
    }
    effects = {
        "line": Effect("per_nation", "shift of the named ally's ideological line (0 pragmatic "
                       "to 1 radical)", -1.0, 1.0),
    }
    drivers = (Driver("ideology", "ideological distance", "#b2182b", "the distance between "
                      "the parties' lines, weighted by the leaders' rigidity"),)

    def __init__(self, model):
        super().__init__(model)
        # (Cast row, date of the path's first point, (T,) its values) of each person whose
        # views moved (`ideology_path`)
        self.paths = [(model.cast.row(p.id), p.ideology_path.years[0],
                       series_at(p.ideology_path, model.years))
                      for p in model.world.persons.values() if p.ideology_path is not None]

    def drift(self) -> None:
        if self.paths:
            self._move_views()
        pull = 1.0 - halving_factor(self.model.forces.line_pull_half_life, self.model.dt)
        self.model.allies.do(pull_line, pull)

    def _move_views(self) -> None:
        """Set the ideology of each person whose views moved to his path's value now, from
        the path's first date on, in every world; the deciders' kept traits follow."""
        model = self.model
        moved = []
        for row, first, path in self.paths:
            if model.year + model.dt > first:
                model.cast.trait[IDEOLOGY_TRAIT][row] = path[model.t]
                moved.append(row)
        for ally in model.allies:   # only where one of them decides
            worlds = np.flatnonzero(np.isin(ally.decider, moved))
            if worlds.size:
                ally.set_decider(ally.decider, worlds)

    def terms(self) -> list:
        a, b = self.model.allies
        rigidity = a.holder_trait("ideological_rigidity") + b.holder_trait("ideological_rigidity")
        distance = np.abs(a.line - b.line) * rigidity / 2.0
        return [-self.model.forces.ideology_weight * distance]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        for nid, shift in value.items():
            ally = self.model.ally(nid)
            ally.line = np.clip(ally.line + worlds.astype(float) * shift, 0.0, 1.0)
