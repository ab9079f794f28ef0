"""Where the program finds its configs and scenario files: the clone, or the installed package.

In a clone (an editable install) they are the top-level `configs/` and `scenarios/`; a wheel
ships them inside the package as `sim/configs` and `sim/scenarios` (pyproject.toml maps them).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent


def _folder(name: str) -> Path:
    checkout = ROOT / name
    return checkout if checkout.is_dir() else PACKAGE / name


CONFIGS = _folder("configs")
SCENARIOS = _folder("scenarios")
