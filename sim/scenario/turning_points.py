"""The turning points of a scenario: dated junctures with their options and effects, and dated
challenges to an office holder."""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field, create_model, model_validator

from sim.engine.processes.junctures import WHEN
from sim.engine.schedule import EFFECTS
from sim.engine.specs import OPTION_PREDICTORS
from sim.scenario.base import Id, Keyed, Strict
from sim.scenario.fields import MAX_WEIGHT, Date, Flag, Text, Unit, fail, number, series
from sim.scenario.uncertain import UncertainDate, uncertain


def _effect_field(kind: str, low: float, high: float):
    """The type and empty value of an effect of each kind (sim/engine/specs.py, Effect)."""
    return {
        "per_nation": (dict[str, number(low, high)], {}),
        "amount": (number(low, high), 0.0),
        "nations": (list[str], []),
        "leaders": (dict[str, str], {}),
        "alignments": (dict[str, str], {}),
        "persons": (list[str], []),
        "per_power": (dict[str, dict[str, number(low, high)]], {}),
        "per_power_series": (dict[str, dict[str, series(low, high)]], {}),
        "per_nation_series": (dict[str, series(low, high)], {}),
        "series": (series(low, high) | None, None),
        "flag": (Flag, False),
    }[kind]


OneOrMore = str | list[str]


class Conditions(Strict):
    """What must hold in a world (requires) or must not (excludes) for a juncture, an option
    or a challenge to arise there. Every condition given must hold."""

    choices: dict[str, OneOrMore] = Field({}, description="juncture id -> the option (or "
                                          "options) taken there earlier")
    holders: dict[str, OneOrMore] = Field({}, description="ally id -> the person (or persons) "
                                          "holding its office now")
    cohesion_above: Unit | None = Field(None, description="cohesion now at least this")
    cohesion_below: Unit | None = Field(None, description="cohesion now below this")


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
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
"""A `{name}` in an option's text, which the chronicle fills in (only `{holder}`)."""


class Option(Strict):
    """One choice at a juncture. Its chance is proportional to
    `weight * exp(sum_k traits[k] * (x_k - 0.5) + cohesion * (C - 0.5))`, where x_k are the
    deciding holder's traits and ideology and C the cohesion."""

    id: Id = ""
    text: Text = Field(description="what happens, for the chronicle; {holder} is replaced by "
                       "the deciding holder's name")
    weight: uncertain(0.0, MAX_WEIGHT) = Field(
        description="the option's odds for an average holder at middling cohesion (0: never)")
    traits: dict[Literal[OPTION_PREDICTORS], Coefficient] = Field(
        {}, description="log-odds coefficient on each of the decider's traits, his ideology, "
        "and his hold on power (hold)")
    cohesion: Coefficient = Field(0.0, description="log-odds coefficient on the cohesion")
    effects: Effects = Field(Effects(), description="what the option changes")
    historical: Flag = Field(False, description="the option history took (at most one per "
                             "juncture): the record the chronicle, the search and the "
                             "calibration compare a world with")
    requires: Conditions | None = Field(None, description="the option is open only where these "
                                        "hold")
    excludes: Conditions | None = Field(None, description="the option is closed where these "
                                        "hold")

    @model_validator(mode="after")
    def _one_placeholder(self):
        unknown = sorted(set(PLACEHOLDER.findall(self.text)) - {"{holder}"})
        if unknown:
            raise fail(f"{{path}}.text names {', '.join(unknown)}; the only placeholder is "
                       "{holder}, the deciding holder's name")
        return self


class Juncture(Strict):
    """A dated decision taken by the holder of one ally's office."""

    id: Id = ""
    title: Text = Field(description="its name in the chronicle")
    date: UncertainDate
    actor: str = Field(description="id of the ally whose office holder chooses")
    when: Literal[WHEN] = Field(
        WHEN[0], description="in worlds allied (not split, or reconciled since), only after "
        "a split not healed, or always")
    options: Keyed(Option) = Field(description="the choices, by id")
    requires: Conditions | None = Field(None, description="the juncture arises only where "
                                        "these hold")
    excludes: Conditions | None = Field(None, description="the juncture does not arise where "
                                        "these hold")

    @property
    def historical(self) -> Option | None:
        """The option history took, where the scenario marks one."""
        return next((o for o in self.options.values() if o.historical), None)

    @property
    def option_list(self) -> tuple[Option, ...]:
        """The options in the file's order (an option's index is its code in runs.parquet)."""
        return tuple(self.options.values())


class Challenge(Strict):
    """A dated challenge to the holder of an ally's office: a coup, a plot, a party revolt.

    It succeeds with probability `strength * (1 - hold)`, where hold is the holder's hold on
    power then (docs/MODEL.md, 'Offices'): the holder is ousted and the first of the
    challengers who can take the office does (or a successor is drawn). If it fails, the
    challengers are purged (unless `purge` is false) and the holder's hold changes by
    `hold_gain`.
    """

    id: Id = ""
    title: Text = Field(description="its name in the chronicle")
    date: Date
    nation: str = Field(description="id of the ally whose office is challenged")
    challengers: list[str] = Field([], description="person ids, in order of who takes the "
                                   "office if it succeeds (empty: a successor is drawn)")
    strength: Unit = Field(description="chance of success against a holder with no hold on "
                           "power")
    purge: Flag = Field(True, description="failed challengers are removed from power for good")
    hold_gain: number(-1, 1) = Field(0.0, description="change in the holder's hold if it fails")
    requires: Conditions | None = Field(None, description="it arises only where these hold")
    excludes: Conditions | None = Field(None, description="it does not arise where these hold")


