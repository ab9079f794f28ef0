"""Coercion: an ally whose partner could and would force it back into line holds back its claims,
the grievances it acts on, its public attacks and its turn to an outside power.

docs/MODEL.md, section 3.3.21. An imposed alliance is held by the stronger partner's power over
the weaker, not by a common threat (Walt, The Origins of Alliances, 1987, on the Warsaw Pact);
Hungary in 1956 and Czechoslovakia in 1968 set "the political and military limits" of Romania's
autonomy, which defied Moscow in words and never left the Pact (Braun, Romanian Foreign Policy
since 1965, 1978; Jones, Soviet Influence in Eastern Europe, 1981). A nation's `coerced` series
(0-1) says how far its partner could and would intervene; juncture options shift it for good
(`coercion` effect). Like deference, coercion holds back what the nation acts on, not what it
stores: its grievances weigh in full once the coercion lifts.
"""

from __future__ import annotations

import numpy as np

from sim.engine.series import series_at
from sim.engine.specs import Effect, Process


class Coercion(Process):
    """Each coerced ally's coercion by its partner, (W,) in [0, 1]."""

    name = "coercion"
    effects = {
        "coercion": Effect("per_nation", "lasting change in how far the named ally's partner "
                           "could and would force it back into line (an intervention in an ally "
                           "like it, troops withdrawn); the ally needs a coerced series", -1.0,
                           1.0),
    }

    def __init__(self, model):
        super().__init__(model)
        self.paths = {ally.spec.id: series_at(ally.spec.coerced, model.years)
                      for ally in model.allies if ally.spec.coerced is not None}
        self.shift = {nid: np.zeros(model.n_worlds) for nid in self.paths}
        self.drift()   # a coerced nation is held back from the first step on

    def drift(self) -> None:
        """The scenario's series at this step, plus the shifts the junctures made."""
        model = self.model
        for nid, path in self.paths.items():
            model.ally(nid).coercion = np.clip(path[model.t] + self.shift[nid], 0.0, 1.0)

    def apply(self, effect: str, value, worlds: np.ndarray) -> None:
        for nid, change in value.items():
            self.shift[nid] = self.shift[nid] + worlds * change
