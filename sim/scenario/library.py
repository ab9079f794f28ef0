"""The scenario library: the files of `scenarios/` as a Hydra config group, and loading one.

`scenario=NAME` picks `scenarios/NAME.yaml`.

Each file is registered in Hydra's ConfigStore under the group `scenario`; every field stays
overridable and sweepable from the command line, and a counterfactual can start from another
scenario with a Hydra defaults list. A scenario file is inert data, whoever wrote it:

- it is read with OmegaConf's safe YAML loader (no Python tags);
- at its top level it may set only fields of the scenario schema, and `defaults`;
- its `defaults` may name only other scenario files (`baseline`) and `_self_`: no config
  groups, no package overrides (`/scenario@_global_: x`), no `override` or `optional`;
- no key anywhere may be a Hydra or OmegaConf key (`_target_`, `_args_`, `_partial_`, ...);
- no `${...}` interpolation or resolver anywhere, in keys or values (not even one naming
  another field of the same scenario: a value is written out where it is meant);
- no `# @package` directive;
- the whole chain its defaults reach must be as clean, and must not loop.

A file that breaks a rule is registered as a marker holding the reason, so that only runs that
select it (or start from it) fail, in one line naming the file and the key. A file whose name
is not a plain name (ASCII letters, digits, `_`, `-`: the names the command line can spell) is
not registered at all and is refused by name when selected.
"""

from __future__ import annotations

import copy
import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from sim.engine.schedule import PARAMETERS
from sim.errors import ScenarioError
from sim.scenario.schema import INJECTED, World
from sim.scenario.validate import parse_world

MALFORMED = "_malformed_"
"""Key stored in place of a file that was refused, holding its name (the reason is kept in
this module: a reason may quote text OmegaConf would read as an interpolation)."""

SELF = "_self_"
OWN_WORDS = ("title", "divergence", "claim")
"""The fields a counterfactual must give itself rather than inherit from its world."""
NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
"""What a scenario's name (its file's name without .yaml) may be."""



class ScenarioLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """YAML as OmegaConf reads it (so that a file means here what it means to Hydra, which
    composes it later): safe types only, `1e6` a number, dates left as text, a repeated key
    refused; but parsed by libyaml's C parser where it is installed, about eight times faster
    than OmegaConf's pure-Python loader for the same files (tests/test_scenarios_compose.py
    checks both read every scenario alike)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if key_node.tag == yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG:
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"found duplicate key {key_node.value}", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


ScenarioLoader.add_implicit_resolver(   # OmegaConf's float pattern: 1e6 is a number too
    "tag:yaml.org,2002:float",
    re.compile(r"""^(?:[-+]?[0-9]+(?:_[0-9]+)*\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                   |[-+]?[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+)
                   |\.[0-9]+(?:_[0-9]+)*(?:[eE][-+][0-9]+)?
                   |[-+]?[0-9]+(?:_[0-9]+)*(?::[0-5]?[0-9])+\.[0-9_]*
                   |[-+]?\.(?:inf|Inf|INF)
                   |\.(?:nan|NaN|NAN))$""", re.X),
    list("-+0123456789."))
ScenarioLoader.yaml_implicit_resolvers = {   # no timestamps: a date stays the text written
    first: [(tag, pattern) for tag, pattern in resolvers
            if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in ScenarioLoader.yaml_implicit_resolvers.items()}

HYDRA_KEY = re.compile(r"_\w*_")
"""Keys Hydra and OmegaConf give a meaning to (`_target_`, `_args_`, `_self_`, ...)."""

PACKAGE_DIRECTIVE = re.compile(r"^\s*#\s*@package\b", re.MULTILINE)

_refused: dict[str, str] = {}
"""Scenario name -> why it cannot be used, for the files last registered."""

_nodes: dict[str, dict] = {}
"""Each registered file's node as stored in the ConfigStore (a refused one: its marker)."""

_usable: list[str] = []
"""The scenarios last registered that can be run."""

_generation = [0]
"""How many times a library was registered (a cache of composed scenarios keys on it)."""


def top_level_keys() -> list[str]:
    """The keys a scenario file may hold at its top level."""
    return ["defaults"] + [f.alias or name for name, f in World.model_fields.items()
                           if name not in INJECTED]


def scenario_files(directory: Path) -> dict[str, Path]:
    """Scenario name -> file, for every `*.yaml` in the directory."""
    return {path.stem: path for path in sorted(directory.glob("*.yaml"))}


