"""Writing a run's folder so that it is either complete or visibly not.

Rows stream into `runs.parquet.partial` block by block and are renamed when the run ends;
`summary.json` is written last, so a folder with a summary is a finished run. A run that fails
takes its partial files with it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

HYDRA_FILES = {".hydra"}
"""What Hydra writes into a run folder before the run starts (besides log files)."""

OUTPUTS = ("summary.json", "runs.parquet", "report.md", "chronicle.md", "plots")
"""What a run writes into its folder, so that a failed run can take all of it back."""


class RowWriter:
    """Streams per-world rows to `runs.parquet` through a temporary name."""

    def __init__(self, folder: Path):
        self.final = folder / "runs.parquet"
        self.partial = folder / "runs.parquet.partial"
        self._writer: pq.ParquetWriter | None = None

    def __call__(self, rows: pa.Table) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.partial, rows.schema)
        self._writer.write_table(rows)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self.partial.replace(self.final)

    def abandon(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.partial.unlink(missing_ok=True)


def write_json(path: Path, data: dict) -> None:
    """Write JSON through a temporary file, so a reader never sees half of it."""
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
    partial.replace(path)


def discard_outputs(folder: Path) -> None:
    """Remove whatever a failed run wrote, then the folder itself if nothing else is left."""
    for name in OUTPUTS:
        path = folder / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    remove_unfinished(folder)


def remove_unfinished(folder: Path) -> None:
    """Delete a run folder that holds nothing but what Hydra wrote before the run failed.

    A folder with anything else in it (a user's own files) is left alone.
    """
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        if entry.name not in HYDRA_FILES and entry.suffix not in (".log", ".partial"):
            return
    shutil.rmtree(folder)
