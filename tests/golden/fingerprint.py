"""Fingerprints of finished runs, to show that a change of structure leaves the numbers alone.

    python -m tests.golden.fingerprint          # rewrite tests/golden/fingerprints.json

A fingerprint is a run's outcome block from summary.json and a SHA-256 digest of every column
of its runs.parquet. The golden file was first taken before the engine was restructured; a
change that alters the numbers for a seed on purpose regenerates it in a commit that says why.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("fingerprints.json")

RUNS = [
    # (scenario, overrides): three worlds, two blocks each (one of them partial)
    ("baseline", ["runs=3000", "seed=11", "chunk_size=2000"]),
    ("molotov_successor", ["runs=3000", "seed=11", "chunk_size=2000"]),
    ("liu_shaoqi_leads", ["runs=3000", "seed=11", "chunk_size=2000"]),
]


def column_digest(column) -> str:
    """SHA-256 of a column's values: floats as float64 (null as NaN), labels as text."""
    values = column.to_pylist()
    if all(v is None or isinstance(v, (int, float)) for v in values):
        data = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        return hashlib.sha256(data.tobytes()).hexdigest()
    text = "\x1f".join("\x00" if v is None else str(v) for v in values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fingerprint(folder: Path) -> dict:
    """The outcomes of summary.json and a digest per column of runs.parquet."""
    summary = json.loads((folder / "summary.json").read_text())
    table = pq.read_table(folder / "runs.parquet")
    return {
        "outcomes": summary["outcomes"],
        "columns": {name: column_digest(table.column(name)) for name in table.column_names},
    }


def run_and_fingerprint(scenario: str, overrides: list[str], folder: Path) -> dict:
    """Run `python run.py` as a user would, without comparison or progress bar."""
    done = subprocess.run(
        [sys.executable, "run.py", f"scenario={scenario}", *overrides, "compare_with=null",
         "progress=false", f"hydra.run.dir={folder}"],
        cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return fingerprint(folder)


def main() -> None:
    prints = {}
    with tempfile.TemporaryDirectory() as scratch:
        for scenario, overrides in RUNS:
            prints[scenario] = run_and_fingerprint(scenario, overrides, Path(scratch) / scenario)
    GOLDEN.write_text(json.dumps(prints, indent=1, sort_keys=True) + "\n")
    print(f"Wrote {GOLDEN}")


if __name__ == "__main__":
    main()
