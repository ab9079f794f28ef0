"""What a reader is told where rounding or a missing value would mislead: found by a new user
writing an alliance from the template and reading its outputs."""

from __future__ import annotations

from types import SimpleNamespace

from sim.analysis.history import shown_value
from sim.outputs.chronicle import _shown
from sim.outputs.console import _no_shift


def test_a_check_value_of_a_few_worlds_is_not_shown_as_none():
    assert shown_value("probability", 0.004) == "<0.01"    # 0.00 beside "split 0.4%"
    assert shown_value("probability", 0.0) == "0.00"
    assert shown_value("probability", 0.997) == ">0.99"
    assert shown_value("probability", 1.0) == "1.00"
    assert shown_value("median_cohesion", 0.573) == "0.57"
    assert shown_value("median_year", 1962.25) == "1962.2"


def test_cohesion_below_the_threshold_is_never_shown_at_it():
    world = SimpleNamespace(split_threshold=0.3)
    assert _shown(0.2996, world) == "0.299"   # "falls below 0.3 (cohesion 0.30)" before
    assert _shown(0.2949, world) == "0.29"
    assert _shown(0.3, world) == "0.30"
    assert _shown(0.61, world) == "0.61"


def test_a_median_in_one_run_only_is_not_called_unchanged():
    def outcome(reference: float, difference: float) -> dict:
        return {"reference": {"probability": reference}, "difference": difference}
    assert _no_shift(outcome(0.004, -0.004), "soviet_cuba") == \
        "no median year in this run: in no world"
    assert _no_shift(outcome(0.0, 0.01), "soviet_cuba") == \
        "no median year in soviet_cuba: in no world"
    assert _no_shift(outcome(0.0, 0.0), "soviet_cuba") == \
        "no median year: in no world of either run"


def test_the_days_a_holder_is_in_office_are_one_list():
    from sim.calibration.evidence import items_of
    from sim.scenario.library import composed_data, world_from_data

    items = {i.name: i for i in items_of(world_from_data(composed_data("baseline"), "baseline"))}
    assert items["khrushchev_in_office"].record() == \
        "khrushchev holds the ussr office on 1957-07-01 and 1964-01-01"   # "on .. on .." before


def test_a_percent_tick_has_no_trailing_zeros():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sim.outputs.plots import percent_axis, percent_tick

    assert [percent_tick(v) for v in (0.003, 0.0025, 0.125, 0.5, 1.0, 0.0)] == \
        ["0.3%", "0.25%", "12.5%", "50%", "100%", "0%"]     # "0.300%" on a run with few splits
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 0.004])
    percent_axis(ax.yaxis)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert labels and not any(label.rstrip("%").endswith("0") and "." in label
                              for label in labels), labels


def test_the_console_gives_each_piece_of_evidence_in_words():
    from sim.outputs.console import evidence_lines

    lines = evidence_lines({"split": {"share": 0.5, "text": "The alliance breaks in 1972-76",
                                      "record": "split within 1972-01-01 to 1976-12-31"}})
    assert lines[-1] == "   50.0%  split  The alliance breaks in 1972-76"
