"""One line for a Hydra composition error: an override of a key the composed config does not
hold, whether misspelt or a field of the scenario format that the file leaves out (which Hydra
adds only with a leading +).
"""

from __future__ import annotations

import difflib
import re

from omegaconf import DictConfig, OmegaConf

from sim.scenario.validate import allowed_keys, model_at


def explain(error: Exception, base: DictConfig | None) -> str:
    """One line for a Hydra composition error: a misspelt key names the closest key and those
    allowed at its level; anything else is Hydra's own message on one line."""
    text = f"{error}\n{error.__cause__ or ''}"
    unknown = re.search(r"Key '([^']+)' is not in struct\s+full_key: (\S+)", text)
    if not unknown or base is None:
        return " ".join(line.strip() for line in str(error).splitlines()
                        if line.strip() and not line.startswith("See https://"))
    full_key = unknown.group(2)
    parent, _, key = full_key.rpartition(".")
    node = OmegaConf.select(base, parent) if parent else base
    allowed = [str(k) for k in node.keys()] if isinstance(node, DictConfig) else []
    unwritten = [k for k in fields_at(parent) if k not in allowed]
    if key in unwritten:
        return (f"'{full_key}' is a field the scenario file does not write: put a + before the "
                f"override, as in '+{full_key}=VALUE' (written in {parent}: "
                f"{', '.join(allowed)})")
    close = difflib.get_close_matches(key, allowed + unwritten, n=1)
    hint = ""
    if close:
        hint = f" (did you mean '{close[0]}'?)" if close[0] in allowed else \
            f" (did you mean '+{parent}.{close[0]}'?)"
    return f"unknown key '{full_key}'{hint}; allowed in {parent or 'the config'}: " + \
        ", ".join(allowed)


def fields_at(path: str) -> list[str]:
    """The scenario format's fields at a dotted config path under `scenario` (none elsewhere):
    the keys a file may leave out there, and a command line may still add."""
    if not path.startswith("scenario"):
        return []
    model = model_at(tuple(path.split(".")[1:]))
    return allowed_keys(model) if model is not None else []