def read_scenario(path: Path, names: list[str] | None = None) -> dict:
    """Read one scenario file as plain, inert data, or raise ScenarioError saying what is
    wrong in one line naming the file (and the key).

    Args:
        names: the scenarios its defaults may name (None: any plain name).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(f"{path} is not UTF-8 text (byte {error.start})") from None
    directive = PACKAGE_DIRECTIVE.search(text)
    if directive:
        line = text.count("\n", 0, directive.start()) + 1
        raise ScenarioError(f"{path}: '# @package' at line {line} is not allowed: a scenario "
                            "always sits under 'scenario'")
    try:
        data = yaml.load(text, Loader=ScenarioLoader)  # noqa: S506 (a safe loader)
        data = {} if data is None else data   # an empty file, as OmegaConf reads it
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if problem.startswith(("mapping values are not allowed", "did not find expected key")):
            problem += (" (if the line holds a text with ': ' in it, or one that begins with a "
                        "quotation mark, put the whole text in quotes: source: \"a: b\")")
        raise ScenarioError(f"{path} is not valid YAML{where}: {problem}") from None
    except Exception as error:  # OmegaConf rejects some valid YAML (e.g. non-string keys)
        raise ScenarioError(f"{path} cannot be read: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must hold a mapping of scenario fields")
    problem = inert_problem(data)
    if problem:
        raise ScenarioError(f"{path}: {problem}")
    allowed = top_level_keys()
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise ScenarioError(f"{path}: key '{key}' is not a scenario field{hint}; allowed: "
                                + ", ".join(allowed))
    defaults = data.get("defaults", [])
    if not isinstance(defaults, list):
        raise ScenarioError(f"{path}: defaults must be a list of scenario names, such as "
                            "[baseline, _self_]")
    for entry in defaults:
        if entry == SELF:
            continue
        if not isinstance(entry, str) or not NAME.fullmatch(entry):
            raise ScenarioError(f"{path}: defaults entry {_show(entry)} is not allowed; a "
                                "scenario's defaults may name only other scenarios (such as "
                                "baseline) and _self_")
        if names is not None and entry not in names:
            raise ScenarioError(f"{path}: defaults entry '{entry}' names no scenario; allowed: "
                                f"{', '.join(n for n in names if n != path.stem)}, _self_")
    missing = [key for key in OWN_WORDS if key not in data]
    if any(entry != SELF for entry in defaults) and missing:
        raise ScenarioError(f"{path}: a counterfactual must give its own title, divergence and "
                            "claim, or its world's are printed over its results; missing: "
                            + ", ".join(missing))
    return data


def _show(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def inert_problem(data: Any, path: str = "") -> str | None:
    """What makes plain data more than data: a Hydra/OmegaConf key or an interpolation
    (`${...}`) in a key or a value, named by its dotted path; None when there is none."""
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and HYDRA_KEY.fullmatch(key):
                return (f"key '{where}' is not allowed: Hydra and OmegaConf keys such as "
                        "_target_ have no place in a scenario")
            if isinstance(key, str) and "${" in key:
                return f"key '{where}' holds an interpolation '${{...}}', which is not allowed"
            problem = inert_problem(value, where)
            if problem:
                return problem
    elif isinstance(data, list):
        for i, value in enumerate(data):
            problem = inert_problem(value, f"{path}[{i}]")
            if problem:
                return problem
    elif isinstance(data, str) and "${" in data:
        return (f"{path or 'the value'} = {data!r} holds an interpolation '${{...}}'; a scenario "
                "is data: write the value itself (interpolations and resolvers are not allowed)")
    return None


def register_scenarios(directory: Path) -> list[str]:
    """Store every scenario file in the ConfigStore group `scenario`; return the names that
    can be run.

    A file that breaks a rule of the module's docstring, or starts from one that does, or
    whose defaults loop, is stored as a marker holding the reason, so that only runs that
    select it fail, with that reason (`refusal`).
    """
    store = ConfigStore.instance()
    _share_store_when_copied()
    files = scenario_files(directory)
    plain = [name for name in files if NAME.fullmatch(name)]
    refused = {name: f"{path}: a scenario's file name may hold only ASCII letters, digits, "
                     f"'_' and '-' (rename it, e.g. to {_plain_name(name)}.yaml)"
               for name, path in files.items() if name not in plain}
    nodes: dict[str, dict] = {}
    for name in plain:
        try:
            nodes[name] = read_scenario(files[name], plain)
        except ScenarioError as error:
            refused[name] = str(error)
    for name in nodes:
        problem = _chain_problem(name, nodes, refused, files)
        if problem:
            refused[name] = problem
    _nodes.clear()
    for name in plain:
        node = {MALFORMED: name} if name in refused else with_declared_defaults(
            nodes[name])
        store.store(group="scenario", name=name, node=node)
        _nodes[name] = node
    _refused.clear()
    _refused.update(refused)
    _usable[:] = [name for name in plain if name not in refused]
    _generation[0] += 1
    return list(_usable)


def _share_store_when_copied() -> None:
    """Make a deep copy of Hydra's ConfigStore the store itself, as befits a singleton.

    Every compose copies its config repository, and with it the ConfigStore, to keep the
    repository's list of sources apart; with every scenario file stored, that copy cost about
    0.3 s a compose on the 2-core machine (three composes in a run, two more in each point of
    a sweep). Nothing is lost by sharing: the store hands out a deep copy of each config it
    loads (`ConfigStore.load`), so no compose can change what is stored.
    """
    ConfigStore.__deepcopy__ = lambda store, memo: store


def _plain_name(name: str) -> str:
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_name).strip("_") or "scenario"


def _chain_problem(name: str, nodes: dict, refused: dict, files: dict) -> str | None:
    """Why the chain of defaults starting at `name` cannot be composed, or None: a file on it
    is refused, or it loops back on itself."""
    def parents(n):
        return [d for d in nodes[n].get("defaults", []) if d != SELF]

    trail = [name]

    def walk(n: str) -> str | None:
        for parent in parents(n):
            if parent in trail:
                loop = " -> ".join([*trail[trail.index(parent):], parent])
                return f"{files[name]}: its defaults loop: {loop}"
            if parent in refused:
                return (f"{files[name]}: starts from '{parent}', which is refused: "
                        f"{refused[parent]}")
            trail.append(parent)
            problem = walk(parent)
            trail.pop()
            if problem:
                return problem
        return None

    return walk(name)


def _registered() -> None:
    """Register the project's scenario files if this process has registered none.

    A worker process of a parallel sweep (Hydra's joblib launcher) receives Hydra's
    ConfigStore from the sweep's process, but not this module's record of what it stored, and
    the entry point that registered the files (run.py) is not run again there.
    """
    if _generation[0] == 0:
        from sim.paths import SCENARIOS

        register_scenarios(SCENARIOS)


def library_generation() -> int:
    """Changes whenever a library is registered (for caches of composed scenarios)."""
    _registered()
    return _generation[0]


def scenario_names() -> list[str]:
    """The scenarios of the library last registered that can be run."""
    _registered()
    return list(_usable)


def refusal(name: str) -> str | None:
    """Why scenario `name` of the registered library cannot be used (None: it can)."""
    _registered()
    return _refused.get(name)


def with_declared_defaults(node: dict) -> dict:
    """A scenario that starts from no other gets every force parameter it leaves out at the
    value its process declares, so that the parameter is an override path like any other
    (a mechanism added later leaves older files valid and still sweepable)."""
    if "defaults" not in node and isinstance(node.get("forces"), dict):
        missing = {k: p.default for k, p in PARAMETERS.items()
                   if p.default is not None and k not in node["forces"]}
        node = {**node, "forces": {**node["forces"], **missing}}
    return node


def load_world(scenario: DictConfig, name: str) -> World:
    """The validated World of a composed `scenario` node (files and command-line overrides
    alike: an interpolation given on the command line is refused, never resolved)."""
    return world_from_data(OmegaConf.to_container(scenario, resolve=False), name)


def world_from_data(data: dict, name: str) -> World:
    """The validated World of a scenario's plain data, composed (`load_world`)."""
    if MALFORMED in data:
        raise ScenarioError(refusal(str(data[MALFORMED])) or f"scenario '{name}' is refused")
    data = {k: v for k, v in data.items() if k != "defaults"}
    problem = inert_problem(data, "scenario")
    if problem:
        raise ScenarioError(problem)
    return parse_world(data, name)


def composed_data(name: str) -> dict:
    """Scenario `name` of the registered library with its defaults merged in order, as Hydra
    composes it (`scenario=name` with no other override; tests/test_scenarios_compose.py
    checks every file), as plain data and a copy the caller may change. No Hydra composition
    and no OmegaConf nodes: a scenario's defaults name only other scenarios and `_self_`
    (`read_scenario`), and its values are inert (no interpolation to resolve), so merging the
    files is all there is to do, in milliseconds rather than half a second."""
    _registered()
    if name not in _nodes:
        raise ScenarioError(f"unknown scenario '{name}'; allowed: {', '.join(_usable)}")
    return copy.deepcopy(_merged(name))


def _merged(name: str) -> dict:
    node = _nodes[name]
    if MALFORMED in node:
        return node
    merged: dict = {}
    body = {k: v for k, v in node.items() if k != "defaults"}
    for entry in node.get("defaults", [SELF]):
        merged = merge_as_omegaconf(merged, body if entry == SELF else _merged(entry))
    return merged


MISSING = "???"
"""OmegaConf's mark of a missing value: merged over a value, it leaves that value."""


def merge_as_omegaconf(base: dict, over: dict) -> dict:
    """`over` merged into `base` as OmegaConf's `merge_with` merges plain data: mappings key
    by key, anything else (a list too) replaced, a missing mark ignored where a value stands.
    Neither is changed: the mappings on the way are new, the values shared (`composed_data`
    copies the whole once). Plain dictionaries, because wrapping a whole scenario in OmegaConf
    nodes to merge it cost about half a second a scenario (tests/test_scenarios_compose.py
    checks every file composes as Hydra composes it)."""
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_as_omegaconf(merged[key], value)
        elif not (value == MISSING and key in merged):
            merged[key] = value
    return merged


def check_scenario_name(name: str, known: list[str]) -> None:
    """Refuse a scenario name that names no usable file, in one line with the choices."""
    reason = refusal(name)
    if reason:
        raise ScenarioError(reason)
    if name not in known:
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise ScenarioError(f"unknown scenario '{name}'{hint}; allowed: {', '.join(known)} "
                            "(files in scenarios/)")
