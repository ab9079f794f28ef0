"""Observers: what the runner watches while a batch steps, kept apart from the dynamics.

Each observer's `observe(model)` is called after every step, and `finish(model)` at the end; the
model knows nothing of them beyond that (as Mesa's DataCollector or the collectors of the
`particles` library). A new aggregate is one new observer.
"""

from __future__ import annotations

import numpy as np

from sim.calendar import year_key
from sim.engine.processes.cohesion import Cohesion
from sim.engine.processes.split import Split
from sim.engine.specs import NOT_YET, Event, Labels

COHESION_BINS = 100
"""Cohesion is histogrammed per step in bins of 1/COHESION_BINS, for fan charts."""


class StepDrivers:
    """(T, D) each driver's contribution to the change in cohesion, summed over the worlds, at
    every step: the drivers by period of the summary and the drivers chart."""

    def __init__(self, n_steps: int, n_drivers: int):
        self.by_step = np.zeros((n_steps, n_drivers))

    def observe(self, model) -> None:
        self.by_step[model.t] = model.get(Cohesion).terms_now.sum(axis=1)


class CohesionHistogram:
    """(T, COHESION_BINS + 1) counts of worlds by cohesion after every step (the last bin
    holds cohesion exactly 1): the fan chart, without keeping any world's trajectory."""

    def __init__(self, n_steps: int):
        self.counts = np.zeros((n_steps, COHESION_BINS + 1), dtype=np.int64)

    def observe(self, model) -> None:
        bins = (model.cohesion * COHESION_BINS).astype(np.int64)
        self.counts[model.t] = np.bincount(bins, minlength=COHESION_BINS + 1)


class DriverLedger:
    """Per world, each driver's contribution to its change in cohesion from the start through
    the first step of its split (to the horizon where it held): why this world split.

    Attributes:
        to_split: (D, W) the contributions; they add up exactly to the change.
    """

    def __init__(self, n_drivers: int, n_worlds: int):
        self.total = np.zeros((n_drivers, n_worlds))
        self.spell = np.zeros((n_drivers, n_worlds))
        self.to_split = np.zeros((n_drivers, n_worlds))

    def observe(self, model) -> None:
        split = model.get(Split)
        self.total += model.get(Cohesion).terms_now
        started, new = np.flatnonzero(split.spell_started), np.flatnonzero(split.new)
        self.spell[:, started] = self.total[:, started]
        self.to_split[:, new] = self.spell[:, new]

    def finish(self, model) -> None:
        never = model.get(Split).step == NOT_YET
        self.to_split[:, never] = self.total[:, never]

    def columns(self, drivers) -> dict:
        return {f"driver.{d.id}": self.to_split[k].astype(np.float32)
                for k, d in enumerate(drivers)}


class EventTrace:
    """The events of the traced worlds, for the chronicle; and each traced world's cohesion
    after every step.

    Args:
        worlds: (W,) bool mask of the worlds to trace.
    """

    def __init__(self, worlds: np.ndarray, n_steps: int):
        self.worlds = worlds
        self.events: list[Event] = []
        self.cohesion = np.empty((n_steps, int(worlds.sum())))

    def record_event(self, model, kind, worlds: np.ndarray, details: dict) -> None:
        for w in np.flatnonzero(worlds & self.worlds):
            values = {k: (v[w].item() if isinstance(v, np.ndarray) else v)
                      for k, v in details.items()}
            self.events.append(Event(model.t, int(w), kind.id, values))

    def observe(self, model) -> None:
        self.cohesion[model.t] = model.cohesion[self.worlds]


