"""The scenario format for authors, written from the schema: a JSON Schema and a reference page.

    python -m sim.scenario.reference          # writes docs/scenario.schema.json and
                                              # docs/SCENARIO_FORMAT.md

An editor with the YAML language server completes and checks a scenario file that starts with
`# yaml-language-server: $schema=../docs/scenario.schema.json`. Both files are generated from
sim/scenario/schema.py and the engine's declarations; a test checks that they are current.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from sim.paths import ROOT, SCENARIOS
from sim.scenario.fields import SERIES_DOC
from sim.scenario.schema import NOTE_KEYS, World

DOCS = ROOT / "docs"



def json_schema() -> dict:
    """The JSON Schema of a scenario file.

    Every key is optional in it, because a counterfactual file holds only what differs from
    the scenario it starts from; a composed scenario is checked whole when it runs. Entries of
    the id-keyed mappings may be null (which removes an inherited entry), and `defaults` lists
    the scenarios a file starts from.
    """
    schema = World.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "alliance-sim scenario"
    schema["properties"]["defaults"] = {
        "description": "the scenarios this file starts from, then _self_ (a Hydra defaults "
                       "list)", "type": "array"}

    def relax(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("required", None)
            extra = node.get("additionalProperties")
            if isinstance(extra, dict) and "$ref" in extra:
                node["additionalProperties"] = {"anyOf": [extra, {"type": "null"}]}
            for value in node.values():
                relax(value)
        elif isinstance(node, list):
            for value in node:
                relax(value)

    relax(schema)
    return schema


def _type(spec: dict) -> str:
    """A field's type in words."""
    if any(o.get("pattern", "").startswith("^\\d{4}") for o in spec.get("anyOf", [])):
        return "date"
    if spec.get("description") == SERIES_DOC:
        return "series"
    if "anyOf" in spec:
        kinds = [_type(s) for s in spec["anyOf"] if s.get("type") != "null"]
        text = " or ".join(dict.fromkeys(kinds))
        return text
    if "$ref" in spec:
        return f"[{spec['$ref'].split('/')[-1]}](#{spec['$ref'].split('/')[-1].lower()})"
    if "enum" in spec:
        return "one of " + ", ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if kind == "object" and spec.get("title") == "distribution":
        return "distribution"
    if kind == "object":
        extra = spec.get("additionalProperties")
        return f"mapping of id to {_type(extra)}" if isinstance(extra, dict) else "mapping"
    if kind == "string" and spec.get("pattern", "").startswith("^\\d{4}"):
        return "date"
    return {"number": "number", "integer": "whole number", "string": "text",
            "boolean": "true or false"}.get(kind, kind)


def _range(spec: dict) -> str:
    """The range of a field's numbers, looking through mappings (of ids, of dates) and
    alternatives to the first bounded number."""
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None or high is not None:
        return f"[{'' if low is None else f'{low:g}'}, {'' if high is None else f'{high:g}'}]"
    inner = spec.get("anyOf", [])
    if isinstance(spec.get("additionalProperties"), dict):
        inner = [spec["additionalProperties"], *inner]
    return next((r for r in map(_range, inner) if r), "")


def _example(path: str, key: str, baseline: dict) -> str:
    """The baseline's value at `path.key` (ids replaced by the baseline's first), if short."""
    node: Any = baseline
    for part in [p for p in path.replace("[]", ".0").split(".") if p] + [key]:
        if isinstance(node, dict):
            node = node.get(part) if part != "ID" else next(iter(node.values()), None)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return ""
    text = json.dumps(_plain(node), default=str)
    if node is None or len(text) > 60:
        return ""
    return f"`{text}`"


