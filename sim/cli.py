"""`alliance-sim`: the console command installed with the package, usable from any folder.

    alliance-sim run [OVERRIDE ...]     run a scenario as `python run.py` does (same overrides;
                                        results go to ./results under the current folder)
    alliance-sim list                   the scenarios, with their titles and claims
    alliance-sim chronicle FOLDER [world=ID | pick=...] [where=...] [count=N]
                                        tell worlds of a finished run from its folder
    alliance-sim explore [--port N]     the explorer page in the browser

Configs and scenario files are found through sim/paths.py, wherever the command is run.
"""

from __future__ import annotations

import runpy
import sys
import textwrap

from sim.paths import ROOT, SCENARIOS
from sim.scenario.library import read_scenario, scenario_files

ENTRY = ROOT / "run.py"
"""The Hydra entry point `alliance-sim run` runs: run.py of the clone the package lives in."""


def scenario_rows() -> list[tuple[str, str, str, str]]:
    """(name, title, divergence, claim) of every scenario file; a counterfactual that does not
    set its own title says which scenario it starts from."""
    rows = []
    for name, path in scenario_files(SCENARIOS).items():
        try:
            data = read_scenario(path)
        except Exception as error:  # noqa: BLE001 (a broken file is listed with its reason)
            rows.append((name, f"(cannot be read: {error})", "", ""))
            continue
        base = [d for d in data.get("defaults") or [] if d != "_self_"]
        title = data.get("title") or (f"(from {base[0]})" if base else "")
        rows.append((name, str(title), str(data.get("divergence") or ""),
                     str(data.get("claim") or "")))
    return rows


def list_scenarios() -> str:
    """The scenarios as a person reads them in a terminal."""
    lines = [f"Scenarios in {SCENARIOS} (run one: alliance-sim run scenario=NAME)", ""]
    for name, title, divergence, claim in scenario_rows():
        lines.append(f"{name}")
        lines.append(f"    {title}")
        for label, text in (("divergence", divergence), ("claim", claim)):
            if text:
                lines += textwrap.wrap(f"{label}: {text}", width=96, initial_indent="    ",
                                       subsequent_indent="        ")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def run(arguments: list[str]) -> None:
    """`python run.py ARGUMENTS`, from the current folder (results go under it)."""
    if not ENTRY.is_file():
        sys.exit(f"error: {ENTRY} is missing; alliance-sim run needs the package installed "
                 "from a clone (python -m pip install -e .)")
    sys.argv = [f"{sys.argv[0]} run", *arguments]
    runpy.run_path(str(ENTRY), run_name="__main__")


def main(arguments: list[str] | None = None) -> None:
    arguments = sys.argv[1:] if arguments is None else arguments
    command, rest = (arguments[0], arguments[1:]) if arguments else ("help", [])
    if command == "run":
        run(rest)
    elif command == "list":
        sys.stdout.write(list_scenarios())
    elif command == "chronicle":
        from sim.outputs.chronicle import main as chronicle

        raise SystemExit(chronicle(rest))
    elif command == "explore":
        from sim.explorer.__main__ import main as explore

        explore(rest)
    elif command in ("help", "-h", "--help"):
        print(__doc__.strip())
    else:
        sys.exit(f"error: unknown command {command!r}; allowed: run, list, chronicle, explore, "
                 "help")


if __name__ == "__main__":
    main()
