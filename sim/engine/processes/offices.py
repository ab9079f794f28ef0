"""Offices: leaders die or are ousted, and successors are drawn among the contenders.

docs/MODEL.md, sections 3.3.2 to 3.3.4. Deaths follow a Gompertz hazard or a date the scenario
fixes; the ouster hazard rises with the failures counted against the holder and falls with his
hold on power (sim/engine/processes/power.py); a vacant office goes to a contender drawn by the
weights the scenario sets. A juncture option may count a failure against a holder or install a
leader.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.rates import at, where_happens_below
from sim.engine.specs import IDEOLOGY_TRAIT, Effect, EventKind, Parameter, Process, Stream
from sim.scenario.actors import Person, Traits
from sim.scenario.base import NOTE_KEYS

DEATH = Stream("death:{person}")
OUSTER = Stream("ouster:{nation}")
SUCCESSION = Stream("succession:{nation}")

HOW = {"start": "holds power", "succession": "takes power", "installed": "is installed in power",
       "seized": "seizes power"}
"""How a holder came to office, as the chronicle says it."""


def _tell_holder(event, story) -> str:
    nation = story.nation(event.details["nation"])
    return (f"{story.person(event.details['person'])} {HOW[event.details['how']]} in "
            f"{nation.name} as {nation.title_at(story.date)}")


def _tell_removal(what: str):
    def tell(event, story) -> str:
        return (f"{story.person(event.details['person'])} {what} in "
                f"{story.nation(event.details['nation']).name}")
    return tell


UNNAMED = "an unnamed successor"
"""How the chronicle names the holder no named contender could be (`unnamed_successor`)."""


def unnamed_id(nation: str) -> str:
    """The person id kept for a nation's unnamed successor."""
    return f"unnamed_{nation}"


def unnamed_successor(nation: str, start: float, horizon: float) -> Person:
    """Whoever takes the office when no person the scenario names is within his contender
    window: a leader of middling traits (0.5, the average leader the options' weights are set
    for) and middling security, who takes over his nation's line as it stands (`succeed` sets
    his ideology to it) and stands for a line of such successors, so he neither dies within
    the run nor is removed for good (docs/MODEL.md, 3.3.4)."""
    middling = {trait: 0.5 for trait in Traits.model_fields if trait not in NOTE_KEYS}
    return Person.model_validate(dict(id=unnamed_id(nation), name=UNNAMED, nation=nation,
                                      born=start - 50.0, died=horizon + 1.0, ideology=0.5,
                                      security=0.5, traits=middling))


HOLDER = EventKind("holder", "cause", _tell_holder)
DEATH_EVENT = EventKind("death", "date", _tell_removal("dies in office"))
OUSTER_EVENT = EventKind("ouster", "middle", _tell_removal("is ousted from power"))


