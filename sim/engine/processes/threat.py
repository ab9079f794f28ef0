"""Outside threats: a threat both allies perceive binds them, in so far as each can count on the
partner against it; a threat only one of them perceives divides them.

docs/MODEL.md, section 3.3.10. Balance of threat (Walt, The Origins of Alliances, 1987): states
ally against the greatest threat, weighing aggregate power, proximity, offensive capability and
intentions, which a scenario composes into each outside power's threat to each ally over time.
Each ally's holder perceives it through his threat perception. The glue counts, for each outside
power, the threat each ally perceives times what its partner can do against it: the partner's
reach (its capability against the power's, where the scenario gives the power one) and its
backing (1 at the start unless the outside power's `backing` says otherwise; juncture options
lower it when the partner will not help, e.g. stays neutral in the ally's war, and raise it when
it does). A gap between the allies' perceptions is friction: the ally that feels the threat
fears abandonment, the other entrapment (Snyder, "The Security Dilemma in Alliance Politics",
World Politics 36(4), 1984), as far as the partner of the ally that feels it more could help
against that power: the fear of abandonment grows with what one could count on the partner for.
And an ally relies on its partner against a power only as far as it has no other recourse: where
a second outside power open to it could hold that power's threat back (`leverage_over`), the
glue counts only the share of the threat left to the partner: an ally's dependence grows with
its need, with the partner's capacity to meet it and with the want of alternatives (Snyder 1984;
Snyder, Alliance Politics, Cornell UP 1997).
"""

from __future__ import annotations

import numpy as np

from sim.engine.specs import Driver, Effect, Parameter, Process


class Threat(Process):
    """Glue from outside threats the allies share, friction from those they do not.

    Attributes:
        backing: (power id, ally id) -> (W,) the partner's backing of the ally against that
            power, in [0, 1].
        recourse: (power id, ally id) -> the other outside powers with leverage over that
            power's threat to that ally, each with its (T,) leverage, where any has some.
    """

    name = "threat"
    parameters = {
        "threat_weight": Parameter(0.0, 5.0, "weight of a shared outside threat in the "
                                   "cohesion target, and of a partner's threat "
                                   "(Walt 1987)"),
        "divergence_weight": Parameter(0.0, 5.0, "weight of the gap between the threats the "
                                       "two allies perceive from the same power (Snyder 1984)",
                                       default=0.0),
    }
    effects = {
        "backing": Effect("per_power", "change in the partner's backing of the named ally "
                          "against the named outside power ({power: {ally: change}}, 0-1 "
                          "scale, starting at the power's backing, 1 where not given)",
                          -1.0, 1.0),
        "threat": Effect("per_power", "a lasting change to the named outside power's threat to "
                         "the named ally ({power: {ally: change}}): a second patron restraining "
                         "it, a war raising it", -1.0, 1.0),
        "threat_path": Effect("per_power_series", "the series the named outside power's threat "
                              "to the named ally follows from now on, instead of the scenario's "
                              "({power: {ally: series}}): the path of a world that took "
                              "another road, a war not fought", 0.0, 1.0),
    }
    drivers = (
        Driver("threat", "shared threat", "#2166ac", "outside threats to both allies, as "
               "their leaders perceive them, times what each can count on the partner for",
               glue=True),
        Driver("threat_gap", "divergent threats", "#92c5de", "the gap between the threats "
               "the two allies perceive from the same power, as far as the partner of the "
               "one that feels it more could help against that power"),
    )

    def __init__(self, model):
        super().__init__(model)
        n = model.n_worlds
        self.backing = {(p.spec.id, a.spec.id): np.full(n, p.spec.backing.get(a.spec.id, 1.0))
                        for p in model.outside for a in model.allies}
        self.recourse = {}
        for power in model.outside:
            for ally in model.allies:
                key = (power.spec.id, ally.spec.id)
                holders = [(other, other.leverage[key]) for other in model.outside
                           if key in other.leverage]
                if holders:
                    self.recourse[key] = holders

    def perceived(self, ally, power) -> np.ndarray:
        """(W,) the threat `power` poses to `ally` now, as its decider perceives it."""
        return ally.holder_trait("threat_perception") * power.threat_now(ally.spec.id)

    def reach(self, ally, power):
        """How far `ally`'s partner could help it against `power`: its capability against the
        power's, at most 1 (1 where the scenario gives the power no capability)."""
        if power.capability_path is None:
            return 1.0
        return np.minimum(1.0, ally.partner.capability() / power.capability_path[self.model.t])

    def help(self, ally, power, reach):
        """What `ally` counts on its partner for against `power`: backing times the partner's
        `reach`, times the share of its reliance that no other outside power's leverage takes
        over."""
        key, t = (power.spec.id, ally.spec.id), self.model.t
        counted = self.backing[key] * reach
        for other, leverage in self.recourse.get(key, ()):
            # a number, or (W,) where the openness scale is drawn in each world or a juncture
            # set the openness on another path
            counted = counted * (1.0 - np.minimum(1.0, other.now("openness_to", ally.spec.id)
                                                  * leverage[t]))
        return counted

    def terms(self) -> list:
        f = self.model.forces
        glue, gap = 0.0, 0.0
        for power in self.model.outside:
            a, b = self.model.allies
            pa, pb = self.perceived(a, power), self.perceived(b, power)
            ra, rb = self.reach(a, power), self.reach(b, power)
            glue = glue + (self.help(a, power, ra) * pa + self.help(b, power, rb) * pb) / 2.0
            # a gap divides as far as the partner of the ally that feels the threat more could
            # help against that power: no one expects a partner to share the fear of a power
            # it could do nothing against
            gap = gap + np.where(pa >= pb, ra, rb) * np.abs(pa - pb)
        return [f.threat_weight * glue, -f.divergence_weight * gap]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        if effect == "threat_path":
            self.follow_paths("threat_to", value, worlds)
            return
        powers = {p.spec.id: p for p in self.model.outside}
        for power, block in value.items():
            for nid, change in block.items():
                if effect == "threat":
                    shifts = powers[power].threat_shift
                    shifts[nid] = shifts.get(nid, 0.0) + worlds * change
                    continue
                key = (power, nid)
                self.backing[key] = np.clip(self.backing[key] + worlds * change, 0.0, 1.0)
