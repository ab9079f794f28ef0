"""The scenario library: the files of `scenarios/` as a Hydra config group, and loading one.

`scenario=NAME` picks `scenarios/NAME.yaml`.

Each file is registered in Hydra's ConfigStore under the group `scenario`; every field stays
overridable and sweepable from the command line, and a counterfactual can start from another
scenario with a Hydra defaults list. Files are read with OmegaConf's safe YAML loader: a
scenario is data and cannot make the program import or run anything.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.engine.schedule import PARAMETERS
from sim.errors import ScenarioError
from sim.scenario.schema import World
from sim.scenario.validate import parse_world

MALFORMED = "_malformed_"
"""Key stored in place of a file that could not be read, holding the reason."""


def scenario_files(directory: Path) -> dict[str, Path]:
    """Scenario name -> file, for every `*.yaml` in the directory."""
    return {path.stem: path for path in sorted(directory.glob("*.yaml"))}


def read_scenario(path: Path) -> dict:
    """Read one scenario file as plain data, or raise ScenarioError saying what is wrong."""
    try:
        data = OmegaConf.to_container(OmegaConf.load(path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ScenarioError(f"{path} is not valid YAML{where}: {problem}") from None
    except Exception as error:  # OmegaConf rejects some valid YAML (e.g. non-string keys)
        raise ScenarioError(f"{path} cannot be read: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path} must hold a mapping of scenario fields")
    return data


def register_scenarios(directory: Path) -> list[str]:
    """Store every scenario file in the ConfigStore group `scenario`; return their names.

    A file that cannot be read is stored as a marker holding the reason, so that only runs
    that select it fail, with that reason (see `malformed_reason`).
    """
    store = ConfigStore.instance()
    files = scenario_files(directory)
    for name, path in files.items():
        try:
            node = with_declared_defaults(read_scenario(path))
        except ScenarioError as error:
            node = {MALFORMED: str(error)}
        store.store(group="scenario", name=name, node=node)
    return list(files)


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
    """The validated World of a composed `scenario` node."""
    try:
        data = OmegaConf.to_container(scenario, resolve=True)
    except OmegaConfBaseException as error:
        raise ScenarioError(f"scenario '{name}': {str(error).splitlines()[0]}") from None
    data.pop("defaults", None)
    if MALFORMED in data:
        raise ScenarioError(data[MALFORMED])
    return parse_world(data, name)


def compose_scenario(name: str) -> DictConfig:
    """Compose scenario `name` with its defaults, inside an initialised Hydra (the running
    app, or a test's `initialize_config_dir`)."""
    from hydra import compose

    return compose(config_name="config", overrides=[f"scenario={name}"]).scenario


def check_overrides(config_dir: Path, arguments: list[str]) -> None:
    """Compose the command line's overrides once, turning a failure into one clear line.

    Hydra reports a misspelt key over several lines without saying what is allowed; this
    names the key, suggests the closest one and lists those allowed at that level. In a
    multirun the first value of each sweep is composed, which catches a misspelt key before
    any point runs; Hydra's other flags (--cfg, --help, ...) are left to Hydra.
    """
    if any(a.startswith("-") and a not in ("-m", "--multirun") for a in arguments):
        return
    from hydra import compose, initialize_config_dir
    from hydra.errors import HydraException

    overrides = [_first_value(a) for a in arguments
                 if not a.startswith("-") and not a.lstrip("+~").startswith("hydra")]
    scenario = [a for a in overrides if a.lstrip("+~").startswith("scenario=")]
    with initialize_config_dir(config_dir=str(config_dir), version_base="1.3"):
        try:
            compose(config_name="config", overrides=overrides)
        except HydraException as error:
            raise ScenarioError(_explain(error, compose(config_name="config",
                                                        overrides=scenario))) from None


def _first_value(argument: str) -> str:
    """`key=a,b,c` (or any Hydra sweep) -> `key=a`; other overrides unchanged."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    try:
        override = OverridesParser.create().parse_override(argument)
    except HydraException:
        return argument  # let composition report the syntax error
    if not override.is_sweep_override():
        return argument
    first = next(override.sweep_string_iterator(), "")
    return f"{override.get_key_element()}={first}"


def _explain(error: Exception, base: DictConfig) -> str:
    text = f"{error}\n{error.__cause__ or ''}"
    unknown = re.search(r"Key '([^']+)' is not in struct\s+full_key: (\S+)", text)
    if not unknown:
        return " ".join(line.strip() for line in str(error).splitlines() if line.strip())
    full_key = unknown.group(2)
    parent, _, key = full_key.rpartition(".")
    node = OmegaConf.select(base, parent) if parent else base
    allowed = [str(k) for k in node.keys()] if isinstance(node, DictConfig) else []
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown key '{full_key}'{hint}; allowed in {parent or 'the config'}: " + \
        ", ".join(allowed)


def check_scenario_arguments(arguments: list[str], known: list[str]) -> None:
    """Reject `scenario=NAME` (or a comma-separated sweep of names) naming no file.

    Hydra would say the same over several lines; this says it in one, with the choices.
    """
    for argument in arguments:
        key, _, value = argument.partition("=")
        if key.lstrip("+~") != "scenario" or not value:
            continue
        for name in value.split(","):
            if name not in known:
                raise ScenarioError(
                    f"unknown scenario '{name}'; allowed: {', '.join(known)} "
                    "(files in scenarios/)"
                )
