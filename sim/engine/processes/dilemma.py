"""The alliance security dilemma: fear of entrapment in the partner's quarrels, and fear of
abandonment when the partner comes to terms with one's adversary.

docs/MODEL.md, section 3.3.20. Snyder, "The Security Dilemma in Alliance Politics", World Politics
36(4), 1984: each ally fears being dragged into a conflict over the other's interests
(entrapment) and being deserted (abandonment). Entrapment fear of ally i grows with the threat its
partner perceives from an outside power beyond what i itself perceives (a confrontation that
is the partner's, not its own: the power's threat series are built from disputes) and with the
partner's decider's impulsiveness, as far as i is committed to back the partner against that
power (its `backing`: Snyder's dilemma is that a firm commitment buys security at the price of
entrapment, and a patron that will not fight cannot be dragged in): Khrushchev's complaint of
2 October 1959 about the unannounced shelling of Jinmen, and his worry about being dragged into
war over Taiwan (Garver, China's Quest, 2016, p. 155). Abandonment fear of ally j grows with the
threat j perceives from a power and the partner's detente with that power (its `detente_with`
series, or the path a juncture set it on in that world: `detente_path`): the 1959 letter halting
nuclear help over the test-ban talks, Camp David, the 1963 test ban, read in Beijing as collusion
(Radchenko, Two Suns in the Heavens, 2009, ch. 2).
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.threat import Threat
from sim.engine.specs import Driver, Effect, Parameter, Process


class Dilemma(Process):
    """Friction from entrapment and abandonment fears."""

    name = "dilemma"
    parameters = {
        "entrapment_weight": Parameter(0.0, 5.0, "weight of the fear of entrapment in the "
                                       "partner's confrontations (Snyder 1984)", default=0.0),
        "abandonment_weight": Parameter(0.0, 5.0, "weight of the fear of abandonment through "
                                        "the partner's detente (Snyder 1984)", default=0.0),
    }
    effects = {
        "detente_path": Effect("per_power_series", "the series the named outside power's "
                               "detente with the named ally follows from now on, instead of "
                               "the scenario's ({power: {ally: series}}): a rapprochement not "
                               "made, or one made where history had none", 0.0, 1.0),
    }
    drivers = (
        Driver("entrapment", "fear of entrapment", "#d6604d", "the partner's confrontations "
               "with an outside power beyond one's own, times its leader's impulsiveness and "
               "one's backing of the partner against that power"),
        Driver("abandonment", "fear of abandonment", "#f4a582", "the partner's detente with "
               "an outside power one perceives as a threat"),
    )

    def __init__(self, model):
        super().__init__(model)
        self.backing = model.get(Threat).backing   # (power, ally) -> the partner's backing

    def terms(self) -> list:
        model, f = self.model, self.model.forces
        entrapment, abandonment = 0.0, 0.0
        for power in model.outside:
            perceived = {ally.spec.id: ally.holder_trait("threat_perception")
                         * power.threat_now(ally.spec.id) for ally in model.allies}
            for ally in model.allies:
                partner = ally.partner
                beyond = np.maximum(0.0, perceived[partner.spec.id] - perceived[ally.spec.id])
                committed = self.backing[(power.spec.id, partner.spec.id)]   # ally's, to it
                entrapment = entrapment + (beyond * partner.holder_trait("impulsiveness")
                                           * committed)
                abandonment = abandonment + (power.now("detente_with", partner.spec.id)
                                             * perceived[ally.spec.id])
        return [-f.entrapment_weight * entrapment, -f.abandonment_weight * abandonment]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        self.follow_paths("detente_with", value, worlds)
