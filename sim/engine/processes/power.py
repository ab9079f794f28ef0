"""Power within a nation: a leader's hold on power, dated challenges to it, and who really decides.

docs/MODEL.md, section 3.3.4. A holder takes office with his own `security` as his hold on power;
the hold closes its gap to 1 at `consolidation_rate` a year as he entrenches himself, and falls
by `failure_hold_loss` for each failure counted against him. The ouster hazard
(sim/engine/processes/offices.py) is proportional to 1 - hold. A dated challenge (a coup, a plot,
a party revolt) succeeds with probability `strength * (1 - hold)`; a failed one purges the
challengers and may strengthen the holder (Svolik, The Politics of Authoritarian Rule, 2012, on
power-sharing and its breakdown). A nation may be decided for by a person with real power behind
the office holder (`real_power`). A juncture option may change a holder's hold or purge persons.
"""

from __future__ import annotations

import math

import numpy as np

from sim.engine.processes.conditions import holds
from sim.engine.processes.offices import Offices
from sim.engine.rates import halving_factor
from sim.engine.specs import Effect, EventKind, Parameter, Process, Stream

CHALLENGE = Stream("challenge:{challenge}")


def _tell_challenge(event, story) -> str:
    challenge = story.world.challenges[event.details["challenge"]]
    names = [story.world.persons[pid].name for pid in challenge.challengers]
    by = " of " + ", ".join(names[:-1]) + " and " * (len(names) > 1) + names[-1] if names else ""
    outcome = ("succeeds: the holder is overthrown" if event.details["succeeded"]
               else "fails and its leaders are swept away" if challenge.purge else "fails")
    return (f"*{challenge.title}.* The challenge{by} to "
            f"{story.person(event.details['holder'])} {outcome}")


def _tell_power(event, story) -> str:
    nation = story.nation(event.details["nation"])
    decider, holder = event.details["person"], event.details["holder"]
    if decider == holder:
        return f"{story.person(holder)} decides for {nation.name} again"
    return (f"{story.person(decider)} holds real power in {nation.name}, behind "
            f"{story.person(holder)} as {nation.title_at(story.date)}")


CHALLENGED = EventKind("challenge", "date", _tell_challenge)
DECIDER = EventKind("power", "cause", _tell_power)


def consolidate(ally, keep: float) -> None:
    """The hold's gap to 1 shrinks by the factor `keep` over a step."""
    ally.hold = 1.0 - (1.0 - ally.hold) * keep


def forget_failures(ally, keep: float) -> None:
    """Failures fade from memory with their half-life."""
    ally.failures = ally.failures * keep


