"""Public polemics: an impulsive leader attacks the partner in public, more often the further
relations have fallen below their resting level, and each attack is a slight to the partner.

docs/MODEL.md, section 3.3.8. "A bit more cautious talking and there would be no split": the
hothead's public criticism as a cascade of slights (Khrushchev's Bucharest attack, June 1960;
the open letters of 1963; Lüthi 2008, chs. 5 and 8).
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.diversion import Diversion
from sim.engine.rates import at, where_happens
from sim.engine.specs import NOT_YET, Effect, EventKind, Outcome, Parameter, Process, Stream

POLEMIC = Stream("polemic:{nation}")


def _tell(event, story) -> str:
    partner = story.partner(event.details["nation"])
    return f"{story.person(event.details['person'])} attacks {partner.name} in public"


ATTACK = EventKind("polemic", "middle", _tell, grouped=True)
FIRST_POLEMIC = Outcome("public_polemic", "first_polemic_year", "polemics",
                        "first public polemic", "#762a83",
                        "the first public attack of one ally on the other")


class Polemics(Process):
    """Public attacks by each ally's leader on the other, counted per world."""

    name = "polemics"
    parameters = {
        "polemic_rate": Parameter(0.0, 100.0, "public attacks a year by a fully impulsive "
                                  "leader when cohesion is 0 (none at or above "
                                  "baseline_cohesion)"),
        "polemic_grievance": Parameter(0.0, 5.0, "slight per public attack to the attacked "
                                       "ally (scaled like the grievance effect)"),
    }
    effects = {
        "polemic": Effect("per_nation", "the named ally attacks its partner in public, once "
                          "(a dated polemic: an article, a letter, a walk-out)", 0.0, 1.0),
    }
    streams = (POLEMIC,)
    outcomes = (FIRST_POLEMIC,)
    events = (ATTACK,)

    def __init__(self, model):
        super().__init__(model)
        self.count = np.zeros(model.n_worlds, dtype=np.int64)
        self.first = np.full(model.n_worlds, NOT_YET)

    def drift(self) -> None:
        self.model.allies.do(self.attack_in_public, self.coldness())

    def attack_in_public(self, ally, coldness: np.ndarray) -> None:
        """The decider attacks at a yearly rate `polemic_rate * impulsiveness * coldness` (the
        same coldness for both allies, computed once a step), times `1 + diversion_polemics *
        V` where domestic failure is diverted onto the ally (sim/engine/processes/diversion.py)
        and times its restraint (1 - deference, times 1 - coercion); the attacked ally's
        grievance grows by `polemic_grievance * 2 * its pride`."""
        model, f = self.model, self.model.forces
        rate = f.polemic_rate * ally.holder_trait("impulsiveness") * coldness
        diverted = model.get(Diversion).polemic_factor(ally)
        if diverted is not None:
            rate = rate * diverted
        if ally.restrained:
            rate = rate * ally.restraint()
        u = model.streams(POLEMIC.of(nation=ally.spec.id)).random(model.n_worlds)
        self._attack(ally, where_happens(u, rate, model.dt))

    def coldness(self) -> np.ndarray:
        """How far cohesion lies below its resting level, as a share of that level: 0 at or
        above `baseline_cohesion`, 1 at cohesion 0. Allies whose relations are at or above the
        level they settle at with no force at work keep their quarrels private: the public
        polemics of 1960-65 came once relations had already soured (Lüthi 2008, chs. 5 and 8),
        and the Cominform's resolution of June 1948 after three months of private letters
        (Gibianskii 1997; Perović 2007). docs/MODEL.md, 3.3.8."""
        rest = self.model.forces.baseline_cohesion
        below = np.maximum(rest - self.model.cohesion, 0.0)
        return below / np.maximum(rest, 1e-9)   # a resting level of 0 leaves none below it

    def _attack(self, ally, worlds: np.ndarray) -> None:
        """Book the attacks in the `worlds` (an index array; a few worlds in a hundred: the
        others are left alone rather than given nothing)."""
        if worlds.size == 0:
            return
        model, target = self.model, ally.partner
        slight = at(model.forces.polemic_grievance, worlds) * 2.0
        target.grievance[worlds] += slight * target.pride()[worlds]
        self.count[worlds] += 1
        self.first[worlds[self.first[worlds] == NOT_YET]] = model.t
        model.emit(ATTACK, worlds, nation=ally.spec.id, person=ally.decider)

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        for nid, times in value.items():
            if times > 0:
                self._attack(self.model.ally(nid), np.flatnonzero(worlds))

    def outcome_steps(self) -> dict:
        return {FIRST_POLEMIC.id: self.first}

    def columns(self) -> dict:
        return {"polemics": self.count.astype(np.int32)}