class Offices(Process):
    """Each ally's paramount office: who holds it in each world, and how that changes."""

    name = "offices"
    parameters = {
        "ouster_rate": Parameter(0.0, 10.0, "yearly ouster hazard of a holder with no failures "
                                 "and security 0"),
        "ouster_failure_factor": Parameter(1.0, 100.0, "multiplier of the ouster hazard per "
                                           "failure counted against the holder"),
        "mortality_base": Parameter(0.0, 1.0, "yearly death hazard at age 60 (Gompertz)"),
        "mortality_doubling_years": Parameter(0.1, 100.0, "years in which the death hazard "
                                              "doubles (Gompertz)"),
        "succession_grievance_reset": Parameter(0.0, 1.0, "share of his nation's grievance a "
                                                "new holder leaves behind"),
    }
    effects = {
        "failure": Effect("per_nation", "failures counted against the holder of each named "
                          "ally's office (each multiplies his ouster hazard)", 0.0, 10.0),
        "leader": Effect("leaders", "install the named person in the named ally's office "
                         "(where he is alive, not ousted and not already in office)"),
    }
    streams = (DEATH, OUSTER, SUCCESSION)
    events = (HOLDER, DEATH_EVENT, OUSTER_EVENT)

    def __init__(self, model):
        super().__init__(model)
        cast = model.cast
        for row, person in enumerate(model.world.persons.values()):
            if person.died is not None:
                cast.death_year[row] = person.died
            else:
                cast.death_year[row] = self._gompertz_death(person, model.streams(
                    DEATH.of(person=person.id)))
        contenders = [p.contender for p in model.world.persons.values()]
        weight = np.array([c.weight for c in contenders])
        # a contender counts in a step if his window is open at any time in it: a holder who
        # dies within the step may be followed by one whose window his death opened
        starts, ends = model.years[:, None], model.years[:, None] + model.dt
        in_window = ((np.array([c.from_ for c in contenders]) < ends)
                     & (starts < np.array([c.until for c in contenders])))
        # each ally's contenders (Cast rows) and (T, R) their weights at each step, zero
        # outside their window; and the row of its unnamed successor
        self.rows = [np.flatnonzero(cast.nation == ally.spec.id) for ally in model.allies]
        self.weights = [(weight * in_window)[:, rows] for rows in self.rows]
        self.unnamed = [cast.row(unnamed_id(ally.spec.id)) for ally in model.allies]
        for ally in model.allies:
            model.emit(HOLDER, np.ones(model.n_worlds, bool), nation=ally.spec.id,
                       person=ally.holder, how="start")

    def _gompertz_death(self, person, rng) -> np.ndarray:
        """Draw the year of death given survival to the start, from a Gompertz hazard.

        The hazard is `mortality_base * 2 ** ((age - 60) / mortality_doubling_years)`: the
        yearly risk at age 60, doubling every few years, as in human life tables.
        """
        f, n = self.model.forces, self.model.n_worlds
        g = math.log(2.0) / f.mortality_doubling_years
        b = f.mortality_base
        exposure = rng.exponential(1.0, n)
        if np.ndim(b) == 0 and b == 0:
            return np.full(n, np.inf)
        age0 = max(self.model.world.start - person.born, 0.0)
        with np.errstate(divide="ignore"):   # a world drawing a base hazard of 0 never dies
            age = 60.0 + np.log(np.exp(g * (age0 - 60.0)) + g * exposure / b) / g
        return person.born + age

    def fill_offices(self) -> None:
        self.model.allies.do(self.fill_office)

    def fill_office(self, ally) -> None:
        """Remove the holder if he died or was ousted this step (or purged since the last),
        then draw his successor.

        Ouster hazard: `ouster_rate * (1 - hold) * ouster_failure_factor ** failures` a year:
        a dictator is safer than a first among equals, and each failure (a failed policy, a
        lost confrontation) multiplies the risk.
        """
        model, cast = self.model, self.model.cast
        death_year = cast.death_year.take(ally.holder_cell)
        dead = death_year <= model.end_of_step
        u = model.streams(OUSTER.of(nation=ally.spec.id)).random(model.n_worlds)
        ousted = cast.ousted.take(ally.holder_cell)
        ousted[self._ousted(ally, u)] = True
        ousted &= ~dead
        cast.ousted.put(ally.holder_cell[ousted], True)
        model.emit(DEATH_EVENT, dead, nation=ally.spec.id, person=ally.holder, date=death_year)
        model.emit(OUSTER_EVENT, ousted, nation=ally.spec.id, person=ally.holder)
        self.succeed(ally, dead | ousted)

    def _ousted(self, ally, u: np.ndarray) -> np.ndarray:
        """The worlds (an index array) where the holder is ousted at the hazard `fill_office`
        gives, its power of the failure factor (bounded by the largest failure count) taken
        only where it may be."""
        f, hold, failures = self.model.forces, ally.hold, ally.failures
        factor = f.ouster_failure_factor
        most = max(float(np.max(factor)), 1.0) ** max(float(np.max(failures)), 0.0)
        return where_happens_below(
            u, f.ouster_rate * (1.0 - hold) * most, self.model.dt,
            lambda i: at(f.ouster_rate, i) * (1.0 - hold[i]) * at(factor, i) ** failures[i])

    def succeed(self, ally, vacant: np.ndarray) -> None:
        """Fill the office in the `vacant` worlds by a weighted draw among contenders.

        Contenders are the nation's living persons, not ousted and not the outgoing holder,
        within their contender window, drawn with their scenario weights. Where none is left,
        the nation's unnamed successor takes the office, with the line as it stands for his
        ideology (`unnamed_successor`): no person the scenario names is ever put in office
        outside his window.
        """
        model, cast = self.model, self.model.cast
        u = model.streams(SUCCESSION.of(nation=ally.spec.id)).random(model.n_worlds)
        worlds = np.flatnonzero(vacant)
        if worlds.size == 0:
            return
        rows = self.rows[ally.index]
        cells = rows[:, None] * model.n_worlds + worlds
        eligible = ((cast.death_year.take(cells) > model.end_of_step) & ~cast.ousted.take(cells)
                    & (rows[:, None] != ally.holder[worlds]))
        w = eligible * self.weights[ally.index][model.t][:, None]
        total = w.sum(axis=0)
        cumulative = np.cumsum(w, axis=0)
        pick = np.minimum((cumulative < (u[worlds] * total)[None, :]).sum(axis=0), rows.size - 1)
        named = total > 0
        ally.install(worlds[named], rows[pick[named]], "succession")
        unnamed, row = worlds[~named], self.unnamed[ally.index]
        if unnamed.size:
            cast.ousted[row, unnamed] = False   # a new one each time
            cast.trait[IDEOLOGY_TRAIT][row, unnamed] = ally.line[unnamed]
            ally.install(unnamed, row, "succession")

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        model = self.model
        if effect == "failure":
            loss = model.forces.failure_hold_loss
            for nid, count in value.items():
                ally = model.ally(nid)
                ally.failures += worlds.astype(float) * count
                if np.any(loss > 0):
                    ally.hold = np.maximum(0.0, ally.hold - worlds * count * loss)
            return
        for nid, pid in value.items():
            self.install_in(model.ally(nid), model.cast.row(pid), worlds, "installed")

    def install_in(self, ally, row: int, worlds: np.ndarray, how: str) -> np.ndarray:
        """Oust the holder and install person `row` in the `worlds` where that person is
        alive, not removed from power and not already in office; return those worlds."""
        model, cast = self.model, self.model.cast
        able = (worlds & (cast.death_year[row] > model.end_of_step) & ~cast.ousted[row]
                & (ally.holder != row))
        cast.ousted[ally.holder[able], model.cols[able]] = True
        ally.install(np.flatnonzero(able), row, how)
        return able
