"""Realignment: once split, an ally turns to the third power when the threat it perceives from
its former partner exceeds the third power's, and the third power is open to it.

docs/MODEL.md, section 3.3.14. Balance of threat (Walt 1987): alignment follows the greater
threat; abrogation follows new outside alignments (Leeds & Savun, Journal of Politics, 2007).
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.border import Border
from sim.engine.rates import happens
from sim.engine.specs import NOT_YET, EventKind, Labels, Outcome, Parameter, Process, Stream

REALIGNMENT = Stream("realignment:{nation}")


def _tell(event, story) -> str:
    return (f"{story.nation(event.details['nation']).name} turns to "
            f"{story.nation(story.world.third_power).name}")


REALIGNMENT_OUTCOME = Outcome("realignment", "realignment_year", "realignment",
                              "realignment with the third power", "#2166ac",
                              "an ally's turn to the third power after the split",
                              by_nation="realignment_nation")
REALIGNMENT_EVENT = EventKind(REALIGNMENT_OUTCOME.id, "start", _tell)


class Realignment(Process):
    """When an ally turned to the third power, and which one."""

    name = "realignment"
    parameters = {
        "realignment_rate": Parameter(0.0, 100.0, "yearly realignment hazard per unit of the "
                                      "third power's openness and of threat difference"),
    }
    streams = (REALIGNMENT,)
    outcomes = (REALIGNMENT_OUTCOME,)
    events = (REALIGNMENT_EVENT,)

    def __init__(self, model):
        super().__init__(model)
        self.step = np.full(model.n_worlds, NOT_YET)
        self.nation = np.full(model.n_worlds, NOT_YET)
        self.border = model.get(Border)

    def record(self) -> None:
        model = self.model
        split = model.split_happened()
        caps = [ally.capability() for ally in model.allies]
        for ally in model.allies:
            i = ally.index
            perceive = ally.holder_trait("threat_perception")
            from_partner = self.border.tension * np.minimum(2.0, caps[1 - i] / caps[i]) * perceive
            from_third = model.third.threat[ally.spec.id][model.t] * perceive
            rate = model.forces.realignment_rate * model.third.openness[ally.spec.id][
                model.t] * np.maximum(0.0, from_partner - from_third)
            u = model.streams(REALIGNMENT.of(nation=ally.spec.id)).random(model.n_worlds)
            turn = split & (self.step == NOT_YET) & happens(u, rate, model.dt)
            self.step[turn] = model.t
            self.nation[turn] = i
            model.emit(REALIGNMENT_EVENT, turn, nation=ally.spec.id)

    def outcome_steps(self) -> dict:
        return {REALIGNMENT_OUTCOME.id: self.step}

    def columns(self) -> dict:
        return {REALIGNMENT_OUTCOME.by_nation: Labels(self.nation, list(self.model.world.members))}
