"""The alliance model: two allies, their leaders and the powers outside them, over W worlds at once.

`step()` is the ODD schedule (docs/MODEL.md, section 1.3): offices are filled, junctures
decided, the slow processes drift, cohesion relaxes toward what its forces warrant, and the
outcomes are recorded. Each phase calls, in schedule order, the processes that take part in it
(`sim/engine/schedule.py`); each process owns its equations, its random streams and what it
records. The model holds only what they share: the agents, the relationship's cohesion, the
calendar and the random streams. Observers attached by the runner (sim/engine/observers.py)
see the model after every step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.engine.agents import AllyAgent, Cast, FixedAgentSet, OutsidePowerAgent, PersonAgent
from sim.engine.processes.cohesion import START
from sim.engine.processes.reconciliation import Reconciliation
from sim.engine.processes.split import Split
from sim.engine.schedule import DRIVERS, EFFECT_OWNER, SCHEDULE
from sim.engine.specs import PHASES, EventKind, Process
from sim.engine.streams import Streams
from sim.scenario.uncertain import realise

if TYPE_CHECKING:
    from sim.scenario.schema import Effects, World


class AllianceModel(mesa.Model):
    """W worlds of one scenario, stepped together.

    Args:
        world: the validated scenario.
        n_worlds: W, the number of worlds in this batch.
        streams: the named random streams of this seed block.
        observers: objects with `observe(model)`, called after every step (and
            `finish(model)` at the end, if they have it).
        forced: juncture id -> (W,) the option each world takes there (its index; -1 where
            the juncture is left to its decider): an intervention, as a study's levers are.

    Attributes:
        cohesion: (W,) the closeness of the alliance in [0, 1].
        t: the current step; years: (T,) the decimal year at the start of each step.
        allies: the two AllyAgents, in `alliance.members` order.
        outside: the OutsidePowerAgents, in `alliance.outside_powers` order.
        cast: every person's traits, death year and ousting, stacked (P, W).
        processes: the processes of the schedule, in order.
        world: the scenario as this batch sees it: a field given as a distribution holds
            its (W,) values drawn for these worlds (sim/scenario/uncertain.py).
        draws: path -> (W,) the values of each field given as a distribution.
    """

    drivers = DRIVERS

    def __init__(self, world: World, n_worlds: int, streams: Streams, observers=(),
                 forced: dict | None = None):
        super().__init__(seed=streams.seed)  # mesa's own generators stay unused: every draw
        world, self.draws = realise(world, streams, n_worlds)   # comes from a named stream
        self.world = world
        self.n_worlds = n_worlds
        self.streams = streams
        self.forces = world.forces
        self.cols = np.arange(n_worlds)
        self.dt = world.dt
        self.years = world.year_of(np.arange(world.n_steps))
        self.t = 0
        self.observers = list(observers)
        self.forced = forced or {}
        self.tracing = any(hasattr(o, "record_event") for o in self.observers)
        self.cause_date = None   # the date of the decision whose effects are being applied

        self.cast = Cast(world.persons, n_worlds)
        for row, spec in enumerate(world.persons.values()):
            PersonAgent(self, spec, row)
        self.cast.set_pride(self.forces.leader_amplification)
        for index, member in enumerate(world.members):
            AllyAgent(self, world.nations[member], index)
        for index, power in enumerate(world.outside_powers):
            OutsidePowerAgent(self, world.nations[power], index)
        self.allies = FixedAgentSet(self.agents_by_type[AllyAgent])
        first, second = self.allies
        first.partner, second.partner = second, first
        self.outside = FixedAgentSet(self.agents_by_type[OutsidePowerAgent])
        self.cohesion = np.full(n_worlds, world.initial_cohesion)

        self.emit(START, np.ones(n_worlds, bool), cohesion=self.cohesion, date=world.start)

        self.processes: list[Process] = []
        self._by_class: dict[type, Process] = {}
        for process in SCHEDULE:
            self.processes.append(process(self))
            self._by_class[process] = self.processes[-1]
        self._phases = {phase: [p for p in self.processes
                                if getattr(type(p), phase, None) is not None]
                        for phase in PHASES}

    # ------------------------------------------------------------------ the schedule

    def step(self) -> None:
        """Advance every world by one step."""
        self.run_phase("fill_offices")   # 1. deaths, ousters, successions
        self.run_phase("decide")         # 2. dated junctures
        self.run_phase("drift")          # 3. the slow processes
        self.run_phase("relax")          # 4. cohesion toward what its forces warrant
        self.run_phase("record")         # 5. split, clash, realignment
        for observer in self.observers:
            observer.observe(self)
        self.t += 1

    def run(self) -> None:
        """Step from the start to the horizon, then let the observers close their books."""
        for _ in range(self.world.n_steps):
            self.step()
        for observer in self.observers:
            if hasattr(observer, "finish"):
                observer.finish(self)

    def run_phase(self, phase: str) -> None:
        for process in self._phases[phase]:
            getattr(process, phase)()

    # ------------------------------------------------------------------ shared services

    @property
    def year(self) -> float:
        """Decimal year at the start of the current step."""
        return self.years[self.t]

    @property
    def end_of_step(self) -> float:
        return self.years[self.t] + self.dt

    def get(self, process: type[Process]) -> Process:
        """The running instance of a process of the schedule."""
        return self._by_class[process]

    def ally(self, nation_id: str) -> AllyAgent:
        return self.allies[self.world.members.index(nation_id)]

    def split_unhealed(self) -> np.ndarray:
        """(W,) whether the alliance has split and not been reconciled since: a reconciled
        alliance acts as an ally again for the junctures and realignment (docs/MODEL.md, section
        3.3.17), while its split keeps its first date."""
        return self.get(Split).happened() & ~self.get(Reconciliation).happened()

    def apply_effects(self, effects: Effects, worlds: np.ndarray, date=None) -> None:
        """Apply a juncture option's effects in the `worlds` mask, each by the process that
        declares it, in schedule order, and a change of leader last. The events they cause
        carry the juncture's `date` (a dated war is told on its day, not at the step's start)."""
        chosen = effects.chosen()
        chosen.sort(key=lambda item: item[0] == "leader")
        self.cause_date = date
        try:
            for name, value in chosen:
                self.get(EFFECT_OWNER[name]).apply(name, value, worlds)
        finally:
            self.cause_date = None

    def emit(self, kind: EventKind, worlds: np.ndarray, **details) -> None:
        """Tell the tracing observers that an event of `kind` happened in `worlds` (a (W,)
        mask, or an index array)."""
        if self.tracing:
            if self.cause_date is not None:
                details = {"date": self.cause_date, **details}
            if worlds.dtype != bool:
                worlds = np.isin(self.cols, worlds)
            for observer in self.observers:
                if hasattr(observer, "record_event"):
                    observer.record_event(self, kind, worlds, details)

    def release(self) -> None:
        """Free the batch's state once its results are taken.

        mesa 3.3.1 keeps every Model alive as a key of the class-level `mesa.Agent._ids` and
        offers no call that drops it: `remove_all_agents` deregisters the agents but leaves
        the key (fixed upstream after 3.3.1, mesa issue #3179). So we remove the agents the
        supported way and drop our own arrays, leaving only an empty shell of a few kilobytes
        behind. Reproduction:

            import mesa
            class A(mesa.Agent): pass
            for _ in range(3):
                m = mesa.Model(); A(m); m.remove_all_agents()
            print(len(mesa.Agent._ids))   # 3: every model is still referenced
        """
        self.remove_all_agents()
        self.processes.clear()
        self._by_class.clear()
        self._phases.clear()
        self.observers = []
        self.cast = self.allies = self.outside = self.cohesion = None
        self.streams = self.cols = self.years = None
        self.draws = {}
