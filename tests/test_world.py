"""The scenario schema: every bad input is refused with a message naming it and what is allowed."""

import copy

import pytest
from omegaconf import OmegaConf

from sim.calendar import iso_date
from sim.errors import ScenarioError
from sim.scenario.fields import to_decimal_year
from sim.scenario.validate import parse_world
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def raw():
    return OmegaConf.to_container(OmegaConf.load(ROOT / "scenarios" / "baseline.yaml"))


def refused(raw, change) -> str:
    data = copy.deepcopy(raw)
    change(data)
    with pytest.raises(ScenarioError) as error:
        parse_world(data, "test")
    return str(error.value)


def test_baseline_is_valid(raw):
    world = parse_world(raw, "baseline")
    assert world.members == ("ussr", "prc")
    assert world.n_steps == 169
    dates = [j.date for j in world.juncture_list]
    assert dates == sorted(dates)


def test_trait_outside_unit_interval(raw):
    def change(d):
        d["persons"]["mao"]["traits"]["prestige_seeking"] = 1.4
    message = refused(raw, change)
    assert "persons.mao.traits.prestige_seeking = 1.4" in message and "[0.0, 1.0]" in message


def test_distribution_bounds_and_names(raw):
    def outside(d):
        d["persons"]["mao"]["traits"]["dominance"] = {"uniform": [0.5, 1.2]}
    assert "[0.0, 1.0]" in refused(raw, outside)

    def misspelt(d):
        d["persons"]["mao"]["traits"]["dominance"] = {"triangle": [0.5, 0.6, 0.7]}
    message = refused(raw, misspelt)
    assert "did you mean 'triangular'" in message and "uniform, triangular, beta" in message


def test_misspelt_key_suggests_the_right_one(raw):
    def change(d):
        d["persons"]["mao"]["traits"]["prestige_seking"] = d["persons"]["mao"]["traits"].pop(
            "prestige_seeking")
    message = refused(raw, change)
    assert "unknown key 'prestige_seking'" in message
    assert "did you mean 'prestige_seeking'" in message


def test_missing_key_is_named(raw):
    def change(d):
        del d["forces"]["noise"]
    assert "forces is missing the key 'noise'" in refused(raw, change)


def test_impossible_date(raw):
    def change(d):
        d["junctures"]["secret_speech"]["date"] = "1956-02-30"
    message = refused(raw, change)
    assert "'1956-02-30' is not a possible date" in message


def test_juncture_outside_the_horizon(raw):
    def change(d):
        d["junctures"]["advisers"]["date"] = "1995-07-16"
    message = refused(raw, change)
    assert "outside the simulated period" in message and "1991-12-31" in message


def test_a_series_dated_after_the_horizon_is_refused(raw):
    """A typo that puts a whole series after the period (1997 for 1967) would hold its first
    value throughout and say nothing; a series that begins before the start is allowed."""
    def change(d):
        d["nations"]["usa"]["threat_to"]["ussr"] = {1997.5: 0.5, 1998: 0.8}
    message = refused(raw, change)
    assert message.startswith("nations.usa.threat_to.ussr is dated from 1997-07-01, after the "
                              "horizon (1991-12-31)") and "\n" not in message
    data = copy.deepcopy(raw)
    data["nations"]["usa"]["threat_to"]["ussr"] = {1940: 0.5, 1998: 0.8}
    parse_world(data, "test")


def test_unknown_references_are_named(raw):
    def holder(d):
        d["nations"]["ussr"]["holder"] = "mao"
    assert "holder 'mao'" in refused(raw, holder)

    def actor(d):
        d["junctures"]["advisers"]["actor"] = "usa"
    assert "actor 'usa'" in refused(raw, actor)

    def leader(d):
        d["junctures"]["advisers"]["options"]["stay"]["effects"] = {"leader": {"ussr": "nobody"}}
    assert "person 'nobody'" in refused(raw, leader)


def test_a_juncture_needs_a_possible_option(raw):
    def change(d):
        for option in d["junctures"]["advisers"]["options"].values():
            option["weight"] = 0
    assert "at least one option with a weight above 0" in refused(raw, change)


