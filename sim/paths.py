"""Where the program finds its configs and scenario files: the clone, or the installed package.

In a clone (an editable install) they are the top-level `configs/` and `scenarios/`; a wheel
ships them inside the package as `sim/configs` and `sim/scenarios` (pyproject.toml maps them).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _folder(name: str) -> Path:
    checkout = ROOT / name
    if checkout.is_dir():
        return checkout
    return Path(str(resources.files(f"sim.{name}")))


CONFIGS = _folder("configs")
SCENARIOS = _folder("scenarios")
