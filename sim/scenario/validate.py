"""Validating a composed scenario into a World, with one message for the first problem found.

The schema (sim/scenario/schema.py) checks each value where it stands; this module turns the
first failure into one line that names the field and what is allowed there (with a
did-you-mean for a misspelt key), then checks what no single field can: that ids refer to
nations and persons that exist, that each nation plays a role the alliance gives it, and that
dates fall within the simulated period.
"""

from __future__ import annotations

from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from sim.calendar import iso_date
from sim.errors import ScenarioError
from sim.scenario.fields import describe, unknown
from sim.scenario.schema import INJECTED, NOTE_KEYS, Nation, World

ALLY_KEYS = ("name", "capability", "line", "sovereignty_sensitivity", "recognition", "office",
             "holder")
THIRD_POWER_KEYS = ("name", "threat_to", "openness_to", "threat_scale", "openness_scale")
REQUIRED = {"ally": ALLY_KEYS, "third power": ("name", "threat_to", "openness_to"),
            "bystander": ("name",)}
ALLOWED = {"ally": ALLY_KEYS, "third power": THIRD_POWER_KEYS, "bystander": ("name",)}


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
        return text.replace("{path}", path) if "{path}" in text else f"{path} {text}"
    if kind == "missing":
        return f"{where} is missing the key '{loc[-1]}'"
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


# --------------------------------------------------------------------------- references


def check_references(world: World) -> None:
    """Check what no single field can: ids, roles and dates against the rest of the world."""
    members, third, nations = world.alliance.members, world.alliance.third_power, world.nations
    if len(members) != 2 or members[0] == members[1]:
        raise ScenarioError("alliance.members must list exactly two different nation ids")
    for nid in [*members, third]:
        if nid not in nations:
            raise ScenarioError(unknown(f"nation '{nid}' in alliance", nid, nations))
    if third in members:
        raise ScenarioError("alliance.third_power must not be one of the members")
    if world.horizon <= world.start:
        raise ScenarioError("period.horizon must come after period.start")
    for pid, person in world.persons.items():
        if person.nation not in nations:
            raise ScenarioError(unknown(f"nation '{person.nation}' in persons.{pid}",
                                        person.nation, nations))
    for nid, nation in nations.items():
        role = "ally" if nid in members else "third power" if nid == third else "bystander"
        _check_role(nation, role, world)
    for i, year in enumerate(world.milestones):
        if not world.start <= year <= world.horizon:
            raise ScenarioError(f"history.milestones[{i}] = {year} is outside the allowed range "
                                f"[{world.start}, {world.horizon}]")
    for juncture in world.juncture_list:
        _check_juncture(juncture, world)


def _check_role(nation: Nation, role: str, world: World) -> None:
    path = f"nations.{nation.id}"
    given = nation.model_fields_set - set(NOTE_KEYS) - set(INJECTED)
    for key in given:
        if key not in ALLOWED[role]:
            raise ScenarioError(unknown(f"key '{key}' in {path} (a {role})", key,
                                        ALLOWED[role]))
    for key in REQUIRED[role]:
        if key not in given:
            raise ScenarioError(f"{path} is missing the key '{key}'")
    if role == "ally":
        holder = world.persons.get(nation.holder)
        if holder is None or holder.nation != nation.id:
            mine = [pid for pid, p in world.persons.items() if p.nation == nation.id]
            raise ScenarioError(unknown(f"holder '{nation.holder}' in {path}", nation.holder,
                                        mine))
    if role == "third power":
        for key in ("threat_to", "openness_to"):
            _check_nation_keys(getattr(nation, key), f"{path}.{key}", world, every=True)


def _check_nation_keys(block: dict, path: str, world: World, every: bool = False) -> None:
    members = world.alliance.members
    for key in block:
        if key not in members:
            raise ScenarioError(unknown(f"key '{key}' in {path}", key, members))
    for key in members if every else ():
        if key not in block:
            raise ScenarioError(f"{path} is missing the key '{key}'")


def _check_juncture(juncture, world: World) -> None:
    path = f"junctures.{juncture.id}"
    if not world.start <= juncture.date < world.horizon:
        raise ScenarioError(f"{path}.date = {iso_date(juncture.date)} is outside the simulated "
                            f"period; allowed: dates from {iso_date(world.start)} up to "
                            f"{iso_date(world.horizon)}")
    members = world.alliance.members
    if juncture.actor not in members:
        raise ScenarioError(unknown(f"actor '{juncture.actor}' in {path}", juncture.actor,
                                    members))
    if sum(o.weight for o in juncture.option_list) <= 0:
        raise ScenarioError(f"{path} needs at least one option with a weight above 0")
    for option in juncture.option_list:
        where = f"{path}.options.{option.id}.effects"
        for name, value in option.effects.chosen():
            if isinstance(value, dict):
                _check_nation_keys(value, f"{where}.{name}", world)
            elif isinstance(value, list):
                for nid in value:
                    if nid not in members:
                        raise ScenarioError(f"{where}.{name} must list nation ids among: "
                                            f"{', '.join(members)}")
        for nid, pid in option.effects.leader.items():
            person = world.persons.get(pid)
            if person is None or person.nation != nid:
                mine = [q for q, p in world.persons.items() if p.nation == nid]
                raise ScenarioError(unknown(f"person '{pid}' in {where}.leader.{nid}", pid,
                                            mine))