def _plain(node: Any) -> Any:
    """Data as JSON can write it (YAML dates as keys become text)."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def sections(schema: dict) -> list[tuple[str, str]]:
    """(definition, where it sits in a file) for each part of a scenario, depth first."""
    found: list[tuple[str, str]] = [("World", "")]

    def visit(spec: dict, where: str) -> None:
        for key, field in spec.get("properties", {}).items():
            optional = [(choice, "") for choice in field.get("anyOf", [])]   # X or null
            for inner, suffix in ((field, ""), *optional,
                                  (field.get("additionalProperties"), ".ID"),
                                  (field.get("items"), "[]")):
                if isinstance(inner, dict) and "$ref" in inner:
                    name = inner["$ref"].split("/")[-1]
                    path = f"{where}.{key}{suffix}".lstrip(".")
                    if name not in (n for n, _ in found):
                        found.append((name, path))
                        visit(schema["$defs"][name], path)

    visit(schema, "")
    return found


def markdown() -> str:
    """docs/SCENARIO_FORMAT.md."""
    schema = World.model_json_schema()
    defs = {**schema["$defs"], "World": schema}
    baseline = yaml.safe_load((SCENARIOS / "baseline.yaml").read_text(encoding="utf-8"))
    lines = [
        "# The scenario format",
        "",
        "<!-- Generated by `python -m sim.scenario.reference`; do not edit by hand. -->",
        "",
        "A scenario is a YAML file in `scenarios/`: plain data, nothing in it is executed. A "
        "counterfactual starts from another scenario with a defaults list "
        "(`defaults: [baseline, _self_]`) and holds only what differs; an entry set to `null` "
        "removes an inherited one. Every field below is also a command-line override path, "
        "`scenario.` followed by its keys (`scenario.forces.threat_weight=0.4`). What each field "
        "does in the model: [MODEL.md](MODEL.md).",
        "",
        "Editors: start a file with `# yaml-language-server: $schema=../docs/scenario.schema."
        "json` for completion and checking (the schema leaves every key optional, since a "
        "counterfactual is partial; a composed scenario is checked whole when it runs).",
        "",
        "Value types: a **date** is `YYYY-MM-DD`, `YYYY-MM`, a year or a decimal year (a year "
        "counts as twelve equal months); a **trait** is a number in [0, 1] or a distribution "
        "sampled in each world (`{uniform: [low, high]}`, `{triangular: [low, mode, high]}`, "
        "`{beta: [a, b]}`); a **distribution** (where a field's type says so: every force, "
        "a person's `security`, a nation's scalars, an option's `weight`, "
        "`alliance.initial_cohesion`) is drawn in each world from the stream "
        "`param:<path>`: `{uniform: [low, high]}`, `{triangular: [low, mode, high]}`, "
        "`{normal: [mean, sd]}` or `{lognormal: [median, sigma]}` (both truncated to the "
        "field's range), `{beta: [a, b]}` for a field in [0, 1], and for a juncture's `date` "
        "`{uniform: [from, to]}` or `{triangular: [from, mode, to]}` of dates (the juncture "
        "comes in the step each world's date falls in); a **series** is a number or "
        "`{date: value}` points, interpolated "
        "linearly and held flat beyond its ends; points before the start shape it, but a "
        "series must have a point no later than the horizon. Numbers must be finite. The keys "
        f"{', '.join(f'`{k}`' for k in NOTE_KEYS)} are allowed anywhere for citations.",
    ]
    for name, where in sections(schema):
        spec = defs[name]
        doc = " ".join(spec.get("description", "").split())
        lines += ["", f"## {name}", "", f"`{where or '(top level)'}`: {doc}", "",
                  "| key | type | range | default | meaning | baseline |",
                  "|---|---|---|---|---|---|"]
        required = set(spec.get("required", []))
        for key, field in spec["properties"].items():
            if key in NOTE_KEYS:
                continue
            default = field.get("default")
            default = "required" if key in required else (
                "" if isinstance(default, dict) or "default" not in field
                else f"`{json.dumps(default)}`")
            meaning = field.get("description", "")
            ref = field.get("$ref") or field.get("additionalProperties", {}).get("$ref")
            if not meaning and ref:
                meaning = defs[ref.split("/")[-1]].get("description", "").split(". ")[0]
            meaning = " ".join(meaning.split()).replace("|", "/")
            kind = _type(field)
            bounds = "" if kind.startswith("date") else _range(field)   # years, not a range
            lines.append(f"| `{key}` | {kind} | {bounds} | {default} | "
                         f"{meaning} | {_example(where, key, baseline)} |")
    return "\n".join(lines) + "\n"


def write(folder: Path = DOCS) -> list[Path]:
    schema_path, page_path = folder / "scenario.schema.json", folder / "SCENARIO_FORMAT.md"
    schema_path.write_text(json.dumps(json_schema(), indent=1) + "\n", encoding="utf-8")
    page_path.write_text(markdown(), encoding="utf-8")
    return [schema_path, page_path]


if __name__ == "__main__":
    for path in write():
        print(f"Wrote {path}")
