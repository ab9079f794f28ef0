"""Realignment: an ally that no longer acts as an ally turns to whichever outside power draws it
most.

docs/MODEL.md, section 3.3.14. An outside power draws an ally in proportion to its openness to
that ally and to what turning to it gains: the threat the ally perceives from its partner
(border tension times the partner's relative power), the aid the power offers and the part of
other powers' threats it could hold back (its leverage over them), less the threat the power
itself poses. Balance of threat (Walt 1987): alignment follows the greater threat; a
second patron's offer draws a client away (Walt 1987, ch. 7). The turn is open from the first
step cohesion is below the split threshold, not only once the split has lasted long enough to be
recorded: abrogation follows new outside alignments (Leeds & Savun, Journal of Politics, 2007),
so the turn may come with the break, or before its date.
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.border import Border
from sim.engine.rates import at, chance, where_happens
from sim.engine.specs import NOT_YET, Effect, EventKind, Labels, Outcome, Parameter, Process, Stream

REALIGNMENT = Stream("realignment:{nation}")


def _tell(event, story) -> str:
    power = story.world.outside_powers[event.details["power"]]
    return f"{story.nation(event.details['nation']).name} turns to {story.nation(power).name}"


REALIGNMENT_OUTCOME = Outcome("realignment", "realignment_year", "realignment",
                              "realignment with an outside power", "#2166ac",
                              "an ally's turn to an outside power, once cohesion is below "
                              "the split threshold",
                              by_nation="realignment_nation", by_power="realignment_power")
REALIGNMENT_EVENT = EventKind(REALIGNMENT_OUTCOME.id, "start", _tell)


class Realignment(Process):
    """When an ally turned to an outside power, which ally, and to which power."""

    name = "realignment"
    parameters = {
        "realignment_rate": Parameter(0.0, 100.0, "yearly realignment hazard per unit of an "
                                      "outside power's openness and of what turning to it "
                                      "gains"),
    }
    effects = {
        "openness_path": Effect("per_power_series", "the series the named outside power's "
                                "openness to the named ally follows from now on, instead of "
                                "the scenario's ({power: {ally: series}}): the path of a world "
                                "that took another road", 0.0, 1.0),
    }
    streams = (REALIGNMENT,)
    outcomes = (REALIGNMENT_OUTCOME,)
    events = (REALIGNMENT_EVENT,)

    def __init__(self, model):
        super().__init__(model)
        self.step = np.full(model.n_worlds, NOT_YET)
        self.nation = np.full(model.n_worlds, NOT_YET)
        self.power = np.full(model.n_worlds, NOT_YET)
        self.border = model.get(Border)

    def record(self) -> None:
        """Hazard `realignment_rate * openness * max(0, from_partner + offer + relief - threat)`
        a year for each outside power, in worlds whose cohesion is below the split threshold now
        or that have split and not been reconciled; the ally turns with the summed hazard, to a
        power drawn in proportion to its share (one uniform draw decides both)."""
        model, t = self.model, self.model.t
        estranged = model.split_unhealed() | (model.cohesion < model.world.split_threshold)
        caps = [ally.capability() for ally in model.allies]
        for ally in model.allies:
            u = model.streams(REALIGNMENT.of(nation=ally.spec.id)).random(model.n_worlds)
            live = np.flatnonzero(estranged & (self.step == NOT_YET))   # only these may turn:
            if live.size == 0:
                continue
            rates = self._rates(ally, live, caps)    # the hazards are computed for them alone
            total = rates[0]
            for rate in rates[1:]:
                total = total + rate
            turned = where_happens(u[live], total, model.dt)
            worlds = live[turned]
            self.step[worlds] = t
            self.nation[worlds] = ally.index
            share = u[worlds] / chance(total[turned], model.dt)
            self.power[worlds] = self._which([r[turned] for r in rates], total[turned], share)
            model.emit(REALIGNMENT_EVENT, worlds, nation=ally.spec.id, power=self.power)

    def _rates(self, ally, worlds: np.ndarray, caps: list) -> list:
        """Each outside power's hazard of drawing `ally` in the `worlds` (an index array)."""
        model, i = self.model, ally.index
        perceive = ally.holder_trait("threat_perception")[worlds]
        from_partner = (self.border.tension[worlds]
                        * np.minimum(2.0, caps[1 - i][worlds] / caps[i][worlds]) * perceive)
        return [at(model.forces.realignment_rate, worlds)
                * at(power.now("openness_to", ally.spec.id), worlds)
                * np.maximum(0.0, from_partner + at(power.now("aid_to", ally.spec.id), worlds)
                             + self._relief(power, ally, worlds) * perceive
                             - at(power.threat_now(ally.spec.id), worlds) * perceive)
                for power in model.outside]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        self.follow_paths("openness_to", value, worlds)

    def _relief(self, power, ally, worlds: np.ndarray):
        """How much of the other powers' threats to `ally` `power` could hold back, before
        the ally's perception: its leverage over each times that power's threat now."""
        relief, t = 0.0, self.model.t
        for other in self.model.outside:
            leverage = power.leverage.get((other.spec.id, ally.spec.id))
            if leverage is not None:
                relief = relief + leverage[t] * at(other.threat_now(ally.spec.id), worlds)
        return relief

    @staticmethod
    def _which(rates: list, total, share) -> np.ndarray:
        """(W,) index of the power whose share of the summed hazard `share` falls in."""
        if len(rates) == 1:
            return np.zeros(np.shape(share), dtype=np.int64)
        cumulative = np.cumsum(np.stack(rates), axis=0) / np.where(total > 0, total, 1.0)
        return np.minimum((cumulative < share[None, :]).sum(axis=0), len(rates) - 1)

    def outcome_steps(self) -> dict:
        return {REALIGNMENT_OUTCOME.id: self.step}

    def columns(self) -> dict:
        return {REALIGNMENT_OUTCOME.by_nation: Labels(self.nation,
                                                      list(self.model.world.members)),
                REALIGNMENT_OUTCOME.by_power: Labels(self.power,
                                                     list(self.model.world.outside_powers))}
