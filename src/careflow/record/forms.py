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

__all__ = ["CODED_FIELDS", "FieldSpec", "field_specs", "form_values", "typed_field_count"]

# Coded fields and the code list (collection, name) whose codes they take.
CODED_FIELDS: dict[str, tuple[str, str]] = {
    "referral_source": ("cin", "referral_source"),
    "primary_need": ("cin", "primary_need"),
    "category_of_abuse": ("cin", "category_of_abuse"),
    "latest_category_of_abuse": ("cin", "category_of_abuse"),
    "factors": ("cin", "assessment_factors"),
    "reason_for_closure": ("cin", "reason_for_closure"),
    "placement_type": ("ssda903", "placement_type"),
    "placement_provider": ("ssda903", "placement_provider"),
    "legal_status": ("ssda903", "legal_status"),
    "reason_placement_change": ("ssda903", "reason_placement_change"),
    "reason_episode_ceased": ("ssda903", "reason_episode_ceased"),
    "participation": ("ssda903", "review_participation"),
    "sex": ("ssda903", "sex"),
    "ethnicity": ("ssda903", "ethnicity"),
    "previous_permanence": ("ssda903", "previous_permanence"),
    "reason_for_change": ("ssda903", "social_worker_change_reason"),
    "sex_of_adopters": ("ssda903", "adopter_sex"),
    "legal_status_of_adopters": ("ssda903", "adopter_legal_status"),
    "reason_adoption_decision_reversed": ("ssda903", "reason_placed_for_adoption_ceased"),
    "reason_no_score": ("ssda903", "sdq_reason"),
    "in_touch": ("ssda903", "care_leaver_in_touch"),
    "activity": ("ssda903", "care_leaver_activity"),
    "accommodation": ("ssda903", "care_leaver_accommodation"),
}
_SKIP = {"kind", "version"}
_PEOPLE = {"advocate_id", "user_id", "supervising_social_worker_id", "carer_person_id"}


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
    return [(c.code, f"{c.code} – {c.label}") for c in listing.codes.values()]


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
        label = name.replace("_", " ").replace(" gbp", " (£)").replace(" on", " date").capitalize()
        required = _is_typed(info)
        origin = typing.get_origin(annotation)
        if name == "note":
            specs.append(FieldSpec(name, "Note (optional)", "textarea", False))
        elif name in CODED_FIELDS:
            kind = "multiselect" if origin is list else "select"
            specs.append(FieldSpec(name, label, kind, required, _code_options(name, today)))
        elif name in _PEOPLE:
            specs.append(FieldSpec(name, label, "select", required, (people or {}).get(name, [])))
        elif origin is typing.Literal:
            options = [(str(v), str(v).replace("_", " ")) for v in typing.get_args(annotation)]
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
