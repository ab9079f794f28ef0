"""The shared threat: the third power's threat to each ally, as its leader perceives it, binds.

docs/MODEL.md, section 3.3.10. Balance of threat (Walt, The Origins of Alliances, 1987): states
ally against the greatest threat, so the third power's threat to both, weighted by each holder's
threat perception, pulls cohesion up; when the threat falls (detente) the glue weakens.
"""

from __future__ import annotations

from sim.engine.specs import Driver, Parameter, Process


class Threat(Process):
    """Glue from the third power's threat to the allies."""

    name = "threat"
    parameters = {
        "threat_weight": Parameter(0.0, 5.0, "weight of the shared threat in the cohesion "
                                   "target (Walt 1987)"),
    }
    drivers = (Driver("threat", "shared threat", "#2166ac", "the third power's threat to both "
                      "allies, as their leaders perceive it", glue=True),)

    def terms(self) -> list:
        model, t = self.model, self.model.t
        third = model.third
        threat = sum(ally.holder_trait("threat_perception") * third.threat[ally.spec.id][t]
                     for ally in model.allies) / 2.0
        return [model.forces.threat_weight * threat]
