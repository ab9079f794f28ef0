"""The value types of a scenario file, each with its own one-line message and JSON Schema.

Numbers are finite and never booleans or text; dates are written as a day, a month, a year
or a decimal year; a trait is a number in [0, 1] or a distribution; a series is a number or
`{year: value}` points. Each type rejects bad input with a message that starts where the
field's path ends ("= 1.4 is outside the allowed range [0.0, 1.0]"), so that the whole error is
one line naming the field (sim/scenario/validate.py).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from sim.calendar import decimal_year_of, parse_date


def describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def fail(text: str) -> PydanticCustomError:
    """An error whose text follows the field's path ('must be ...', '= ... is ...'), or holds
    '{path}' where the path goes."""
    return PydanticCustomError("scenario", "{text}", {"text": text})


def check_number(value: Any, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite number in [low, high]; booleans and text are not numbers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(f"must be a number, got {describe(value)}")
    if not math.isfinite(value):
        raise fail(f"must be a finite number, got {value}")
    if not low <= value <= high:
        raise fail(f"= {value} is outside the allowed range [{low}, {high}]")
    return float(value)


def range_schema(low: float, high: float) -> dict:
    schema: dict[str, Any] = {"type": "number"}
    if math.isfinite(low):
        schema["minimum"] = low
    if math.isfinite(high):
        schema["maximum"] = high
    return schema


def number(low: float = -math.inf, high: float = math.inf):
    """A finite number type, checked against [low, high]."""
    return Annotated[float, BeforeValidator(lambda v: check_number(v, low, high)),
                     WithJsonSchema(range_schema(low, high))]


def _whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise fail(f"must be a whole number from {low} to {high}, got {describe(value)}")
    return value


def whole(low: int, high: int):
    """An integer type in [low, high]; booleans are not integers."""
    return Annotated[int, BeforeValidator(lambda v: _whole(v, low, high)),
                     WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})]


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"must be a non-empty text, got {describe(value)}")
    return value


Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]

Unit = number(0.0, 1.0)
NonNegative = number(0.0)

MAX_WEIGHT = 1e6
"""The largest option or contender weight: odds of a million to one already decide every world,
and a bound keeps the weighted draws finite (a sum of weights near 1e308 overflows)."""

Weight = number(0.0, MAX_WEIGHT)


def to_decimal_year(value: Any) -> float:
    """Read a date ('1956-02-25', '1956-02', a year, or a decimal year) as a decimal year."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return check_number(value, 1000, 3000)
    if isinstance(value, dt.date):
        return decimal_year_of(value)
    if not isinstance(value, str):
        raise fail(f"must be a date like 1956-02-25, got {describe(value)}")
    try:
        return decimal_year_of(parse_date(value))
    except ValueError:
        raise fail(f"= '{value}' is not a possible date; write YYYY-MM-DD, YYYY-MM or a "
                   "year") from None


DATE_SCHEMA = {"anyOf": [{"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
                         {"type": "number", "minimum": 1000, "maximum": 3000}],
               "description": "a date: YYYY-MM-DD, YYYY-MM, a year or a decimal year"}

Date = Annotated[float, BeforeValidator(to_decimal_year), WithJsonSchema(DATE_SCHEMA)]


# --------------------------------------------------------------------------- traits

DISTRIBUTIONS = {"uniform": 2, "triangular": 3, "beta": 2}
"""Trait distributions a scenario may use, with their number of parameters."""


@dataclass(frozen=True)
class TraitSpec:
    """A trait's value in [0, 1], or a distribution it is sampled from in each world.

    Attributes:
        kind: 'fixed', or one of DISTRIBUTIONS.
        params: the value (fixed), [low, high] (uniform), [low, mode, high] (triangular)
            or [alpha, beta] (beta).
    """

    kind: str
    params: tuple[float, ...]

    @property
    def mean(self) -> float:
        p = self.params
        return {
            "fixed": lambda: p[0],
            "uniform": lambda: (p[0] + p[1]) / 2,
            "triangular": lambda: sum(p) / 3,
            "beta": lambda: p[0] / (p[0] + p[1]),
        }[self.kind]()


def unknown(what: str, name: str, allowed) -> str:
    """'unknown key 'x' in y (did you mean 'z'?); allowed: a, b, c'."""
    import difflib

    names = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(name), names, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {what}{hint}; allowed: {', '.join(names)}"


def to_trait(value: Any) -> TraitSpec:
    """Read `0.7`, `{uniform: [0.6, 0.8]}`, `{triangular: [0.6, 0.7, 0.9]}` or `{beta: [7, 3]}`."""
    if isinstance(value, TraitSpec):
        return value
    if not isinstance(value, dict):
        return TraitSpec("fixed", (check_number(value, 0.0, 1.0),))
    if len(value) != 1:
        raise fail("must be a number in [0, 1] or one distribution, one of: "
                   + ", ".join(DISTRIBUTIONS))
    kind, params = next(iter(value.items()))
    if kind not in DISTRIBUTIONS:
        raise fail(unknown(f"distribution '{kind}' in {{path}}", kind, DISTRIBUTIONS))
    n = DISTRIBUTIONS[kind]
    if not isinstance(params, (list, tuple)) or len(params) != n:
        raise fail(f".{kind} needs a list of {n} numbers, got {describe(params)}")
    try:
        if kind == "beta":
            numbers = tuple(check_number(v, 1e-6) for v in params)
        else:
            numbers = tuple(check_number(v, 0.0, 1.0) for v in params)
    except PydanticCustomError as error:
        raise fail(f".{kind} {error.context['text']}") from None
    if kind != "beta" and (list(numbers) != sorted(numbers) or numbers[0] == numbers[-1]):
        raise fail(f".{kind} = {list(numbers)} must rise from low to high")
    return TraitSpec(kind, numbers)


def _unit_list(n: int) -> dict:
    return {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1},
            "minItems": n, "maxItems": n}


