"""What no single field of a scenario can check: ids, roles and dates against the whole world.

Every id a scenario uses must name a nation, person, juncture or option that exists, in the role
the alliance gives it; conditions may look back only at junctures dated earlier; dated things
fall within the simulated period. Each problem is refused in one line naming the field.
"""

from __future__ import annotations

from sim.calendar import iso_date
from sim.engine.schedule import EFFECTS
from sim.errors import ScenarioError
from sim.scenario.evidence import check_evidence
from sim.scenario.fields import Series, unknown, values_of_type
from sim.scenario.schema import INJECTED, NOTE_KEYS, Conditions, Nation, World
from sim.scenario.uncertain import span

ROLE_KEYS = {
    "ally": {"required": ("name", "capability", "line", "sovereignty_sensitivity",
                          "recognition", "office", "holder"),
             "optional": ("status_aspiration", "real_power", "deference", "deference_to",
                          "coerced", "threat_to_partner")},
    "outside power": {"required": ("name", "threat_to", "openness_to"),
                      "optional": ("aid_to", "leverage_over", "detente_with", "backing",
                                   "capability", "threat_scale", "openness_scale")},
    "bystander": {"required": ("name",), "optional": ()},
}


def check_references(world: World) -> None:
    """Raise ScenarioError for the first reference that does not hold."""
    _check_alliance(world)
    nations = world.nations
    if world.horizon <= world.start:
        raise ScenarioError("period.horizon must come after period.start")
    for pid, person in world.persons.items():
        if person.nation not in nations:
            raise ScenarioError(unknown(f"nation '{person.nation}' in persons.{pid}",
                                        person.nation, nations))
    for nid, nation in nations.items():
        role = ("ally" if nid in world.members else "outside power"
                if nid in world.outside_powers else "bystander")
        _check_role(nation, role, world)
    for i, year in enumerate(world.milestones):
        if not world.start <= year <= world.horizon:
            raise ScenarioError(f"history.milestones[{i}] = {year} is outside the allowed range "
                                f"[{world.start}, {world.horizon}]")
    for juncture in world.juncture_list:
        _check_juncture(juncture, world)
    for challenge in world.challenges.values():
        _check_challenge(challenge, world)
    for path, series in values_of_type(world, Series).items():
        if series.years[0] > world.horizon:   # a plain number is stored at year 0
            raise ScenarioError(f"{path} is dated from {iso_date(series.years[0])}, after the "
                                f"horizon ({iso_date(world.horizon)}): a series needs a date "
                                f"within the period or before it, or it holds its first value "
                                f"throughout")
    check_evidence(world)


def _check_alliance(world: World) -> None:
    alliance, nations = world.alliance, world.nations
    members = alliance.members
    if len(members) != 2 or members[0] == members[1]:
        raise ScenarioError("alliance.members must list exactly two different nation ids")
    if (alliance.outside_powers is None) == (alliance.third_power is None):
        raise ScenarioError("alliance needs outside_powers (a list of nation ids) or, in the "
                            "older form, third_power (one nation id), not both")
    key = "outside_powers" if alliance.outside_powers is not None else "third_power"
    powers = world.outside_powers
    if not powers or len(set(powers)) != len(powers):
        raise ScenarioError(f"alliance.{key} must name at least one outside power, each once")
    for nid in [*members, *powers]:
        if nid not in nations:
            raise ScenarioError(unknown(f"nation '{nid}' in alliance", nid, nations))
    if set(powers) & set(members):
        raise ScenarioError(f"alliance.{key} must not name one of the members")


