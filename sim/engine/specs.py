"""What a process of the schedule declares: the vocabulary everything downstream iterates over.

A process (one module of `sim/engine/processes/`) names, once, the force parameters it reads,
the juncture effects it applies, the random streams it draws from, the drivers of cohesion it
contributes, the outcomes it records and the events it tells. The scenario schema, the run
table, the summary, the plots, the sweeps and the chronicle are all built by iterating over
these declarations (`sim/engine/schedule.py` collects them), so no name is typed twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from sim.engine.model import AllianceModel

NOT_YET = -1
"""Step index (or person or option index) recorded where something has not happened."""

TRAITS = ("prestige_seeking", "ideological_rigidity", "threat_perception", "impulsiveness",
          "dominance")
"""Person traits, each in [0, 1]; defined in docs/MODEL.md ('Persons')."""

IDEOLOGY_TRAIT = "ideology"
"""A person's own line, which he pulls his party's line toward (docs/MODEL.md, 'Persons')."""

PREDICTORS = TRAITS + (IDEOLOGY_TRAIT,)
"""A person's sampled qualities: the five traits and his ideology."""

HOLD = "hold"
"""The decider's nation's hold on power, which an option's odds may also depend on."""

OPTION_PREDICTORS = PREDICTORS + (HOLD,)
"""What a juncture option's odds may depend on: the decider's traits and ideology, and the
office holder's hold on power (an insecure leader courts his ally; a secure one can defy it)."""


@dataclass(frozen=True)
class Parameter:
    """A rate or weight the process reads from the scenario's `forces`.

    Attributes:
        low, high: the allowed range (both included).
        doc: what it means, with its unit, for the scenario format reference.
        default: the value a scenario that does not set it gets (None: it must be set); a
            mechanism added later defaults to the value that switches it off, so that older
            scenario files run unchanged.
    """

    low: float
    high: float
    doc: str
    default: float | None = None


@dataclass(frozen=True)
class Effect:
    """A change a juncture option may make; the declaring process applies it.

    Attributes:
        kind: 'per_nation' (a number per ally id), 'amount' (one number), 'nations' (a list
            of ally ids), 'leaders' (a person id per ally id), 'persons' (a list of person
            ids), 'alignments' (an outside power id per ally id), 'per_power' (a number per
            outside power and ally), 'per_power_series' (a series per outside power and ally),
            'per_nation_series' (a series per ally id), 'series' (one dated series) or 'flag'
            (true or false).
        low, high: bounds of each number.
        doc: what it does, for the scenario format reference.
    """

    kind: str
    doc: str
    low: float = -math.inf
    high: float = math.inf


@dataclass(frozen=True)
class Stream:
    """A named random stream; braces are filled with the id of a nation, person or juncture.

    The names are part of the reproducibility contract: each process of each seed block draws
    from its own stream, spawned from the seed and the name (sim/engine/streams.py), so adding a
    process never shifts the draws of another.
    """

    template: str

    def of(self, **ids: str) -> str:
        return self.template.format(**ids)


TRAIT = Stream("trait:{person}:{trait}")
IDEOLOGY = Stream("ideology:{person}")
"""Each person's sampled traits and ideology draw from streams of their own."""
PARAM = Stream("param:{path}")
"""Each field given as a distribution draws from its own stream, named by its path
(sim/scenario/uncertain.py)."""


@dataclass(frozen=True)
class Driver:
    """A term of the change in cohesion, booked per world so a loss can be accounted for.

    Attributes:
        id: column `driver.<id>` of runs.parquet and key of summary.json's drivers block.
        label: how reports and plots name it.
        colour: its colour in every plot.
        glue: True if it holds the allies together when positive (a mechanism of glue).
    """

    id: str
    label: str
    colour: str
    doc: str
    glue: bool = False


