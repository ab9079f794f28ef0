"""The split: cohesion below the scenario's threshold for a sustained period, dated to the first
step of that spell.

docs/MODEL.md, sections 3.3.12 and "The definition of split". One bad quarter does not count;
a world that never splits is censored at the horizon, not a failure to split.
"""

from __future__ import annotations

import numpy as np

from sim.engine.specs import NOT_YET, EventKind, Labels, Outcome, Process


def _years(value: float) -> str:
    return f"{value:g} year" + ("" if value == 1 else "s")


def _tell(event, story) -> str:
    world = story.world
    return (f"the alliance splits: cohesion falls below {world.split_threshold:g} and stays "
            f"below it for {_years(world.split_sustained_years)}")


SPLIT = Outcome("split", "split_year", "split", "split", "#b2182b",
                "cohesion below split.threshold for split.sustained_years")
"""The headline outcome: survival curves, split years and the studies' measures are its."""
SPLIT_EVENT = EventKind(SPLIT.id, "start", _tell)


class Split(Process):
    """When each world's alliance split, and who held each office when it did.

    Attributes:
        step: (W,) first step of the spell that became the split, or NOT_YET.
        spell_started, new: (W,) masks of this step: a spell below the threshold began; a
            spell became a split (read by the drivers' ledger, sim/engine/observers.py).
    """

    name = "split"
    outcomes = (SPLIT,)
    events = (SPLIT_EVENT,)

    def __init__(self, model):
        super().__init__(model)
        n = model.n_worlds
        self.sustain_steps = max(1, round(model.world.split_sustained_years
                                          * model.world.steps_per_year))
        self.below = np.zeros(n, dtype=np.int64)
        self.step = np.full(n, NOT_YET)
        self.spell_holders = np.zeros((n, 2), dtype=np.int64)
        self.holders = np.full((n, 2), NOT_YET)
        self.spell_cohesion = np.zeros(n)
        self.spell_started = np.zeros(n, dtype=bool)
        self.new = np.zeros(n, dtype=bool)

    def record(self) -> None:
        model = self.model
        below = model.cohesion < model.world.split_threshold
        starting = below & (self.below == 0)
        worlds = np.flatnonzero(starting)
        for ally in model.allies:
            self.spell_holders[worlds, ally.index] = ally.holder[worlds]
        self.spell_cohesion[worlds] = model.cohesion[worlds]
        self.below += 1
        self.below *= below
        new = (self.step == NOT_YET) & (self.below >= self.sustain_steps)
        worlds = np.flatnonzero(new)
        self.step[worlds] = model.t - self.sustain_steps + 1
        self.holders[worlds] = self.spell_holders[worlds]
        self.spell_started, self.new = starting, new
        model.emit(SPLIT_EVENT, new, cohesion=self.spell_cohesion, step=self.step)

    def happened(self) -> np.ndarray:
        """(W,) whether the alliance has split (by the end of the last step recorded)."""
        return self.step != NOT_YET

    def outcome_steps(self) -> dict:
        return {SPLIT.id: self.step}

    def columns(self) -> dict:
        return {f"holder_at_split.{ally.spec.id}": Labels(self.holders[:, ally.index],
                                                          self.model.cast.ids)
                for ally in self.model.allies}