class Power(Process):
    """Each holder's hold on power, the scenario's dated challenges, and the real deciders."""

    name = "power"
    parameters = {
        "consolidation_rate": Parameter(0.0, 10.0, "yearly rate at which a holder's hold on "
                                        "power closes its gap to 1 (0: it stays at his "
                                        "security)", default=0.0),
        "failure_hold_loss": Parameter(0.0, 1.0, "hold on power a holder loses per failure "
                                       "counted against him", default=0.0),
        "failure_half_life": Parameter(0.0, 1000.0, "years for half of the failures counted "
                                       "against a holder to be forgotten (0: they count until "
                                       "he leaves office)", default=0.0),
    }
    effects = {
        "hold": Effect("per_nation", "change in the hold on power of the named ally's holder",
                       -1.0, 1.0),
        "purge": Effect("persons", "the listed persons are removed from power for good (a "
                        "holder among them leaves office at the next step)"),
    }
    streams = (CHALLENGE,)
    events = (CHALLENGED, DECIDER)

    def __init__(self, model):
        super().__init__(model)
        world = model.world
        self.offices = model.get(Offices)
        self.due: dict[int, list] = {}
        for challenge in world.challenges.values():
            self.due.setdefault(world.step_of(challenge.date), []).append(challenge)
        self.pending: list = []
        self.first_juncture: dict[int, float] = {}   # step -> date of its earliest juncture
        for juncture in world.juncture_list:
            dates = np.atleast_1d(juncture.date)
            for step, date in zip(world.step_of(dates), dates, strict=True):
                step = int(step)
                self.first_juncture[step] = min(self.first_juncture.get(step, math.inf),
                                                float(date))
        self.real_power = {
            ally.spec.id: [(model.cast.row(e.person), e.from_, e.until)
                           for e in ally.spec.real_power]
            for ally in model.allies}
        f, dt = model.forces, model.dt   # each a number, or drawn in each world
        self.keep_gap = (np.exp(-f.consolidation_rate * dt) if np.any(f.consolidation_rate > 0)
                         else None)
        self.keep_failures = (halving_factor(f.failure_half_life, dt)
                              if np.any(f.failure_half_life > 0) else None)

    def fill_offices(self) -> None:
        """Challenges dated this step up to its first juncture are decided, then each nation's
        decider is found. A challenge dated after a juncture of its own step waits for it: the
        junctures call `challenges_until` as they are decided, in date order."""
        self.pending = list(self.due.get(self.model.t, []))
        self._decide_until(self.first_juncture.get(self.model.t, math.inf))
        self._find_deciders()

    def challenges_until(self, date: float) -> None:
        """Decide this step's pending challenges dated no later than `date`, before the
        juncture of that date (a challenge may look back at a juncture of its own step)."""
        if self._decide_until(date):
            self._find_deciders()

    def _decide_until(self, date: float) -> bool:
        now = [c for c in self.pending if c.date <= date]
        self.pending = [c for c in self.pending if c.date > date]
        for challenge in now:
            self._challenge(challenge)
        return bool(now)

    def _find_deciders(self) -> None:
        if any(self.real_power.values()):
            self.model.allies.do(self._find_decider)

    def drift(self) -> None:
        if self.keep_gap is not None:
            self.model.allies.do(consolidate, self.keep_gap)
        if self.keep_failures is not None:
            self.model.allies.do(forget_failures, self.keep_failures)

    def _challenge(self, challenge) -> None:
        model, cast = self.model, self.model.cast
        ally = model.ally(challenge.nation)
        u = model.streams(CHALLENGE.of(challenge=challenge.id)).random(model.n_worlds)
        active = holds(model, challenge.requires, challenge.excludes)
        succeeded = active & (u < challenge.strength * (1.0 - ally.hold))
        failed = active & ~succeeded
        model.emit(CHALLENGED, active, challenge=challenge.id, succeeded=succeeded,
                   holder=ally.holder, date=challenge.date)
        remaining = succeeded.copy()
        for pid in challenge.challengers:
            remaining &= ~self.offices.install_in(ally, cast.row(pid), remaining, "seized")
        cast.ousted[ally.holder[remaining], model.cols[remaining]] = True
        # drawn in every batch, vacant or not, so that a world re-simulated alone draws the
        # successors it drew in its block whatever the other worlds did
        self.offices.succeed(ally, remaining)
        if challenge.purge:
            for pid in challenge.challengers:
                cast.ousted[cast.row(pid), failed] = True
        if challenge.hold_gain:
            ally.hold = np.clip(ally.hold + failed * challenge.hold_gain, 0.0, 1.0)

    def _find_decider(self, ally) -> None:
        model, cast = self.model, self.model.cast
        decider, begun = ally.holder, np.zeros(model.n_worlds, dtype=bool)
        for row, start, until in self.real_power[ally.spec.id]:
            active = ((start <= model.year) & (model.year < until)
                      & (cast.death_year[row] > model.end_of_step) & ~cast.ousted[row])
            decider = np.where(active & (ally.holder != row), row, decider)
            if start > model.year - model.dt:   # an entry that takes effect this step
                begun |= active & (ally.holder != row)
        changed = decider != ally.decider
        if changed.any():
            ally.set_decider(decider, np.flatnonzero(changed))
            # told from the step's start where a dated entry takes effect, else by its cause
            model.emit(DECIDER, changed, nation=ally.spec.id, person=decider,
                       holder=ally.holder, date=np.where(begun, model.year, np.nan))

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        model = self.model
        if effect == "hold":
            for nid, change in value.items():
                ally = model.ally(nid)
                ally.hold = np.clip(ally.hold + worlds * change, 0.0, 1.0)
            return
        for pid in value:
            model.cast.ousted[model.cast.row(pid), worlds] = True
