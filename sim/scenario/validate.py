"""Validating a composed scenario into a World, with one message for the first problem found.

The schema (sim/scenario/schema.py) checks each value where it stands; this module turns the
first failure into one line that names the field and what is allowed there (with a
did-you-mean for a misspelt key), then has sim/scenario/references.py check what no single
field can.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.engine.processes.offices import unnamed_id, unnamed_successor
from sim.errors import ScenarioError
from sim.scenario.fields import describe, unknown
from sim.scenario.references import check_references
from sim.scenario.schema import INJECTED, NOTE_KEYS, World


def parse_world(data: Any, name: str) -> World:
    """Validate a composed scenario mapping and return the World it describes.

    Raises:
        ScenarioError: naming the first problem found and what is allowed instead.
    """
    if not isinstance(data, dict):
        raise ScenarioError(f"the scenario must be a mapping, got {describe(data)}")
    try:
        world = World.model_validate(data)
    except ValidationError as error:
        raise ScenarioError(message(error)) from None
    check_references(world)
    for nation in world.members:
        pid = unnamed_id(nation)
        if pid in world.persons:
            raise ScenarioError(f"persons.{pid}: the id is kept for the unnamed successor of "
                                f"{nation}; give the person another id")
        world.persons[pid] = unnamed_successor(nation, world.start, world.horizon)
    world._name = name
    return world


# --------------------------------------------------------------------------- messages


def path_of(loc: tuple) -> str:
    """('persons', 'mao', 'traits', 'x') -> 'persons.mao.traits.x'; list indices as [i]."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def model_at(loc: tuple) -> type[BaseModel] | None:
    """The schema model that holds the field at `loc` (None where it is not a model)."""
    node: Any = World
    for part in loc:
        model = _unwrap(node)
        if isinstance(model, type) and issubclass(model, BaseModel):
            field = _field(model, part)
            if field is None:
                return None
            node = field.annotation
        elif get_origin(model) in (dict, list):
            node = get_args(model)[-1]
        else:
            return None
    model = _unwrap(node)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation):
    """The type inside Optional[...] or Annotated[...]."""
    while True:
        args = [a for a in get_args(annotation) if a is not type(None)]
        origin = get_origin(annotation)
        if origin is None or origin in (dict, list, tuple) or not args:
            return annotation
        if str(origin).endswith("Literal"):
            return annotation
        annotation = args[0]


def _field(model: type[BaseModel], key):
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()
            if name not in NOTE_KEYS + INJECTED and not name.startswith("_")]


def message(error: ValidationError) -> str:
    """One line for the first error pydantic found; an unknown key first, since a misspelt
    key is also the cause of the key it should have been being missing."""
    errors = error.errors(include_url=False)
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc, kind, ctx = tuple(first["loc"]), first["type"], first.get("ctx") or {}
    if loc and loc[-1] == "[key]":      # a dict key of a fixed vocabulary (option traits)
        loc = loc[:-1]
    path, parent = path_of(loc), path_of(loc[:-1])
    where = parent or "the scenario"
    if kind == "scenario":
        text = ctx["text"]
        if "{path}" in text:
            return text.replace("{path}", path)
        return f"{path}{text}" if text.startswith(".") else f"{path} {text}"
    if kind == "missing":
        hint = (" (copy it from scenarios/template.yaml: the baseline's values)"
                if loc == ("forces",) else "")
        return f"{where} is missing the key '{loc[-1]}'{hint}"
    if kind == "extra_forbidden":
        model = model_at(loc[:-1])
        allowed = allowed_keys(model) if model else []
        return unknown(f"key '{loc[-1]}' in {where}", loc[-1], allowed)
    if kind == "literal_error":
        options = [o.strip(" '") for o in ctx.get("expected", "").replace(" or ", ", ")
                   .split(",")]
        if first["loc"][-1] == "[key]":
            return unknown(f"key '{loc[-1]}' in {where}", loc[-1], options)
        return unknown(f"{loc[-1]} {first['input']!r} in {where}", first["input"], options)
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{path or 'the scenario'} must be a mapping, got {describe(first['input'])}"
    if kind in ("list_type", "tuple_type"):
        return f"{path} must be a list, got {describe(first['input'])}"
    if kind in ("too_short", "too_long"):
        return f"{path} must be a pair [low, high], got {describe(first['input'])}"
    if kind == "string_type":
        return f"{path} must be a text, got {describe(first['input'])}"
    return f"{path}: {first['msg']}"