def _check_role(nation: Nation, role: str, world: World) -> None:
    path = f"nations.{nation.id}"
    keys = ROLE_KEYS[role]
    given = nation.model_fields_set - set(NOTE_KEYS) - set(INJECTED)
    allowed = keys["required"] + keys["optional"]
    outside = ROLE_KEYS["outside power"]["required"] + ROLE_KEYS["outside power"]["optional"]
    for key in given:
        if role == "bystander" and key not in allowed and key in outside:
            raise ScenarioError(f"{path} is neither an ally nor an outside power, so it takes "
                                f"only a name; to give it '{key}', name it in "
                                "alliance.outside_powers (a file with third_power lists that "
                                "power there too, in its place)")
        if key not in allowed:
            raise ScenarioError(unknown(f"key '{key}' in {path} (an {role})"
                                        if role[0] in "ao" else f"key '{key}' in {path} (a "
                                        f"{role})", key, allowed))
    for key in keys["required"]:
        if key not in given:
            raise ScenarioError(f"{path} is missing the key '{key}'")
    if role == "ally":
        _check_person(nation.holder, nation.id, f"holder '{nation.holder}' in {path}", world)
        for i, entry in enumerate(nation.real_power):
            _check_person(entry.person, nation.id,
                          f"person '{entry.person}' in {path}.real_power[{i}]", world)
        if nation.deference_to is not None:
            partner = next(m for m in world.members if m != nation.id)
            _check_person(nation.deference_to, partner,
                          f"person '{nation.deference_to}' in {path}.deference_to", world)
    if role == "outside power":
        for key in ("threat_to", "openness_to"):
            _check_nation_keys(getattr(nation, key), f"{path}.{key}", world, every=True)
        _check_nation_keys(nation.aid_to, f"{path}.aid_to", world)
        _check_nation_keys(nation.detente_with, f"{path}.detente_with", world)
        _check_nation_keys(nation.backing, f"{path}.backing", world)
        if nation.id in nation.leverage_over:
            raise ScenarioError(f"{path}.leverage_over names {nation.id} itself: it holds back "
                                f"other outside powers' threats (its own is threat_to)")
        others = [p for p in world.outside_powers if p != nation.id]
        if nation.leverage_over and not others:
            raise ScenarioError(f"{path}.leverage_over needs another outside power to hold "
                                f"back, but the alliance names only {nation.id}")
        _check_nation_keys(nation.leverage_over, f"{path}.leverage_over", world,
                           allowed=others)
        for power, block in nation.leverage_over.items():
            _check_nation_keys(block, f"{path}.leverage_over.{power}", world)


def _check_person(pid: str, nation: str, what: str, world: World) -> None:
    person = world.persons.get(pid)
    if person is None or person.nation != nation:
        mine = [q for q, p in world.persons.items() if p.nation == nation]
        raise ScenarioError(unknown(what, pid, mine))


def _check_nation_keys(block: dict, path: str, world: World, every: bool = False,
                       allowed=None) -> None:
    allowed = world.members if allowed is None else allowed
    for key in block:
        if key not in allowed:
            raise ScenarioError(unknown(f"key '{key}' in {path}", key, allowed))
    for key in allowed if every else ():
        if key not in block:
            raise ScenarioError(f"{path} is missing the key '{key}'")


def _shown_date(date) -> str:
    first, last = span(date)
    return iso_date(first) if first == last else f"{iso_date(first)} to {iso_date(last)}"


def _check_dated(date, path: str, world: World) -> None:
    first, last = span(date)   # a date, or the range of a date drawn in each world
    if not world.start <= first <= last < world.horizon:
        raise ScenarioError(f"{path}.date = {_shown_date(date)} is outside the simulated "
                            f"period; allowed: dates from {iso_date(world.start)} up to "
                            f"{iso_date(world.horizon)}")


def _check_juncture(juncture, world: World) -> None:
    path = f"junctures.{juncture.id}"
    _check_dated(juncture.date, path, world)
    members = world.members
    if juncture.actor not in members:
        raise ScenarioError(unknown(f"actor '{juncture.actor}' in {path}", juncture.actor,
                                    members))
    if sum(span(o.weight)[1] for o in juncture.option_list) <= 0:
        raise ScenarioError(f"{path} needs at least one option with a weight above 0")
    marked = [o.id for o in juncture.option_list if o.historical]
    if len(marked) > 1:
        raise ScenarioError(f"{path}: only one option can be the one history took; marked: "
                            f"{', '.join(marked)}")
    _check_conditions(juncture, path, world)
    for option in juncture.option_list:
        where = f"{path}.options.{option.id}"
        _check_conditions(option, where, world, juncture.date)
        _check_effects(option.effects, f"{where}.effects", world)


