"""The audit of issue 13, case by case: bad input, hostile scenario files, faults and
interrupts are each answered with one clear line on standard error, a non-zero exit and no
result folder that looks finished.

Most cases run the entry point in this process (`sim.preflight.launch` with run.py's Hydra
app, exactly what `python run.py ARGS` runs); three run `python run.py` as a user would: the
hostile scenario that reaches the config through its defaults list, a real Ctrl-C, and two runs
into one folder at once.
"""

from __future__ import annotations

import copy
import errno
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.outputs.products
import sim.pipeline
from sim import interrupts, search, sensitivity
from sim.errors import InputError
from sim.outputs.folder import LOCK, RowWriter, lock_folder
from sim.paths import CONFIGS
from sim.pipeline import check_run
from sim.preflight import launch
from sim.scenario.library import register_scenarios
from tests.conftest import ROOT, world_of

spec = importlib.util.spec_from_file_location("run_entry", ROOT / "run.py")
RUN = importlib.util.module_from_spec(spec)
spec.loader.exec_module(RUN)

SMALL = ["runs=60", "chunk_size=30", "progress=false", "compare_with=null"]


@pytest.fixture
def launched(monkeypatch, capsys):
    """`python run.py ARGS` (or a study) in this process: returns (exit status, stderr lines)."""
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def go(*args, app=None, check=check_run, config="config"):
        monkeypatch.setattr(sys, "argv", ["run.py", *args])
        interrupts.reset()
        code = launch(app or RUN.main, CONFIGS, config, check, list(args))
        err = capsys.readouterr().err
        return code, [line for line in err.splitlines() if line.strip()]

    yield go
    signal.signal(signal.SIGINT, handlers[0])
    signal.signal(signal.SIGTERM, handlers[1])
    interrupts.reset()


def refused(go, folder: Path, *args, **kwargs) -> str:
    """Assert the one-line refusal the README promises; return the line."""
    code, lines = go(*SMALL, f"hydra.run.dir={folder}", *args, **kwargs)
    assert code == 1
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert not folder.exists()
    return lines[0]


def nothing_finished(root: Path) -> None:
    """No folder under `root` looks like a finished run."""
    assert not list(root.rglob("summary.json"))
    assert not list(root.rglob("*.partial"))


HOSTILE = {
    "global_pkg": "defaults: [baseline, {/scenario@_global_: global_payload}, _self_]\n",
    "global_payload": "hydra: {callbacks: {pwn: {_target_: os.makedirs, _args_: ['pwned']}}}\n",
    "target": "defaults: [baseline, _self_]\nforces: {_target_: os.system}\n",
    "package": "# @package _global_\ndefaults: [baseline, _self_]\n",
    "override": "defaults: [baseline, {override /hydra/launcher: joblib}, _self_]\n",
    "group": "defaults: [/scenario/baseline, _self_]\n",
    "unknown_parent": "defaults: [nowhere, _self_]\n",
    "hydra_key": "defaults: [baseline, _self_]\nhydra: {run: {dir: /tmp}}\n",
    "env": "defaults: [baseline, _self_]\ntitle: 'home is ${oc.env:HOME}'\n",
    "self_reference": "defaults: [baseline, _self_]\ntitle: '${divergence}'\n",
    "key_interpolation": "defaults: [baseline, _self_]\nnotes: {'${oc.env:HOME}': 1}\n",
    "cycle_a": "defaults: [cycle_b, _self_]\n",
    "cycle_b": "defaults: [cycle_a, _self_]\n",
    "via_parent": "defaults: [global_payload, _self_]\n",
    "infinite": "defaults: [baseline, _self_]\nforces: {threat_weight: .inf}\n",
    "infinite_weight": "defaults: [baseline, _self_]\n"
                       "junctures: {korean_arms: {options: {gift: {weight: .inf}}}}\n",
    "with space": "defaults: [baseline, _self_]\n",
    "bäse": "defaults: [baseline, _self_]\n",
}
OWN_WORDS = "title: a test\ndivergence: none\nclaim: none\n"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """The shipped scenarios plus the hostile ones, registered as run.py registers them; the
    shipped library is registered again afterwards."""
    folder = tmp_path_factory.mktemp("library")
    shutil.copytree(ROOT / "scenarios", folder, dirs_exist_ok=True)
    for name, text in HOSTILE.items():
        own = "" if "title:" in text else OWN_WORDS   # so each is refused for its own fault
        (folder / f"{name}.yaml").write_text(text + own, encoding="utf-8")
    (folder / "untitled.yaml").write_text("defaults: [baseline, _self_]\ntitle: t\n",
                                          encoding="utf-8")
    register_scenarios(folder)
    yield folder
    register_scenarios(ROOT / "scenarios")


