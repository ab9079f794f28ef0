"""Writing a run's folder so that it is either complete or visibly not, and one run at a time.

A run holds its folder with a lock file (`.lock`, created exclusively, naming the process); a
second run into a held folder is refused in one line. While it holds the folder the run notes
what was there before, so that a run that fails, or is interrupted, removes exactly what it
wrote and nothing else, then the folder (and the parent folders it made) if they are left
empty. Rows stream into `runs.parquet.partial` in row groups and are renamed when the run
ends; `summary.json` is written last, so a folder with a summary is a finished run.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import socket
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sim import interrupts
from sim.errors import InputError

LOCK = ".alliance-sim.lock"
"""The lock file a run keeps in its folder while it runs."""

HYDRA_FILES = {".hydra"}
"""What Hydra writes into a run folder before the run starts (besides log files)."""

KNOWN_FOLDERS = ("plots", ".hydra")
"""Subfolders whose files are tracked one by one (a run writes into them)."""

ROW_GROUP_ROWS = 50_000
"""Rows per Parquet row group. The writer keeps every row group's metadata (about 100 kB for
the full table) until the file is closed, so row groups of one small block each would
make memory grow with the number of worlds; 50,000 rows keep it to about 20 MB at 10^7 worlds
while buffering at most one row group (about 25 MB)."""


class FolderError(InputError):
    """A run folder that cannot be used: held by another run, finished, or not writable."""


# --------------------------------------------------------------------------- the lock


def _stamp(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_mtime_ns, info.st_size


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """The files in the folder now (top level, and inside the folders a run writes into)."""
    seen = {}
    for entry in folder.iterdir():
        seen[entry.name] = _stamp(entry)
        if entry.name in KNOWN_FOLDERS and entry.is_dir():
            for inner in entry.iterdir():
                seen[f"{entry.name}/{inner.name}"] = _stamp(inner)
    return seen


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class FolderLock:
    """A run's hold on its folder.

    Attributes:
        folder: the run folder.
        created: the folders taking the lock created (the run folder and any missing
            parents), innermost first: removed on release if they are empty.
        before: the files the folder held when the lock was taken, with their modification
            time and size: anything else, or anything changed, was written by this run.
    """

    folder: Path
    created: list[Path]
    before: dict[str, tuple[int, int]] = field(default_factory=dict)
    depth: int = 1

    @property
    def path(self) -> Path:
        return self.folder / LOCK

    def discard(self) -> None:
        """Remove what this run wrote into the folder (it failed or was interrupted)."""
        if not self.folder.is_dir():
            return
        for entry in list(self.folder.iterdir()):
            if entry.name == LOCK:
                continue
            if entry.name not in self.before:
                _remove(entry)
            elif entry.is_dir() and entry.name in KNOWN_FOLDERS:
                for inner in list(entry.iterdir()):
                    key = f"{entry.name}/{inner.name}"
                    if self.before.get(key) != _stamp(inner):
                        _remove(inner)
            elif entry.is_file() and self.before[entry.name] != _stamp(entry):
                _remove(entry)

    def release(self) -> None:
        """Give the folder up; remove it, and the parents it made, if nothing is left in them."""
        self.depth -= 1
        if self.depth > 0:
            return
        _held.pop(self.folder.resolve(), None)
        self.path.unlink(missing_ok=True)
        for folder in self.created:
            try:
                folder.rmdir()
            except OSError:  # not empty (or already gone): keep it and its parents
                break


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


_held: dict[Path, FolderLock] = {}
"""The folders this process holds (a lock taken again by its holder is the same lock)."""


def holder_of(folder: Path) -> dict | None:
    """What the lock file of `folder` says about the run holding it, if a live run holds it.

    A lock left by a process that no longer runs on this machine is stale and not a holder.
    """
    try:
        info = json.loads((folder / LOCK).read_text())
    except (OSError, ValueError):
        return None if not (folder / LOCK).exists() else {"pid": None, "host": "?"}
    if not isinstance(info, dict):
        return {"pid": None, "host": "?"}
    if info.get("host") == socket.gethostname() and isinstance(info.get("pid"), int) \
            and not _alive(info["pid"]):
        return None
    return info


def describe_holder(folder: Path, info: dict) -> str:
    since = f", since {info['started']}" if info.get("started") else ""
    return (f"{folder} is in use by another run (pid {info.get('pid')} on "
            f"{info.get('host')}{since}); wait for it to finish, or choose another folder (if "
            f"no run is using it, delete {folder / LOCK})")


def lock_folder(folder: Path) -> FolderLock:
    """Take the folder for this run, creating it if needed; refuse a folder another run
    holds, or one that cannot be written, in one line (FolderError)."""
    key = folder.resolve()
    if key in _held:
        _held[key].depth += 1
        return _held[key]
    created, probe = [], folder
    while not probe.exists() and probe != probe.parent:
        created.append(probe)
        probe = probe.parent
    if probe != folder and not probe.is_dir():
        raise FolderError(f"cannot make the run folder {folder}: {probe} is a file")
    if probe == folder and not folder.is_dir():
        raise FolderError(f"the run folder {folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FolderError(f"cannot make the run folder {folder}: {error.strerror}") from None
    info = {"pid": os.getpid(), "host": socket.gethostname(),
            "started": dt.datetime.now().isoformat(timespec="seconds"),
            "command": " ".join(sys.argv)}
    for _ in range(2):
        try:
            handle = os.open(folder / LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = holder_of(folder)
            if holder is not None:
                raise FolderError(describe_holder(folder, holder)) from None
            (folder / LOCK).unlink(missing_ok=True)  # stale: its run is gone
            continue
        except OSError as error:
            _remove_created(created)
            raise FolderError(f"cannot write into the run folder {folder}: "
                              f"{error.strerror}") from None
        with os.fdopen(handle, "w") as out:
            json.dump(info, out)
        break
    lock = FolderLock(folder, created, _snapshot(folder))
    lock.before.pop(LOCK, None)
    _held[key] = lock
    return lock


def _remove_created(created: list[Path]) -> None:
    for folder in created:
        try:
            folder.rmdir()
        except OSError:
            break


@contextmanager
def claim(folder: Path):
    """Hold `folder` for the body; if the body fails or is interrupted, remove what it wrote
    (and the folder, if nothing else is left) before the error goes on."""
    lock = lock_folder(folder)
    try:
        yield lock
    except BaseException:
        with interrupts.shielded():
            lock.discard()
        raise
    finally:
        with interrupts.shielded():
            lock.release()


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


# --------------------------------------------------------------------------- writers


class RowWriter:
    """Streams per-world rows to `folder/name` (runs.parquet) through a temporary name, in row
    groups of ROW_GROUP_ROWS rows."""

    def __init__(self, folder: Path, row_group_rows: int = ROW_GROUP_ROWS,
                 name: str = "runs.parquet"):
        self.final = folder / name
        self.partial = folder / f"{name}.partial"
        self.row_group_rows = row_group_rows
        self._writer: pq.ParquetWriter | None = None
        self._buffer: list[pa.Table] = []
        self._buffered = 0

    def __call__(self, rows: pa.Table) -> None:
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.partial, rows.schema)
        self._buffer.append(rows)
        self._buffered += rows.num_rows
        if self._buffered >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            table = pa.concat_tables(self._buffer)
            self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self._buffer, self._buffered = [], 0

    def close(self) -> None:
        if self._writer is not None:
            self._flush()
            self._writer.close()
            self._writer = None
            self.partial.replace(self.final)

    def abandon(self) -> None:
        self._buffer, self._buffered = [], 0
        if self._writer is not None:
            try:
                self._writer.close()
            except OSError:  # the disk that failed the run may fail the close too
                pass
            self._writer = None
        self.partial.unlink(missing_ok=True)


def json_safe(data):
    """`data` with NaN and infinities (no worlds to estimate from) as null, as JSON requires."""
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def write_json(path: Path, data: dict) -> None:
    """Write JSON through a temporary file, so a reader never sees half of it."""
    partial = path.with_suffix(path.suffix + ".partial")
    try:
        partial.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
