"""Diversion: a leader secure enough to survive his domestic failures turns them on the ally.

docs/MODEL.md, section 3.3.18. Failures counted against a holder raise his ouster hazard
(sim/engine/processes/offices.py) in proportion to 1 - hold; the same failures, in proportion to
his hold, become pressure `V = hold * failures` that a secure leader diverts outward: more
frequent public polemics, blame laid on the ally (grievance) and a more radical line at home.
Mao turned the Great Leap's failure and the Lushan challenge into a struggle against
"revisionism" (Lüthi, The Sino-Soviet Split, 2008; Chen Jian, Mao's China and the Cold War,
2001); he shelled Jinmen in 1958 partly to mobilise for the Leap (Christensen, Useful
Adversaries, 1996). The theory and its mixed evidence: Levy, "The diversionary theory of war",
in Midlarsky (ed.), Handbook of War Studies, 1989.
"""

from __future__ import annotations

import numpy as np

from sim.engine.specs import Parameter, Process


class Diversion(Process):
    """Domestic failure of a secure leader, diverted onto the ally."""

    name = "diversion"
    parameters = {
        "diversion_polemics": Parameter(0.0, 10.0, "rise of the public polemic rate per unit of "
                                        "diversion pressure V = hold * failures", default=0.0),
        "diversion_grievance": Parameter(0.0, 5.0, "grievance a year the leader lays on the "
                                         "ally per unit of diversion pressure", default=0.0),
        "diversion_line": Parameter(0.0, 5.0, "radicalisation of the line a year per unit of "
                                    "diversion pressure", default=0.0),
    }

    def __init__(self, model):
        super().__init__(model)
        f = model.forces
        self.on_polemics = not np.all(f.diversion_polemics == 0)
        self.on_grievance_or_line = not (np.all(f.diversion_grievance == 0)
                                         and np.all(f.diversion_line == 0))

    def pressure(self, ally) -> np.ndarray:
        """(W,) V = hold * failures: failures a leader survives and can turn outward."""
        return ally.hold * ally.failures

    def polemic_factor(self, ally):
        """(W,) the factor on the ally's polemic rate, or None where diversion is off."""
        if not self.on_polemics:
            return None
        return 1.0 + self.model.forces.diversion_polemics * self.pressure(ally)

    def drift(self) -> None:
        f, dt = self.model.forces, self.model.dt
        if not self.on_grievance_or_line:
            return
        for ally in self.model.allies:
            v = self.pressure(ally)
            ally.grievance += f.diversion_grievance * v * dt
            ally.line = np.clip(ally.line + f.diversion_line * v * dt, 0.0, 1.0)