@pytest.mark.parametrize(("name", "says"), [
    ("global_pkg", "global_pkg.yaml: defaults entry {'/scenario@_global_': 'global_payload'}"),
    ("global_payload", "global_payload.yaml: key 'hydra.callbacks.pwn._target_' is not"),
    ("target", "target.yaml: key 'forces._target_' is not allowed"),
    ("package", "package.yaml: '# @package' at line 1 is not allowed"),
    ("override", "override.yaml: defaults entry"),
    ("group", "group.yaml: defaults entry '/scenario/baseline' is not allowed"),
    ("unknown_parent", "unknown_parent.yaml: defaults entry 'nowhere' names no scenario"),
    ("hydra_key", "hydra_key.yaml: key 'hydra' is not a scenario field"),
    ("env", "env.yaml: title = 'home is ${oc.env:HOME}' holds an interpolation"),
    ("self_reference", "self_reference.yaml: title = '${divergence}' holds an interpolation"),
    ("key_interpolation", "key 'notes.${oc.env:HOME}' holds an interpolation"),
    ("cycle_a", "cycle_a.yaml: its defaults loop: cycle_a -> cycle_b -> cycle_a"),
    ("untitled", "untitled.yaml: a counterfactual must give its own title, divergence and "
                 "claim, or its world's are printed over its results; missing: divergence, claim"),
    ("via_parent", "via_parent.yaml: starts from 'global_payload', which is refused"),
    ("infinite", "forces.threat_weight must be a finite number, got inf"),
    ("infinite_weight", "junctures.korean_arms.options.gift.weight must be a finite number"),
    ("with space", "with space.yaml: a scenario's file name may hold only ASCII letters"),
    ("bäse", "bäse.yaml: a scenario's file name may hold only ASCII letters"),
])
def test_a_scenario_file_is_inert_data(library, launched, tmp_path, name, says):
    line = refused(launched, tmp_path / "out", f"scenario={name}")
    assert says in line
    assert not Path("pwned").exists()


def test_other_scenarios_still_run_beside_hostile_files(library):
    assert world_of("baseline").name == "baseline"


def python_run(args, cwd=ROOT, **kwargs):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "run.py", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300, env=env, **kwargs)


def test_a_hostile_file_reached_through_defaults_runs_nothing(project_copy, tmp_path):
    for name in ("global_pkg", "global_payload"):
        (project_copy / "scenarios" / f"{name}.yaml").write_text(HOSTILE[name])
    done = python_run(["scenario=global_pkg", *SMALL, f"hydra.run.dir={tmp_path / 'out'}"],
                      cwd=project_copy)
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "global_pkg.yaml" in done.stderr
    assert not (project_copy / "pwned").exists() and not (tmp_path / "pwned").exists()
    assert not (tmp_path / "out").exists()


def config_with(base, args: list[str]):
    """A copy of a composed config with command-line values applied as Hydra applies them
    (the path `sim.preflight` takes for each point of a sweep)."""
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.core.override_parser.overrides_parser import OverridesParser

    cfg = copy.deepcopy(base)
    ConfigLoaderImpl._apply_overrides_to_config(OverridesParser.create().parse_overrides(args),
                                                cfg)
    return cfg


