"""Uncertain values: a number of a scenario, or a distribution each world draws its own value from.

Any field typed `uncertain(low, high)` (every key of `forces`, a person's `security`, a nation's
scalars, an option's `weight`, `alliance.initial_cohesion`) and every juncture `date` may be
written as a distribution instead of a number (docs/MODEL.md, "Uncertainty and evidence"):

    {uniform: [low, high]}            {triangular: [low, mode, high]}
    {normal: [mean, sd]}              {lognormal: [median, sigma]}      {beta: [a, b]}

`normal` and `lognormal` are truncated to the field's declared range (a log-normal needs a
range that starts at 0 or above); `beta` is for fields whose range is [0, 1]; a date takes
`uniform` or `triangular` between two dates. A number stays a number, so a scenario without a
distribution runs exactly as before. Each world draws its value by the inverse CDF of one
uniform from the stream `param:<path>` (e.g. `param:forces.threat_weight`), so a world keeps
its parameter values when any other field changes (common random numbers), and the engine sees
a (W,) array where a number was (`realise`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from sim.engine.specs import PARAM
from sim.engine.streams import inverse_cdf
from sim.scenario.fields import (
    DATE_SCHEMA,
    check_number,
    describe,
    fail,
    range_schema,
    to_decimal_year,
    unknown,
    values_of_type,
)

KINDS = {"uniform": 2, "triangular": 3, "normal": 2, "lognormal": 2, "beta": 2}
"""The distributions a number may be given as, with their number of parameters."""

DATE_KINDS = ("uniform", "triangular")
"""The distributions a date may be given as (bounded, so that it stays in the period)."""


@dataclass(frozen=True)
class Distribution:
    """A field's distribution over worlds.

    Attributes:
        kind: one of KINDS.
        params: [low, high] (uniform), [low, mode, high] (triangular), [mean, sd] (normal),
            [median, sigma of the log] (lognormal) or [a, b] (beta).
        low, high: the field's declared range; normal and lognormal are truncated to it.
    """

    kind: str
    params: tuple[float, ...]
    low: float = -math.inf
    high: float = math.inf

    def quantile(self, u):
        """The values at probabilities `u` (the inverse CDF; one uniform per world)."""
        from scipy import special

        u = np.asarray(u, dtype=float)
        p = self.params
        if self.kind in ("uniform", "triangular", "beta"):
            return inverse_cdf(self.kind, p, u)
        if self.kind == "normal":
            centre, scale, low, high = p[0], p[1], self.low, self.high
        else:   # lognormal: a normal on the log scale
            centre, scale = math.log(p[0]), p[1]
            low = math.log(self.low) if self.low > 0 else -math.inf
            high = math.log(self.high) if math.isfinite(self.high) else math.inf
        a, b = special.ndtr((low - centre) / scale), special.ndtr((high - centre) / scale)
        x = centre + scale * special.ndtri(a + u * (b - a))
        x = np.clip(x, low, high)
        return x if self.kind == "normal" else np.exp(x)

    @property
    def support(self) -> tuple[float, float]:
        """The lowest and highest value a world can draw."""
        if self.kind in ("uniform", "triangular"):
            return (self.params[0], self.params[-1])
        if self.kind == "beta":
            return (0.0, 1.0)
        return (max(self.low, 0.0) if self.kind == "lognormal" else self.low, self.high)

    @property
    def median(self) -> float:
        return float(self.quantile(0.5))

    def interval(self, level: float = 0.9) -> tuple[float, float]:
        """The central interval holding `level` of the worlds' values."""
        low, high = self.quantile([(1 - level) / 2, (1 + level) / 2])
        return (float(low), float(high))

    def as_data(self) -> dict:
        """As a scenario file writes it."""
        return {self.kind: list(self.params)}


def nominal(value) -> float:
    """A field's single value for display: the number, or its distribution's median."""
    return value.median if isinstance(value, Distribution) else value


def span(value) -> tuple[float, float]:
    """The lowest and highest value a field can take in any world."""
    return value.support if isinstance(value, Distribution) else (value, value)


# --------------------------------------------------------------------------- reading


def _numbers(kind: str, params: Any, read) -> tuple[float, ...]:
    n = KINDS[kind]
    if not isinstance(params, (list, tuple)) or len(params) != n:
        raise fail(f".{kind} needs a list of {n} numbers, got {describe(params)}")
    try:
        return tuple(read(v) for v in params)
    except PydanticCustomError as error:
        raise fail(f".{kind} {error.context['text']}") from None


def _rising(kind: str, numbers: tuple[float, ...], shown) -> None:
    if list(numbers) != sorted(numbers) or numbers[0] == numbers[-1]:
        raise fail(f".{kind} = [{', '.join(shown)}] must rise from low to high")