def _check_effects(effects, where: str, world: World) -> None:
    members = world.members
    for name, value in effects.chosen():
        kind, path = EFFECTS[name].kind, f"{where}.{name}"
        if kind in ("per_nation", "leaders", "alignments", "per_nation_series"):
            _check_nation_keys(value, path, world)
            if kind == "alignments":   # each ally turns to an outside power
                for nid, power in value.items():
                    if power not in world.outside_powers:
                        raise ScenarioError(unknown(f"outside power '{power}' in {path}.{nid}",
                                                    power, world.outside_powers))
        elif kind in ("per_power", "per_power_series"):
            _check_nation_keys(value, path, world, allowed=world.outside_powers)
            for power, block in value.items():
                _check_nation_keys(block, f"{path}.{power}", world)
        elif kind == "nations" and any(nid not in members for nid in value):
            raise ScenarioError(f"{path} must list nation ids among: {', '.join(members)}")
        elif kind == "persons":
            for pid in value:
                if pid not in world.persons:
                    raise ScenarioError(unknown(f"person '{pid}' in {path}", pid,
                                                world.persons))
    for nid, pid in effects.leader.items():
        _check_person(pid, nid, f"person '{pid}' in {where}.leader.{nid}", world)
    for nid, path in effects.capability_path.items():
        if min(path.values) <= 0:
            raise ScenarioError(f"{where}.capability_path.{nid} must be above 0 at every date "
                                "(it divides, as nations' capability does)")
    for nid in effects.coercion:
        if world.nations[nid].coerced is None:
            raise ScenarioError(f"{where}.coercion.{nid}: {nid} has no coerced series to shift; "
                                f"give nations.{nid}.coerced (0 where it was not coerced)")
    if effects.border and not world.alliance.border:
        raise ScenarioError(f"{where}.border: the allies share no border (alliance.border is "
                            "false); remove the effect")


def _check_conditions(owner, path: str, world: World, before: float | None = None) -> None:
    """A condition may name only junctures dated before the one it guards, their options,
    allies and their persons."""
    before = span(owner.date if before is None else before)[0]
    for key in ("requires", "excludes"):
        conditions: Conditions | None = getattr(owner, key)
        if conditions is None:
            continue
        where = f"{path}.{key}"
        for jid, options in conditions.choices.items():
            juncture = world.junctures.get(jid)
            if juncture is None:
                raise ScenarioError(unknown(f"juncture '{jid}' in {where}.choices", jid,
                                            world.junctures))
            if span(juncture.date)[1] >= before:
                raise ScenarioError(f"{where}.choices.{jid}: that juncture is dated "
                                    f"{_shown_date(juncture.date)}, not before "
                                    f"{iso_date(before)}; a condition can only look back")
            for oid in [options] if isinstance(options, str) else options:
                if oid not in juncture.options:
                    raise ScenarioError(unknown(f"option '{oid}' in {where}.choices.{jid}",
                                                oid, juncture.options))
        for nid, persons in conditions.holders.items():
            if nid not in world.members:
                raise ScenarioError(unknown(f"key '{nid}' in {where}.holders", nid,
                                            world.members))
            for pid in [persons] if isinstance(persons, str) else persons:
                _check_person(pid, nid, f"person '{pid}' in {where}.holders.{nid}", world)


def _check_challenge(challenge, world: World) -> None:
    path = f"challenges.{challenge.id}"
    _check_dated(challenge.date, path, world)
    if challenge.nation not in world.members:
        raise ScenarioError(unknown(f"nation '{challenge.nation}' in {path}", challenge.nation,
                                    world.members))
    for pid in challenge.challengers:
        _check_person(pid, challenge.nation, f"person '{pid}' in {path}.challengers", world)
    _check_conditions(challenge, path, world)
