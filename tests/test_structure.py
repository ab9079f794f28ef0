"""The house rules a reader relies on: small modules, every name declared once, and the
scenario format's reference generated from the schema and current."""

from __future__ import annotations

import ast
import re
from collections import defaultdict

import pytest
from omegaconf import OmegaConf

from sim.engine.schedule import DRIVERS, OUTCOMES, PARAMETERS, SCHEDULE, STREAMS
from sim.engine.specs import IDEOLOGY_TRAIT
from sim.scenario import reference
from tests.conftest import ROOT

MODULES = sorted((ROOT / "sim").rglob("*.py"))


def literals(path) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_longer_than_about_400_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 420


def test_no_outcome_or_driver_name_is_typed_in_two_modules():
    names = ({o.id for o in OUTCOMES} | {o.column for o in OUTCOMES}
             | {d.id for d in DRIVERS})
    where = defaultdict(set)
    for path in MODULES:
        for value in literals(path) & names:
            where[value].add(str(path.relative_to(ROOT)))
    # the driver 'ideology' shares its name with a person's trait, declared in sim/engine/specs
    where[IDEOLOGY_TRAIT].discard("sim/engine/specs.py")
    twice = {name: sorted(paths) for name, paths in where.items() if len(paths) > 1}
    assert not twice


def test_the_vocabulary_is_declared_once_and_in_schedule_order():
    for items in ([o.id for o in OUTCOMES], [d.id for d in DRIVERS],
                  [s.template for s in STREAMS]):
        assert len(items) == len(set(items))
    # the drivers that are not mechanisms come last: cohesion books clipping as the last term
    cohesion = next(p for p in SCHEDULE if p.name == "cohesion")
    assert DRIVERS[-len(cohesion.drivers):] == cohesion.drivers
    after = SCHEDULE[SCHEDULE.index(cohesion) + 1:]
    assert not any(p.drivers for p in after)


def test_the_scenario_format_reference_is_current(tmp_path):
    written = reference.write(tmp_path)
    for path in written:
        current = (ROOT / "docs" / path.name).read_text(encoding="utf-8")
        assert path.read_text(encoding="utf-8") == current, (
            f"docs/{path.name} is out of date: run python -m sim.scenario.reference")


def test_the_model_description_gives_the_baselines_forces():
    """docs/MODEL.md, section 4.1, lists every force with the value baseline.yaml gives it (or
    the default where it gives none): a change to the file that does not reach the table fails
    here, as the deference half-life's once did not."""
    section = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    section = section.split("### 4.1 Forces")[1].split("### 4.2")[0]
    # | `name` | meaning | unit | allowed | baseline | source |: the baseline cell's first number
    documented = {name: float(value) for name, value in re.findall(
        r"^\| `(\w+)` \|(?:[^|]*\|){3} *([-\d.]+)", section, re.MULTILINE)}
    baseline = OmegaConf.to_container(OmegaConf.load(ROOT / "scenarios" / "baseline.yaml").forces)
    assert documented.keys() == PARAMETERS.keys()
    assert documented == {name: float(baseline.get(name, parameter.default))
                          for name, parameter in PARAMETERS.items()}


def test_every_source_is_one_a_reader_can_find():
    """Scenarios and docs cite books, datasets and the project's own docs, never the notes the
    authors worked from, which a reader of the project does not have."""
    unshipped = re.compile(r"reference timeline|research notes|reference notes|\.\./shared|/work/")
    texts = [*(ROOT / "scenarios").glob("*.yaml"), *(ROOT / "docs").glob("*.md"),
             ROOT / "README.md"]
    cited = [f"{path.name}:{n}" for path in texts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if unshipped.search(line)]
    assert not cited
