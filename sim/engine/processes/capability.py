"""Capability: each ally's material power, with uncertainty between worlds and shocks that fade.

docs/MODEL.md, sections 3.3.1 and 3.3.7. The reference series (COW CINC scores in the baseline)
is scaled in each world by a persistent log-normal factor (datasets disagree by a few per cent)
and by temporary shocks that juncture options cause (a collapse, a boom) and that wear off; a
juncture option may also set the reference on another path in the worlds that took it (a
secession, a union).
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.specs import Effect, Parameter, Process, Stream

CAPABILITY = Stream("capability:{nation}")


def recover(ally, factor: float) -> None:
    """A capability shock wears off with its half-life."""
    ally.capability_shock *= factor


class Capability(Process):
    """Noise between worlds and shocks over time on each ally's capability."""

    name = "capability"
    parameters = {
        "capability_noise": Parameter(0.0, 1.0, "sd of log capability between worlds"),
        "capability_recovery_half_life": Parameter(0.01, 1000.0, "years for half of a "
                                                   "capability shock to wear off"),
    }
    effects = {
        "capability": Effect("per_nation", "a temporary proportional shock to the named "
                             "ally's capability (-0.25: a quarter lost), wearing off",
                             -0.9, 1.0),
        "capability_path": Effect("per_nation_series", "the series the named ally's reference "
                                  "capability follows from now on, instead of the scenario's "
                                  "({ally: series}): a lasting change only the worlds that "
                                  "took the option made (a secession, a union); above 0 at "
                                  "every date, as the scenario's", 0.0),
    }
    streams = (CAPABILITY,)

    def __init__(self, model):
        super().__init__(model)
        for ally in model.allies:
            noise = model.streams(CAPABILITY.of(nation=ally.spec.id)).standard_normal(
                model.n_worlds)
            ally.capability_factor = np.exp(model.forces.capability_noise * noise)

    def drift(self) -> None:
        factor = halving_factor(self.model.forces.capability_recovery_half_life, self.model.dt)
        self.model.allies.do(recover, factor)

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        if effect == "capability_path":
            for nid, path in value.items():
                self.model.ally(nid).follow_capability(path, worlds)
            return
        for nid, shock in value.items():
            self.model.ally(nid).capability_shock += worlds.astype(float) * shock