@pytest.fixture(scope="module")
def composed():
    """The composed configs of run.py and the two studies, composed once."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIGS), version_base="1.3"):
        return {name: compose(config_name=name, overrides=SMALL if name == "config" else [])
                for name in ("config", "search", "sensitivity")}


@pytest.mark.parametrize(("args", "says"), [
    (["scenario.junctures.korean_arms.options.gift.weight=inf"], "must be a finite number"),
    (["scenario.junctures.korean_arms.options.gift.weight=1e308"],
     "outside the allowed range [0.0, 1000000.0]"),
    (["scenario.junctures.korean_arms.options.gift.weight=nan"], "must be a finite number"),
    (["scenario.persons.malenkov.contender.weight=inf"], "must be a finite number"),
    (["scenario.persons.malenkov.contender.weight=1e308"], "[0.0, 1000000.0]"),
    (["scenario.title='home is ${oc.env:HOME}'"], "holds an interpolation"),
    (["seed=true"], "seed must be a whole number"),
    (["runs=true"], "runs must be a whole number"),
    (["seed=1.5"], "seed must be a whole number"),
    (["chunk_size=0"], "chunk_size must be a whole number"),
    (["workers=-1"], "workers must be a whole number"),
    (["progress=maybe"], "progress must be true or false"),
    (["rows=some"], "unknown rows 'some'; allowed: full, outcomes"),
    (["dask_address='tcp://a b'"], "dask_address must be an address"),
    (["compare_with=nowhere"], "unknown compare_with 'nowhere'"),
    (["compare_with=tito_stalin"], "compare_with 'tito_stalin' simulates ussr and yugoslavia "
                                   "from 1945-04-11 to 1955-05-26, 12 steps a year, this scenario"),
    (["scenario.period.horizon=1995-12-31", "compare_with=baseline"],
     "to 1991-12-31, 4 steps a year, this scenario ussr and prc from 1949-10-01 to 1995-12-31"),
    (["chronicle.pick=-3"], "chronicle.pick = -3 is not a world of this run"),
])
def test_every_number_and_setting_is_checked(composed, args, says):
    with pytest.raises(InputError) as refusal:
        check_run(config_with(composed["config"], args), "baseline")
    assert says in str(refusal.value) and "\n" not in str(refusal.value)


@pytest.mark.parametrize(("args", "says"), [
    (["seed=true"], "seed must be a whole number"),
    (["scenario.junctures.korean_arms.options.gift.weight=inf"], "must be a finite number"),
    (["scenario.title='home is ${oc.env:HOME}'"], "'home is ${oc.env:HOME}' holds an"),
])
def test_bad_input_is_refused_before_anything_runs(launched, tmp_path, args, says):
    assert says in refused(launched, tmp_path / "out", *args)  # an env var is never resolved


def test_an_unreachable_scheduler_is_refused_fast(launched, tmp_path):
    start = time.perf_counter()
    refused(launched, tmp_path / "out", "executor=dask", "dask_address=tcp://127.0.0.1:1")
    assert time.perf_counter() - start < 15


def test_extreme_weights_within_bounds_decide_every_world(tmp_path):
    """At the bounds (weight 1e6 against 1, coefficients of 50) the logit stays finite: the
    heavy option is taken where the juncture arises, and no choice is out of range."""
    from sim.engine.model import AllianceModel
    from sim.engine.streams import Streams

    world = world_of("baseline", [
        "scenario.junctures.korean_arms.options.gift.weight=1e6",
        "+scenario.junctures.korean_arms.options.gift.cohesion=50",
        "scenario.persons.malenkov.contender.weight=1e6",
        "scenario.persons.molotov.contender.weight=1e6"])
    model = AllianceModel(world, 400, Streams(1, 0))
    model.run()
    junctures = next(p for p in model.processes if p.name == "junctures")
    choices = junctures.choices["korean_arms"]
    taken = choices[choices >= 0]
    assert taken.size > 0 and np.mean(taken == 1) > 0.99  # 'gift' is option 1
    for codes in junctures.choices.values():
        assert ((codes >= -1) & (codes < 10)).all()


def test_every_point_of_a_sweep_is_checked_before_the_first_runs(launched, tmp_path):
    sweep = tmp_path / "sweep"
    code, lines = launched("-m", "scenario.forces.threat_weight=0.3,0.4,abc", *SMALL,
                           f"hydra.sweep.dir={sweep}")
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith("error: point 2 of the sweep (scenario.forces.threat_weight=abc)")
    assert "must be a number" in lines[0]
    assert not sweep.exists()


@pytest.mark.parametrize(("study", "args", "says"), [
    ("search", ["target.probability=2"], "target.probability must be a share"),
    ("search", ["target.probability=0"], "target.probability must be a share"),
    ("search", ["max_changes=0"], "max_changes must be a whole number"),
    ("search", ["beam=0"], "beam must be a whole number"),
    ("search", ["beam=true"], "beam must be a whole number"),
    ("search", ["report=0"], "report must be a whole number"),
    ("search", ["confirm_runs=0.5"], "confirm_runs must be a whole number"),
    ("search", ["target.year=abc"], "target.year must be a year"),
    ("search", ["target.year=2050"], "target.year = 2050 is outside the simulated period"),
    ("search", ["levers.traits=true", "levers.persons=[nobody]"], "unknown person 'nobody'"),
    ("search", ["runs=0"], "runs must be a whole number"),
    ("sensitivity", ["samples=0"], "samples must be a whole number"),
    ("sensitivity", ["samples=1"], "samples must be a whole number from 2"),
    ("sensitivity", ["levels=1"], "levels must be a whole number"),
    ("sensitivity", ["method=sobol", "samples=12"], "power of 2"),
    ("sensitivity", ["method=magic"], "unknown method 'magic'"),
    ("sensitivity", ["outcome=intact_abc"], "unknown outcome 'intact_abc'"),
    ("sensitivity", ["outcome=intact_2050"], "outcome year = 2050 is outside"),
    ("sensitivity", ["seed=true"], "seed must be a whole number"),
])
def test_studies_refuse_what_they_cannot_satisfy(composed, study, args, says):
    module = {"search": search, "sensitivity": sensitivity}[study]
    with pytest.raises(InputError, match=re.escape(says)):
        module.check(config_with(composed[study], args), "baseline")


@pytest.mark.parametrize(("study", "args"), [("search", ["target.probability=2"]),
                                             ("sensitivity", ["samples=0"])])
def test_a_study_refuses_before_hydra_starts(launched, tmp_path, study, args):
    module = {"search": search, "sensitivity": sensitivity}[study]

    def never():
        pytest.fail("the study ran")

    refused(launched, tmp_path / "out", *args, app=never, check=module.check, config=study)


def test_sensitivity_bounds_must_make_valid_scenarios(composed):
    from omegaconf import OmegaConf

    cfg = copy.deepcopy(composed["sensitivity"])
    OmegaConf.set_struct(cfg, False)
    cfg.parameters = {"scenario.forces.threat_weight": [0.25, 99]}
    with pytest.raises(InputError, match="threat_weight = 99"):
        sensitivity.request_of(cfg, "baseline")


def test_a_cyclic_defaults_list_is_one_line(library, launched, tmp_path):
    assert "loop" in refused(launched, tmp_path / "out", "scenario=cycle_b")


def test_a_title_with_dollars_is_drawn_as_written(tmp_path, monkeypatch):
    from tests.conftest import compose_config

    no_drawing(monkeypatch, but="plot_outcomes")  # its title holds the scenario's title
    cfg = compose_config([*SMALL, "scenario.title='costs $\\frac{1$ and $x$'"])
    summary = sim.pipeline.run_pipeline(cfg, tmp_path / "run", "baseline")
    assert summary["title"] == "costs $\\frac{1$ and $x$"
    assert (tmp_path / "run" / "plots" / "outcomes.png").stat().st_size > 10_000


def test_an_output_folder_that_is_a_file_is_refused(launched, tmp_path):
    (tmp_path / "file").write_text("mine")
    line = refused(launched, tmp_path / "file" / "run")
    assert "is a file" in line
    code, lines = launched(*SMALL, f"hydra.run.dir={tmp_path / 'file'}")
    assert code == 1 and len(lines) == 1 and "is a file, not a folder" in lines[0]
    assert (tmp_path / "file").read_text() == "mine"


def test_an_unwritable_output_folder_is_refused(launched, tmp_path, monkeypatch):
    real_open = os.open

    def denied(path, *args, **kwargs):
        if str(path).endswith(LOCK):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)
    line = refused(launched, tmp_path / "deep" / "run")
    assert "cannot write into the run folder" in line and "Permission denied" in line
    assert not (tmp_path / "deep").exists()


def test_a_full_disk_is_one_line_and_leaves_nothing(launched, tmp_path, monkeypatch):
    def full(self, rows):
        raise OSError(errno.ENOSPC, "No space left on device", str(self.partial))

    monkeypatch.setattr(RowWriter, "__call__", full)
    code, lines = launched(*SMALL, f"hydra.run.dir={tmp_path / 'run'}")
    assert code == 1 and len(lines) == 1, lines
    assert lines[0].startswith("error: cannot write ") and "No space left on device" in lines[0]
    assert not (tmp_path / "run").exists()


def test_a_failing_first_run_leaves_no_empty_results_folder(launched, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _ = launched(*SMALL, "seed=true")
    assert code == 1 and not (tmp_path / "results").exists()
    monkeypatch.setattr(sim.pipeline, "write_products",
                        lambda *a, **k: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    code, lines = launched(*SMALL)
    assert code == 1 and len(lines) == 1 and "full" in lines[0]
    assert not (tmp_path / "results").exists()


PLOTS = ("plot_survival", "plot_split_years", "plot_cohesion", "plot_outcomes", "plot_drivers")


def no_drawing(monkeypatch, but: str | None = None) -> None:
    """Skip drawing the plots (but one): the stage is the same, the test is quicker."""
    for name in PLOTS:
        if name != but:
            monkeypatch.setattr(sim.outputs.products, name, lambda *args, **kwargs: None)


def interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def test_ctrl_c_while_plots_are_drawn(launched, tmp_path, monkeypatch):
    no_drawing(monkeypatch)
    monkeypatch.setattr(sim.outputs.products, "plot_cohesion", interrupt)
    code, lines = launched(*SMALL, f"hydra.run.dir={tmp_path / 'run'}")
    assert code == 130 and lines == [f"interrupted: nothing of this run was kept in "
                                     f"{tmp_path / 'run'}"]
    assert not (tmp_path / "run").exists()


def test_a_swallowed_ctrl_c_still_stops_the_run(launched, tmp_path, monkeypatch):
    """matplotlib can drop a KeyboardInterrupt raised in a destructor; the handler recorded
    it, so the next stage raises it again and no summary is written."""
    def swallowed(*args, **kwargs):
        interrupts._received = signal.SIGINT  # what the handler records, the raise was lost

    no_drawing(monkeypatch)
    monkeypatch.setattr(sim.outputs.products, "plot_outcomes", swallowed)
    code, lines = launched(*SMALL, f"hydra.run.dir={tmp_path / 'run'}")
    assert code == 130 and len(lines) == 1 and lines[0].startswith("interrupted")
    assert not (tmp_path / "run").exists()


def test_an_interrupt_disguised_as_another_error_is_an_interrupt(launched, tmp_path,
                                                                 monkeypatch):
    def bounding_box(*args, **kwargs):
        interrupts._received = signal.SIGINT
        raise ValueError("Invalid bounding box")  # what matplotlib raised in the audit

    no_drawing(monkeypatch)
    monkeypatch.setattr(sim.outputs.products, "plot_drivers", bounding_box)
    code, lines = launched(*SMALL, f"hydra.run.dir={tmp_path / 'run'}")
    assert code == 130 and len(lines) == 1
    assert not (tmp_path / "run").exists()


def test_ctrl_c_during_the_simulation_ends_the_run_in_a_second(tmp_path):
    """A real SIGINT, sent to the whole process group as a terminal sends it, once rows are
    being written."""
    folder = tmp_path / "run"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "run.py", "runs=1000000", "chunk_size=2500", "progress=false",
         "compare_with=null", f"hydra.run.dir={folder}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while not (folder / "runs.parquet.partial").exists():
            assert child.poll() is None and time.monotonic() < deadline, child.stderr.read()
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGINT)
        sent = time.monotonic()
        _, err = child.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == 130
    assert err.strip().splitlines() == [f"interrupted: nothing of this run was kept in {folder}"]
    assert took < 5  # about a second on a quiet machine
    assert not folder.exists()


def no_plots(monkeypatch):
    """Skip the plots, chronicle and report (the sweep and lock mechanics do not need them)."""
    monkeypatch.setattr(sim.pipeline, "write_products", lambda *args, **kwargs: None)


def test_a_failed_point_of_a_sweep_is_marked_not_skipped(launched, tmp_path, monkeypatch):
    no_plots(monkeypatch)
    run_pipeline = sim.pipeline.run_pipeline

    def fail_at_04(cfg, folder, *args, **kwargs):
        if cfg.scenario.forces.threat_weight == 0.4:
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / "x"))
        return run_pipeline(cfg, folder, *args, **kwargs)

    monkeypatch.setattr(sim.pipeline, "run_pipeline", fail_at_04)
    sweep = tmp_path / "sweep"
    code, lines = launched("-m", "scenario.forces.threat_weight=0.4,0.5", *SMALL,
                           f"hydra.sweep.dir={sweep}")
    assert code == 1 and len(lines) == 2, lines
    assert lines[0].startswith("error: point 0 (") and "No space left on device" in lines[0]
    assert lines[-1].startswith("error: 1 point(s) of the sweep failed (first: point 0")
    table = pd.read_csv(sweep / "sweep.csv")
    assert list(table["state"]) == ["failed", "finished"]
    assert "No space left" in table["error"].iloc[0]
    assert table["scenario.forces.threat_weight"].tolist() == [0.4, 0.5]
    assert not (sweep / "0" / "summary.json").exists()
    assert json.loads((sweep / "0" / "failed.json").read_text())["state"] == "failed"


def test_ctrl_c_in_a_sweep_keeps_finished_points_and_writes_no_table(launched, tmp_path,
                                                                      monkeypatch):
    no_plots(monkeypatch)
    run_pipeline = sim.pipeline.run_pipeline

    def stop_at_04(cfg, folder, *args, **kwargs):
        if cfg.scenario.forces.threat_weight == 0.4:
            raise KeyboardInterrupt
        return run_pipeline(cfg, folder, *args, **kwargs)

    monkeypatch.setattr(sim.pipeline, "run_pipeline", stop_at_04)
    sweep = tmp_path / "sweep"
    code, lines = launched("-m", "scenario.forces.threat_weight=0.3,0.4", *SMALL,
                           f"hydra.sweep.dir={sweep}")
    assert code == 130 and len(lines) == 1 and lines[0].startswith("interrupted: the sweep")
    assert (sweep / "0" / "summary.json").exists()
    assert not (sweep / "1").exists()
    assert not (sweep / "sweep.csv").exists() and not (sweep / LOCK).exists()


def test_a_held_folder_is_refused_and_left_alone(launched, tmp_path, monkeypatch):
    no_plots(monkeypatch)
    folder = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        folder.mkdir()
        (folder / "theirs.txt").write_text("another run's file")
        (folder / LOCK).write_text(json.dumps({"pid": holder.pid, "host": socket.gethostname(),
                                               "started": "now"}))
        code, lines = launched(*SMALL, f"hydra.run.dir={folder}")
        assert code == 1 and len(lines) == 1 and "is in use by another run" in lines[0]
        assert sorted(p.name for p in folder.iterdir()) == sorted([LOCK, "theirs.txt"])
    finally:
        holder.kill()
        holder.wait()
    code, lines = launched(*SMALL, f"hydra.run.dir={folder}")  # a stale lock is taken over
    assert code == 0, lines
    assert (folder / "summary.json").exists() and (folder / "theirs.txt").exists()
    assert not (folder / LOCK).exists()


def test_a_run_into_a_finished_folder_says_so(launched, tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "summary.json").write_text("{}")
    before = (folder / "summary.json").stat().st_mtime_ns
    code, lines = launched(*SMALL, f"hydra.run.dir={folder}")
    assert code == 1 and len(lines) == 1 and "already holds a finished run" in lines[0]
    assert (folder / "summary.json").stat().st_mtime_ns == before


def test_two_runs_into_one_folder_at_once(tmp_path):
    folder = tmp_path / "conc"
    args = ["runs=300", "chunk_size=100", "progress=false", "compare_with=null",
            f"hydra.run.dir={folder}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [subprocess.Popen([sys.executable, "run.py", *args], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)]
    results = [(r.wait(timeout=300), r.stderr.read()) for r in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, err in results if code == 1)
    assert len(loser.strip().splitlines()) == 1
    assert "in use by another run" in loser or "already holds a finished run" in loser
    assert (folder / "summary.json").exists() and (folder / "runs.parquet").exists()
    assert not (folder / LOCK).exists()


def test_cleanup_removes_only_what_the_run_wrote(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    lock = lock_folder(folder)
    (folder / "report.md").write_text("the run's")
    (folder / "plots").mkdir()
    (folder / "plots" / "a.png").write_bytes(b"png")
    lock.discard()
    lock.release()
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
