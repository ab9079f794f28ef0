"""A partner's threat: an ally that threatens its own partner divides the alliance, and drives
the partner to look outside it for protection.

docs/MODEL.md, section 3.3.22. Balance of threat (Walt, The Origins of Alliances, 1987) counts a
threat whatever its source: states align against the power that threatens them most, and an ally
can be that power. A threat both allies face from outside binds them (threat.py); a threat one
ally poses to the other, as its decider perceives it, is friction of the same weight, and the
threatened ally, once relations have failed, is pushed toward an outside power beside the border
tension (realignment.py; unlike the tension, not scaled by the partner's relative power).
China's pressure on Vietnam after 1975 (Chanda, Brother Enemy, 1986) and the Soviet blockade of
Albania's trade in 1961 had no common border to act through. A scenario writes it as the
threatening ally's `threat_to_partner` series, and a juncture option moves it for good in the
worlds that took it (`threat_to_partner` effect).
"""

from __future__ import annotations

import numpy as np

from sim.engine.series import series_at
from sim.engine.specs import Driver, Effect, Process


class PartnerThreat(Process):
    """What each ally poses to its partner, in [0, 1]: a number a step (0 where the scenario
    gives none) until an option shifts either ally's threat, (W,) from then on.

    Attributes:
        scripted: ally index -> (T,) the scenario's series of its threat to its partner.
        shift: (2, W) the lasting change juncture options made to each ally's threat.
        shifted: whether any option has shifted either ally's threat in any world.
    """

    name = "partner_threat"
    effects = {
        "threat_to_partner": Effect("per_nation", "a lasting change to the named ally's threat "
                                    "to its partner ({ally: change}, 0-1 scale): troops moved "
                                    "to the partner's border, a blockade, a claim pressed",
                                    -1.0, 1.0),
    }
    drivers = (Driver("partner_threat", "the partner's threat", "#c51b7d", "the threat each "
                      "ally perceives from its own partner"),)

    def __init__(self, model):
        super().__init__(model)
        self.scripted = {ally.index: series_at(ally.spec.threat_to_partner, model.years)
                         for ally in model.allies if ally.spec.threat_to_partner is not None}
        self.shift = np.zeros((len(model.allies), model.n_worlds))
        self.shifted = False

    def posed(self, ally):
        """The threat `ally` poses to its partner now: the scenario's value (0 where it gives
        none), or (W,) once an option has shifted either ally's threat in some worlds."""
        series = self.scripted.get(ally.index)
        base = 0.0 if series is None else series[self.model.t]
        if not self.shifted:
            return base
        return np.clip(base + self.shift[ally.index], 0.0, 1.0)

    def faced(self, ally):
        """The threat `ally` perceives from its partner now, through its decider's threat
        perception."""
        return ally.holder_trait("threat_perception") * self.posed(ally.partner)

    def terms(self) -> list:
        if not self.scripted and not self.shifted:   # no ally threatens the other
            return [0.0]
        a, b = self.model.allies
        return [-self.model.forces.threat_weight * (self.faced(a) + self.faced(b)) / 2.0]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        for nid, change in value.items():
            self.shift[self.model.ally(nid).index] += worlds * change
        self.shifted = True