@dataclass(frozen=True)
class Outcome:
    """A dated event recorded at most once per world, or absent (censored at the horizon).

    Attributes:
        id: key of summary.json's `outcomes` and of history checks.
        column: its date column in runs.parquet (a decimal year, null if it did not happen).
        label: the short name (console, sweeps); title: the long name (reports, plots).
        colour: its colour in every plot.
        by_nation: a column naming the ally the outcome concerns, if it concerns one;
        by_power: a column naming the outside power it concerns, if it concerns one. The
            summary breaks the outcome down by each.
        each_nation: whether each ally's own date (and power) is recorded as well, for an
            outcome that both allies may reach (the first of them is the outcome).
    """

    id: str
    column: str
    label: str
    title: str
    colour: str
    doc: str
    by_nation: str | None = None
    by_power: str | None = None
    each_nation: bool = False

    def nation_columns(self, nation: str) -> tuple[str, str]:
        """The columns of `nation`'s own date and of the power it concerns (`each_nation`)."""
        return f"{self.id}.{nation}.year", f"{self.id}.{nation}.power"

    def all_nation_columns(self, members) -> list[str]:
        """Every ally's own columns, none for an outcome without `each_nation`."""
        return [c for m in members for c in self.nation_columns(m)] if self.each_nation else []

    def breakdowns(self) -> dict[str, str]:
        """Summary key -> the column it breaks the outcome down by."""
        return {key: column for key, column in (("by_nation", self.by_nation),
                                                ("by_power", self.by_power)) if column}


@dataclass(frozen=True)
class EventKind:
    """An event of one world's history, logged when the world is traced (the chronicle).

    Attributes:
        id: the event's kind.
        shown: when the reader sees it: at the 'start' of its step (the dated outcomes), in
            the 'middle' (a process that only knows the step it fell in), on its 'date' (the
            event's `date` detail: a death, a juncture), or on the date of its 'cause' (the
            event logged just before it in the same step: a successor after a death). Any
            event with a `date` detail is shown on it: its own, or that of the juncture whose
            effect it is (AllianceModel.apply_effects), or the start of the step in which real
            power given from a date takes effect.
        tell: the sentence, from the event and the world's `Story`
            (sim/outputs/chronicle.py), worded only from scenario data and the engine's
            vocabulary.
        grouped: repeated events of the kind with the same sentence in one year are told once,
            with their months (public attacks).
    """

    id: str
    shown: str
    tell: Callable[[Any, Any], str]
    grouped: bool = False


@dataclass
class Event:
    """One line of a traced world's history."""

    step: int
    world: int
    kind: str
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Labels:
    """A per-world column of codes naming one of `names`, NOT_YET for none (a null)."""

    codes: Any
    names: list[str]


class Process:
    """One process of the schedule, stepped over the W worlds of a batch.

    Subclasses declare their vocabulary as class attributes and take part in the phases of a
    step by defining the phase's method (docs/MODEL.md, section 1.3):

    1. `fill_offices()`: deaths, ousters and successions;
    2. `decide()`: dated junctures decided by the office holders;
    3. `drift()`: the slow processes;
    4. `relax()`: cohesion moves toward what its forces warrant;
    5. `record()`: outcomes are recorded the first time they happen.

    A process with drivers returns their signed, weighted terms from `terms()`; a process
    with effects applies them in `apply()`; a process with outcomes returns their steps from
    `outcome_steps()`; any process may add per-world columns in `columns()`.
    """

    name: ClassVar[str] = ""
    parameters: ClassVar[dict[str, Parameter]] = {}
    effects: ClassVar[dict[str, Effect]] = {}
    streams: ClassVar[tuple[Stream, ...]] = ()
    drivers: ClassVar[tuple[Driver, ...]] = ()
    outcomes: ClassVar[tuple[Outcome, ...]] = ()
    events: ClassVar[tuple[EventKind, ...]] = ()

    def __init__(self, model: AllianceModel):
        self.model = model

    def terms(self) -> list:
        """(W,) signed, weighted term of each of `drivers`, in their order."""
        raise NotImplementedError

    def apply(self, effect: str, value, worlds) -> None:
        """Apply one of `effects` with the option's value in the (W,) bool mask `worlds`."""
        raise NotImplementedError

    def follow_paths(self, field: str, paths, worlds) -> None:
        """Set an outside power's series of `field` ('threat_to', 'openness_to', 'aid_to' or
        'detente_with') toward an ally on the paths of a `*_path` effect ({power: {ally:
        Series}}) in the (W,) bool mask `worlds`, from now on."""
        powers = {p.spec.id: p for p in self.model.outside}
        for power, block in paths.items():
            for ally_id, path in block.items():
                powers[power].follow(field, ally_id, path, worlds)

    def outcome_steps(self) -> dict[str, Any]:
        """Outcome id -> (W,) step at which it happened, or NOT_YET."""
        return {}

    def columns(self) -> dict[str, Any]:
        """Extra per-world columns: name -> (W,) numbers or Labels."""
        return {}


PHASES = ("fill_offices", "decide", "drift", "relax", "record")
"""The phases of a step, in order; a process takes part in those whose method it defines."""
