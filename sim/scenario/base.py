"""What every part of a scenario shares: unknown keys refused, citations allowed anywhere, and
id-keyed mappings whose entries learn their id from their key."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from sim.scenario.fields import fail

NOTE_KEYS = ("source", "sources", "note", "notes")
"""Keys allowed anywhere for citations and comments; the engine ignores them."""

INJECTED = ("id",)
"""Fields the program fills in (an entry's id is its key), which a file may not set."""

Note = Annotated[Any, Field(description="a citation or comment; ignored by the engine")]


class Strict(BaseModel):
    """A part of a scenario: unknown keys are refused, and citations are allowed anywhere."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    source: Note = None
    sources: Note = None
    note: Note = None
    notes: Note = None


def keyed(value: Any) -> Any:
    """An id -> entry mapping, with each entry given its key as `id` and null entries dropped
    (a counterfactual removes an entry of the file it starts from by setting it to null)."""
    if not isinstance(value, dict):
        return value
    entries = {}
    for key, entry in value.items():
        if entry is None:
            continue
        if isinstance(entry, dict):
            if "id" in entry:
                raise fail("{path}: an entry's id is its key; remove the key 'id'")
            entry = {**entry, "id": str(key)}
        entries[str(key)] = entry
    return entries


def Keyed(model):  # noqa: N802 (a type factory, named like the type it makes)
    return Annotated[dict[str, model], BeforeValidator(keyed)]


Id = SkipJsonSchema[str]


