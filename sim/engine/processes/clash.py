"""The first armed clash: a hazard that rises with border tension, the leaders' impulsiveness
and their hostility.

docs/MODEL.md, section 3.3.13. Allies do not fight each other however tense their border: the
hazard is zero while cohesion is at or above the split threshold (COW MID v4.01: no Sino-Soviet
dispute 1949-61; the fatal clash at Zhenbao, March 1969, came years after the break). Allies with
no common border have no border tension, so no such hazard; a dated war between them is a
juncture option's `clash` effect.
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.border import Border
from sim.engine.rates import where_happens
from sim.engine.specs import NOT_YET, Effect, EventKind, Outcome, Parameter, Process, Stream

CLASH = Stream("clash")


def _tell(event, story) -> str:
    a, b = (story.nation(m).name for m in story.world.members)
    where = " on the border" if story.world.alliance.border else ""
    return f"the first armed clash{where} between {a} and {b}"


CLASH_OUTCOME = Outcome("border_clash", "clash_year", "border clash", "first armed border clash",
                        "#ef8a62", "the first armed clash between the allies")
CLASH_EVENT = EventKind("clash", "start", _tell)


class Clash(Process):
    """When each world's first armed clash between the allies came."""

    name = "clash"
    parameters = {
        "clash_rate": Parameter(0.0, 100.0, "yearly clash hazard per unit of border tension, "
                                "summed impulsiveness and hostility"),
    }
    effects = {"clash": Effect("flag", "the allies fight: an armed clash now, if none yet "
                               "(a dated war). It is an outcome and changes no state: write "
                               "what the war did to relations beside it, as grievance "
                               "and border effects")}
    streams = (CLASH,)
    outcomes = (CLASH_OUTCOME,)
    events = (CLASH_EVENT,)

    def __init__(self, model):
        super().__init__(model)
        self.step = np.full(model.n_worlds, NOT_YET)
        self.border = model.get(Border)

    def record(self) -> None:
        """Hazard `clash_rate * border * (imp_0 + imp_1) * max(0, 1 - C / threshold)` a year."""
        model, f = self.model, self.model.forces
        a, b = model.allies
        impulsive = a.holder_trait("impulsiveness") + b.holder_trait("impulsiveness")
        hostility = np.maximum(0.0, 1.0 - model.cohesion / model.world.split_threshold)
        rate = f.clash_rate * self.border.tension * impulsive * hostility
        u = model.streams(CLASH.of()).random(model.n_worlds)
        hit = where_happens(u, rate, model.dt)
        clash = hit[self.step[hit] == NOT_YET]
        self.step[clash] = model.t
        model.emit(CLASH_EVENT, clash, border=self.border.tension)

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        first = worlds & (self.step == NOT_YET)
        self.step[first] = self.model.t
        self.model.emit(CLASH_EVENT, first, border=self.border.tension)

    def outcome_steps(self) -> dict:
        return {CLASH_OUTCOME.id: self.step}
