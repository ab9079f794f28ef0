"""Reconciliation: an alliance that split and healed, recorded as an outcome of its own.

docs/MODEL.md, section 3.3.17. After a split, cohesion back at or above the split threshold for
as long as a split must last (`split.sustained_years`) counts as a reconciliation, dated to the
first step of that spell; the split keeps its first date. The Sino-Soviet normalisation of May
1989 is the flagship's example. It changes no force on cohesion; from then on the junctures and
realignment treat the alliance as allied again (AllianceModel.split_unhealed).
"""

from __future__ import annotations

import numpy as np

from sim.engine.processes.split import Split
from sim.engine.specs import NOT_YET, EventKind, Outcome, Process


def _tell(event, story) -> str:
    a, b = (story.nation(m).name for m in story.world.members)
    return (f"{a} and {b} are reconciled: cohesion has stood at or above "
            f"{story.world.split_threshold:g} since")


RECONCILIATION = Outcome("reconciliation", "reconciliation_year", "reconciled",
                         "reconciliation after the split", "#1b7837",
                         "cohesion back above the split threshold for as long as a split lasts")
RECONCILED = EventKind(RECONCILIATION.id, "start", _tell)


class Reconciliation(Process):
    """When a split alliance healed."""

    name = "reconciliation"
    outcomes = (RECONCILIATION,)
    events = (RECONCILED,)

    def __init__(self, model):
        super().__init__(model)
        self.split = model.get(Split)
        self.above = np.zeros(model.n_worlds, dtype=np.int64)
        self.step = np.full(model.n_worlds, NOT_YET)

    def record(self) -> None:
        model = self.model
        healing = self.split.happened() & (model.cohesion >= model.world.split_threshold)
        self.above = np.where(healing, self.above + 1, 0)
        new = (self.step == NOT_YET) & (self.above >= self.split.sustain_steps)
        self.step[new] = model.t - self.split.sustain_steps + 1
        model.emit(RECONCILED, new, step=self.step)

    def happened(self) -> np.ndarray:
        """(W,) whether the split alliance has been reconciled (by the last step recorded)."""
        return self.step != NOT_YET

    def outcome_steps(self) -> dict:
        return {RECONCILIATION.id: self.step}
