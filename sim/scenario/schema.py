"""The scenario schema, declared once: what a scenario file may say, its types and ranges.

The models below are the single declaration from which the program validates a composed
scenario (sim/scenario/validate.py), writes the JSON Schema that editors use to complete and
check scenario files (docs/scenario.schema.json) and writes the reference page of every field
(docs/SCENARIO_FORMAT.md): `python -m sim.scenario.reference`. The keys of `forces` and of a
juncture option's `effects` are not listed here: each process of the engine declares the
parameters it reads and the effects it applies (sim/engine/schedule.py), and the models are
built from those declarations.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    create_model,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from sim.engine.processes.junctures import WHEN
from sim.engine.schedule import EFFECTS, OUTCOMES, PARAMETERS
from sim.engine.specs import PREDICTORS, TRAITS
from sim.scenario.fields import (
    Date,
    Series,
    Text,
    Trait,
    TraitSpec,
    Unit,
    fail,
    number,
    series,
    whole,
)

__all__ = ["TRAITS", "Series", "TraitSpec", "World", "Nation", "Person", "Juncture", "Option",
           "Effects", "HistoryCheck"]

NOTE_KEYS = ("source", "sources", "note", "notes")
"""Keys allowed anywhere for citations and comments; the engine ignores them."""

INJECTED = ("id",)
"""Fields the program fills in (an entry's id is its key), which a file may not set."""

Note = Annotated[Any, Field(description="a citation or comment; ignored by the engine")]


class Strict(BaseModel):
    """A part of a scenario: unknown keys are refused, and citations are allowed anywhere."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: Note = None
    sources: Note = None
    note: Note = None
    notes: Note = None


def keyed(value: Any) -> Any:
    """An id -> entry mapping, with each entry given its key as `id` and null entries dropped
    (a counterfactual removes an entry of the file it starts from by setting it to null)."""
    if not isinstance(value, dict):
        return value
    entries = {}
    for key, entry in value.items():
        if entry is None:
            continue
        if isinstance(entry, dict):
            if "id" in entry:
                raise fail("{path}: an entry's id is its key; remove the key 'id'")
            entry = {**entry, "id": str(key)}
        entries[str(key)] = entry
    return entries


def Keyed(model):  # noqa: N802 (a type factory, named like the type it makes)
    return Annotated[dict[str, model], BeforeValidator(keyed)]


Id = SkipJsonSchema[str]

MAX_WEIGHT = 1e6
"""The largest option or contender weight: odds of a million to one already decide every world,
and a bound keeps the weighted draws finite (a sum of weights near 1e308 overflows)."""

Weight = number(0.0, MAX_WEIGHT)


# --------------------------------------------------------------------------- time and alliance


class Period(Strict):
    """The simulated period."""

    start: Date = Field(description="first day simulated")
    horizon: Date = Field(description="last day simulated; a world not split by then is "
                          "censored there")
    steps_per_year: whole(1, 365) = Field(4, description="steps a year (4: quarters)")


class Alliance(Strict):
    """The two allies and the power outside them."""

    members: list[str] = Field(description="the two allies' nation ids")
    third_power: str = Field(description="the outside power's nation id")
    initial_cohesion: Unit = Field(description="cohesion at the start, 0 enemies to 1 one bloc")


class SplitDefinition(Strict):
    """When the alliance counts as split (docs/MODEL.md, 'The definition of split')."""

    threshold: Unit = Field(description="cohesion below which the allies no longer act as allies")
    sustained_years: number(0, 100) = Field(description="years cohesion must stay below the "
                                            "threshold; the split is dated to the spell's start")


# --------------------------------------------------------------------------- history

STATISTICS = ("probability", "median_year", "share_within")

Pair = Annotated[list[number()], Field(min_length=2, max_length=2)]


class HistoryCheck(Strict):
    """One test of the simulated record against history.

    statistic 'probability': the share of worlds with the outcome must lie `within`;
    'median_year': its median year must fall in the calendar years `within` (both included);
    'share_within': at least `at_least` of its dates must fall in the calendar years `years`.
    """

    name: Text = Field(description="how the check is printed")
    outcome: Literal[tuple(o.id for o in OUTCOMES)] = Field(description="the outcome checked")
    statistic: Literal[STATISTICS] = Field(description="what is computed from its dates")
    within: Pair | None = Field(None, description="[low, high] for probability or median_year")
    years: Pair | None = Field(None, description="[first, last] calendar year for share_within")
    at_least: Unit | None = Field(None, description="the share required for share_within")

    @model_validator(mode="after")
    def _needs(self):
        if self.statistic == "share_within" and (self.years is None or self.at_least is None):
            raise fail("{path}: share_within needs 'years' and 'at_least'")
        if self.statistic != "share_within" and self.within is None:
            raise fail(f"{{path}}: {self.statistic} needs 'within'")
        for pair, key in ((self.within, "within"), (self.years, "years")):
            if pair is not None and pair[1] < pair[0]:
                raise fail(f"{{path}}.{key} = {pair} must go from low to high")
        return self


class History(Strict):
    """What the historical record says, for the history check and the plots' milestones."""

    milestones: list[number()] = Field([], description="years marked on the plots, with the "
                                       "share of worlds split by each")
    checks: list[HistoryCheck] = Field([], description="the history check")


# --------------------------------------------------------------------------- actors


class Nation(Strict):
    """A state: one of the two allies (all keys but threat_to to openness_scale), the third
    power (name, threat_to, openness_to and the scales) or a bystander (name only)."""

    id: Id = ""
    name: Text = Field(description="how reports and the chronicle name it")
    capability: series() | None = Field(None, description="ally: material capability over "
                                        "time (COW CINC scale in the baseline)")
    line: Unit = Field(0.5, description="ally: initial ideological line, 0 pragmatic to 1 "
                       "radical")
    sovereignty_sensitivity: Unit = Field(0.5, description="ally: how strongly affronts to "
                                          "sovereignty hurt")
    recognition: Unit = Field(0.5, description="ally: status the partner grants at the start")
    office: str = Field("", description="ally: the title of its paramount office")
    holder: str = Field("", description="ally: person id of the office's first holder")
    threat_to: dict[str, series(0.0, 1.0)] = Field({}, description="third power: its threat "
                                                   "to each ally over time")
    openness_to: dict[str, series(0.0, 1.0)] = Field({}, description="third power: its "
                                                     "openness to each ally over time")
    threat_scale: number(0, 10) = Field(1.0, description="third power: multiplies threat_to")
    openness_scale: number(0, 10) = Field(1.0, description="third power: multiplies "
                                          "openness_to")


class Traits(Strict):
    """A person's traits, each a number in [0, 1] or a distribution (docs/MODEL.md, 4.4)."""

    prestige_seeking: Trait
    ideological_rigidity: Trait
    threat_perception: Trait
    impulsiveness: Trait
    dominance: Trait

    def __getitem__(self, name: str) -> TraitSpec:
        return getattr(self, name)


class Contender(Strict):
    """Whether and when a person may succeed to the office."""

    weight: Weight = Field(description="relative chance of taking the office when it "
                                "falls vacant (0: never)")
    from_: Date = Field(1000.0, alias="from", description="first day the person contends")
    until: Date = Field(3000.0, description="day after which the person no longer contends")


class Person(Strict):
    """A leader or contender."""

    id: Id = ""
    name: Text = Field(description="how the chronicle names the person")
    nation: str = Field(description="id of the nation whose office the person can hold")
    born: number(1000, 3000) = Field(description="birth year (the death hazard rises with age)")
    died: Date | None = Field(None, description="date of death if the scenario fixes it; "
                              "null draws it from the age-based hazard")
    ideology: Trait = Field(description="the line the person pulls the nation toward")
    traits: Traits
    security: Unit = Field(description="hold on office: the ouster hazard is multiplied by "
                           "1 - security")
    contender: Contender = Field(Contender(weight=0), description="succession weight and window")


# --------------------------------------------------------------------------- junctures


def _effect_field(kind: str, low: float, high: float):
    if kind == "per_nation":
        return dict[str, number(low, high)], {}
    if kind == "amount":
        return number(low, high), 0.0
    if kind == "nations":
        return list[str], []
    return dict[str, str], {}


Effects = create_model(
    "Effects",
    __base__=Strict,
    __doc__="What an option changes, keyed by the ally it concerns (docs/MODEL.md, "
            "'Junctures'); each effect is applied by the process that declares it.",
    **{name: (_effect_field(e.kind, e.low, e.high)[0],
              Field(_effect_field(e.kind, e.low, e.high)[1], description=e.doc))
       for name, e in EFFECTS.items()},
)


def _chosen(self) -> list[tuple[str, Any]]:
    """(effect, value) for each effect the option has, in declaration order."""
    return [(name, getattr(self, name)) for name in EFFECTS if getattr(self, name)]


Effects.chosen = _chosen

Coefficient = number(-50, 50)


class Option(Strict):
    """One choice at a juncture. Its chance is proportional to
    `weight * exp(sum_k traits[k] * (x_k - 0.5) + cohesion * (C - 0.5))`, where x_k are the
    deciding holder's traits and ideology and C the cohesion."""

    id: Id = ""
    text: Text = Field(description="what happens, for the chronicle; {holder} is replaced by "
                       "the deciding holder's name")
    weight: Weight = Field(description="the option's odds for an average holder at "
                                "middling cohesion (0: never)")
    traits: dict[Literal[PREDICTORS], Coefficient] = Field(
        {}, description="log-odds coefficient on each of the holder's traits (and ideology)")
    cohesion: Coefficient = Field(0.0, description="log-odds coefficient on the cohesion")
    effects: Effects = Field(Effects(), description="what the option changes")


class Juncture(Strict):
    """A dated decision taken by the holder of one ally's office."""

    id: Id = ""
    title: Text = Field(description="its name in the chronicle")
    date: Date
    actor: str = Field(description="id of the ally whose office holder chooses")
    when: Literal[WHEN] = Field(
        WHEN[0], description="in worlds not yet split, only after the split, or always")
    options: Keyed(Option) = Field(description="the choices, by id")

    @property
    def option_list(self) -> tuple[Option, ...]:
        """The options in the file's order (an option's index is its code in runs.parquet)."""
        return tuple(self.options.values())


# --------------------------------------------------------------------------- the world

Forces = create_model(
    "Forces",
    __base__=Strict,
    __doc__="Rates and weights of the processes; each is declared by the process that reads "
            "it (docs/MODEL.md, 'Details').",
    **{name: (number(p.low, p.high),
              Field(... if p.default is None else p.default, description=p.doc))
       for name, p in PARAMETERS.items()},
)


class World(Strict):
    """A whole scenario, validated: everything the model needs and nothing else.

    `compare_with` names the scenario this one is compared with on the same seeds (the root of
    its family of counterfactuals, often itself); None when the file does not say, so that the
    run's setting applies (default `baseline`).
    """

    _name: str = PrivateAttr("")
    title: Text = Field(description="the scenario's title, printed on every output")
    description: Text | None = None
    divergence: Text | None = Field(None, description="the point of divergence from history")
    claim: Text | None = Field(None, description="the claim the scenario tests")
    compare_with: Text | None = Field(None, description="the scenario to compare with on the "
                                      "same seeds")
    period: Period
    alliance: Alliance
    split: SplitDefinition
    history: History = History()
    nations: Keyed(Nation)
    persons: Keyed(Person)
    forces: Forces
    junctures: Keyed(Juncture)

    @model_validator(mode="after")
    def _sort_junctures(self):
        ordered = dict(sorted(self.junctures.items(), key=lambda item: item[1].date))
        object.__setattr__(self, "junctures", ordered)
        return self

    # the calendar and the shortcuts the engine reads

    @property
    def name(self) -> str:
        """The scenario's name (its file's name), set when it is loaded."""
        return self._name

    @property
    def start(self) -> float:
        return self.period.start

    @property
    def horizon(self) -> float:
        return self.period.horizon

    @property
    def steps_per_year(self) -> int:
        return self.period.steps_per_year

    @property
    def dt(self) -> float:
        """Length of one step in years."""
        return 1.0 / self.steps_per_year

    @property
    def n_steps(self) -> int:
        return int(math.ceil((self.horizon - self.start) * self.steps_per_year - 1e-9))

    def step_of(self, year: float) -> int:
        """Index of the step during which `year` falls."""
        return int(math.floor((year - self.start) * self.steps_per_year + 1e-9))

    def year_of(self, step):
        """Decimal year at the start of `step` (works on arrays too)."""
        return self.start + step / self.steps_per_year

    @property
    def members(self) -> tuple[str, str]:
        return tuple(self.alliance.members)

    @property
    def third_power(self) -> str:
        return self.alliance.third_power

    @property
    def initial_cohesion(self) -> float:
        return self.alliance.initial_cohesion

    @property
    def split_threshold(self) -> float:
        return self.split.threshold

    @property
    def split_sustained_years(self) -> float:
        return self.split.sustained_years

    @property
    def milestones(self) -> tuple[float, ...]:
        return tuple(self.history.milestones)

    @property
    def history_checks(self) -> tuple[HistoryCheck, ...]:
        return tuple(self.history.checks)

    @property
    def juncture_list(self) -> tuple[Juncture, ...]:
        """The junctures in date order."""
        return tuple(self.junctures.values())
