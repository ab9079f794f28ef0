"""Deference: a junior ally holds back its claims and grievances while the senior partner's
founding leader rules, and less and less after him.

docs/MODEL.md, section 3.3.19. Mao deferred to Stalin while Stalin lived; the deference outlived
him until the November 1957 Moscow conference, after which "he no longer deferred to Soviet views
on ideology and policies" (Westad (ed.), Brothers in Arms, 1998, introduction, p. 20); the
Secret Speech "shattered the traditional hierarchy of the communist world" (Zubok, CWIHP Bulletin
10, 1998, p. 157). A nation's `deference` (0-1) toward a named founding leader of its partner
holds while he decides for the partner and fades with `deference_half_life` once he does not;
juncture options change it (`deference` effect). It multiplies, by 1 - deference, the nation's
status demand, the grievance it acts on and its public polemics: grievances are stored, not
forgotten (Mao listed Stalin's slights to Khrushchev in October 1959).
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.specs import Effect, Parameter, Process


class Deference(Process):
    """Each ally's deference to its partner's founding leader, (W,) in [0, 1]."""

    name = "deference"
    parameters = {
        "deference_half_life": Parameter(0.01, 1000.0, "years for half of a nation's deference "
                                         "to fade once the founding leader no longer rules",
                                         default=3.0),
    }
    effects = {
        "deference": Effect("per_nation", "change in the named ally's deference to its "
                            "partner's founding leader", -1.0, 1.0),
    }

    def drift(self) -> None:
        model = self.model
        for ally in model.allies:
            if ally.deference is None:
                continue
            founder = model.cast.row(ally.spec.deference_to)
            fading = ally.partner.decider != founder
            factor = halving_factor(model.forces.deference_half_life, model.dt)
            ally.deference = np.where(fading, ally.deference * factor, ally.deference)

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        for nid, change in value.items():
            ally = self.model.ally(nid)
            if ally.deference is not None:
                ally.deference = np.clip(ally.deference + worlds * change, 0.0, 1.0)
