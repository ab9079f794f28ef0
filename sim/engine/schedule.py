"""The schedule: the processes of a step, in order, and the vocabulary they declare.

This is the one list to extend with a new mechanism (docs/MODEL.md, "Adding a mechanism"). The
order is the order of a step within each phase (fill_offices, decide, drift, relax, record), and
the order of the drivers in runs.parquet and every chart.
"""

from __future__ import annotations

from sim.engine.processes.aid import Aid
from sim.engine.processes.border import Border
from sim.engine.processes.capability import Capability
from sim.engine.processes.clash import Clash
from sim.engine.processes.coercion import Coercion
from sim.engine.processes.cohesion import Cohesion
from sim.engine.processes.deference import Deference
from sim.engine.processes.dilemma import Dilemma
from sim.engine.processes.diversion import Diversion
from sim.engine.processes.grievance import Grievance
from sim.engine.processes.ideology import Ideology
from sim.engine.processes.junctures import Junctures
from sim.engine.processes.offices import Offices
from sim.engine.processes.partner_threat import PartnerThreat
from sim.engine.processes.polemics import Polemics
from sim.engine.processes.power import Power
from sim.engine.processes.realignment import Realignment
from sim.engine.processes.reconciliation import Reconciliation
from sim.engine.processes.split import SPLIT, Split
from sim.engine.processes.status import Status
from sim.engine.processes.threat import Threat
from sim.engine.specs import (
    IDEOLOGY,
    PARAM,
    TRAIT,
    Driver,
    Effect,
    EventKind,
    Outcome,
    Parameter,
    Stream,
)

SCHEDULE = (
    Offices,      # 1. deaths, ousters and successions
    Power,        #    dated challenges, real deciders (and, in drift, the holds on power)
    Junctures,    # 2. dated decisions
    Capability,   # 3. the slow processes, and the mechanisms of cohesion (glue first)
    Threat,
    PartnerThreat,
    Dilemma,
    Aid,
    Ideology,
    Status,
    Grievance,
    Deference,
    Coercion,
    Diversion,
    Polemics,
    Border,
    Cohesion,     # 4. cohesion relaxes toward what the mechanisms warrant
    Split,        # 5. outcomes
    Clash,
    Realignment,
    Reconciliation,
)


def _collect(attribute: str) -> list:
    return [item for process in SCHEDULE for item in getattr(process, attribute)]


def _by_key(attribute: str) -> dict:
    merged: dict = {}
    for process in SCHEDULE:
        for key, value in getattr(process, attribute).items():
            if key in merged:
                raise RuntimeError(f"two processes declare the {attribute[:-1]} '{key}'")
            merged[key] = value
    return merged


PARAMETERS: dict[str, Parameter] = _by_key("parameters")
"""Every key of a scenario's `forces`, with its range and meaning."""

EFFECTS: dict[str, Effect] = _by_key("effects")
"""Every effect a juncture option may have."""

EFFECT_OWNER: dict[str, type] = {key: process for process in SCHEDULE
                                 for key in process.effects}

DRIVERS: tuple[Driver, ...] = tuple(_collect("drivers"))
"""Every term of a change in cohesion: the mechanisms, then the pull toward the resting level,
noise and clipping. Their sum over a world's steps is exactly its change in cohesion."""

OUTCOMES: tuple[Outcome, ...] = (SPLIT, *(o for o in _collect("outcomes") if o is not SPLIT))
"""Every dated outcome recorded per world, the split first."""

EVENTS: dict[str, EventKind] = {kind.id: kind for kind in _collect("events")}
"""Every kind of event of a traced world, with how the chronicle tells it."""

STREAMS: tuple[Stream, ...] = (TRAIT, IDEOLOGY, PARAM, *_collect("streams"))
"""Every random stream's name (the reproducibility contract)."""

OUTCOME = {outcome.id: outcome for outcome in OUTCOMES}
HEADLINE = SPLIT
"""The outcome the survival curve, the split-year chart and the studies' measures are about."""
DRIVER = {driver.id: driver for driver in DRIVERS}