def to_uncertain(value: Any, low: float, high: float) -> float | Distribution:
    """Read a number in [low, high], or one distribution whose values all lie there."""
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, dict):
        return check_number(value, low, high)
    if len(value) != 1:
        raise fail(f"must be a number in [{low}, {high}] or one distribution, one of: "
                   + ", ".join(KINDS))
    kind, params = next(iter(value.items()))
    if kind not in KINDS:
        raise fail(unknown(f"distribution '{kind}' in {{path}}", kind, KINDS))
    if kind == "beta":
        if (low, high) != (0.0, 1.0):
            raise fail(f".beta is only for fields in [0, 1]; this one is in [{low}, {high}]: "
                       "use uniform, triangular, normal or lognormal")
        return Distribution(kind, _numbers(kind, params, lambda v: check_number(v, 1e-6)),
                            low, high)
    if kind in ("uniform", "triangular"):
        numbers = _numbers(kind, params, lambda v: check_number(v, low, high))
        _rising(kind, numbers, [f"{n:g}" for n in numbers])
        return Distribution(kind, numbers, low, high)
    centre, scale = _numbers(kind, params, check_number)
    if kind == "lognormal" and (low < 0 or centre <= 0):
        raise fail(".lognormal needs a median above 0 in a field whose range starts at 0 or "
                   f"above; this one is in [{low}, {high}]")
    if not low <= centre <= high:
        raise fail(f".{kind} centre {centre} is outside the allowed range [{low}, {high}]")
    if scale <= 0:
        raise fail(f".{kind} spread must be above 0, got {scale}")
    return Distribution(kind, (centre, scale), low, high)


def to_uncertain_date(value: Any) -> float | Distribution:
    """Read a date, or {uniform: [from, to]} or {triangular: [from, mode, to]} of dates."""
    if isinstance(value, Distribution):
        return value
    if not isinstance(value, dict):
        return to_decimal_year(value)
    kind, params = next(iter(value.items())) if len(value) == 1 else (None, None)
    if kind not in DATE_KINDS:
        raise fail("must be a date, or {uniform: [from, to]} or {triangular: [from, mode, to]} "
                   "of dates")
    numbers = _numbers(kind, params, to_decimal_year)
    _rising(kind, numbers, [str(p) for p in params])
    return Distribution(kind, numbers, numbers[0], numbers[-1])


def _schema(low: float, high: float) -> dict:
    number = range_schema(low, high)
    kinds = [k for k in KINDS if k != "beta" or (low, high) == (0.0, 1.0)]
    return {"description": "a number, or a distribution each world draws from: "
                           + ", ".join(kinds),
            "anyOf": [number, _one_of(kinds, {"type": "number"})]}


def _one_of(kinds, items: dict) -> dict:
    """A mapping with exactly one of the distributions `kinds` and its parameters."""
    return {"title": "distribution", "type": "object", "additionalProperties": False,
            "minProperties": 1, "maxProperties": 1,
            "properties": {k: {"type": "array", "items": items, "minItems": KINDS[k],
                               "maxItems": KINDS[k]} for k in kinds}}


def uncertain(low: float = -math.inf, high: float = math.inf):
    """A number in [low, high], or a distribution over that range."""
    return Annotated[Any, PlainValidator(lambda v: to_uncertain(v, low, high)),
                     WithJsonSchema(_schema(low, high))]


DATE_OR_SPAN_SCHEMA = {
    "description": "a date, or a distribution of dates each world draws from: "
                   "{uniform: [from, to]} or {triangular: [from, mode, to]}",
    "anyOf": [DATE_SCHEMA, _one_of(DATE_KINDS, DATE_SCHEMA)]}

UncertainDate = Annotated[Any, PlainValidator(to_uncertain_date),
                          WithJsonSchema(DATE_OR_SPAN_SCHEMA)]


# --------------------------------------------------------------------------- drawing


def uncertain_fields(world) -> dict[str, Distribution]:
    """Path (as on the command line, without `scenario.`) -> distribution, for every field
    of the world given as a distribution, in the scenario's order."""
    return values_of_type(world, Distribution)


def draw(world, streams, n: int) -> dict[str, np.ndarray]:
    """Each uncertain field's (n,) values, each from its own stream `param:<path>`."""
    return {path: dist.quantile(streams(PARAM.of(path=path)).random(n))
            for path, dist in uncertain_fields(world).items()}


def _substitute(node, path: tuple, values: dict):
    if isinstance(node, Distribution):
        return values[".".join(path)]
    prefix = ".".join(path)
    if not any(key == prefix or key.startswith(prefix + ".") or not prefix for key in values):
        return node
    if isinstance(node, BaseModel):
        update = {}
        for name in type(node).model_fields:
            child = getattr(node, name)
            new = _substitute(child, (*path, name), values)
            if new is not child:
                update[name] = new
        return node.model_copy(update=update) if update else node
    if isinstance(node, dict):
        return {key: _substitute(value, (*path, str(key)), values) for key, value in node.items()}
    return node


def realise(world, streams, n: int):
    """(the world as the engine sees it, the draws): each uncertain field replaced by its
    (n,) values drawn for this block. A world without distributions is returned as it is."""
    values = draw(world, streams, n)
    if not values:
        return world, values
    return _substitute(world, (), values), values
