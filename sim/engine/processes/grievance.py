"""Grievances: slights and affronts to sovereignty accumulate, fade slowly, and push apart.

docs/MODEL.md, sections 3.3.6, 3.3.7 and 3.3.10. A slight hurts in proportion to the victim
nation's pride, its leader's prestige-seeking amplifying or damping it; an affront to
sovereignty in proportion to the nation's sovereignty sensitivity (Shen & Xia 2015 on equality
and sovereignty in Mao's view of the alliance; the 1958 proposals read as vassalage, Lüthi
2008). A deferent or coerced nation stores its grievances rather than acting on them.
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.specs import Driver, Effect, Parameter, Process


def fade(ally, factor: float) -> None:
    """Grievances fade with their half-life."""
    ally.grievance *= factor


def slight(ally, amount, worlds: np.ndarray) -> None:
    """A slight to the ally: grievance in proportion to its pride (AllyAgent.pride)."""
    ally.grievance += worlds.astype(float) * amount * 2.0 * ally.pride()


class Grievance(Process):
    """Each ally's accumulated grievance against the partner."""

    name = "grievance"
    parameters = {
        "grievance_weight": Parameter(0.0, 5.0, "weight of accumulated grievances in the "
                                      "cohesion target"),
        "grievance_half_life": Parameter(0.01, 1000.0, "years for half of a grievance to fade"),
    }
    effects = {
        "grievance": Effect("per_nation", "a slight to the named ally, scaled by its pride, its "
                            "leader's prestige-seeking amplifying it (x 2: 0.1 is 0.1 for a "
                            "middling leader); a "
                            "negative amount is an act of repair, never below no grievance",
                            -5.0, 5.0),
        "sovereignty": Effect("per_nation", "an affront to the named ally's sovereignty, scaled "
                              "by its sovereignty sensitivity (x 2)", 0.0, 5.0),
    }
    drivers = (Driver("grievance", "grievances", "#762a83", "accumulated slights and affronts, "
                      "summed over both allies"),)

    def drift(self) -> None:
        self.model.allies.do(fade, halving_factor(self.model.forces.grievance_half_life,
                                                  self.model.dt))

    def terms(self) -> list:
        a, b = self.model.allies
        if not (a.restrained or b.restrained):
            return [-self.model.forces.grievance_weight * (a.grievance + b.grievance)]
        shown = a.restraint() * a.grievance + b.restraint() * b.grievance
        return [-self.model.forces.grievance_weight * shown]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        for nid, amount in value.items():
            ally = self.model.ally(nid)
            if effect == "grievance":
                slight(ally, amount, worlds)
                if amount < 0:
                    ally.grievance = np.maximum(0.0, ally.grievance)
            else:
                ally.grievance += (worlds.astype(float) * amount * 2.0
                                   * ally.spec.sovereignty_sensitivity)
