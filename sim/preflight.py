"""Everything checked before Hydra starts, and one line when a run ends early.

`launch` is the `__main__` of every entry point (`run.py`, `python -m sim.sensitivity`,
`sim.search`, `sim.scenario_table`). Before Hydra creates a folder it

1. refuses a scenario that names no usable file (sim/scenario/library.py);
2. composes the config of every point the command line asks for (one for a run; every
   combination of a sweep) and runs the entry point's own `check` on it, so that a bad value
   anywhere in a sweep is refused before its first point runs;
3. fixes the output folder (`hydra.run.dir`, or `hydra.sweep.dir` for a sweep: the same path
   is handed to Hydra), refuses one that cannot be made, that holds a finished run, or that
   another run holds, and takes it (sim/outputs/folder.py), so a second run into it is
   refused until this one ends;

then runs the Hydra app, and ends with one line on standard error and an exit status: 0 done,
1 refused or failed (bad input, a folder or a disk that cannot be written, a failed point of a
sweep), 130 interrupted by Ctrl-C (143 by SIGTERM). A run that ends early removes what it
wrote; a sweep keeps its finished points, so the same command resumes it.

Hydra's own flags (`--cfg`, `--help`, ...) skip the checks and go to Hydra unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from sim import interrupts
from sim.composing import Composer, parse, trust_checked_points
from sim.errors import InputError
from sim.outputs.folder import FolderError, describe_holder, holder_of, lock_folder
from sim.scenario.explain import explain
from sim.scenario.library import check_scenario_name, scenario_names

Check = Callable[[DictConfig, str], None]
"""An entry point's check of one composed config and its scenario's name: raises InputError."""

MULTIRUN = ("-m", "--multirun")
CONFIG_NAME = ("-cn", "--config-name")


@dataclass
class Plan:
    """What the command line asks for, checked.

    Attributes:
        arguments: the command line to hand to Hydra (with the output folder fixed).
        multirun: a sweep.
        points: the overrides of each point (one for a run).
        folder: the run's folder, or the sweep's.
    """

    arguments: list[str]
    multirun: bool
    points: list[list[str]]
    folder: Path


def _key(argument: str) -> str:
    return argument.partition("=")[0].lstrip("+~")


def _is_hydra(argument: str) -> bool:
    key = _key(argument)
    return key == "hydra" or key.startswith(("hydra.", "hydra/"))


def _config_name(arguments: list[str], default: str) -> tuple[str, list[str]] | None:
    """The config name the command line selects, and the arguments without that flag;
    None if the command line holds another Hydra flag (`--cfg`, `--help`, ...)."""
    name, rest, skip = default, [], False
    for i, argument in enumerate(arguments):
        if skip:
            skip = False
            continue
        flag, _, value = argument.partition("=")
        if flag in CONFIG_NAME:
            if value:
                name = value
            elif i + 1 < len(arguments):
                name, skip = arguments[i + 1], True
            continue
        if argument.startswith("-") and argument not in MULTIRUN:
            return None
        rest.append(argument)
    return name, rest


def _check_names(arguments: list[str]) -> None:
    """Refuse `scenario=NAME` (or a comma-separated list) naming no usable scenario, in one
    line: Hydra would say it over several, or not at all for a name it cannot parse."""
    for argument in arguments:
        key, _, value = argument.partition("=")
        if key.lstrip("+~") != "scenario" or not value:
            continue
        for name in value.split(","):
            check_scenario_name(name.strip().strip("'\""), scenario_names())


def _quoted(path: str) -> str:
    for quote in ("'", '"'):
        if quote not in path:
            return f"{quote}{path}{quote}"
    raise FolderError(f"a folder name cannot hold both kinds of quote: {path}")


def _scenario_of(point: list[str], default: str) -> str:
    """The scenario a point selects: its override, else the default."""
    for override in point:
        if _key(override) == "scenario" and "=" in override:
            return override.partition("=")[2].strip("'\"")
    return default


def _default_scenario(config_dir: Path) -> str:
    """The scenario of configs/config.yaml's defaults, read once per command (a check may name
    it in a message, as a calibration without priors of its own does)."""
    defaults = OmegaConf.load(Path(config_dir) / "config.yaml").get("defaults", [])
    return next((entry["scenario"] for entry in defaults
                 if isinstance(entry, DictConfig) and "scenario" in entry), "scenario")


def make_plan(config_dir: Path, config_name: str, arguments: list[str],
              check: Check) -> Plan | None:
    """Check the command line as the docstring of the module says; None when it holds a
    Hydra flag that is left to Hydra. Raises InputError (FolderError) in one line."""
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    selected = _config_name(arguments, config_name)
    if selected is None:
        return None
    config_name, rest = selected
    multirun = any(a in MULTIRUN for a in rest)
    overrides = [a for a in rest if a not in MULTIRUN]
    _check_names(overrides)
    parsed = parse(overrides)
    if multirun and any(o.is_sweep_override() for o in parsed):
        from hydra._internal.core_plugins.basic_sweeper import BasicSweeper

        try:
            points = BasicSweeper.split_arguments(parsed, None)[0]
        except HydraException as error:
            raise InputError(explain(error, None)) from None
    else:
        points = [overrides]
    swept = {o.key_or_group for o in parsed if o.is_sweep_override()}
    key = "sweep" if multirun else "run"
    folder = _given_folder(parsed, key)
    with initialize_config_dir(config_dir=str(Path(config_dir).resolve()),
                               version_base="1.3"):
        composer = Composer(config_name)
        first = None
        if folder is None:  # the folder depends on Hydra's own config (a date, the scenario)
            try:
                first = composer.compose(points[0], hydra=True)
            except HydraException as error:
                raise InputError(explain(error, _base(composer, points[0]))) from None
            folder = _resolved_folder(first, key)
        default = _default_scenario(config_dir)
        for i, point in enumerate(points):
            task = [o for o in point if not _is_hydra(o)]
            where = ""
            if len(points) > 1:
                shown = " ".join(o for o in point if _key(o) in swept)
                where = f"point {i} of the sweep ({shown}): "
            try:
                cfg = first if i == 0 and first is not None else composer.point(task)
                check(cfg, _scenario_of(task, default))
            except HydraException as error:
                raise InputError(where + explain(error, _base(composer, task))) from None
            except InputError as error:
                raise type(error)(where + str(error)) from None
    check_folder(folder, multirun)
    fixed = f"hydra.{key}.dir={_quoted(str(folder))}"
    handed = [a for a in arguments if _key(a) != f"hydra.{key}.dir"] + [fixed]
    return Plan(handed, multirun, points, folder)


def _given_folder(parsed, key: str) -> Path | None:
    """The output folder the command line names in plain text (None: Hydra's default, or a
    value with interpolations, which Hydra's config resolves)."""
    for override in parsed:
        if override.key_or_group == f"hydra.{key}.dir" and not override.is_sweep_override():
            value = override.value()
            if isinstance(value, str) and "${" not in value:
                return Path(value)
    return None


def _resolved_folder(cfg: DictConfig, key: str) -> Path:
    """hydra.run.dir (or hydra.sweep.dir) of a config composed with Hydra's own, resolved."""
    from hydra.core.hydra_config import HydraConfig

    HydraConfig.instance().set_config(cfg)
    try:
        return Path(str(cfg.hydra[key].dir))
    except Exception as error:
        raise InputError(f"hydra.{key}.dir cannot be resolved: "
                         f"{str(error).splitlines()[0]}") from None
    finally:
        HydraConfig.instance().cfg = None


def _base(composer: Composer, overrides: list[str]) -> DictConfig | None:
    """The config the overrides apply to (for naming the keys allowed beside a misspelt one)."""
    try:
        return composer.compose([o for o in overrides if _key(o) == "scenario"])
    except Exception:
        return None


def check_folder(folder: Path, multirun: bool) -> None:
    """Refuse an output folder that cannot be used, before anything is written into it."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe == folder and not folder.is_dir():
        raise FolderError(f"the run folder {folder} is a file, not a folder")
    if probe != folder and not probe.is_dir():
        raise FolderError(f"cannot make the run folder {folder}: {probe} is a file")
    for parent in [folder, *folder.parents]:
        if parent.is_dir():
            holder = holder_of(parent)
            if holder is not None:
                raise FolderError(describe_holder(parent, holder))
    if not multirun and (folder / "summary.json").is_file():
        raise FolderError(f"{folder} already holds a finished run (summary.json); nothing was "
                          "run. Choose another hydra.run.dir, or delete the folder to run "
                          "it again")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def launch(app: Callable[[], object], config_dir: Path, config_name: str, check: Check,
           arguments: list[str] | None = None) -> int:
    """Check the command line, run the Hydra `app`, and return the exit status (the module's
    docstring says which)."""
    interrupts.install()
    arguments = list(sys.argv[1:] if arguments is None else arguments)
    plan, lock, code = None, None, 1
    try:
        plan = make_plan(config_dir, config_name, arguments, check)
        if plan is not None:
            lock = lock_folder(plan.folder)
            sys.argv[1:] = plan.arguments
            if plan.multirun:
                trust_checked_points()
        app()
        code = 0
        if plan is not None and plan.multirun:
            code = _sweep_verdict(plan.folder)
    except KeyboardInterrupt:
        code = interrupts.exit_code()
        if plan is not None and plan.multirun:
            _say(f"interrupted: the sweep in {plan.folder} stopped; its finished points are "
                 "kept, and the same command resumes it")
        else:
            where = f" in {plan.folder}" if plan is not None else ""
            _say(f"interrupted: nothing of this run was kept{where}")
    except SystemExit as stop:
        if isinstance(stop.code, str):
            _say(stop.code)
            code = 1
        else:
            code = stop.code or 0
    except InputError as error:
        _say(f"error: {' '.join(str(error).split())}")
    finally:
        if lock is not None:
            with interrupts.shielded():
                if code != 0 and (not plan.multirun or _nothing_kept(plan.folder)):
                    lock.discard()
                lock.release()
    return code


def _nothing_kept(folder: Path) -> bool:
    """A sweep folder with no finished or failed point and no table: nothing worth keeping."""
    if not folder.is_dir():
        return True
    return not any((p / name).exists() for p in folder.iterdir() if p.is_dir()
                   for name in ("summary.json", "failed.json")) \
        and not (folder / "sweep.csv").exists()


def _sweep_verdict(folder: Path) -> int:
    """0 when every point of the sweep finished; else say which failed, and 1."""
    from sim.studies.sweep import failed_points

    failed = failed_points(folder)
    if not failed:
        return 0
    first = failed[0]
    _say(f"error: {len(failed)} point(s) of the sweep failed (first: point {first['job']}, "
         f"{first['error']}); the sweep table marks them ({folder / 'sweep.csv'}), and the "
         "same command runs them again")
    return 1

