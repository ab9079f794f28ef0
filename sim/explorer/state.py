"""What the explorer's user has set, and what follows from it without running anything: the
scenario's overrides, the equivalent command and the scenario file that holds the settings.

An ExplorerState is frozen and hashable (results are cached by it). It holds the scenario and
the user's settings as they are made: a value per field path (a trait, a juncture's date, the
outside power's scales) and a choice per juncture (an option forced or forbidden). `changes()`
turns them into the overrides of the scenario, dropping any that equal the scenario's own
value, so that the command and the saved file hold only what differs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from omegaconf import OmegaConf

from sim.engine.processes.offices import unnamed_id
from sim.engine.specs import TRAITS
from sim.errors import ScenarioError
from sim.explorer import engine
from sim.scenario.actors import Nation
from sim.settings import RunSettings

FORCE, FORBID = "force", "forbid"
RUNS = (2000, 5000, 10000)
"""Worlds a run may have on the page; the first figures come within about a second at 5,000."""
NAME = re.compile(r"[a-z][a-z0-9_]*")
SEED = RunSettings.defaults().seed


@dataclass(frozen=True)
class ExplorerState:
    """The page's settings.

    Attributes:
        scenario: the scenario file the settings start from.
        values: (path below `scenario.`, value) set directly, sorted by path.
        choices: (juncture id, FORCE or FORBID, option id), sorted.
        runs, seed: as `runs=` and `seed=` of run.py.
    """

    scenario: str = engine.BASELINE
    values: tuple[tuple[str, object], ...] = ()
    choices: tuple[tuple[str, str, str], ...] = ()
    runs: int = 5000
    seed: int = SEED

    # ----------------------------------------------------------------- reading

    def own(self, path: str):
        """The scenario file's own value at `path` (plain data); for an outside power's scale
        the file does not give, the schema's default (1), which is what its runs use."""
        value = OmegaConf.select(engine.base_scenario(self.scenario), path)
        field = path.rsplit(".", 1)[-1]
        if value is None and field in SCALES:
            return Nation.model_fields[field].default
        return OmegaConf.to_container(value) if OmegaConf.is_config(value) else value

    def value(self, path: str):
        """The value in force at `path`: the user's if set, else the scenario's own."""
        return dict(self.values).get(path, self.own(path))

    def choice(self, juncture: str) -> tuple[str, str] | None:
        """(FORCE or FORBID, option id) set at a juncture, or None."""
        for jid, mode, option in self.choices:
            if jid == juncture:
                return mode, option
        return None

    def changes(self) -> tuple[tuple[str, object], ...]:
        """The overrides of the scenario that the settings amount to, sorted by path; a value
        equal to the scenario's own is left out."""
        wanted = dict(self.values)
        for jid, mode, option in self.choices:
            options = self.own(f"junctures.{jid}.options")
            if mode == FORBID:
                wanted[f"junctures.{jid}.options.{option}.weight"] = 0
                continue
            for other, spec in options.items():   # force: every other option gets weight 0
                path = f"junctures.{jid}.options.{other}.weight"
                if other != option:
                    wanted[path] = 0
                elif not spec["weight"]:
                    wanted[path] = 1                # an option the file switched off
        return tuple(sorted((p, v) for p, v in wanted.items() if not _same(v, self.own(p))))

    # ----------------------------------------------------------------- changing

    def set(self, path: str, value) -> ExplorerState:
        """These settings with `path` set to `value` (back to the file's when equal to it)."""
        rest = tuple((p, v) for p, v in self.values if p != path)
        if not _same(value, self.own(path)):
            rest = tuple(sorted((*rest, (path, value)), key=lambda pv: pv[0]))
        return replace(self, values=rest)

    def unset(self, path: str) -> ExplorerState:
        return replace(self, values=tuple((p, v) for p, v in self.values if p != path))

    def choose(self, juncture: str, mode: str | None, option: str | None = None) -> ExplorerState:
        """Force or forbid `option` at `juncture`; mode None leaves it to the holder again."""
        rest = tuple(c for c in self.choices if c[0] != juncture)
        if mode is not None:
            if mode not in (FORCE, FORBID):
                raise ValueError(f"mode must be {FORCE!r}, {FORBID!r} or None, got {mode!r}")
            rest = tuple(sorted((*rest, (juncture, mode, option))))
        return replace(self, choices=rest)

    def with_scenario(self, name: str) -> ExplorerState:
        """Start again from another scenario file (the settings are dropped)."""
        return replace(self, scenario=name, values=(), choices=())

    def reset(self) -> ExplorerState:
        return self.with_scenario(self.scenario)


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return str(a) == str(b) if isinstance(b, str) or isinstance(a, str) else a == b


def _word(value) -> str:
    """A value as a Hydra override's value."""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, default_flow_style=True).strip().replace(" ", "")
    return str(value)