TRAIT_SCHEMA = {
    "description": "a number in [0, 1], or a distribution sampled in each world",
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": 1},
        {"type": "object", "additionalProperties": False,
         "properties": {"uniform": _unit_list(2)}, "required": ["uniform"]},
        {"type": "object", "additionalProperties": False,
         "properties": {"triangular": _unit_list(3)}, "required": ["triangular"]},
        {"type": "object", "additionalProperties": False,
         "properties": {"beta": {"type": "array", "items": {"type": "number",
                                                            "exclusiveMinimum": 0},
                                 "minItems": 2, "maxItems": 2}},
         "required": ["beta"]},
    ],
}

Trait = Annotated[TraitSpec, BeforeValidator(to_trait), WithJsonSchema(TRAIT_SCHEMA)]


# --------------------------------------------------------------------------- series


@dataclass(frozen=True)
class Series:
    """A quantity given at a few dates, interpolated linearly and held flat beyond its ends."""

    years: tuple[float, ...]
    values: tuple[float, ...]


SERIES_DOC = "a number, or {date: value} points interpolated linearly"
"""The description of every series in the JSON Schema, by which the reference page names it."""


def series(low: float = 0.0, high: float = math.inf):
    """A Series type whose values lie in [low, high]."""

    def read(value: Any) -> Series:
        if isinstance(value, Series):
            return value
        if not isinstance(value, dict):
            return Series((0.0,), (check_number(value, low, high),))
        if not value:
            raise fail("must list at least one year: value pair")
        points = []
        for year, v in value.items():
            try:
                when = to_decimal_year(year)
            except PydanticCustomError as error:
                raise fail(f"key {error.context['text']}") from None
            try:
                points.append((when, check_number(v, low, high)))
            except PydanticCustomError as error:
                raise fail(f".{year} {error.context['text']}") from None
        points.sort()
        return Series(tuple(p[0] for p in points), tuple(p[1] for p in points))

    values = range_schema(low, high)
    schema = {"description": SERIES_DOC,
              "anyOf": [values, {"type": "object", "additionalProperties": values}]}
    return Annotated[Series, BeforeValidator(read), WithJsonSchema(schema)]


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(f"must be true or false, got {describe(value)}")
    return value


Flag = Annotated[bool, BeforeValidator(_flag), WithJsonSchema({"type": "boolean"})]


@dataclass(frozen=True)
class Titles:
    """A title that may change with the date: (from, title) pairs in date order."""

    points: tuple[tuple[float, str], ...]

    def at(self, year: float) -> str:
        """The title in force at `year` (the first one before its first date)."""
        current = self.points[0][1]
        for start, title in self.points:
            if start <= year + 1e-9:
                current = title
        return current


def _titles(value: Any) -> Titles:
    if isinstance(value, Titles):
        return value
    if isinstance(value, str):
        return Titles(((-math.inf, _text(value)),))
    if not isinstance(value, dict) or not value:
        raise fail(f"must be a title, or {{date: title}} for a title that changes, got "
                   f"{describe(value)}")
    points = []
    for when, title in value.items():
        try:
            points.append((to_decimal_year(when), _text(title)))
        except PydanticCustomError as error:
            raise fail(f".{when} {error.context['text']}") from None
    return Titles(tuple(sorted(points)))


TITLES_SCHEMA = {"description": "a title, or {date: title} for a title that changes",
                 "anyOf": [{"type": "string", "minLength": 1},
                           {"type": "object", "additionalProperties": {"type": "string"}}]}

Title = Annotated[Titles, BeforeValidator(_titles), WithJsonSchema(TITLES_SCHEMA)]


def values_of_type(node, kind: type, path: str = "", found: dict | None = None) -> dict:
    """Path (dotted, as on the command line without `scenario.`) -> value, for every value of
    type `kind` in `node` (a scenario's model, or part of it), in the scenario's order. A plain
    recursion that skips empty values: it runs for every variant a search validates."""
    found = {} if found is None else found
    if isinstance(node, kind):
        found[path] = node
    elif isinstance(node, BaseModel):
        for name, value in node.__dict__.items():   # a pydantic model's fields, as stored
            if value:
                values_of_type(value, kind, f"{path}.{name}" if path else name, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if value:
                values_of_type(value, kind, f"{path}.{key}" if path else str(key), found)
    return found