class Tenures:
    """When each person named by a holder fact of the scenario's evidence held his nation's
    office: the first and last step (a holder who leaves never returns, docs/MODEL.md 7).

    Columns `tenure.<person>.from` (the start of his first step in office) and
    `tenure.<person>.until` (the start of the first step he was out of it: his tenure ended
    within the step before; null while he holds it at the horizon, and both null if he never
    held it), in decimal years.

    Only the worlds whose holder changed in a step are looked at (a few in a hundred): a
    person's first step is the step he comes in, his last the step before he goes, or the
    last step for those in office at the end.
    """

    def __init__(self, world, persons: list[str], n_worlds: int):
        self.persons = persons
        self.nations = [world.persons[pid].nation for pid in persons]
        self.rows = [list(world.persons).index(pid) for pid in persons]
        self.first = np.full((len(persons), n_worlds), NOT_YET)
        self.last = np.full((len(persons), n_worlds), NOT_YET)
        self.held = {nation: np.full(n_worlds, NOT_YET) for nation in self.nations}

    @classmethod
    def for_world(cls, world, n_worlds: int):
        """The observer the world's holder facts need, or None."""
        persons = list(dict.fromkeys(fact.holder for fact in world.history.evidence.values()
                                     if fact.holder is not None))
        return cls(world, persons, n_worlds) if persons else None

    def observe(self, model) -> None:
        changes = {}
        for nation, held in self.held.items():
            holder = model.ally(nation).holder   # replaced, never changed in place
            worlds = np.flatnonzero(holder != held) if holder is not held else held[:0]
            changes[nation] = worlds, holder[worlds], held[worlds]
            self.held[nation] = holder
        for k, (nation, row) in enumerate(zip(self.nations, self.rows, strict=True)):
            worlds, came, went = changes[nation]
            if worlds.size == 0:
                continue
            arrived = worlds[came == row]
            self.first[k, arrived[self.first[k, arrived] == NOT_YET]] = model.t
            self.last[k, worlds[went == row]] = model.t - 1

    def finish(self, model) -> None:
        for k, (nation, row) in enumerate(zip(self.nations, self.rows, strict=True)):
            self.last[k, self.held[nation] == row] = model.t - 1

    def world_columns(self, model) -> dict:
        world, columns = model.world, {}
        for k, pid in enumerate(self.persons):
            held, ended = self.first[k] != NOT_YET, self.last[k] + 1 < world.n_steps
            columns[f"tenure.{pid}.from"] = np.where(held, world.year_of(self.first[k]), np.nan)
            columns[f"tenure.{pid}.until"] = np.where(held & ended,
                                                      world.year_of(self.last[k] + 1), np.nan)
        return columns


class MilestoneHolders:
    """Who held each ally's office as each of the scenario's milestone years began: the
    columns `holder_at.<year>.<nation>` and the tally behind the report's table of the split
    by who held power.

    The holder is the one in office at the end of the last step that starts before the
    milestone, as the survival table counts the worlds still allied when the year begins; at a
    milestone on the start date, the scenario's first holder.

    Attributes:
        codes: (M, 2, W) the holder of each ally's office at each milestone, as an index into
            the cast (the scenario's persons in file order).
    """

    def __init__(self, world, n_worlds: int):
        dates = world.year_of(np.arange(world.n_steps))
        self.milestones = list(world.milestones)
        self.steps = np.searchsorted(dates, self.milestones, side="left") - 1
        persons = list(world.persons)
        first = [persons.index(world.nations[nid].holder) for nid in world.members]
        self.codes = np.empty((len(self.milestones), 2, n_worlds), dtype=np.int64)
        self.codes[:] = np.array(first)[None, :, None]

    def observe(self, model) -> None:
        for k in np.flatnonzero(self.steps == model.t):
            for ally in model.allies:
                self.codes[k, ally.index] = ally.holder

    def tally(self, split_years: np.ndarray, realignment_years: np.ndarray,
              n_persons: int) -> np.ndarray:
        """(M, 2, P, 3) for each milestone, ally and person: the worlds still allied as the
        milestone began with that person in office, and how many of them split, and saw
        either ally realign, from the milestone to the horizon. Counts, so that blocks add
        up."""
        counts = np.zeros((len(self.milestones), 2, n_persons, 3), dtype=np.int64)
        split = ~np.isnan(split_years)
        for k, milestone in enumerate(self.milestones):
            allied = ~(split_years < milestone)
            realigned = allied & (realignment_years >= milestone)
            for a in range(2):
                held = self.codes[k, a]
                for column, among in enumerate((allied, allied & split, realigned)):
                    counts[k, a, :, column] = np.bincount(held[among], minlength=n_persons)
        return counts

    def world_columns(self, model) -> dict:
        return {f"holder_at.{year_key(m)}.{ally.spec.id}": Labels(self.codes[k, ally.index],
                                                               model.cast.ids)
                for k, m in enumerate(self.milestones) for ally in model.allies}
