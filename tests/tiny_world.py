"""A small world built for planted-effect tests: three slights, any two of which split it.

Two allies, one person each with fixed traits, no deaths, ousters or border dynamics. Three
junctures each insult (odds 9:1) or show respect; each insult adds a grievance of 0.25, and
cohesion relaxes toward `0.5 - grievance_weight * grievance`, so one insult leaves it above the
split threshold (0.375) and two take it below (0.25). A fourth juncture changes nothing.
"""

from __future__ import annotations

TRAITS = {t: 0.5 for t in ("prestige_seeking", "ideological_rigidity", "threat_perception",
                           "impulsiveness", "dominance")}


def _person(nation: str) -> dict:
    return {"name": nation.upper(), "nation": nation, "born": 1900, "died": 2000,
            "ideology": 0.5, "traits": dict(TRAITS), "security": 1.0}


def _slight(date: str, actor: str, target: str) -> dict:
    return {"title": f"slight {date}", "date": date, "actor": actor, "options": {
        "insult": {"text": "insult", "weight": 9, "effects": {"grievance": {target: 0.25}}},
        "respect": {"text": "respect", "weight": 1},
    }}


def tiny_scenario() -> dict:
    """The tiny world as plain scenario data (what a composed scenario file gives)."""
    forces = {k: 0.0 for k in (
        "threat_weight", "aid_weight", "ideology_weight", "status_weight", "border_weight",
        "polemic_rate", "polemic_grievance", "border_rise", "clash_rate", "realignment_rate",
        "capability_noise", "nuclear_status_bonus", "ouster_rate", "mortality_base",
        "succession_grievance_reset")}
    forces.update(baseline_cohesion=0.5, adjustment_rate=1.0, noise=0.02, grievance_weight=0.5,
                  grievance_half_life=100, aid_half_life=5, line_pull_half_life=5,
                  recognition_half_life=5, border_half_life=5, capability_recovery_half_life=5,
                  ouster_failure_factor=1.0, mortality_doubling_years=8)
    return {
        "title": "A tiny test world",
        "period": {"start": 1950, "horizon": 1975, "steps_per_year": 4},
        "alliance": {"members": ["a", "b"], "third_power": "c", "initial_cohesion": 0.5},
        "split": {"threshold": 0.3, "sustained_years": 1.0},
        "nations": {
            "a": {"name": "A", "capability": 0.2, "line": 0.5, "sovereignty_sensitivity": 0.5,
                  "recognition": 0.5, "office": "leader", "holder": "pa"},
            "b": {"name": "B", "capability": 0.1, "line": 0.5, "sovereignty_sensitivity": 0.5,
                  "recognition": 0.5, "office": "leader", "holder": "pb"},
            "c": {"name": "C", "threat_to": {"a": 0.5, "b": 0.5},
                  "openness_to": {"a": 0.0, "b": 0.0}},
        },
        "persons": {"pa": _person("a"), "pb": _person("b")},
        "forces": forces,
        "junctures": {
            "first": _slight("1955-01-01", "a", "b"),
            "second": _slight("1957-01-01", "b", "a"),
            "third": _slight("1959-01-01", "a", "b"),
            "decoy": {"title": "decoy", "date": "1961-01-01", "actor": "b", "options": {
                "left": {"text": "left", "weight": 1}, "right": {"text": "right", "weight": 1}}},
        },
    }
