"""What a run is called: its scenario and a short form of the scenario fields it overrode.

`python run.py scenario.forces.threat_weight=0` is not the baseline: its first printed line,
its folder (`results/baseline+threat_weight=0/<time>`), its report and its plots all say so.
Run settings (runs, seed, executor, chronicle...) never change what world was run, so they
are left out of the name; summary.json records every override as given (`overrides`).
"""

from __future__ import annotations

import hashlib
import re

from omegaconf import OmegaConf

PREFIX = "scenario."
COLLECTIONS = ("forces", "persons", "nations", "junctures")
"""Top-level keys of a scenario whose children are named by their own id in the short form."""
INNER = {"persons": "traits", "junctures": "options"}
"""A level under an entry that the short form also drops: persons.mao.traits.x -> mao.x."""
LONGEST = 120
"""Longest folder name; longer ones are cut and end in a short hash of the whole."""


def scenario_overrides(overrides: list[str] | None) -> list[str]:
    """The overrides that change the world (`scenario.*=...`), in the order given."""
    return [o for o in overrides or [] if o.lstrip("+~").startswith(PREFIX)]


def short_key(key: str) -> str:
    """`scenario.forces.threat_weight` -> `threat_weight`;
    `scenario.persons.mao.traits.prestige_seeking` -> `mao.prestige_seeking`;
    `scenario.junctures.advisers.options.withdraw.weight` -> `advisers.withdraw.weight`."""
    parts = key.lstrip("+~")[len(PREFIX):].split(".")
    if parts and parts[0] in COLLECTIONS:
        inner = INNER.get(parts[0])
        parts = parts[1:]
        if inner and len(parts) > 2 and parts[1] == inner:
            parts = [parts[0], *parts[2:]]
    return ".".join(parts)


def short_overrides(overrides: list[str] | None) -> list[str]:
    """Each world-changing override in its short form, `key=value`."""
    shorts = []
    for override in scenario_overrides(overrides):
        key, _, value = override.partition("=")
        prefix = "~" if key.startswith("~") else ""
        shorts.append(f"{prefix}{short_key(key)}" + (f"={value}" if _ else ""))
    return shorts


def run_label(scenario: str, overrides: list[str] | None) -> str:
    """`baseline`, or `baseline+threat_weight=0+mao.prestige_seeking=0.5`: safe as a folder
    name (characters other than letters, digits and `._=+,-` become `_`)."""
    label = "+".join([scenario, *short_overrides(overrides)])
    label = re.sub(r"[^A-Za-z0-9._=+,\-]", "_", label)
    if len(label) > LONGEST:
        digest = hashlib.sha1(label.encode()).hexdigest()[:8]
        label = f"{label[:LONGEST - 9]}-{digest}"
    return label


def label_of(summary: dict) -> str:
    """The run's name from its summary (scenario and the overrides it records)."""
    return run_label(summary["scenario"], summary.get("overrides"))


def title_of(summary: dict) -> str:
    """The scenario's title, followed by the overrides the run made to it, if any."""
    shorts = short_overrides(summary.get("overrides"))
    return summary["title"] + (f", with {', '.join(shorts)}" if shorts else "")


def _resolve(scenario: str, overrides) -> str:
    if OmegaConf.is_config(overrides):
        overrides = OmegaConf.to_container(overrides)
    return run_label(str(scenario), [str(o) for o in overrides or []])


def register_resolver() -> None:
    """`${run_label:SCENARIO,OVERRIDES}` for `hydra.run.dir` in configs/config.yaml."""
    OmegaConf.register_new_resolver("run_label", _resolve, replace=True)


register_resolver()


def capitalised(text: str) -> str:
    """`text` with a capital first letter, as a sentence or a table cell begins ("an unnamed
    successor" -> "An unnamed successor")."""
    return text[:1].upper() + text[1:]