def overrides_of(state: ExplorerState) -> list[str]:
    """The settings as `scenario.PATH=VALUE` overrides, `+scenario.PATH=VALUE` for a field
    the file does not write (as run.py asks)."""
    return [f"{'' if engine.writes(state.scenario, p) else '+'}scenario.{p}={_word(v)}"
            for p, v in state.changes()]


def command_of(state: ExplorerState) -> str:
    """The `python run.py ...` command that runs what the page shows."""
    words = ["python", "run.py"]
    if state.scenario != engine.BASELINE:
        words.append(f"scenario={state.scenario}")
    words.append(f"runs={state.runs}")
    if state.seed != SEED:
        words.append(f"seed={state.seed}")
    return " ".join(words + overrides_of(state))


# --------------------------------------------------------------------------- controls


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    nation: str


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    weight: float


@dataclass(frozen=True)
class Juncture:
    id: str
    title: str
    date: str
    actor: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Catalogue:
    """What can be set in a scenario: its persons (traits), junctures (date, options) and
    the outside powers (their threat and openness scales), as (id, name) pairs."""

    title: str
    persons: tuple[Person, ...]
    junctures: tuple[Juncture, ...]
    outside: tuple[tuple[str, str], ...]
    traits: tuple[str, ...] = TRAITS

    def juncture(self, jid: str) -> Juncture:
        return next(j for j in self.junctures if j.id == jid)


def catalogue(scenario: str) -> Catalogue:
    """The controls of a scenario file, from its validated World."""
    from sim.calendar import iso_date

    world = engine.world_of(scenario)
    members = set(world.members)
    persons = tuple(Person(p.id, p.name, world.nations[p.nation].name)
                    for p in world.persons.values()
                    if p.nation in members and p.id != unnamed_id(p.nation))
    junctures = tuple(
        Juncture(j.id, j.title, iso_date(j.date), j.actor,
                 tuple(Option(o.id, o.text, o.weight) for o in j.option_list))
        for j in world.juncture_list)
    outside = tuple((nid, world.nations[nid].name) for nid in world.outside_powers)
    return Catalogue(world.title, persons, junctures, outside)


def trait_path(person: str, trait: str) -> str:
    return f"persons.{person}.traits.{trait}"


def date_path(juncture: str) -> str:
    return f"junctures.{juncture}.date"


SCALES = ("threat_scale", "openness_scale")
"""The outside powers' scales the page can switch off (fields of an outside power's nation)."""


def scale_path(nation: str, what: str) -> str:
    """`what` is 'threat' or 'openness'."""
    return f"nations.{nation}.{what}_scale"


# --------------------------------------------------------------------------- the file


def scenario_file_of(state: ExplorerState, name: str, title: str, divergence: str,
                     claim: str) -> str:
    """A scenario file holding only what differs from `state.scenario`, with a header like the
    repository's counterfactuals (title, divergence, claim, the command that runs it)."""
    tree: dict = {}
    for path, value in state.changes():
        *parents, leaf = path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    lines = [f"# {title}", "#", f"# Point of divergence: {divergence}",
             f"# Claim tested: {claim}", "#", f"#   python run.py scenario={name}", "#",
             f"# Saved by the explorer (python -m sim.explorer) from `{state.scenario}`, with "
             "these changes", "# (each: the file's value -> this file's):"]
    for path, value in state.changes():
        lines.append(f"#   {path}: {_word(state.own(path))} -> {_word(value)}")
    if not state.changes():
        lines.append("#   none")
    lines += ["# Before relying on it, give each value its source, or \"judgement\" with the "
              "reason,", "# in a comment beside it (docs/WRITING_SCENARIOS.md).", ""]
    body = {"defaults": [state.scenario, "_self_"], "title": title, "divergence": divergence,
            "claim": claim, **tree}
    return "\n".join(lines) + "\n" + yaml.safe_dump(body, sort_keys=False, allow_unicode=True,
                                                    width=96)


def save_scenario(state: ExplorerState, folder: Path, name: str, title: str, divergence: str,
                  claim: str) -> Path:
    """Write `folder/NAME.yaml` (a new file only); return its path.

    Raises:
        ScenarioError: for a bad or taken name, or an empty title, divergence or claim.
    """
    if not NAME.fullmatch(name or ""):
        raise ScenarioError(f"name {name!r}: use lower-case letters, digits and _, starting "
                            "with a letter (it becomes scenario=NAME)")
    for what, text in (("title", title), ("divergence", divergence), ("claim", claim)):
        if not (text or "").strip():
            raise ScenarioError(f"give the scenario a {what}")
    path = folder / f"{name}.yaml"
    if path.exists():
        raise ScenarioError(f"{path} already exists; choose another name")
    path.write_text(scenario_file_of(state, name, title.strip(), divergence.strip(),
                                     claim.strip()), encoding="utf-8")
    engine.forget()
    return path