@pytest.mark.parametrize(("change", "says"), [
    (lambda d: d["persons"]["mao"].update(died=1890),
     "persons.mao: died (1890-01-01) is before born (1893)"),
    (lambda d: d["persons"]["malenkov"]["contender"].update({"from": 1953, "until": 1950}),
     "persons.malenkov.contender: until (1950-01-01) is before from (1953-01-01)"),
    (lambda d: d["junctures"]["advisers"]["options"]["stay"].update(text="{leader} stays"),
     "junctures.advisers.options.stay.text names {leader}; the only placeholder is {holder}"),
    (lambda d: d["nations"]["prc"].update(capability={1950: 0.1, 1960: 0}),
     "nations.prc.capability must be above 0 at every date"),
    (lambda d: d["history"]["checks"][1].update(within=[1995, 1999]),
     "history.checks[1] (median split year) looks at 1995-1999, outside the simulated years "
     "1949-1991"),
    (lambda d: d["history"]["checks"][2].update(years=[1930, 1940]),
     "looks at 1930-1940, outside the simulated years 1949-1991"),
])
def test_what_cannot_have_happened_is_refused(raw, change, says):
    """Input that is well typed but impossible (a death before a birth, a window that runs
    backward, a name the chronicle cannot fill in, a capability of nothing, a check of years
    never simulated) is refused in one line rather than run."""
    message = refused(raw, change)
    assert says in message and "\n" not in message


@pytest.mark.parametrize(("change", "says"), [
    (lambda d: d.pop("forces"),
     "the scenario is missing the key 'forces' (copy it from scenarios/template.yaml"),
    (lambda d: d["nations"].update(india={"name": "India", "threat_to": {"prc": 0.3}}),
     "nations.india is neither an ally nor an outside power, so it takes only a name; to give "
     "it 'threat_to', name it in alliance.outside_powers (a file with third_power lists that "
     "power there too"),
    (lambda d: d["nations"].update(india={"name": "India", "office": "Prime Minister"}),
     "unknown key 'office' in nations.india (a bystander)"),
    (lambda d: d["history"]["evidence"]["stalin_until_death"].update(until="1949-12-01",
                                                                      tolerance=0.5),
     "1949-06-01 (a date of the fact, or one moved by its tolerance of 0.5 years) is outside"),
])
def test_a_refusal_says_what_to_do(raw, change, says):
    assert says in refused(raw, change)


def test_dates_round_trip():
    assert to_decimal_year("1949-10-01") == 1949.75
    assert to_decimal_year("1956-02-15") == pytest.approx(1956 + (1 + 14 / 29) / 12)
    assert iso_date(to_decimal_year("1956-02-25")) == "1956-02-25"
    assert to_decimal_year(1960) == 1960.0


@pytest.mark.parametrize(("steps_per_year", "first_step", "step_of_event", "months_of_event"), [
    (12, "1955-09-01", 42, "1959-03-01"),   # months from the first of the start's month
    (4, "1955-09-01", 14, "1959-03-01"),    # quarters from the first of that month as well
    (52, "1955-09-27", None, None),         # weeks are not months: from the start itself
])
def test_steps_of_whole_months_are_calendar_months(raw, steps_per_year, first_step,
                                                   step_of_event, months_of_event):
    data = copy.deepcopy(raw)
    data["period"] = {"start": "1955-09-27", "horizon": "1979-03-26",
                      "steps_per_year": steps_per_year}
    data["junctures"] = {}
    data["challenges"] = {}
    data["history"] = {}
    world = parse_world(data, "test")
    assert iso_date(world.year_of(0)) == first_step
    assert world.step_of(world.start) == 0
    assert world.year_of(world.n_steps) >= world.horizon > world.year_of(world.n_steps - 1)
    if step_of_event is not None:
        event = to_decimal_year("1959-03-16")   # Nasser's reply to Khrushchev in Damascus
        assert world.step_of(event) == step_of_event
        assert iso_date(world.year_of(world.step_of(event))) == months_of_event
