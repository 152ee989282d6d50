"""HTML forms built from the event schemas: one small form per event, only the fields a worker must give.

Each field's input comes from its type: dates, tick boxes, choices from a ``Literal``, and for coded fields the
code list of the collection year (``careflow.codes``), so no code list is written into a template.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from careflow import codes
from careflow.record.labels import CODED_FIELDS, field_label, words

__all__ = ["CODED_FIELDS", "FieldSpec", "field_specs", "form_values", "typed_field_count"]

# corrected_values (a mapping of field names to values) is for the API; the web form corrects in words and a date
_SKIP = {"kind", "version", "corrected_values"}
_PEOPLE = {"advocate_id", "user_id", "supervising_social_worker_id", "carer_person_id", "corrects_event_id",
           "signed_off_event_id"}
_LONG_TEXT = {"note", "reason", "correction", "goals", "purpose", "success_measures", "accommodation", "monitoring",
              "progress", "description", "plan", "concern", "household", "family_relationships", "parents_needs",
              "possible_foster_carers", "actions"}


@dataclass
class FieldSpec:
    """One input of a form."""

    name: str
    label: str
    input: str  # text, date, checkbox, select, multiselect, number, textarea
    required: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    hint: str = ""


def _inner(annotation: Any) -> tuple[Any, bool]:
    """The type inside ``X | None`` and whether None was allowed."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return annotation, False


def _code_options(name: str, today: dt.date) -> list[tuple[str, str]]:
    collection, list_name = CODED_FIELDS[name]
    held = codes.years(collection)
    year = min(max(codes.CollectionYear.of_date(today), held[0]), held[-1])
    try:
        listing = codes.code_list(list_name, year, collection)
    except KeyError:
        return []
    return [(c.code, f"{c.label} ({c.code})") for c in listing.codes.values()]


def _is_typed(info: FieldInfo) -> bool:
    return info.is_required()


def field_specs(model: type[BaseModel], today: dt.date,
                people: dict[str, list[tuple[str, str]]] | None = None) -> list[FieldSpec]:
    """The inputs of a form for ``model`` (``people`` gives choices for fields that name a user or person)."""
    specs: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        if name in _SKIP:
            continue
        annotation, _optional = _inner(info.annotation)
        label = field_label(name)
        required = _is_typed(info)
        origin = typing.get_origin(annotation)
        if name == "note":
            specs.append(FieldSpec(name, "Note" if required else "Note (optional)", "textarea", required))
        elif name in _LONG_TEXT and annotation is str and origin is not typing.Literal:
            specs.append(FieldSpec(name, label, "textarea", required))
        elif name in CODED_FIELDS:
            kind = "multiselect" if origin is list else "select"
            specs.append(FieldSpec(name, label, kind, required, _code_options(name, today)))
        elif name in _PEOPLE:
            specs.append(FieldSpec(name, label, "select", required, (people or {}).get(name, [])))
        elif origin is typing.Literal:
            options = [(str(v), words(str(v))) for v in typing.get_args(annotation)]
            specs.append(FieldSpec(name, label, "select", required, options))
        elif annotation is bool:
            specs.append(FieldSpec(name, label, "checkbox", False))
        elif annotation is dt.date:
            hint = "" if required else "leave empty for today" if name == "occurred_on" else ""
            specs.append(FieldSpec(name, label if name != "occurred_on" else "Date", "date", required, hint=hint))
        elif annotation in (int, Decimal) or (isinstance(annotation, type) and issubclass(annotation, Decimal)):
            specs.append(FieldSpec(name, label, "number", required))
        else:
            specs.append(FieldSpec(name, label, "text", required))
    # What the event is about first; its date (usually today) and the optional note last.
    return sorted(specs, key=lambda f: {"occurred_on": 1, "note": 2}.get(f.name, 0))


def form_values(model: type[BaseModel], form: Any) -> dict[str, Any]:
    """The submitted values for ``model``: empty strings dropped, tick boxes as booleans, lists as lists."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation, _ = _inner(info.annotation)
        if annotation is bool:
            out[name] = form.get(name) in ("on", "true", "1")
            continue
        if typing.get_origin(annotation) is list:
            values = [v for v in form.getlist(name) if v]
            if values:
                out[name] = values
            continue
        value = form.get(name)
        if isinstance(value, str) and value.strip() != "":
            out[name] = value
    return out


def typed_field_count(model: type[BaseModel]) -> int:
    """How many fields a worker must type in this form (required, with nothing derived or defaulted)."""
    return sum(1 for name, info in model.model_fields.items() if name not in _SKIP and _is_typed(info))
