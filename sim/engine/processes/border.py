"""Border tension: militarised as cohesion falls below the split threshold, demobilised slowly,
and a friction on cohesion.

docs/MODEL.md, sections 3.3.9 and 3.3.10. Troops moved to the border once relations had broken
(Gerson, The Sino-Soviet Border Conflict, 2010); the border incidents of the 1960s. Allies
with no common border (`alliance.border: false`) have no border tension.
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.specs import Driver, Effect, Parameter, Process


class Border(Process):
    """The militarisation of the allies' common border, (W,) in [0, 1]."""

    name = "border"
    parameters = {
        "border_weight": Parameter(0.0, 5.0, "weight of border tension in the cohesion target"),
        "border_rise": Parameter(0.0, 100.0, "yearly rise of border tension per unit of "
                                 "cohesion below the split threshold"),
        "border_half_life": Parameter(0.01, 1000.0, "years for half of the border tension to "
                                      "ease"),
    }
    effects = {
        "border": Effect("amount", "change in border tension (0-1 scale)", -1.0, 1.0),
    }
    drivers = (Driver("border", "border tension", "#8c510a", "the militarisation of the common "
                      "border"),)

    def __init__(self, model):
        super().__init__(model)
        self.tension = np.zeros(model.n_worlds)

    def drift(self) -> None:
        model, f = self.model, self.model.forces
        if not model.world.alliance.border:
            return
        gap = np.maximum(0.0, model.world.split_threshold - model.cohesion)
        self.tension = np.clip(self.tension * halving_factor(f.border_half_life, model.dt)
                               + f.border_rise * gap * model.dt, 0, 1)

    def terms(self) -> list:
        return [-self.model.forces.border_weight * self.tension]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        self.tension = np.clip(self.tension + worlds.astype(float) * value, 0.0, 1.0)
