"""Public polemics: an impulsive leader attacks the partner in public, more often the colder the
relationship, and each attack is a slight to the partner.

docs/MODEL.md, section 3.3.8. "A bit more cautious talking and there would be no split": the
hothead's public criticism as a cascade of slights (Khrushchev's Bucharest attack, June 1960;
the open letters of 1963; Lüthi 2008, chs. 5 and 8).
"""

from __future__ import annotations

import numpy as np

from sim.engine.rates import happens
from sim.engine.specs import EventKind, Parameter, Process, Stream

POLEMIC = Stream("polemic:{nation}")


def _tell(event, story) -> str:
    partner = story.partner(event.details["nation"])
    return f"{story.person(event.details['person'])} attacks {partner.name} in public"


ATTACK = EventKind("polemic", "middle", _tell, grouped=True)


class Polemics(Process):
    """Public attacks by each ally's leader on the other, counted per world."""

    name = "polemics"
    parameters = {
        "polemic_rate": Parameter(0.0, 100.0, "public attacks a year by a fully impulsive "
                                  "leader when cohesion is 0"),
        "polemic_grievance": Parameter(0.0, 5.0, "slight per public attack to the attacked "
                                       "ally (scaled like the grievance effect)"),
    }
    streams = (POLEMIC,)
    events = (ATTACK,)

    def __init__(self, model):
        super().__init__(model)
        self.count = np.zeros(model.n_worlds, dtype=np.int64)

    def drift(self) -> None:
        self.model.allies.do(self.attack_in_public)

    def attack_in_public(self, ally) -> None:
        """The holder attacks at a yearly rate `polemic_rate * impulsiveness * (1 - C)`; the
        attacked ally's grievance grows by `polemic_grievance * 2 * its prestige-seeking`."""
        model, f = self.model, self.model.forces
        rate = f.polemic_rate * ally.holder_trait("impulsiveness") * (1.0 - model.cohesion)
        u = model.streams(POLEMIC.of(nation=ally.spec.id)).random(model.n_worlds)
        attack = happens(u, rate, model.dt)
        target = ally.partner
        target.grievance += attack * f.polemic_grievance * 2.0 * target.holder_trait(
            "prestige_seeking")
        self.count += attack
        model.emit(ATTACK, attack, nation=ally.spec.id, person=ally.holder)

    def columns(self) -> dict:
        return {"polemics": self.count.astype(np.int32)}
