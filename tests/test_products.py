"""A run's folder holds every plot, the chronicle, report.md and the new summary blocks."""

from __future__ import annotations

import json
import re

import pytest

from sim.calendar import year_key
from sim.errors import SettingsError
from sim.outputs.plots import milestone_labels, new_figure, share_text
from sim.outputs.products import PLOTS
from sim.pipeline import run_pipeline
from tests.conftest import compose_config, world_of

SMALL = ["runs=300", "chunk_size=100", "progress=false"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """A counterfactual (a less prestige-seeking Mao) against the baseline on the same seeds."""
    folder = tmp_path_factory.mktemp("compared")
    cfg = compose_config([*SMALL, "scenario.persons.mao.traits.prestige_seeking=0.5"])
    summary = run_pipeline(cfg, folder, "baseline", world_of("baseline"))
    return folder, summary


def test_every_plot_is_written_as_a_non_empty_png(compared):
    folder, _ = compared
    for name in PLOTS:
        data = (folder / "plots" / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_report_links_every_plot_and_the_chronicle_and_they_exist(compared):
    folder, summary = compared
    report = (folder / "report.md").read_text()
    links = re.findall(r"\]\(([^)]+)\)", report)
    for name in PLOTS:
        assert f"plots/{name}.png" in links
    assert "chronicle.md" in links
    assert all((folder / link).is_file() for link in links)
    assert "## History check" in report and "| split |" in report
    assert f"World {summary['chronicle']['world']}" in report


def test_summary_holds_survival_drivers_and_chronicle_and_is_written_last(compared):
    folder, summary = compared
    saved = json.loads((folder / "summary.json").read_text())
    assert saved["drivers"]["split_worlds"]["worlds"] == saved["outcomes"]["split"]["worlds"]
    assert set(saved["survival"]["at_milestones"]) == set(saved["outcomes"]["split"]["by_year"])
    for year, share_split in saved["outcomes"]["split"]["by_year"].items():
        at = saved["survival"]["at_milestones"][year]
        assert at["probability"] == pytest.approx(1 - share_split)  # censoring only at horizon
        assert at["ci95"][0] <= at["probability"] <= at["ci95"][1]
    hazard = saved["survival"]["hazard"]["periods"]
    assert sum(p["splits"] for p in hazard) == saved["outcomes"]["split"]["worlds"]
    assert set(saved["survival"]["vs_baseline"]) == set(saved["outcomes"]["split"]["by_year"])
    assert saved["chronicle"]["file"] == "chronicle.md"
    finished = (folder / "summary.json").stat().st_mtime_ns
    others = [p for p in folder.rglob("*") if p.is_file() and p.name != "summary.json"]
    assert all(p.stat().st_mtime_ns <= finished for p in others)


def test_a_run_without_comparison_writes_the_same_files(tmp_path):
    cfg = compose_config([*SMALL, "compare_with=null", "chronicle.pick=survivor"])
    summary = run_pipeline(cfg, tmp_path, "baseline", None)
    assert "vs_baseline" not in summary and "vs_baseline" not in summary["survival"]
    assert all((tmp_path / "plots" / f"{name}.png").stat().st_size > 20_000 for name in PLOTS)
    assert "held to the horizon" in (tmp_path / "chronicle.md").read_text()


def test_a_bad_chronicle_pick_stops_the_run_before_anything_is_written(tmp_path):
    folder = tmp_path / "run"
    with pytest.raises(SettingsError, match="chronicle.pick"):
        run_pipeline(compose_config([*SMALL, "chronicle.pick=300"]), folder, "baseline")
    assert not folder.exists()


def test_a_few_worlds_are_not_shown_as_none_or_all():
    assert [share_text(p) for p in (0.0, 0.002, 0.5, 0.998, 1.0)] == \
        ["0%", "0.2%", "50%", "99.8%", "100%"]


def test_milestone_labels_neither_overlap_nor_leave_the_axes():
    """sino_north_korea's milestones: 1992 and 1994 are too close for one row, and 2000 lies
    at the horizon, so its label goes left of its line."""
    world = world_of("sino_north_korea")
    fig, ax = new_figure()
    ax.set_xlim(world.start, world.horizon)
    milestone_labels(ax, world, {year_key(m): 0.002 for m in world.milestones})
    labels = {text.get_text().split("\n")[0]: text for text in ax.texts}
    assert labels["1969"].get_position()[1] == labels["1992"].get_position()[1] == 1.0
    assert labels["1994"].get_position()[1] < 1.0                    # dropped a row
    assert labels["2000"].get_ha() == "right" and labels["1992"].get_ha() == "left"
    fig.canvas.draw()
    inside = ax.get_window_extent()
    boxes = [text.get_window_extent() for text in ax.texts]
    assert all(inside.x0 <= box.x0 and box.x1 <= inside.x1 for box in boxes)
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
