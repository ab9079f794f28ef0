"""Status: each ally demands rank in proportion to its relative power and its leader's
prestige-seeking, and resents what the partner does not grant.

docs/MODEL.md, sections 3.3.7 and 3.3.10. Demands grow with relative power (Fearon 1995; Powell
2006, on commitment problems under shifting power); leadership of the bloc is one indivisible
stake, so what one ally demands the other cannot also be granted (Radchenko, Two Suns in the
Heavens, 2009); Mao's pursuit of equality (Shen & Xia, Mao and the Sino-Soviet Partnership,
2015). A nation may claim a rank beyond its power (`status_aspiration`), so that a small ally's
pride is not zero. The recognition the partner grants relaxes toward what the partner's leader
is disposed to concede, 1 - dominance.
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import halving_factor
from sim.engine.specs import Driver, Effect, Parameter, Process


def relax_recognition(ally, relax: float) -> None:
    """The status the partner grants moves toward what the partner's leader concedes."""
    concede = 1.0 - ally.partner.holder_trait("dominance")
    ally.recognition += relax * (concede - ally.recognition)


class Status(Process):
    """Recognition granted, nuclear status, and the gap between status demanded and granted."""

    name = "status"
    parameters = {
        "status_weight": Parameter(0.0, 5.0, "weight of the status gap in the cohesion target"),
        "recognition_half_life": Parameter(0.01, 1000.0, "years for recognition to go half way "
                                           "to what the partner's leader concedes"),
        "nuclear_status_bonus": Parameter(0.0, 1.0, "status claim the bomb adds, as a share of "
                                          "the stronger partner's power"),
        "leader_amplification": Parameter(0.0, 1.0, "how far the decider's prestige-seeking "
                                          "amplifies or damps the nation's claims and the "
                                          "weight of slights (1: his alone; 0: not at all)",
                                          default=1.0),
    }
    effects = {
        "recognition": Effect("per_nation", "change in the status the partner grants the named "
                              "ally (0-1 scale)", -1.0, 1.0),
        "nuclear": Effect("nations", "the named allies have the bomb from now on"),
    }
    drivers = (Driver("status", "status gap", "#ef8a62", "status demanded but not granted, "
                      "summed over both allies"),)

    def drift(self) -> None:
        relax = 1.0 - halving_factor(self.model.forces.recognition_half_life, self.model.dt)
        self.model.allies.do(relax_recognition, relax)

    def terms(self) -> list:
        return [-self.model.forces.status_weight * self.gap()]

    def gap(self) -> np.ndarray:
        """(W,) status demanded but not granted, summed over both allies.

        Each ally claims its power relative to the stronger partner (plus a bonus once
        nuclear), or its nation's status aspiration if that is higher, and demands that claim
        times its pride (its decider's prestige-seeking, as far as `leader_amplification`
        lets it count), less what its deference and coercion hold back; it is granted its
        recognition, but never more than the partner's own demand leaves over.
        """
        allies = self.model.allies
        bonus = self.model.forces.nuclear_status_bonus
        caps = [ally.capability() for ally in allies]
        strongest = np.maximum(caps[0], caps[1])
        demand = [ally.pride()
                  * np.minimum(1.0, np.maximum(ally.spec.status_aspiration,
                                               caps[ally.index] / strongest
                                               + bonus * ally.nuclear))
                  for ally in allies]
        demand = [d * ally.restraint() if ally.restrained else d
                  for d, ally in zip(demand, allies, strict=True)]
        gap = 0.0
        for ally in allies:
            granted = np.minimum(ally.recognition, np.maximum(0.0, 1.0 - demand[1 - ally.index]))
            gap = gap + np.maximum(0.0, demand[ally.index] - granted)
        return gap

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        if effect == "nuclear":
            for nid in value:
                self.model.ally(nid).nuclear |= worlds
            return
        for nid, shift in value.items():
            ally = self.model.ally(nid)
            ally.recognition = np.clip(ally.recognition + worlds.astype(float) * shift, 0.0, 1.0)
