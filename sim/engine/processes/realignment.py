"""Realignment: an ally that no longer acts as an ally turns to whichever outside power draws it
most. Each ally may turn once; the outcome is the first turn.

docs/MODEL.md, section 3.3.14. An outside power draws an ally in proportion to its openness to
that ally and to what turning to it gains: the threat the ally perceives from its partner
(border tension times the partner's relative power, and any threat the scenario or an option
gives the partner toward it), the aid the power offers and the part of other powers' threats it
could hold back (its leverage over them), less the threat the power itself poses. Balance of
threat (Walt 1987): alignment follows the greater threat; a second patron's offer draws a client
away (Walt 1987, ch. 7). The turn is open from the first step cohesion is below the split
threshold, not only once the split has lasted long enough to be recorded: abrogation follows new
outside alignments (Leeds & Savun, Journal of Politics, 2007), so the turn may come with the
break, or before its date. Both allies may turn, each once: the patron to the client's rival and
the client to the patron's (the Soviet Union to Ethiopia in 1977, Somalia to the United States
by 1980: Patman, The Soviet Union in the Horn of Africa, 1990). A juncture may date a turn (the
`realign` effect: a treaty with the partner's rival), whatever the state of relations.
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.border import Border
from sim.engine.processes.partner_threat import PartnerThreat
from sim.engine.rates import at, chance, where_happens
from sim.engine.specs import NOT_YET, Effect, EventKind, Labels, Outcome, Parameter, Process, Stream

REALIGNMENT = Stream("realignment:{nation}")


def _tell(event, story) -> str:
    power = story.world.outside_powers[event.details["power"]]
    return f"{story.nation(event.details['nation']).name} turns to {story.nation(power).name}"


REALIGNMENT_OUTCOME = Outcome("realignment", "realignment_year", "realignment",
                              "realignment with an outside power", "#2166ac",
                              "the first turn of either ally to an outside power, once cohesion "
                              "is below the split threshold or on a dated alignment",
                              by_nation="realignment_nation", by_power="realignment_power",
                              each_nation=True)
REALIGNMENT_EVENT = EventKind(REALIGNMENT_OUTCOME.id, "start", _tell)


class Realignment(Process):
    """When each ally turned to an outside power, and to which; the first turn is the outcome."""

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
        "realign": Effect("alignments", "the named ally turns to the named outside power now, "
                          "if it has not turned yet ({ally: power}): a dated alignment, such as "
                          "a treaty with the partner's rival, whatever the state of relations"),
    }
    streams = (REALIGNMENT,)
    outcomes = (REALIGNMENT_OUTCOME,)
    events = (REALIGNMENT_EVENT,)

    def __init__(self, model):
        super().__init__(model)
        self.turned = np.full((len(model.allies), model.n_worlds), NOT_YET)   # each ally's step
        self.to = np.full((len(model.allies), model.n_worlds), NOT_YET)       # and its power
        self.border = model.get(Border)
        self.partner_threat = model.get(PartnerThreat)

    def record(self) -> None:
        """Hazard `realignment_rate * (1 - coercion) * openness * max(0, from_partner + offer +
        relief - threat)` a year for each outside power (from_partner: the border tension
        scaled by the partner's relative power, plus the partner's own threat, as the ally
        perceives them), in worlds whose cohesion is below the split threshold now or that
        have split and not been reconciled; an ally that has not turned yet turns with the
        summed hazard, to a power drawn in proportion to its share (one uniform draw decides
        both). The partner's turn does not stop its own."""
        model = self.model
        estranged = model.split_unhealed() | (model.cohesion < model.world.split_threshold)
        caps = [ally.capability() for ally in model.allies]
        for ally in model.allies:
            i = ally.index
            u = model.streams(REALIGNMENT.of(nation=ally.spec.id)).random(model.n_worlds)
            live = np.flatnonzero(estranged & (self.turned[i] == NOT_YET))   # only these turn
            if live.size == 0:
                continue
            openness = [power.now("openness_to", ally.spec.id) for power in model.outside]
            if all(np.ndim(o) == 0 and o == 0.0 for o in openness):
                continue    # no power is open to it: every hazard is 0
            rates = self._rates(ally, live, caps, openness)   # for the live worlds alone
            total = rates[0]
            for rate in rates[1:]:
                total = total + rate
            turned = where_happens(u[live], total, model.dt)
            share = u[live[turned]] / chance(total[turned], model.dt)
            self._book(ally, live[turned],
                       self._which([r[turned] for r in rates], total[turned], share))

    def _rates(self, ally, worlds: np.ndarray, caps: list, openness: list) -> list:
        """Each outside power's hazard of drawing `ally` in the `worlds` (an index array), given
        each power's openness to it now."""
        model, i = self.model, ally.index
        perceive = ally.holder_trait("threat_perception")[worlds]
        from_partner = (self.border.tension[worlds]
                        * np.minimum(2.0, caps[1 - i][worlds] / caps[i][worlds])
                        + at(self.partner_threat.posed(ally.partner), worlds)) * perceive
        rate = at(model.forces.realignment_rate, worlds)
        if ally.coercion is not None:   # a partner that would intervene deters the exit
            rate = rate * (1.0 - ally.coercion[worlds])
        return [rate * at(open_, worlds)
                * np.maximum(0.0, from_partner + at(power.now("aid_to", ally.spec.id), worlds)
                             + self._relief(power, ally, worlds) * perceive
                             - at(power.threat_now(ally.spec.id), worlds) * perceive)
                for power, open_ in zip(model.outside, openness, strict=True)]

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        if effect == "openness_path":
            self.follow_paths("openness_to", value, worlds)
            return
        powers = list(self.model.world.outside_powers)
        for nid, power in value.items():
            self._turn(self.model.ally(nid), powers.index(power), worlds)

    def _turn(self, ally, power: int, worlds: np.ndarray) -> None:
        """A dated turn (the `realign` effect): `ally` turns to the outside power of index
        `power` in the `worlds` (a (W,) mask) where it has not turned yet, whatever cohesion
        is. A treaty with the partner's rival is the turn itself, and it may come before the
        break (Leeds & Savun 2007): the Soviet-Vietnamese treaty of 3 November 1978 (Chanda,
        Brother Enemy, 1986)."""
        self._book(ally, np.flatnonzero(worlds & (self.turned[ally.index] == NOT_YET)), power)

    def _book(self, ally, worlds: np.ndarray, powers) -> None:
        """`ally` turns now in the `worlds` (an index array), each to its power in `powers`
        (indices, one per world or one for all), and the turn is told."""
        i = ally.index
        self.turned[i, worlds] = self.model.t
        self.to[i, worlds] = powers
        self.model.emit(REALIGNMENT_EVENT, worlds, nation=ally.spec.id, power=self.to[i])

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

    @property
    def first(self) -> np.ndarray:
        """(W,) index of the ally that turned first, NOT_YET where neither turned; ally 0 where
        both turned in the same step, as it moves first."""
        steps = np.where(self.turned == NOT_YET, np.iinfo(self.turned.dtype).max, self.turned)
        return np.where((self.turned == NOT_YET).all(axis=0), NOT_YET, steps.argmin(axis=0))

    def _of_first(self, values: np.ndarray) -> np.ndarray:
        """(W,) the first turner's entry of a (2, W) array, NOT_YET where neither turned."""
        first = self.first
        return np.where(first == NOT_YET, NOT_YET,
                        np.take_along_axis(values, np.maximum(first, 0)[None, :], axis=0)[0])

    @property
    def step(self) -> np.ndarray:
        """(W,) the step of the first turn, NOT_YET where neither ally turned."""
        return self._of_first(self.turned)

    def outcome_steps(self) -> dict:
        return {REALIGNMENT_OUTCOME.id: self.step}

    def columns(self) -> dict:
        """The first turn's ally and power, and each ally's own turn (its year, NaN where it did
        not turn, and its power)."""
        world, outcome = self.model.world, REALIGNMENT_OUTCOME
        powers = list(world.outside_powers)
        columns = {outcome.by_nation: Labels(self.first, list(world.members)),
                   outcome.by_power: Labels(self._of_first(self.to), powers)}
        for ally in self.model.allies:
            year, power = outcome.nation_columns(ally.spec.id)
            steps = self.turned[ally.index]
            columns[year] = world.years_or_nan(steps)
            columns[power] = Labels(self.to[ally.index], powers)
        return columns
